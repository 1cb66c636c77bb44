// startMailServer as a whole: a Maildir store on disk, a certificate made on the spot, the URLs.
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { InvalidArgumentError } from "../../../src/errors.js";
import { startFtpServer } from "../../../src/servers/ftp/server.js";
import { startMailServer } from "../../../src/servers/mail/server.js";
import { plainResponse, SmtpTestClient } from "../smtp/smtp-client.js";

const work = await mkdtemp(join(tmpdir(), "inetkit-mail-server-"));
after(() => rm(work, { recursive: true, force: true }));

describe("startMailServer", () => {
  it("delivers into one Maildir per user, over STARTTLS trusting the CA it made (tls: true)", async () => {
    const root = join(work, "maildir");
    const server = await startMailServer({
      users: [
        { name: "alice", password: "pw-a" },
        { name: "bob", password: "pw-b" },
      ],
      domains: ["example.test"],
      store: { kind: "maildir", root },
      tls: true,
      hostname: "mx.example.test",
    });
    try {
      assert.equal(server.store.kind, "maildir");
      assert.match(server.ca!, /^-----BEGIN CERTIFICATE-----/);
      assert.match(server.urls.smtp!, /^smtp:\/\/127\.0\.0\.1:\d+$/);
      assert.match(server.urls.submission!, /^smtp\+starttls:\/\/127\.0\.0\.1:\d+$/);
      assert.match(server.urls.smtps!, /^smtps:\/\/127\.0\.0\.1:\d+$/);
      // Every user has a mailbox from the start.
      assert.deepEqual((await readdir(root)).sort(), ["alice", "bob"]);
      const { client, greeting } = await SmtpTestClient.connect(server.ports.submission!);
      assert.match(greeting.text, /^mx\.example\.test ESMTP/);
      await client.expect("EHLO c.test", 250);
      await client.starttls({ ca: server.ca });
      await client.expect("EHLO c.test", 250);
      await client.expect(`AUTH PLAIN ${plainResponse("alice", "pw-a")}`, 235);
      await client.expect("MAIL FROM:<alice@example.test>", 250);
      await client.expect("RCPT TO:<alice@example.test>", 250);
      await client.expect("RCPT TO:<bob@example.test>", 250);
      await client.expect("DATA", 354);
      await client.expect("Subject: to both\r\n\r\nhello\r\n.", 250);
      await client.quit();
      for (const user of ["alice", "bob"]) {
        const files = await readdir(join(root, user, "new"));
        assert.equal(files.length, 1, user);
        const text = await readFile(join(root, user, "new", files[0]!), "utf8");
        assert.match(text, /^Return-Path: <alice@example\.test>\r\nReceived: from c\.test /);
        assert.match(text, /by mx\.example\.test \(inetkit\) with ESMTPSA id [0-9A-F]{12}; /);
        assert.ok(text.endsWith("\r\nSubject: to both\r\n\r\nhello\r\n"));
        assert.deepEqual(await readdir(join(root, user, "tmp")), []);
      }
    } finally {
      await server.close();
    }
    // Closing leaves the mail on disk.
    assert.equal((await readdir(join(root, "alice", "new"))).length, 1);
  });

  it("leaves no trace in the Maildir of a message refused part way (SIZE, smuggling, cut connection)", async () => {
    const root = join(work, "refused");
    const server = await startMailServer({
      users: [{ name: "alice", password: "pw" }],
      store: { kind: "maildir", root },
      maxMessageSize: 1000,
    });
    try {
      const { client } = await SmtpTestClient.ready(server.ports.smtp!);
      for (const [body, code] of [
        [`${"z".repeat(998)}\r\n${"z".repeat(998)}\r\n`, 552],
        ["a\n.\nb\r\n", 550],
      ] as const) {
        await client.expect("MAIL FROM:<>", 250);
        await client.expect("RCPT TO:<alice@localhost>", 250);
        await client.expect("DATA", 354);
        await client.expect(`${body}.`, code);
      }
      await client.expect("MAIL FROM:<>", 250);
      await client.expect("RCPT TO:<alice@localhost>", 250);
      await client.expect("DATA", 354);
      client.write("Subject: cut\r\n");
      client.destroy();
      // The session's end (and the store's cleanup) is part of close().
    } finally {
      await server.close();
    }
    for (const folder of ["tmp", "new", "cur"])
      assert.deepEqual(await readdir(join(root, "alice", folder)), [], folder);
  });

  it("listens where told, turns listeners off, and refuses bad options", async () => {
    const server = await startMailServer({
      users: [{ name: "u", password: "p" }],
      ports: { submission: false },
    });
    try {
      assert.equal(server.store.kind, "memory");
      assert.equal(server.urls.submission, undefined);
      assert.equal(server.urls.smtps, undefined, "no smtps without a certificate");
      assert.equal(server.ca, undefined);
      const { client } = await SmtpTestClient.ready(server.ports.smtp!);
      await client.expect("MAIL FROM:<>", 250);
      await client.expect("RCPT TO:<u@localhost>", 250);
      await client.quit();
    } finally {
      await server.close();
    }
    await assert.rejects(
      startMailServer({ ports: { smtp: false, submission: false } }),
      InvalidArgumentError,
    );
    await assert.rejects(
      startMailServer({ users: [{ name: "u", password: "p" }], relayTo: "x" }),
      InvalidArgumentError,
    );
    await assert.rejects(startMailServer({ mechanisms: ["XOAUTH2"] }), InvalidArgumentError);
    await assert.rejects(startMailServer({ maxLineLength: 100 }), InvalidArgumentError);
  });
});

describe("await using", () => {
  it("closes the mail server and the FTP server at the end of the block", async () => {
    let mailPort = 0;
    let ftpPort = 0;
    {
      await using mail = await startMailServer();
      await using ftp = await startFtpServer({ tree: {} });
      mailPort = mail.ports.smtp!;
      ftpPort = ftp.port;
    }
    for (const port of [mailPort, ftpPort]) {
      const socket = connect({ host: "127.0.0.1", port });
      const [error] = (await once(socket, "error")) as [NodeJS.ErrnoException];
      assert.equal(error.code, "ECONNREFUSED", `port ${port} is closed`);
    }
  });
});
