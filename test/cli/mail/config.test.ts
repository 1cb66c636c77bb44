// Mail accounts in the config file: the `mail` section read and checked, files from before it
// existed read and written back unchanged, `inet mail accounts` (add, list, default, remove,
// --store-password), and `inet mail send` using an account's sender, server and login — never
// sending the account's credentials to another server.
import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import {
  emptyConfig,
  type InetConfig,
  loadConfig,
  parseConfig,
  saveConfig,
} from "../../../src/cli/config.js";
import { InvalidArgumentError } from "../../../src/errors.js";
import type { MailServer } from "../../../src/servers/mail/index.js";
import { cleanup, fromAddress, mail, mailbox, mailServer, tempDir, tempFile } from "./mail-fixtures.js";

const CONFIG = process.env.INET_CONFIG!;

let server: MailServer;
let ca: string;
before(async () => {
  server = await mailServer({ tls: true });
  ca = await tempFile("ca.pem", server.ca!);
});
after(async () => {
  await server.close();
  await cleanup();
});
afterEach(async () => {
  delete process.env.INET_SMTP_PASSWORD;
  await saveConfig(emptyConfig(), CONFIG);
});

describe("the mail section of the config file", () => {
  it("a file written before mail accounts existed loads without a mail section and saves unchanged", async () => {
    const dir = await tempDir();
    const path = join(dir, "config.json");
    const old = {
      bookmarks: { pub: { url: "ftp://ftp.example.org/pub" } },
      sites: { docs: { url: "ftp://h/docs", pattern: "*.pdf", local: "/d" } },
      defaults: { parallel: 2 },
    };
    await writeFile(path, JSON.stringify(old), { mode: 0o600 });
    const loaded = await loadConfig(path);
    assert.deepEqual(loaded.config, old);
    assert.equal("mail" in loaded.config, false);
    await saveConfig(loaded.config, path);
    assert.deepEqual(JSON.parse(await readFile(path, "utf8")), old);
  });

  it("reads accounts and the default account, and keeps the FTP parts beside them", () => {
    const text = JSON.stringify({
      bookmarks: { b: { url: "ftp://h/" } },
      mail: {
        accounts: {
          work: {
            from: "Alice <alice@example.org>",
            server: "smtp+starttls://alice@mail.example.org",
            password: "pw",
          },
          home: { from: "a@home.example", server: "smtps://smtp.home.example", user: "a" },
        },
        defaultAccount: "work",
      },
    });
    const config = parseConfig(text, "c.json");
    assert.deepEqual(config.bookmarks, { b: { url: "ftp://h/" } });
    assert.deepEqual(config.mail, {
      accounts: {
        work: {
          from: "Alice <alice@example.org>",
          server: "smtp+starttls://alice@mail.example.org",
          password: "pw",
        },
        home: { from: "a@home.example", server: "smtps://smtp.home.example", user: "a" },
      },
      defaultAccount: "work",
    });
    assert.deepEqual(parseConfig('{"mail": {}}', "c.json").mail, { accounts: {} });
  });

  it("refuses malformed mail sections, naming the file", () => {
    for (const mailSection of [
      "[]",
      '{"accounts": []}',
      '{"accounts": {"a": {"from": "x@y"}}}',
      '{"accounts": {"a": {"from": "x@y", "server": "smtp://h", "user": 7}}}',
      '{"accounts": {"__proto__": {"from": "x@y", "server": "smtp://h"}}}',
      '{"accounts": {}, "defaultAccount": "missing"}',
    ]) {
      assert.throws(
        () => parseConfig(`{"mail": ${mailSection}}`, "c.json"),
        (error: unknown) => error instanceof InvalidArgumentError && /c\.json/.test(error.message),
        mailSection,
      );
    }
  });
});

