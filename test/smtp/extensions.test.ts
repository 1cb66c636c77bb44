// SmtpClient and the ESMTP extensions, against scripted servers: SIZE, 8BITMIME, SMTPUTF8, DSN,
// CHUNKING/BDAT, BINARYMIME, and streaming with backpressure.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LimitError, ProtocolError, ReplyError } from "../../src/errors.js";
import { startScriptedServer } from "../../src/servers/index.js";
import { SmtpClient } from "../../src/smtp/index.js";
import { hello, helloSession, options, readData } from "./scripted-smtp.js";

const ENVELOPE = { from: "a@example.org", to: ["b@example.org"] };

describe("SIZE (RFC 1870)", () => {
  it("declares the size and refuses, before sending anything, a message over the limit", async () => {
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING", "SIZE 100"])}
      C: MAIL FROM:<a@example.org> SIZE=10
      C: RCPT TO:<b@example.org>
      C: DATA
      S: 250 ok
      S: 250 ok
      S: 354 go
      C: line one
      C: .
      S: 250 ok
      C: MAIL FROM:<a@example.org> SIZE=50
      C: RCPT TO:<b@example.org>
      C: DATA
      S: 250 ok
      S: 250 ok
      S: 354 go
      C: streamed
      C: .
      S: 250 ok
      C: NOOP
      S: 250 ok
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    assert.equal(smtp.session.maxSize, 100);
    await smtp.send("line one\r", ENVELOPE);
    await assert.rejects(
      smtp.send("x".repeat(99), ENVELOPE),
      (error: unknown) => error instanceof LimitError && error.what === "message-size" && error.limit === 100,
    );
    await assert.rejects(
      smtp.send(
        (async function* () {
          yield "never read";
        })(),
        { ...ENVELOPE, size: 101 },
      ),
      LimitError,
    );
    await smtp.send(
      (async function* () {
        yield "streamed";
      })(),
      { ...ENVELOPE, size: 50 },
    );
    await smtp.noop();
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });
});

describe("8BITMIME (RFC 6152)", () => {
  it("declares BODY=8BITMIME for 8-bit bytes, and refuses them when the server lacks it", async () => {
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING", "8BITMIME"])}
      C: MAIL FROM:<a@example.org> BODY=8BITMIME
      C: RCPT TO:<b@example.org>
      C: DATA
      S: 250 ok
      S: 250 ok
      S: 354 go
      C: Grüße
      C: .
      S: 250 ok
      C: MAIL FROM:<a@example.org> BODY=7BIT
      C: RCPT TO:<b@example.org>
      C: DATA
      S: 250 ok
      S: 250 ok
      S: 354 go
      C: declared
      C: .
      S: 250 ok
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    await smtp.send("Grüße", ENVELOPE);
    await smtp.send(
      (async function* () {
        yield "declared";
      })(),
      { ...ENVELOPE, body: "7BIT" },
    );
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);

    await using plain = await startScriptedServer(`
      ${hello(["PIPELINING"])}
      C: NOOP
      S: 250 ok
    `);
    const old = await SmtpClient.connect(plain.url("smtp"), options());
    await assert.rejects(
      old.send("Grüße", ENVELOPE),
      (error: unknown) => error instanceof ProtocolError && error.reason === "8bitmime-unsupported",
    );
    await assert.rejects(
      old.send("x", { ...ENVELOPE, body: "8BITMIME" }),
      (error: unknown) => error instanceof ProtocolError && error.reason === "8bitmime-unsupported",
    );
    await assert.rejects(old.send("x", { ...ENVELOPE, body: "9BIT" as never }), /body must be/);
    await old.noop();
    old.close();
    assert.deepEqual(plain.sessions[0]?.mismatches, []);
  });
});

