// The SMTP issue's Faults, each against a hostile scripted server: a greeting that never comes,
// 421 in the middle, STARTTLS answered with injected bytes, STARTTLS stripped or refused while
// required, endless 334 challenges, 552 after DATA, and a connection cut after (and during) DATA.
// Plus malformed, oversized and split replies, aborts, stalls and a failing message source.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AbortError,
  ConnectionClosedError,
  LimitError,
  ProtocolError,
  ReplyError,
  TimeoutError,
  TlsError,
} from "../../src/errors.js";
import { startScriptedServer, testCertificates } from "../../src/servers/index.js";
import { SmtpClient } from "../../src/smtp/index.js";
import { hello, helloSession, NAME, options, readData } from "./scripted-smtp.js";

const certs = testCertificates();
const tls = { ca: certs.ca.cert };
const ENVELOPE = { from: "a@example.org", to: ["b@example.org"] };
const clientLines = (transcript: string) => transcript.split("\n").filter((line) => line.startsWith("C:"));

describe("SMTP faults: connecting", () => {
  it("times out in the greeting phase when the greeting never comes", async () => {
    await using server = await startScriptedServer("stall");
    await assert.rejects(
      SmtpClient.connect(server.url("smtp"), options({ timeouts: { greeting: 150 } })),
      (error: unknown) => error instanceof TimeoutError && error.phase === "greeting",
    );
  });

  it("reports a 421 or 554 greeting as a ReplyError", async () => {
    for (const greeting of ["421 4.3.2 too busy", "554 5.7.1 no service for you"]) {
      await using server = await startScriptedServer(`S: ${greeting}`);
      await assert.rejects(
        SmtpClient.connect(server.url("smtp"), options()),
        (error: unknown) => error instanceof ReplyError && error.status === Number(greeting.slice(0, 3)),
      );
    }
  });

  it("fails closed when STARTTLS is answered with an injected 250 in the same packet: nothing more is sent", async () => {
    await using server = await startScriptedServer(`
      ${hello(["STARTTLS"])}
      C: STARTTLS
      S: 220 2.0.0 go ahead
      inject 250-mx.example.test\\r\\n250 AUTH PLAIN\\r\\n
      stall
    `);
    await assert.rejects(
      SmtpClient.connect(`smtp+starttls://alice:hunter2@127.0.0.1:${server.port}`, options({ tls })),
      (error: unknown) => error instanceof ProtocolError && error.reason === "data-after-starttls",
    );
    await server.sessions[0]?.done;
    assert.deepEqual(clientLines(server.transcript()), [`C: EHLO ${NAME}`, "C: STARTTLS"]);
    assert.equal(server.sessions[0]?.secure, false);
  });

  it("fails closed when STARTTLS is missing from a stripped EHLO while required: no AUTH or MAIL", async () => {
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING", "AUTH PLAIN LOGIN"])}
      stall
    `);
    await assert.rejects(
      SmtpClient.connect(`smtp+starttls://alice:hunter2@127.0.0.1:${server.port}`, options({ tls })),
      (error: unknown) => error instanceof TlsError && error.reason === "starttls-unavailable",
    );
    await server.sessions[0]?.done;
    assert.deepEqual(clientLines(server.transcript()), [`C: EHLO ${NAME}`]);
  });

  it("fails closed when STARTTLS is refused, and when EHLO is refused while TLS is required", async () => {
    await using refused = await startScriptedServer(`
      ${hello(["STARTTLS", "AUTH PLAIN"])}
      C: STARTTLS
      S: 454 4.7.0 TLS not available due to temporary reason
      stall
    `);
    await assert.rejects(
      SmtpClient.connect(`smtp+starttls://alice:hunter2@127.0.0.1:${refused.port}`, options({ tls })),
      (error: unknown) =>
        error instanceof TlsError && error.reason === "starttls-refused" && /454/.test(error.message),
    );
    await refused.sessions[0]?.done;
    assert.deepEqual(clientLines(refused.transcript()), [`C: EHLO ${NAME}`, "C: STARTTLS"]);

    await using noEhlo = await startScriptedServer(`
      S: 220 old server
      C: EHLO ${NAME}
      S: 502 what?
      stall
    `);
    await assert.rejects(SmtpClient.connect(noEhlo.url("smtp+starttls"), options({ tls })), ReplyError);
    await noEhlo.sessions[0]?.done;
    assert.deepEqual(clientLines(noEhlo.transcript()), [`C: EHLO ${NAME}`]);
  });

  it("fails when the server answers the TLS handshake with plaintext", async () => {
    await using server = await startScriptedServer(`
      ${hello(["STARTTLS"])}
      C: STARTTLS
      S: 220 go ahead
      plaintextInsteadOfTls
    `);
    await assert.rejects(
      SmtpClient.connect(server.url("smtp+starttls"), options({ tls, timeout: 5000 })),
      TlsError,
    );
  });

  it("bounds endless 334 challenges: LimitError after the allowed rounds, the exchange cancelled with *", async () => {
    const script = async (session: import("../../src/servers/index.js").ScriptedSession) => {
      await helloSession(session, ["AUTH LOGIN"]);
      await session.expectLine("AUTH LOGIN");
      for (;;) {
        await session.sendLine("334 VXNlcm5hbWU6");
        const line = await session.readLine();
        if (line === "*") {
          await session.sendLine("501 5.0.0 cancelled");
          return;
        }
      }
    };
    await using server = await startScriptedServer(script);
    await assert.rejects(
      SmtpClient.connect(
        server.url("smtp"),
        options({ user: "alice", password: "hunter2", allowInsecureAuth: true, maxAuthRounds: 1 }),
      ),
      (error: unknown) => error instanceof LimitError && error.what === "sasl-rounds",
    );
    await server.sessions[0]?.done;
    assert.ok(server.transcript().includes("C: *\n"));
    // With the default bound, the mechanism itself refuses a challenge it does not expect.
    await using other = await startScriptedServer(script);
    await assert.rejects(
      SmtpClient.connect(
        other.url("smtp"),
        options({ user: "alice", password: "hunter2", allowInsecureAuth: true }),
      ),
      (error: unknown) => error instanceof ProtocolError,
    );
    await other.sessions[0]?.done;
    assert.ok(other.transcript().includes("C: *\n"));
    assert.ok(clientLines(other.transcript()).length < 8);
  });
});

