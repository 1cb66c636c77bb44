// Receiving messages over real loopback sockets: DATA (dot-stuffing, only CRLF.CRLF ends it,
// SMTP smuggling refused), SIZE enforced while receiving, BDAT chunks (LAST, BINARYMIME), the
// Received header, and a connection cut in the middle.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, afterEach, before, describe, it } from "node:test";
import type { MailServer } from "../../../src/servers/mail/types.js";
import { mailbox, port, startTestServer, withoutTrace } from "./fixtures.js";
import { SmtpTestClient } from "./smtp-client.js";

const LIMIT = 64 * 1024;

describe("SMTP server: receiving", () => {
  let server: MailServer;
  before(async () => {
    server = await startTestServer({ maxMessageSize: LIMIT });
  });
  after(() => server.close());
  afterEach(async () => {
    for (const user of ["alice", "bob"]) {
      for (const message of await server.store.list(user)) await server.store.remove(user, message.id);
    }
  });

  /** Connects, says EHLO and opens a transaction for alice. */
  async function envelope(): Promise<SmtpTestClient> {
    const { client } = await SmtpTestClient.ready(port(server, "smtp"));
    await client.expect("MAIL FROM:<sender@remote.test>", 250);
    await client.expect("RCPT TO:<alice@example.test>", 250);
    return client;
  }

  it("unstuffs leading dots and stores the content byte for byte behind the trace fields", async () => {
    const client = await envelope();
    await client.expect("DATA", 354);
    client.write("Subject: dots\r\n\r\n..leading\r\n..\r\nbare\nLF and bare\rCR inside lines\r\n.\r\n");
    assert.equal((await client.reply()).code, 250);
    await client.quit();
    const [message] = await mailbox(server, "alice");
    assert.equal(
      withoutTrace(message!),
      "Subject: dots\r\n\r\n.leading\r\n.\r\nbare\nLF and bare\rCR inside lines\r\n",
    );
  });

  it("puts a Received stamp (RFC 5321 §4.4) with the protocol, id, recipient and date on top", async () => {
    const client = await envelope();
    await client.expect("DATA", 354);
    const done = await client.command("Subject: x\r\n\r\nbody\r\n.");
    const id = /queued as ([0-9A-F]+)/.exec(done.text)![1]!;
    await client.quit();
    const [message] = await mailbox(server, "alice");
    const stamp = new RegExp(
      "^Return-Path: <sender@remote\\.test>\\r\\n" +
        "Received: from client\\.test \\(\\[127\\.0\\.0\\.1\\]\\)\\r\\n" +
        `\\tby localhost \\(inetkit\\) with ESMTP id ${id}\\r\\n` +
        "\\tfor <alice@example\\.test>; \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} \\+0000\\r\\n",
    );
    assert.match(message!, stamp);
  });

  for (const [name, sequence] of [
    ["<LF>.<LF>", "\n.\n"],
    ["<LF>.<CR><LF>", "\n.\r\n"],
    ["<CR><LF>.<LF>", "\r\n.\n"],
    ["<CR>.<CR><LF>", "\r.\r\n"],
  ] as const) {
    it(`refuses a message smuggling a second one behind ${name} (5xx after the real end), runs none of it`, async () => {
      const client = await envelope();
      await client.expect("DATA", 354);
      // What a server fooled by the sequence would run as a second transaction.
      client.write(
        `Subject: first\r\n\r\nhello${sequence}MAIL FROM:<admin@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: forged\r\n\r\nforged\r\n.\r\n`,
      );
      const reply = await client.reply();
      assert.equal(reply.code, 550);
      assert.match(reply.text, /^5\.5\.2 /);
      // The session goes on where the real data ended, with no transaction open.
      await client.expect("RCPT TO:<bob@example.test>", 503);
      await client.expect("NOOP", 250);
      await client.quit();
      assert.deepEqual(await mailbox(server, "alice"), []);
      assert.deepEqual(await mailbox(server, "bob"), []);
    });
  }

  it("enforces SIZE while receiving: stores nothing past the limit, reads to the end, then 552", async () => {
    const client = await envelope();
    await client.expect("DATA", 354);
    const line = `${"x".repeat(998)}\r\n`;
    // Four times the limit, sent in pieces: the server must keep reading without keeping it.
    for (let sent = 0; sent < 4 * LIMIT; sent += line.length * 16) client.write(line.repeat(16));
    client.write(".\r\n");
    const reply = await client.reply();
    assert.equal(reply.lines[0], "552 5.3.4 Message size exceeds fixed maximum message size");
    assert.deepEqual(await mailbox(server, "alice"), []);
    // The connection is still in step.
    await client.expect("MAIL FROM:<sender@remote.test>", 250);
    await client.expect("RCPT TO:<alice@example.test>", 250);
    await client.expect("DATA", 354);
    await client.expect("small\r\n.", 250);
    await client.quit();
    assert.equal((await mailbox(server, "alice")).length, 1);
  });

  it("accepts a message of exactly the limit", async () => {
    const client = await envelope();
    await client.expect("DATA", 354);
    const body = `${"y".repeat(LIMIT - 2)}\r\n`;
    client.write(`${body}.\r\n`);
    assert.equal((await client.reply()).code, 250);
    await client.quit();
    assert.equal(withoutTrace((await mailbox(server, "alice"))[0]!), body);
  });

  it("takes BDAT chunks (RFC 3030) and a BINARYMIME body byte for byte", async () => {
    const client = await envelope();
    await client.command("RSET");
    await client.expect("MAIL FROM:<sender@remote.test> BODY=BINARYMIME", 250);
    await client.expect("RCPT TO:<alice@example.test>", 250);
    assert.equal((await client.command("DATA")).lines[0], "503 5.5.1 BODY=BINARYMIME needs BDAT, not DATA");
    const head = Buffer.from("Content-Type: application/octet-stream\r\n\r\n");
    const binary = Buffer.concat([randomBytes(3000), Buffer.from("\r\n.\r\n\n.\n\0"), randomBytes(3000)]);
    client.write(Buffer.concat([Buffer.from(`BDAT ${head.length}\r\n`), head]));
    assert.equal((await client.reply()).lines[0], `250 2.0.0 ${head.length} octets received`);
    // The last chunk and a pipelined NOOP in one write.
    client.write(
      Buffer.concat([Buffer.from(`BDAT ${binary.length} LAST\r\n`), binary, Buffer.from("NOOP\r\n")]),
    );
    assert.equal((await client.reply()).code, 250);
    assert.equal((await client.reply()).code, 250);
    await client.quit();
    const [stored] = await server.store.list("alice");
    const bytes = await server.store.readMessage("alice", stored!.id);
    assert.ok(
      bytes.subarray(bytes.length - head.length - binary.length).equals(Buffer.concat([head, binary])),
    );
  });

  it("answers BDAT 0 LAST, refuses BDAT without a transaction (after reading its bytes) and DATA after BDAT", async () => {
    const { client } = await SmtpTestClient.ready(port(server, "smtp"));
    client.write("BDAT 6\r\nNOOP\r\n");
    assert.equal((await client.reply()).lines[0], "503 5.5.1 Send MAIL FROM first");
    await client.expect("NOOP", 250);
    await client.expect("MAIL FROM:<a@b.test>", 250);
    await client.expect("RCPT TO:<bob@example.test>", 250);
    client.write("BDAT 4\r\nab\r\n");
    assert.equal((await client.reply()).code, 250);
    await client.expect("DATA", 503);
    await client.expect("BDAT 0 LAST", 250);
    await client.quit();
    assert.equal(withoutTrace((await mailbox(server, "bob"))[0]!), "ab\r\n");
  });

  it("refuses the BDAT chunk that passes the size limit, and the rest of that message", async () => {
    const client = await envelope();
    client.write(`BDAT ${LIMIT}\r\n${"a".repeat(LIMIT)}`);
    assert.equal((await client.reply()).code, 250);
    client.write("BDAT 10\r\n0123456789");
    assert.equal(
      (await client.reply()).lines[0],
      "552 5.3.4 Message size exceeds fixed maximum message size",
    );
    client.write("BDAT 3 LAST\r\nxyz");
    assert.equal((await client.reply()).code, 552);
    await client.expect("NOOP", 250);
    await client.quit();
    assert.deepEqual(await mailbox(server, "alice"), []);
  });

  it("keeps nothing of a message whose connection is cut in the middle (DATA or BDAT)", async () => {
    const first = await envelope();
    await first.expect("DATA", 354);
    first.write("Subject: cut\r\n\r\nhalf a mess");
    await new Promise((resolve) => setTimeout(resolve, 50));
    first.destroy();
    const second = await envelope();
    second.write("BDAT 100\r\nonly a part");
    await new Promise((resolve) => setTimeout(resolve, 50));
    second.destroy();
    // A third, complete message proves the server went on (and lets the cut ones finish).
    const third = await envelope();
    await third.expect("DATA", 354);
    await third.expect("whole\r\n.", 250);
    await third.quit();
    const messages = await mailbox(server, "alice");
    assert.equal(messages.length, 1);
    assert.equal(withoutTrace(messages[0]!), "whole\r\n");
  });
});