describe("SMTPUTF8 (RFC 6531)", () => {
  it("sends UTF-8 addresses with SMTPUTF8, and Unicode domains as A-labels without it", async () => {
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING", "8BITMIME", "SMTPUTF8"])}
      C: MAIL FROM:<jörg@bücher.example> BODY=8BITMIME SMTPUTF8
      C: RCPT TO:<b@example.org>
      C: DATA
      S: 250 ok
      S: 250 ok
      S: 354 go
      C: hi
      C: .
      S: 250 ok
      C: MAIL FROM:<a@xn--bcher-kva.example>
      C: RCPT TO:<b@example.org>
      C: DATA
      S: 250 ok
      S: 250 ok
      S: 354 go
      C: hi
      C: .
      S: 250 ok
      C: MAIL FROM:<a@example.org> BODY=8BITMIME SMTPUTF8
      C: RCPT TO:<b@example.org>
      C: DATA
      S: 250 ok
      S: 250 ok
      S: 354 go
      C: Subject: Grüße
      C:
      C: hi
      C: .
      S: 250 ok
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    await smtp.send("hi", { from: "jörg@bücher.example", to: ["b@example.org"] });
    await smtp.send("hi", { from: "a@bücher.example", to: ["b@example.org"] });
    await smtp.send("Subject: Grüße\r\n\r\nhi", ENVELOPE);
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("fails typed, before sending, when a message needs SMTPUTF8 and the server lacks it", async () => {
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING", "8BITMIME"])}
      C: NOOP
      S: 250 ok
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    const unsupported = (error: unknown) =>
      error instanceof ProtocolError && error.reason === "smtputf8-unsupported";
    await assert.rejects(smtp.send("hi", { from: "a@example.org", to: ["用户@例子.广告"] }), unsupported);
    await assert.rejects(smtp.send("hi", { ...ENVELOPE, smtputf8: true }), unsupported);
    await smtp.noop();
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });
});

describe("DSN (RFC 3461)", () => {
  it("sends RET, ENVID, NOTIFY and ORCPT xtext-encoded when offered, and nothing when not", async () => {
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING", "DSN"])}
      C: MAIL FROM:<a@example.org> RET=HDRS ENVID=QQ+2B1+3D2
      C: RCPT TO:<b+tag@example.org> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;b+2Btag@example.org
      C: DATA
      S: 250 ok
      S: 250 ok
      S: 354 go
      C: x
      C: .
      S: 250 ok
    `);
    const dsn = { ret: "HDRS", envid: "QQ+1=2", notify: ["SUCCESS", "DELAY"], orcpt: true } as const;
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    await smtp.send("x", { from: "a@example.org", to: ["b+tag@example.org"], dsn });
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);

    await using plain = await startScriptedServer(`
      ${hello(["PIPELINING"])}
      C: MAIL FROM:<a@example.org>
      C: RCPT TO:<b@example.org>
      C: DATA
      S: 250 ok
      S: 250 ok
      S: 354 go
      C: x
      C: .
      S: 250 ok
    `);
    const other = await SmtpClient.connect(plain.url("smtp"), options());
    await other.send("x", { ...ENVELOPE, dsn });
    await assert.rejects(other.send("x", { ...ENVELOPE, dsn: { notify: ["ALWAYS"] } as never }), /notify/);
    other.close();
    assert.deepEqual(plain.sessions[0]?.mismatches, []);
  });
});

describe("CHUNKING (RFC 3030)", () => {
  it("pipelines the envelope, then sends BDAT with its chunk after the replies, normalised but not dot-stuffed", async () => {
    // Not behind the envelope: Postfix then answers in two small writes and Nagle holds the
    // second for our delayed ACK, ~44 ms per message (docs/interop.md). The server here answers
    // only after both envelope lines came: a client waiting for replies in between would hang.
    const message = "Subject: x\n\n.dot\nbare\rcr";
    const wire = "Subject: x\r\n\r\n.dot\r\nbare\r\ncr\r\n";
    let received = "";
    await using server = await startScriptedServer(async (session) => {
      await helloSession(session, ["PIPELINING", "CHUNKING", "ENHANCEDSTATUSCODES"]);
      await session.expectLine("MAIL FROM:<a@example.org>");
      await session.expectLine("RCPT TO:<b@example.org>");
      await session.sendLine("250 2.1.0 ok");
      await session.sendLine("250 2.1.5 ok");
      await session.expectLine(`BDAT ${wire.length} LAST`);
      received = (await session.readBytes(wire.length)).toString("latin1");
      await session.sendLine("250 2.0.0 queued as C1");
    });
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    const result = await smtp.send(message, ENVELOPE);
    assert.equal(received, wire);
    assert.equal(result.response, "250 2.0.0 queued as C1");
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("streams a large message in bounded chunks, one reply outstanding, and ends with BDAT 0 LAST", async () => {
    const piece = Buffer.alloc(256 * 1024, "a");
    piece[piece.length - 2] = 0x0d;
    piece[piece.length - 1] = 0x0a;
    let total = 0;
    await using server = await startScriptedServer(async (session) => {
      await helloSession(session, ["PIPELINING", "CHUNKING", "SIZE 10000000"]);
      await session.expectLine("MAIL FROM:<a@example.org> SIZE=786432");
      await session.expectLine("RCPT TO:<b@example.org>");
      await session.sendLine("250 ok");
      await session.sendLine("250 ok");
      for (;;) {
        const line = await session.expectLine(/^BDAT \d+( LAST)?$/);
        const size = Number(line.split(" ")[1]);
        total += (await session.readBytes(size)).length;
        if (line.endsWith("LAST")) break;
        await session.sendLine(`250 ${size} octets received`);
      }
      await session.sendLine("250 queued");
    });
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    const source = (async function* () {
      for (let i = 0; i < 3; i++) yield piece;
    })();
    const result = await smtp.send(source, { ...ENVELOPE, size: 786432 });
    assert.equal(result.response, "250 queued");
    assert.equal(total, 3 * piece.length);
    assert.deepEqual(
      server.sessions[0]?.lines.filter((l) => l.from === "C" && l.text.startsWith("BDAT")).map((l) => l.text),
      ["BDAT 262144", "BDAT 262144", "BDAT 262144", "BDAT 0 LAST"],
    );
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("without PIPELINING, waits for each reply; a refused chunk fails the message and RSET follows", async () => {
    await using server = await startScriptedServer(`
      ${hello(["CHUNKING", "ENHANCEDSTATUSCODES"])}
      C: MAIL FROM:<a@example.org>
      S: 250 ok
      C: RCPT TO:<b@example.org>
      S: 250 ok
      C: BDAT 7 LAST
      C: hello
      S: 552 5.3.4 message too big
      C: RSET
      S: 250 ok
      C: NOOP
      S: 250 ok
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    await assert.rejects(
      smtp.send("hello", ENVELOPE),
      (error: unknown) =>
        error instanceof ReplyError && error.status === 552 && error.enhancedCode === "5.3.4",
    );
    await smtp.reset();
    await smtp.noop();
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("sends no BDAT when every recipient is refused", async () => {
    await using server = await startScriptedServer(async (session) => {
      await helloSession(session, ["PIPELINING", "CHUNKING"]);
      await session.expectLine("MAIL FROM:<a@example.org>");
      await session.expectLine("RCPT TO:<b@example.org>");
      for (const reply of ["250 ok", "550 no such user"]) await session.sendLine(reply);
      // The next line must be the caller's RSET: no chunk went out for a transaction without recipients.
      await session.expectLine("RSET");
      await session.sendLine("250 ok");
      await session.expectLine("NOOP");
      await session.sendLine("250 ok");
    });
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    await assert.rejects(
      smtp.send("x", ENVELOPE),
      (error: unknown) => error instanceof ReplyError && error.status === 550,
    );
    await smtp.reset();
    await smtp.noop();
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("sends BINARYMIME untouched, and refuses it when not offered", async () => {
    const bytes = Buffer.from("Content-Transfer-Encoding: binary\r\n\r\n\x00\n.\n\r", "latin1");
    let received: Buffer | undefined;
    await using server = await startScriptedServer(async (session) => {
      await helloSession(session, ["PIPELINING", "CHUNKING", "BINARYMIME", "8BITMIME"]);
      await session.expectLine("MAIL FROM:<a@example.org> BODY=BINARYMIME");
      await session.expectLine("RCPT TO:<b@example.org>");
      for (const reply of ["250 ok", "250 ok"]) await session.sendLine(reply);
      await session.expectLine(`BDAT ${bytes.length} LAST`);
      received = await session.readBytes(bytes.length);
      await session.sendLine("250 ok");
      await session.expectLine("MAIL FROM:<a@example.org>");
      await session.expectLine("RCPT TO:<b@example.org>");
      await session.expectLine("DATA");
      for (const reply of ["250 ok", "250 ok", "354 go"]) await session.sendLine(reply);
      assert.equal(await readData(session), "plain");
      await session.sendLine("250 ok");
    });
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    await smtp.send(bytes, { ...ENVELOPE, body: "BINARYMIME" });
    assert.deepEqual(received, bytes);
    await smtp.send("plain", { ...ENVELOPE, chunking: false });
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);

    await using plain = await startScriptedServer(`
      ${hello(["PIPELINING", "CHUNKING"])}
      C: NOOP
      S: 250 ok
    `);
    const other = await SmtpClient.connect(plain.url("smtp"), options());
    await assert.rejects(
      other.send(bytes, { ...ENVELOPE, body: "BINARYMIME" }),
      (error: unknown) => error instanceof ProtocolError && error.reason === "binarymime-unsupported",
    );
    await other.noop();
    other.close();
  });

  it("cancels a half-sent BDAT transaction with RSET when the source fails, keeping the connection", async () => {
    const piece = Buffer.alloc(256 * 1024, "b");
    await using server = await startScriptedServer(async (session) => {
      await helloSession(session, ["PIPELINING", "CHUNKING"]);
      await session.expectLine("MAIL FROM:<a@example.org>");
      await session.expectLine("RCPT TO:<b@example.org>");
      for (const reply of ["250 ok", "250 ok"]) await session.sendLine(reply);
      await session.expectLine(`BDAT ${piece.length}`);
      await session.readBytes(piece.length);
      await session.sendLine("250 chunk ok");
      await session.expectLine("RSET");
      await session.sendLine("250 reset");
      await session.expectLine("NOOP");
      await session.sendLine("250 ok");
    });
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    const failing = (async function* () {
      yield piece;
      throw new Error("the disk went away");
    })();
    await assert.rejects(smtp.send(failing, ENVELOPE), /the disk went away/);
    await smtp.noop();
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });
});

describe("streaming with backpressure", () => {
  it("reads a streamed message only as fast as the server takes it", async () => {
    const piece = Buffer.from(`${"s".repeat(65534)}\r\n`);
    const count = 640; // 40 MiB
    let pulled = 0;
    let pulledWhenServerRead = -1;
    await using server = await startScriptedServer(async (session) => {
      await helloSession(session, ["PIPELINING"]);
      await session.expectLine("MAIL FROM:<a@example.org>");
      await session.expectLine("RCPT TO:<b@example.org>");
      await session.expectLine("DATA");
      for (const reply of ["250 ok", "250 ok", "354 go"]) await session.sendLine(reply);
      // Do not read for a while: a client that ignores backpressure would pull everything now.
      await session.delay(300);
      pulledWhenServerRead = pulled;
      let left = piece.length * count;
      while (left > 0) {
        const take = Math.min(left, 1024 * 1024);
        await session.readBytes(take);
        left -= take;
      }
      await session.expectLine(".");
      await session.sendLine("250 ok");
    });
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    const source = (async function* () {
      for (let i = 0; i < count; i++) {
        pulled += piece.length;
        yield piece;
      }
    })();
    await smtp.send(source, ENVELOPE);
    assert.equal(pulled, piece.length * count);
    assert.ok(pulledWhenServerRead >= 0);
    assert.ok(
      pulledWhenServerRead < (piece.length * count) / 2,
      `pulled ${pulledWhenServerRead} bytes while the server was not reading`,
    );
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });
});

describe("one session, many messages", () => {
  it("states each message's own envelope and parameters, however much of it repeats", async () => {
    const seen: string[][] = [];
    await using server = await startScriptedServer(async (session) => {
      await helloSession(session, ["PIPELINING", "SIZE 1000", "8BITMIME"]);
      for (;;) {
        const commands = [await session.readLine()];
        if (commands[0] === "QUIT") break;
        while (commands.at(-1) !== "DATA") commands.push(await session.readLine());
        for (let i = 1; i < commands.length; i++) await session.sendLine("250 ok");
        await session.sendLine("354 go");
        await readData(session);
        await session.sendLine("250 queued");
        seen.push(commands.slice(0, -1));
      }
      await session.sendLine("221 bye");
    });
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    const from = "a@example.org";
    const to = ["b@example.org"];
    const plain = "Subject: a\r\n\r\nhi\r\n";
    await smtp.send(plain, { from, to });
    await smtp.send(plain, { from, to });
    // The caller's array changed after the last send: the new recipient is there.
    to.push("c@example.org");
    await smtp.send(plain, { from, to });
    await smtp.send("Subject: \u00e9\r\n\r\nhi\r\n", { from, to });
    await smtp.send("Subject: b\r\n\r\nho\r\n", { from, to });
    await smtp.send("Subject: b\r\n\r\nhello\r\n", { from, to });
    await smtp.send(plain, { from: "d@example.org", to });
    await smtp.send(plain, { from, to: "e@example.org" });
    await smtp.send(plain, { from, to: "e@example.org", dsn: { ret: "HDRS" } });
    await smtp.quit();
    const rcpt = (...addresses: string[]) => addresses.map((address) => `RCPT TO:<${address}>`);
    assert.deepEqual(seen, [
      ["MAIL FROM:<a@example.org> SIZE=18", ...rcpt("b@example.org")],
      ["MAIL FROM:<a@example.org> SIZE=18", ...rcpt("b@example.org")],
      ["MAIL FROM:<a@example.org> SIZE=18", ...rcpt("b@example.org", "c@example.org")],
      ["MAIL FROM:<a@example.org> SIZE=19 BODY=8BITMIME", ...rcpt("b@example.org", "c@example.org")],
      ["MAIL FROM:<a@example.org> SIZE=18", ...rcpt("b@example.org", "c@example.org")],
      ["MAIL FROM:<a@example.org> SIZE=21", ...rcpt("b@example.org", "c@example.org")],
      ["MAIL FROM:<d@example.org> SIZE=18", ...rcpt("b@example.org", "c@example.org")],
      ["MAIL FROM:<a@example.org> SIZE=18", ...rcpt("e@example.org")],
      ["MAIL FROM:<a@example.org> SIZE=18", ...rcpt("e@example.org")],
    ]);
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });
});
