// SmtpClient against scripted servers: EHLO/HELO, the pipelined envelope, refused recipients,
// message forms (bytes, text, streams, built messages), many messages per connection with RSET
// after a failure, LMTP, and the small commands.
import assert from "node:assert/strict";
import { once } from "node:events";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { InvalidArgumentError, ReplyError } from "../../src/errors.js";
import { buildMessage } from "../../src/mime/index.js";
import { startScriptedServer } from "../../src/servers/index.js";
import { SmtpClient, SmtpPool } from "../../src/smtp/index.js";
import { hello, helloSession, NAME, options, readData } from "./scripted-smtp.js";

const MESSAGE =
  "From: a@example.org\nTo: b@example.org, c@example.org\nBcc: d@example.org\nSubject: hi\n\n.leading dot\nbye\n";

describe("SmtpClient transactions", () => {
  it("pipelines MAIL, every RCPT and DATA, reports refused recipients, strips Bcc and stuffs dots", async () => {
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING", "ENHANCEDSTATUSCODES"])}
      C: MAIL FROM:<a@example.org>
      C: RCPT TO:<b@example.org>
      C: RCPT TO:<c@example.org>
      C: RCPT TO:<d@example.org>
      C: DATA
      S: 250 2.1.0 Sender ok
      S: 250 2.1.5 Recipient ok
      S: 550 5.1.1 <c@example.org>: Recipient address rejected
      S: 250 2.1.5 Recipient ok
      S: 354 End data with <CR><LF>.<CR><LF>
      C: From: a@example.org
      C: To: b@example.org, c@example.org
      C: Subject: hi
      C:
      C: ..leading dot
      C: bye
      C: .
      S: 250 2.0.0 Ok: queued as 4F2A1
      C: QUIT
      S: 221 2.0.0 Bye
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    const result = await smtp.send(MESSAGE);
    assert.deepEqual(result, {
      accepted: ["b@example.org", "d@example.org"],
      rejected: [
        {
          address: "c@example.org",
          code: 550,
          enhancedCode: "5.1.1",
          text: "<c@example.org>: Recipient address rejected",
        },
      ],
      response: "250 2.0.0 Ok: queued as 4F2A1",
      envelope: { from: "a@example.org", to: ["b@example.org", "c@example.org", "d@example.org"] },
    });
    assert.equal(smtp.session.protocol, "esmtp");
    await smtp.quit();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("writes the whole pipelined envelope in one write", async () => {
    const server = createServer();
    const chunks: string[] = [];
    server.on("connection", (socket: Socket) => {
      socket.setNoDelay(true);
      socket.write("220 ready\r\n");
      let stage = 0;
      socket.on("data", (data) => {
        const text = data.toString("latin1");
        chunks.push(text);
        if (stage === 0) socket.write("250-mx\r\n250 PIPELINING\r\n");
        else if (stage === 1) socket.write("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n");
        else if (text.endsWith("\r\n.\r\n")) socket.write("250 queued\r\n");
        else if (text.startsWith("QUIT")) socket.end("221 bye\r\n");
        else return;
        stage += 1;
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const port = (server.address() as AddressInfo).port;
      const smtp = await SmtpClient.connect(`smtp://127.0.0.1:${port}`, options());
      await smtp.send("Subject: x\r\n\r\nbody\r\n", { from: "a@x.org", to: ["b@x.org", "c@x.org"] });
      await smtp.quit();
      assert.equal(chunks[1], "MAIL FROM:<a@x.org>\r\nRCPT TO:<b@x.org>\r\nRCPT TO:<c@x.org>\r\nDATA\r\n");
      assert.equal(chunks[2], "Subject: x\r\n\r\nbody\r\n.\r\n");
    } finally {
      server.close();
    }
  });

  it("waits for each reply when PIPELINING is not offered, and skips RCPT after a refused MAIL", async () => {
    await using server = await startScriptedServer(`
      ${hello(["8BITMIME"])}
      C: MAIL FROM:<a@example.org> BODY=8BITMIME
      S: 250 ok
      C: RCPT TO:<b@example.org>
      S: 250 ok
      C: DATA
      S: 354 go
      C: From: a@example.org
      C: To: b@example.org
      C:
      C: body
      C: .
      S: 250 queued
      C: MAIL FROM:<a@example.org>
      S: 553 5.7.1 Sender address rejected
      C: RSET
      S: 250 ok
      C: NOOP
      S: 250 ok
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    const message = Readable.from([Buffer.from("From: a@example.org\r\nTo: b@example.org\r\n\r\nbody")]);
    assert.deepEqual((await smtp.send(message)).accepted, ["b@example.org"]);
    await assert.rejects(
      smtp.send("From: a@example.org\r\nTo: b@example.org\r\n\r\nx"),
      (error: unknown) =>
        error instanceof ReplyError && error.status === 553 && error.enhancedCode === "5.7.1",
    );
    await smtp.reset();
    await smtp.noop();
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("falls back to HELO when EHLO is not understood, and then uses no extension", async () => {
    await using server = await startScriptedServer(`
      S: 220 old.example.test SMTP
      C: EHLO ${NAME}
      S: 502 command not implemented
      C: HELO ${NAME}
      S: 250 old.example.test
      C: MAIL FROM:<a@example.org>
      S: 250 ok
      C: RCPT TO:<b@example.org>
      S: 250 ok
      C: DATA
      S: 354 go
      C: hello
      C: .
      S: 250 ok
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    assert.equal(smtp.session.protocol, "smtp");
    assert.equal(smtp.session.extensions.size, 0);
    await smtp.send("hello", { from: "a@example.org", to: "b@example.org" });
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("refuses when every recipient is refused, then starts the next transaction with RSET", async () => {
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING", "ENHANCEDSTATUSCODES"])}
      C: MAIL FROM:<a@example.org>
      C: RCPT TO:<b@example.org>
      C: DATA
      S: 250 2.1.0 ok
      S: 550 5.1.1 no such user
      S: 554 5.5.1 no valid recipients
      C: RSET
      S: 250 2.0.0 ok
      C: MAIL FROM:<a@example.org>
      C: RCPT TO:<c@example.org>
      C: DATA
      S: 250 2.1.0 ok
      S: 250 2.1.5 ok
      S: 354 go
      C: x
      C: .
      S: 250 2.0.0 queued
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    await assert.rejects(
      smtp.send("x", { from: "a@example.org", to: ["b@example.org"] }),
      (error: unknown) =>
        error instanceof ReplyError &&
        error.status === 550 &&
        error.enhancedCode === "5.1.1" &&
        /every recipient/.test(error.message),
    );
    const result = await smtp.send("x", { from: "a@example.org", to: ["c@example.org"] });
    assert.deepEqual(result.accepted, ["c@example.org"]);
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("ends an unwanted DATA with an empty message when a pipelining server still says 354", async () => {
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING"])}
      C: MAIL FROM:<a@example.org>
      C: RCPT TO:<b@example.org>
      C: DATA
      S: 250 ok
      S: 550 no
      S: 354 go anyway
      C: .
      S: 554 no valid recipients
      C: RSET
      S: 250 ok
      C: NOOP
      S: 250 ok
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    await assert.rejects(smtp.send("x", { from: "a@example.org", to: "b@example.org" }), ReplyError);
    await smtp.reset();
    await smtp.noop();
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("sends many messages over one connection, in the order they were called", async () => {
    await using server = await startScriptedServer(async (session) => {
      await helloSession(session, ["PIPELINING"]);
      for (const n of [1, 2, 3]) {
        await session.expectLine("MAIL FROM:<a@example.org>");
        await session.expectLine(`RCPT TO:<r${n}@example.org>`);
        await session.expectLine("DATA");
        await session.sendLine("250 ok");
        await session.sendLine("250 ok");
        await session.sendLine("354 go");
        assert.equal(await readData(session), `message ${n}`);
        await session.sendLine(`250 queued ${n}`);
      }
      await session.expectLine("QUIT");
      await session.sendLine("221 bye");
    });
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    const sends = [1, 2, 3].map((n) =>
      smtp.send(`message ${n}`, { from: "a@example.org", to: [`r${n}@example.org`] }),
    );
    const results = await Promise.all(sends);
    assert.deepEqual(
      results.map((r) => r.response),
      ["250 queued 1", "250 queued 2", "250 queued 3"],
    );
    await smtp.quit();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
    assert.deepEqual(server.sessions[0]?.errors, []);
  });

  it("sends a built message with its envelope (Bcc included) and without a Bcc header", async () => {
    let data = "";
    await using server = await startScriptedServer(async (session) => {
      await helloSession(session, ["PIPELINING", "8BITMIME"]);
      await session.expectLine("MAIL FROM:<alice@example.org> BODY=8BITMIME");
      await session.expectLine("RCPT TO:<bob@example.org>");
      await session.expectLine("RCPT TO:<carol@example.org>");
      await session.expectLine("DATA");
      for (const reply of ["250 ok", "250 ok", "250 ok", "354 go"]) await session.sendLine(reply);
      data = await readData(session);
      await session.sendLine("250 queued");
    });
    const message = buildMessage({
      from: "Alice <alice@example.org>",
      to: "bob@example.org",
      bcc: "carol@example.org",
      subject: "Lunch",
      text: "At noon?\n.\nSee you.",
      messageId: "lunch@example.org",
    });
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    const result = await smtp.send(message);
    assert.equal(result.messageId, "<lunch@example.org>");
    assert.deepEqual(result.accepted, ["bob@example.org", "carol@example.org"]);
    assert.ok(data.includes("Subject: Lunch\r\n"));
    assert.ok(!/^bcc:/im.test(data));
    assert.ok(data.includes("\r\n..\r\n"));
    smtp.close();
  });

  it("lets options override the envelope, with display names and the null reverse-path", async () => {
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING"])}
      C: MAIL FROM:<>
      C: RCPT TO:<x@example.org>
      C: RCPT TO:<y@example.org>
      C: DATA
      S: 250 ok
      S: 250 ok
      S: 250 ok
      S: 354 go
      C: To: someone@example.org
      C:
      C: bounce
      C: .
      S: 250 ok
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    const result = await smtp.send("To: someone@example.org\r\n\r\nbounce\r\n", {
      from: "",
      to: "Ex <x@example.org>, y@example.org",
    });
    assert.deepEqual(result.envelope, { from: "", to: ["x@example.org", "y@example.org"] });
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("checks the envelope before sending anything", async () => {
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING"])}
      C: NOOP
      S: 250 ok
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    await assert.rejects(smtp.send("Subject: none\r\n\r\nx"), InvalidArgumentError);
    await assert.rejects(smtp.send("From: a@example.org\r\n\r\nx"), /no recipients/);
    await assert.rejects(
      smtp.send("x", { from: "a@example.org", to: ["b@example.org>\r\nRSET"] }),
      InvalidArgumentError,
    );
    await assert.rejects(
      smtp.send("x", { from: "a@example.org", to: ["not an address"] }),
      InvalidArgumentError,
    );
    await assert.rejects(
      smtp.send("x", { from: "a@example.org", to: "b@example.org", size: -1 }),
      InvalidArgumentError,
    );
    await smtp.noop();
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });
});

describe("SmtpClient small commands", () => {
  it("verifies addresses, sends raw commands, and quits politely", async () => {
    await using server = await startScriptedServer(`
      ${hello(["ENHANCEDSTATUSCODES"])}
      C: VRFY postmaster
      S: 250 2.1.5 Postmaster <postmaster@example.org>
      C: VRFY nobody
      S: 550 5.1.1 unknown
      C: VRFY maybe@example.org
      S: 252 2.5.0 Cannot VRFY user, but will accept message
      C: HELP
      S: 502 5.5.1 no help
      C: QUIT
      S: 221 2.0.0 bye
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    assert.deepEqual(await smtp.verify("postmaster"), {
      code: 250,
      enhancedCode: "2.1.5",
      lines: ["2.1.5 Postmaster <postmaster@example.org>"],
      text: "Postmaster <postmaster@example.org>",
    });
    await assert.rejects(
      smtp.verify("nobody"),
      (error: unknown) => error instanceof ReplyError && error.status === 550,
    );
    assert.equal((await smtp.verify("maybe@example.org")).code, 252);
    await assert.rejects(smtp.verify("a\r\nQUIT"), InvalidArgumentError);
    assert.equal((await smtp.command("HELP")).code, 502);
    await assert.rejects(smtp.command("NOOP\r\nQUIT"), InvalidArgumentError);
    await smtp.quit();
    assert.equal(smtp.isOpen, false);
    await smtp.quit();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("disposes with QUIT", async () => {
    await using server = await startScriptedServer(`
      ${hello([])}
      C: QUIT
      S: 221 bye
    `);
    {
      await using smtp = await SmtpClient.connect(server.url("smtp"), options());
      assert.equal(smtp.session.greeting, "mx.example.test ESMTP ready");
    }
    await server.sessions[0]?.done;
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });
});

describe("LMTP", () => {
  it("says LHLO and reads one reply per accepted recipient after the data", async () => {
    await using server = await startScriptedServer(async (session) => {
      await helloSession(session, ["PIPELINING", "ENHANCEDSTATUSCODES"], "LHLO");
      for (const line of [
        "MAIL FROM:<a@example.org>",
        "RCPT TO:<b@example.org>",
        "RCPT TO:<c@example.org>",
        "RCPT TO:<d@example.org>",
        "DATA",
      ]) {
        await session.expectLine(line);
      }
      for (const reply of ["250 2.1.0 ok", "250 2.1.5 ok", "550 5.1.1 unknown", "250 2.1.5 ok", "354 go"]) {
        await session.sendLine(reply);
      }
      await readData(session);
      await session.sendLine("250 2.0.0 <b@example.org> delivered");
      await session.sendLine("452 4.2.2 <d@example.org> mailbox full");
      // A second message refused for every recipient.
      for (const line of ["MAIL FROM:<a@example.org>", "RCPT TO:<b@example.org>", "DATA"])
        await session.expectLine(line);
      for (const reply of ["250 ok", "250 ok", "354 go"]) await session.sendLine(reply);
      await readData(session);
      await session.sendLine("552 5.2.2 quota exceeded");
    });
    const smtp = await SmtpClient.connect(server.url("smtp"), options({ lmtp: true }));
    assert.equal(smtp.session.protocol, "lmtp");
    const result = await smtp.send("Subject: x\r\n\r\nhi\r\n", {
      from: "a@example.org",
      to: ["b@example.org", "c@example.org", "d@example.org"],
    });
    assert.deepEqual(result.accepted, ["b@example.org"]);
    assert.deepEqual(
      result.rejected.map((r) => [r.address, r.code, r.enhancedCode]),
      [
        ["c@example.org", 550, "5.1.1"],
        ["d@example.org", 452, "4.2.2"],
      ],
    );
    assert.equal(result.response, "250 2.0.0 <b@example.org> delivered");
    await assert.rejects(
      smtp.send("x", { from: "a@example.org", to: "b@example.org" }),
      (error: unknown) => error instanceof ReplyError && error.status === 552,
    );
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });
});

describe("SmtpPool", () => {
  it("spreads messages over its connections and replaces one after its message limit", async () => {
    const served: number[] = [];
    await using server = await startScriptedServer(async (session) => {
      await helloSession(session, ["PIPELINING"]);
      for (;;) {
        const line = await session.readLine();
        if (line === "QUIT") {
          await session.sendLine("221 bye");
          return;
        }
        assert.match(line, /^MAIL FROM:/);
        await session.expectLine(/^RCPT TO:/);
        await session.expectLine("DATA");
        for (const reply of ["250 ok", "250 ok", "354 go"]) await session.sendLine(reply);
        await readData(session);
        served.push(session.id);
        await session.sendLine("250 queued");
      }
    });
    const pool = SmtpClient.pool(server.url("smtp"), {
      ...options(),
      connections: 2,
      messagesPerConnection: 2,
    });
    assert.ok(pool instanceof SmtpPool);
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        pool.send(`message ${n}`, { from: "a@example.org", to: `r${n}@example.org` }),
      ),
    );
    assert.equal(results.length, 5);
    assert.ok(pool.connections <= 2);
    await pool.close();
    await assert.rejects(
      pool.send("x", { from: "a@example.org", to: "b@example.org" }),
      InvalidArgumentError,
    );
    assert.equal(served.length, 5);
    // Two messages per connection at most: at least three connections were used.
    assert.ok(server.sessions.length >= 3);
    for (const session of server.sessions) assert.ok(served.filter((id) => id === session.id).length <= 2);
    assert.throws(() => new SmtpPool(server.url("smtp"), { connections: 0 }), InvalidArgumentError);
    assert.throws(() => new SmtpPool(server.url("smtp"), { messagesPerConnection: 0 }), InvalidArgumentError);
  });
});
