// How `inet mail send` reaches the server and logs in: STARTTLS required with smtp+starttls://
// (the test CA trusted with --ca), implicit TLS with smtps://, passwords from ~/.netrc and the
// environment, plain smtp:// refusing a password without --insecure, and login failures (exit 3).
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { PassThrough } from "node:stream";
import { after, afterEach, before, describe, it } from "node:test";
import type { CommandContext } from "../../../src/cli/command.js";
import { chooseMailServer, openSmtp } from "../../../src/cli/commands/mail/connect.js";
import { emptyConfig } from "../../../src/cli/config.js";
import { Output } from "../../../src/cli/output.js";
import { AbortError } from "../../../src/errors.js";
import type { MailServer } from "../../../src/servers/mail/index.js";
import { Capture } from "../run-cli.js";
import { cleanup, mail, mailbox, mailServer, tempFile } from "./mail-fixtures.js";

let tls: MailServer;
let plain: MailServer;
let ca: string;
before(async () => {
  tls = await mailServer({ tls: true });
  plain = await mailServer({ allowInsecureAuth: true, ports: { smtps: false } });
  ca = await tempFile("ca.pem", tls.ca!);
});
after(async () => {
  await tls.close();
  await plain.close();
  await cleanup();
});
afterEach(async () => {
  delete process.env.INET_SMTP_PASSWORD;
  delete process.env.INET_PASSWORD;
  await writeFile(process.env.NETRC!, "", { mode: 0o600 });
});

const MESSAGE = ["-f", "alice@localhost", "-t", "bob@localhost", "-s", "hello", "--text", "hi"];

/** The submission URL with a user name in it. */
function submission(user = "alice"): string {
  return tls.urls.submission!.replace("://", `://${user}@`);
}

describe("TLS", () => {
  it("smtp+starttls:// with --ca: STARTTLS, login with INET_SMTP_PASSWORD, delivered", async () => {
    process.env.INET_SMTP_PASSWORD = "alice-secret";
    const before = (await mailbox(tls, "bob")).length;
    const run = await mail("send", "--server", submission(), "--ca", ca, ...MESSAGE, "--trace");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /> STARTTLS/);
    assert.match(run.stderr, /> AUTH /);
    assert.ok(!run.stderr.includes("alice-secret"), "the trace masks the password");
    const messages = await mailbox(tls, "bob");
    assert.equal(messages.length, before + 1);
    assert.match(messages.at(-1)!.text, /authenticated as alice/);
  });

  it("smtps:// (implicit TLS) with the password from ~/.netrc", async () => {
    await writeFile(process.env.NETRC!, "machine 127.0.0.1 login alice password alice-secret\n", {
      mode: 0o600,
    });
    const url = tls.urls.smtps!.replace("://", "://alice@");
    const run = await mail("send", "--server", url, "--ca", ca, ...MESSAGE);
    assert.equal(run.code, 0, run.stderr);
  });

  it("the certificate is verified: without --ca the connection fails (exit 3)", async () => {
    process.env.INET_SMTP_PASSWORD = "alice-secret";
    const run = await mail("send", "--server", submission(), ...MESSAGE);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /certificate/i);
  });

  it("STARTTLS required: a server that does not offer it fails closed (exit 3), nothing sent", async () => {
    const url = plain.urls.smtp!.replace("smtp://", "smtp+starttls://");
    const run = await mail("send", "--server", url, ...MESSAGE);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /STARTTLS is required/);
    assert.equal((await mailbox(plain, "bob")).length, 0);
  });

  it("a wrong password is a login failure (exit 3)", async () => {
    process.env.INET_PASSWORD = "wrong";
    const run = await mail("send", "--server", submission(), "--ca", ca, ...MESSAGE);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /535/);
  });

  it("a user name but no password and no terminal: a usage error saying where passwords come from", async () => {
    const run = await mail("send", "--server", submission(), "--ca", ca, ...MESSAGE);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no password for alice@127\.0\.0\.1: .*~\/\.netrc, INET_SMTP_PASSWORD/);
  });
});

describe("plain smtp://", () => {
  it("refuses to send a password without --insecure (exit 2, nothing connected)", async () => {
    process.env.INET_SMTP_PASSWORD = "alice-secret";
    const url = plain.urls.smtp!.replace("://", "://alice@");
    const run = await mail("send", "--server", url, ...MESSAGE);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /refusing to log in as alice over plain smtp:\/\/.*--insecure/);
    assert.equal((await mailbox(plain, "bob")).length, 0);
  });

  it("--insecure sends it, with a warning", async () => {
    process.env.INET_SMTP_PASSWORD = "alice-secret";
    const url = plain.urls.smtp!.replace("://", "://alice@");
    const run = await mail("send", "--server", url, "--insecure", ...MESSAGE);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning: sending the password for alice in the clear/);
    const messages = await mailbox(plain, "bob");
    assert.match(messages.at(-1)!.text, /authenticated as alice/);
  });

  it("without a user name no login is tried, and a password in the environment stays unused", async () => {
    process.env.INET_PASSWORD = "never-sent";
    const run = await mail("send", "--server", plain.urls.smtp!, ...MESSAGE, "--trace");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /< 250[- ]AUTH /, "the server offers AUTH");
    assert.ok(!run.stderr.includes("> AUTH"), "but no login is tried");
  });
});

describe("the password prompt", () => {
  it("on a terminal, asks for the password without echoing it, then logs in", async () => {
    const stdin = Object.assign(new PassThrough(), {
      isTTY: true,
      isRaw: false,
      setRawMode(mode: boolean) {
        this.isRaw = mode;
        return this;
      },
    });
    const stderr = Object.assign(new Capture(), { isTTY: true });
    const io = { stdin, stdout: new Capture(), stderr };
    const controller = new AbortController();
    const context: CommandContext = {
      io,
      out: new Output(io),
      signal: controller.signal,
      interrupt: () => controller.abort(new AbortError()),
    };
    const choice = chooseMailServer({ values: { server: submission() }, positionals: [] }, emptyConfig());
    const opening = openSmtp(choice, { context, ca: tls.ca! });
    await stderr.waitFor(/Password for alice@127\.0\.0\.1: $/);
    stdin.write("alice-secret\r");
    const client = await opening;
    try {
      assert.equal(client.session.user, "alice");
      assert.ok(client.session.tls, "over TLS");
      assert.ok(!stderr.text().includes("alice-secret"), "nothing echoed");
    } finally {
      await client.quit();
    }
  });
});
