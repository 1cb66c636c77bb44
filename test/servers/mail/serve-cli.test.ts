// `inet serve mail`: prints its URLs, takes mail into Maildir, stops on Ctrl-C.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Capture, runCli } from "../../cli/run-cli.js";
import { plainResponse, SmtpTestClient } from "../smtp/smtp-client.js";

const work = await mkdtemp(join(tmpdir(), "inetkit-serve-mail-"));
after(() => rm(work, { recursive: true, force: true }));

describe("inet serve mail", () => {
  it("serves --user mailboxes under --store, with --tls, printing the URLs and the CA file", async () => {
    const root = join(work, "mail");
    const controller = new AbortController();
    const stdout = new Capture();
    const running = runCli(
      [
        "serve",
        "mail",
        "--store",
        root,
        "--user",
        "alice:secret:with:colons",
        "--domain",
        "example.test",
        "--tls",
        "--port",
        "0",
        "--submission-port",
        "0",
        "--smtps-port",
        "0",
      ],
      { signal: controller.signal, stdout },
    );
    const [, smtpPort] = await stdout.waitFor(/listening on smtp:\/\/127\.0\.0\.1:(\d+) \(SMTP\)\n/);
    const [, submissionPort] = await stdout.waitFor(
      /listening on smtp\+starttls:\/\/127\.0\.0\.1:(\d+) \(submission, AUTH required\)\n/,
    );
    await stdout.waitFor(/listening on smtps:\/\/127\.0\.0\.1:\d+ \(implicit TLS, AUTH required\)\n/);
    const [, caFile] = await stdout.waitFor(/CA certificate: (.+)\n/);
    await stdout.waitFor(/users: alice\n/);
    assert.match(stdout.text(), /^mail kept in .*mail \(Maildir\)\n/);
    assert.match(stdout.text(), /\ndomains: example\.test\n/);
    const ca = await readFile(caFile!, "utf8");

    const { client } = await SmtpTestClient.ready(Number(submissionPort));
    await client.starttls({ ca });
    await client.expect("EHLO c.test", 250);
    await client.expect(`AUTH PLAIN ${plainResponse("alice", "secret:with:colons")}`, 235);
    await client.quit();
    const plain = await SmtpTestClient.ready(Number(smtpPort));
    await plain.client.expect("MAIL FROM:<x@y.test>", 250);
    await plain.client.expect("RCPT TO:<alice@example.test>", 250);
    await plain.client.expect("DATA", 354);
    await plain.client.expect("Subject: cli\r\n\r\nx\r\n.", 250);
    await plain.client.quit();
    assert.equal((await readdir(join(root, "alice", "new"))).length, 1);

    controller.abort();
    const result = await running;
    assert.equal(result.code, 0);
  });

  it("needs at least one --user", async () => {
    const result = await runCli(["serve", "mail", "--port", "0"]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /--user NAME:PASSWORD/);
  });
});