describe("SMTP faults: replies", () => {
  it("drops the connection on a 421 in the middle and says so", async () => {
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING", "ENHANCEDSTATUSCODES"])}
      C: MAIL FROM:<a@example.org>
      C: RCPT TO:<b@example.org>
      C: DATA
      S: 421 4.3.2 Service shutting down
      close
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    await assert.rejects(
      smtp.send("x", ENVELOPE),
      (error: unknown) =>
        error instanceof ReplyError &&
        error.status === 421 &&
        error.enhancedCode === "4.3.2" &&
        error.isTransient,
    );
    assert.equal(smtp.isOpen, false);
    await assert.rejects(smtp.noop(), ConnectionClosedError);
    await smtp.quit();
  });

  it("refuses malformed and oversized replies", async () => {
    await using malformed = await startScriptedServer(`
      ${hello([])}
      C: NOOP
      S: 250x ok
    `);
    const smtp = await SmtpClient.connect(malformed.url("smtp"), options());
    await assert.rejects(
      smtp.noop(),
      (error: unknown) => error instanceof ProtocolError && error.reason === "malformed-reply",
    );
    assert.equal(smtp.isOpen, false);

    const lines = Array.from({ length: 2000 }, (_, i) => `S: 250-X-EXT-${i}`).join("\n");
    await using huge = await startScriptedServer(`S: 220 hi\nC: EHLO ${NAME}\n${lines}\nS: 250 END`);
    await assert.rejects(
      SmtpClient.connect(huge.url("smtp"), options()),
      (error: unknown) => error instanceof LimitError && error.what === "reply",
    );

    await using bareLf = await startScriptedServer(`
      bareLF
      S: 220 hi
    `);
    await assert.rejects(SmtpClient.connect(bareLf.url("smtp"), options()), ProtocolError);

    await using mixed = await startScriptedServer(`
      S: 220 hi
      C: EHLO ${NAME}
      S: 250-mx
      S: 251 not the same code
    `);
    await assert.rejects(SmtpClient.connect(mixed.url("smtp"), options()), ProtocolError);
  });

  it("reads replies split at every byte", async () => {
    await using server = await startScriptedServer(`
      split
      ${hello(["PIPELINING", "SIZE 500", "ENHANCEDSTATUSCODES"])}
      C: MAIL FROM:<a@example.org> SIZE=3
      C: RCPT TO:<b@example.org>
      C: DATA
      S: 250 2.1.0 ok
      S: 250 2.1.5 ok
      S: 354 go
      C: x
      C: .
      S: 250 2.0.0 queued
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    assert.equal(smtp.session.maxSize, 500);
    assert.equal((await smtp.send("x", ENVELOPE)).response, "250 2.0.0 queued");
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("times out a stalled command in the command phase", async () => {
    await using server = await startScriptedServer(`
      ${hello([])}
      C: NOOP
      stall
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options({ timeouts: { command: 150 } }));
    await assert.rejects(
      smtp.noop(),
      (error: unknown) => error instanceof TimeoutError && error.phase === "command",
    );
  });
});

