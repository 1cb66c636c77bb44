// The SMTP server's command layer over real loopback sockets: greeting, EHLO, the envelope
// (pipelined), relaying refused, VRFY/HELP/NOOP/RSET, and its bounds (lines, errors, silence).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { MailServer } from "../../../src/servers/mail/types.js";
import { mailbox, port, startTestServer, withoutTrace } from "./fixtures.js";
import { SmtpTestClient } from "./smtp-client.js";

describe("SMTP server: session", () => {
  let server: MailServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("greets with 220 and lists its extensions in the EHLO reply (no AUTH before TLS)", async () => {
    const { client, greeting } = await SmtpTestClient.connect(port(server, "smtp"));
    assert.equal(greeting.code, 220);
    assert.match(greeting.text, /^localhost ESMTP/);
    const ehlo = await client.expect("EHLO client.test", 250);
    assert.match(ehlo.lines[0]!, /^250-localhost Hello client\.test \[127\.0\.0\.1\]$/);
    const keywords = ehlo.lines.slice(1).map((line) => line.slice(4));
    assert.deepEqual(keywords, [
      "PIPELINING",
      `SIZE ${25 * 1024 * 1024}`,
      "8BITMIME",
      "SMTPUTF8",
      "CHUNKING",
      "BINARYMIME",
      "DSN",
      "ENHANCEDSTATUSCODES",
      "STARTTLS",
      "HELP",
    ]);
    await client.quit();
  });

  it("answers a pipelined envelope in order, one reply per command, in one go", async () => {
    const { client } = await SmtpTestClient.ready(port(server, "smtp"));
    client.write(
      "MAIL FROM:<sender@remote.test> SIZE=40 BODY=8BITMIME\r\n" +
        "RCPT TO:<alice@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;alice@example.test\r\n" +
        "RCPT TO:<nobody@example.test>\r\n" +
        "RCPT TO:<someone@elsewhere.test>\r\n" +
        "RCPT TO:<Bob@EXAMPLE.test>\r\n" +
        "DATA\r\n",
    );
    const replies = await client.replies(6);
    assert.deepEqual(
      replies.map((r) => r.lines[0]),
      [
        "250 2.1.0 Sender OK",
        "250 2.1.5 Recipient OK",
        "550 5.1.1 Mailbox unavailable: no such user here",
        "550 5.7.1 Relaying denied: this server does not deliver to that domain",
        "250 2.1.5 Recipient OK",
        "354 End data with <CR><LF>.<CR><LF>",
      ],
    );
    const reply = await client.command("Subject: hi\r\n\r\nhello\r\n.");
    assert.equal(reply.code, 250);
    assert.match(reply.text, /^2\.0\.0 OK: queued as [0-9A-F]{12}$/);
    await client.quit();
    const [alice] = await mailbox(server, "alice");
    const [bob] = await mailbox(server, "bob");
    assert.equal(withoutTrace(alice!), "Subject: hi\r\n\r\nhello\r\n");
    assert.equal(alice, bob, "one message, the same bytes in both mailboxes");
    for (const user of ["alice", "bob"])
      for (const m of await server.store.list(user)) await server.store.remove(user, m.id);
  });

  it("routes every address of a user, postmaster, and refuses relaying even to an authenticated sender without relayTo", async () => {
    const { client } = await SmtpTestClient.ready(port(server, "smtp"));
    await client.expect("MAIL FROM:<>", 250);
    await client.expect("RCPT TO:<c.ops@other.test>", 250);
    await client.expect("RCPT TO:<postmaster>", 250);
    await client.expect("RCPT TO:<Postmaster@example.test>", 250);
    const relay = await client.expect("RCPT TO:<x@gmail.test>", 550);
    assert.match(relay.text, /^5\.7\.1 /);
    await client.expect("RSET", 250);
    await client.quit();
  });

  it("keeps commands in order: MAIL before RCPT, RCPT before DATA, one MAIL at a time, HELO first", async () => {
    const { client } = await SmtpTestClient.connect(port(server, "smtp"));
    assert.equal(
      (await client.command("MAIL FROM:<a@b.test>")).lines[0],
      "503 5.5.1 Send EHLO or HELO first",
    );
    await client.expect("EHLO client.test", 250);
    await client.expect("RCPT TO:<alice@example.test>", 503);
    await client.expect("DATA", 503);
    await client.expect("MAIL FROM:<a@b.test>", 250);
    await client.expect("MAIL FROM:<a@b.test>", 503);
    assert.equal((await client.command("DATA")).lines[0], "554 5.5.1 No valid recipients");
    await client.expect("RSET", 250);
    await client.expect("MAIL FROM:<a@b.test>", 250);
    await client.quit();
  });

  it("checks addresses and parameters: syntax 501/553, unknown parameters 555, SIZE too big 552", async () => {
    const { client } = await SmtpTestClient.ready(port(server, "smtp"));
    await client.expect("MAIL FROM:a@b.test", 501);
    assert.match((await client.expect("MAIL FROM:<a@@b.test>", 553)).text, /^5\.1\.7/);
    assert.match((await client.expect("MAIL FROM:<ä@b.test>", 553)).text, /^5\.6\.7/);
    await client.expect("MAIL FROM:<a@b.test> XYZ=1", 555);
    await client.expect("MAIL FROM:<a@b.test> RET=NONE", 501);
    await client.expect(`MAIL FROM:<a@b.test> SIZE=${25 * 1024 * 1024 + 1}`, 552);
    await client.expect("MAIL FROM:<a@b.test> RET=HDRS ENVID=id+2B1 AUTH=<>", 250);
    await client.expect("RCPT TO:<alice@example.test> NOTIFY=NEVER,DELAY", 501);
    await client.expect("RCPT TO:<alice@example.test> ORCPT=bad", 501);
    await client.expect("RCPT TO:<alice@example.test> NOTIFY=DELAY", 250);
    await client.quit();
  });

  it("takes UTF-8 addresses with SMTPUTF8 (RFC 6531)", async () => {
    const { client } = await SmtpTestClient.ready(port(server, "smtp"));
    await client.expect("MAIL FROM:<jürgen@bücher.test> SMTPUTF8", 250);
    await client.expect("RCPT TO:<alice@example.test>", 250);
    await client.expect("DATA", 354);
    await client.expect("Subject: Grüße\r\n\r\nÄ\r\n.", 250);
    await client.quit();
    const [message] = await mailbox(server, "alice");
    assert.match(message!, /^Return-Path: <jürgen@bücher\.test>\r\n/);
    assert.match(message!, /with UTF8SMTP id /);
    assert.ok(message!.endsWith("Subject: Grüße\r\n\r\nÄ\r\n"));
    for (const m of await server.store.list("alice")) await server.store.remove("alice", m.id);
  });

  it("answers HELO without extensions, and no parameters after it", async () => {
    const { client } = await SmtpTestClient.connect(port(server, "smtp"));
    const helo = await client.expect("HELO old.test", 250);
    assert.deepEqual(helo.lines, ["250 localhost"]);
    await client.expect("MAIL FROM:<a@b.test> SIZE=10", 555);
    await client.expect("MAIL FROM:<a@b.test>", 250);
    await client.quit();
  });

  it("answers NOOP, HELP, EXPN, VRFY (252 before AUTH), unknown commands, and QUIT", async () => {
    const { client } = await SmtpTestClient.ready(port(server, "smtp"));
    await client.expect("NOOP anything", 250);
    const help = await client.expect("HELP", 214);
    assert.match(help.lines[0]!, /^214-2\.0\.0 Commands: .*\bBDAT\b.*\bSTARTTLS\b/);
    await client.expect("EXPN staff", 502);
    assert.match((await client.expect("VRFY alice", 252)).text, /^2\.5\.2 /);
    assert.equal((await client.command("FROB")).lines[0], "500 5.5.2 Command not recognized");
    await client.quit();
  });

  it("answers hundreds of pipelined commands, in order, without holding every reply back", async () => {
    const { client } = await SmtpTestClient.ready(port(server, "smtp"));
    client.write(Array.from({ length: 500 }, (_, index) => `NOOP ${index}\r\n`).join(""));
    const replies = await client.replies(500);
    assert.ok(replies.every((reply) => reply.lines[0] === "250 2.0.0 OK"));
    await client.quit();
  });

  it("answers 500 to a command line over the limit and goes on", async () => {
    const { client } = await SmtpTestClient.ready(port(server, "smtp"));
    const reply = await client.command(`NOOP ${"x".repeat(3000)}`);
    assert.equal(reply.lines[0], "500 5.5.6 Line too long");
    await client.expect("NOOP", 250);
    await client.quit();
  });

  it("closes a connection whose line passes every bound, without reading it into memory", async () => {
    const { client } = await SmtpTestClient.ready(port(server, "smtp"));
    client.write("x".repeat(64 * 1024));
    assert.equal(await client.closed(), true);
  });

  it("says 421 and closes after too many protocol errors", async () => {
    const { client } = await SmtpTestClient.ready(port(server, "smtp"));
    client.write("FROB\r\n".repeat(25));
    const replies: string[] = [];
    for (;;) {
      const reply = await client.reply();
      replies.push(reply.lines[0]!);
      if (reply.code === 421) break;
    }
    assert.equal(replies.length, 22, "20 errors are tolerated, the 21st ends it");
    assert.equal(replies.at(-1), "421 4.7.0 Too many errors; closing the connection");
    assert.equal(await client.closed(), true);
  });
});