describe("inet mail accounts", () => {
  it("add (the first becomes the default), list, default, remove; the file stays 0600", async () => {
    const added = await mail(
      "accounts",
      "add",
      "work",
      "--from",
      "Alice <alice@localhost>",
      "--server",
      "smtp+starttls://alice@mail.example.org",
    );
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, "added account work (the default)\n");
    const second = await mail(
      "accounts",
      "add",
      "home",
      "--from",
      "bob@localhost",
      "--server",
      "smtps://smtp.example.org",
      "--user",
      "bob",
    );
    assert.equal(second.stdout, "added account home\n");
    const listed = await mail("accounts");
    assert.match(listed.stdout, /^ +NAME +FROM +SERVER +USER +PASSWORD\n/);
    assert.match(listed.stdout, /\n {3}home +bob@localhost +smtps:\/\/smtp\.example\.org +bob\n/);
    assert.match(
      listed.stdout,
      /\n\* +work +Alice <alice@localhost> +smtp\+starttls:\/\/alice@mail\.example\.org +alice\n/,
    );
    assert.equal((await mail("accounts", "default", "home")).code, 0);
    const json = JSON.parse((await mail("accounts", "list", "--json")).stdout);
    assert.deepEqual(
      json.map((row: { name: string; default: boolean }) => [row.name, row.default]),
      [
        ["home", true],
        ["work", false],
      ],
    );
    assert.equal((await mail("accounts", "remove", "home")).code, 0);
    const config = (await loadConfig(CONFIG)).config;
    assert.deepEqual(Object.keys(config.mail!.accounts), ["work"]);
    assert.equal(config.mail!.defaultAccount, undefined);
    assert.equal((await stat(CONFIG)).mode & 0o777, 0o600);
  });

  it("a password in the URL is dropped unless --store-password; then it is stored", async () => {
    const dropped = await mail(
      "accounts",
      "add",
      "a",
      "--from",
      "a@localhost",
      "--server",
      "smtps://alice:pw1@h.example",
    );
    assert.equal(dropped.code, 0);
    assert.match(dropped.stderr, /password in the URL was not stored/);
    let config: InetConfig = (await loadConfig(CONFIG)).config;
    assert.deepEqual(config.mail!.accounts.a, { from: "a@localhost", server: "smtps://alice@h.example" });
    process.env.INET_SMTP_PASSWORD = "from-env";
    const stored = await mail(
      "accounts",
      "add",
      "b",
      "--from",
      "a@localhost",
      "--server",
      "smtps://alice@h.example",
      "--store-password",
    );
    assert.equal(stored.code, 0, stored.stderr);
    assert.match(stored.stdout, /password stored in /);
    config = (await loadConfig(CONFIG)).config;
    assert.equal(config.mail!.accounts.b!.password, "from-env");
    const listed = await mail("accounts", "--json");
    assert.ok(!listed.stdout.includes("from-env"), "list never shows a password");
  });

  it("refuses bad input (exit 2)", async () => {
    for (const argv of [
      ["accounts", "add", "-bad", "--from", "a@x.org", "--server", "smtps://h"],
      ["accounts", "add", "n", "--server", "smtps://h"],
      ["accounts", "add", "n", "--from", "a@", "--server", "smtps://h"],
      ["accounts", "add", "n", "--from", "a@x.org", "--server", "ftp://h"],
      ["accounts", "add", "n", "--from", "a@x.org", "--server", "smtps://h", "--store-password"],
      ["accounts", "remove", "nope"],
      ["accounts", "frobnicate"],
    ]) {
      const run = await mail(...argv);
      assert.equal(run.code, 2, `${argv.join(" ")}: ${run.stderr}`);
    }
  });
});

describe("inet mail send with an account", () => {
  it("the default account gives the sender, the server and the login (stored password)", async () => {
    const url = server.urls.submission!.replace("://", "://alice@");
    process.env.INET_SMTP_PASSWORD = "alice-secret";
    const added = await mail(
      "accounts",
      "add",
      "me",
      "--from",
      "Alice <alice@localhost>",
      "--server",
      url,
      "--store-password",
    );
    assert.equal(added.code, 0, added.stderr);
    delete process.env.INET_SMTP_PASSWORD;
    const before = (await mailbox(server, "bob")).length;
    const run = await mail(
      "send",
      "--ca",
      ca,
      "-t",
      "bob@localhost",
      "-s",
      "from an account",
      "--text",
      "hi",
    );
    assert.equal(run.code, 0, run.stderr);
    const messages = await mailbox(server, "bob");
    assert.equal(messages.length, before + 1);
    const message = messages.at(-1)!;
    assert.equal(fromAddress(message.parsed), "alice@localhost");
    assert.match(message.text, /authenticated as alice/);
  });

  it("--account picks one; --from overrides its sender; the user name comes from the account", async () => {
    await saveConfig(
      {
        ...emptyConfig(),
        mail: {
          accounts: { bob: { from: "bob@localhost", server: server.urls.submission!, user: "bob" } },
        },
      },
      CONFIG,
    );
    process.env.INET_SMTP_PASSWORD = "bob-secret";
    const run = await mail(
      "send",
      "-a",
      "bob",
      "--ca",
      ca,
      "-f",
      "Bob B <bob@localhost>",
      "-t",
      "carol@localhost",
      "-s",
      "s",
      "--text",
      "t",
    );
    assert.equal(run.code, 0, run.stderr);
    const message = (await mailbox(server, "carol")).at(-1)!;
    assert.equal(message.parsed.headers.get("from"), "Bob B <bob@localhost>");
    assert.match(message.text, /authenticated as bob/);
  });

  it("another --server never gets the account's user name or stored password", async () => {
    await saveConfig(
      {
        ...emptyConfig(),
        mail: {
          accounts: {
            me: {
              from: "alice@localhost",
              server: "smtps://mail.example.org",
              user: "alice",
              password: "stored",
            },
          },
          defaultAccount: "me",
        },
      },
      CONFIG,
    );
    const run = await mail(
      "send",
      "--server",
      server.urls.smtp!,
      "-t",
      "bob@localhost",
      "-s",
      "s",
      "--text",
      "t",
      "--trace",
    );
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!run.stderr.includes("> AUTH"), "no login attempted");
    const message = (await mailbox(server, "bob")).at(-1)!;
    assert.equal(fromAddress(message.parsed), "alice@localhost", "the sender still comes from the account");
  });
});