describe("SMTP faults: the data", () => {
  it("reports a 552 after DATA as a ReplyError and keeps the connection usable", async () => {
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING", "ENHANCEDSTATUSCODES"])}
      C: MAIL FROM:<a@example.org>
      C: RCPT TO:<b@example.org>
      C: DATA
      S: 250 2.1.0 ok
      S: 250 2.1.5 ok
      S: 354 go
      C: big
      C: .
      S: 552 5.3.4 Message size exceeds fixed maximum message size
      C: NOOP
      S: 250 2.0.0 ok
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    await assert.rejects(
      smtp.send("big", ENVELOPE),
      (error: unknown) =>
        error instanceof ReplyError &&
        error.status === 552 &&
        error.enhancedCode === "5.3.4" &&
        error.isPermanent,
    );
    await smtp.noop();
    smtp.close();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("says the message's fate is unknown when the connection is cut after DATA, and never retries", async () => {
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING"])}
      C: MAIL FROM:<a@example.org>
      C: RCPT TO:<b@example.org>
      C: DATA
      S: 250 ok
      S: 250 ok
      S: 354 go
      C: important
      C: .
      close
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    await assert.rejects(
      smtp.send("important", ENVELOPE),
      (error: unknown) => error instanceof ConnectionClosedError && /fate is unknown/.test(error.message),
    );
    assert.equal(smtp.isOpen, false);
    await server.sessions[0]?.done;
    assert.equal(server.sessions.length, 1);
    assert.equal(clientLines(server.transcript()).filter((line) => line === "C: DATA").length, 1);
  });

  it("says the message was not delivered when the connection is cut while it is being sent", async () => {
    const piece = Buffer.from(`${"d".repeat(65534)}\r\n`);
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING"])}
      C: MAIL FROM:<a@example.org>
      C: RCPT TO:<b@example.org>
      C: DATA
      S: 250 ok
      S: 250 ok
      S: 354 go
      C: *
      reset
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    const source = (async function* () {
      for (let i = 0; i < 512; i++) yield piece; // 32 MiB: still being written when the server resets
    })();
    await assert.rejects(
      smtp.send(source, ENVELOPE),
      (error: unknown) => error instanceof ConnectionClosedError && /not delivered/.test(error.message),
    );
    assert.equal(server.sessions.length, 1);
  });

  it("drops the connection rather than end the data when the message source fails", async () => {
    let seen = "";
    await using server = await startScriptedServer(async (session) => {
      await helloSession(session, ["PIPELINING"]);
      for (const line of ["MAIL FROM:<a@example.org>", "RCPT TO:<b@example.org>", "DATA"])
        await session.expectLine(line);
      for (const reply of ["250 ok", "250 ok", "354 go"]) await session.sendLine(reply);
      seen = await readData(session).catch(() => "(closed before the end of the data)");
    });
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    const source = (async function* () {
      yield "Subject: half\r\n\r\nfirst line\r\n";
      throw new Error("the source broke");
    })();
    await assert.rejects(smtp.send(source, ENVELOPE), /the source broke/);
    assert.equal(smtp.isOpen, false);
    await server.sessions[0]?.done;
    assert.equal(seen, "(closed before the end of the data)");
  });

  it("aborts a send with the caller's signal", async () => {
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING"])}
      C: MAIL FROM:<a@example.org>
      C: RCPT TO:<b@example.org>
      C: DATA
      stall
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    const controller = new AbortController();
    const sending = smtp.send("x", { ...ENVELOPE, signal: controller.signal });
    const seen = server.session(0).then(async (session) => {
      while (!session.lines.some((line) => line.text === "DATA")) await new Promise((r) => setImmediate(r));
    });
    await seen;
    controller.abort();
    await assert.rejects(sending, AbortError);
    assert.equal(smtp.isOpen, false);
  });
});