describe("SMTP server: limits", () => {
  it("says 421 4.4.2 and closes when the client stays silent past the idle limit", async () => {
    const server = await startTestServer({ timeouts: { idle: 150 } });
    try {
      const { client } = await SmtpTestClient.ready(port(server, "smtp"));
      const reply = await client.reply();
      assert.equal(reply.lines[0], "421 4.4.2 Timeout exceeded; closing the connection");
      assert.equal(await client.closed(), true);
    } finally {
      await server.close();
    }
  });

  it("the idle limit also covers silence in the middle of a message (nothing is kept)", async () => {
    const server = await startTestServer({ timeouts: { idle: 150 } });
    try {
      const { client } = await SmtpTestClient.ready(port(server, "smtp"));
      await client.expect("MAIL FROM:<a@b.test>", 250);
      await client.expect("RCPT TO:<alice@example.test>", 250);
      await client.expect("DATA", 354);
      client.write("Subject: stalled\r\n\r\nhalf");
      assert.equal((await client.reply()).code, 421);
      assert.equal(await client.closed(), true);
      assert.deepEqual(await server.store.list("alice"), []);
    } finally {
      await server.close();
    }
  });

  it("caps recipients per message (452 4.5.3) and connections (421)", async () => {
    const server = await startTestServer({ maxRecipients: 2, maxConnections: 1 });
    try {
      const { client } = await SmtpTestClient.ready(port(server, "smtp"));
      await client.expect("MAIL FROM:<a@b.test>", 250);
      await client.expect("RCPT TO:<alice@example.test>", 250);
      await client.expect("RCPT TO:<bob@example.test>", 250);
      assert.match((await client.expect("RCPT TO:<carol@example.test>", 452)).text, /^4\.5\.3/);
      const second = await SmtpTestClient.connect(port(server, "smtp"));
      assert.equal(second.greeting.code, 421);
      assert.equal(await second.client.closed(), true);
      await client.quit();
    } finally {
      await server.close();
    }
  });

  it("close() ends live sessions", async () => {
    const server = await startTestServer();
    const { client } = await SmtpTestClient.ready(port(server, "smtp"));
    await client.expect("MAIL FROM:<a@b.test>", 250);
    await server.close();
    assert.equal(await client.closed(), true);
  });
});
