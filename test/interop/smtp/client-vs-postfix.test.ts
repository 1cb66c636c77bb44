// SmtpClient against Postfix 3.7 (Debian) delivering through Dovecot 2.3 LMTP into Maildir: the
// plain port, submission with STARTTLS + AUTH (SASL by Dovecot), smtps, 8-bit and UTF-8 mail, a
// refused recipient among accepted ones, CHUNKING (Postfix offers it, so the client uses BDAT)
// and DATA. Every delivered message is read back from disk and compared byte for byte after the
// trace fields Postfix and Dovecot put in front (Received, Return-Path, Delivered-To).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ProtocolError, ReplyError, TlsError } from "../../../src/errors.js";
import { SmtpClient } from "../../../src/smtp/index.js";
import { asciiMessage, eightBitMessage, utf8Message } from "./client-fixtures.js";
import { type PostfixPeer, startPostfix, stripTrace, unavailable, usable } from "./peers.js";

const FROM = "sender@example.org";

/** Waits until Postfix's log has a line matching `pattern` after byte `from`; resolves to it. */
async function logLine(peer: PostfixPeer, from: number, pattern: RegExp): Promise<string> {
  for (let waited = 0; ; waited += 25) {
    const text = readFileSync(peer.logFile, "utf8").slice(from);
    const line = text.split("\n").find((l) => pattern.test(l));
    if (line) return line;
    assert.ok(waited < 5000, `no log line matching ${pattern}:\n${text}`);
    await sleep(25);
  }
}

describe("SmtpClient → Postfix + Dovecot", () => {
  let peer: PostfixPeer | undefined;
  before(async () => {
    // Missing peers are reported by each test through usable() (a failure in CI).
    if (unavailable("postfix") === undefined) peer = await startPostfix();
  });
  after(() => peer?.stop());

  const ready = (t: { skip(message?: string): void }) => (usable(t, "postfix", "dovecot") ? peer : undefined);
  const logSize = (p: PostfixPeer) => readFileSync(p.logFile).length;
  const submit = (p: PostfixPeer, mechanism: string) =>
    SmtpClient.connect(`smtp+starttls://127.0.0.1:${p.ports.submission}`, {
      user: p.user,
      password: p.password,
      mechanisms: [mechanism],
      tls: { ca: p.ca },
    });

  it("plain port: delivered through LMTP byte for byte, the data sent with BDAT", async (t) => {
    const p = ready(t);
    if (!p) return;
    const [alice = ""] = p.mailboxes;
    const logAt = logSize(p);
    await using client = await SmtpClient.connect(`smtp://127.0.0.1:${p.ports.smtp}`);
    assert.equal(client.session.tls, undefined, "smtp:// never upgrades, even with STARTTLS on offer");
    assert.ok(client.session.extensions.has("STARTTLS"));
    assert.ok(client.session.extensions.has("CHUNKING"));
    assert.equal(client.session.maxSize, 10_240_000);
    const message = asciiMessage(FROM, alice);
    const result = await client.send(message.bytes, { from: FROM, to: [alice] });
    assert.deepEqual(result.accepted, [alice]);
    // Postfix words its reply to the last BDAT chunk differently from its reply to DATA.
    assert.match(result.response, /^250 2\.0\.0 Ok: \d+ bytes queued as \w+/);
    await client.quit();
    const stored = await p.waitForMessage(alice, message.messageId);
    const trace = stripTrace(stored, message.bytes);
    assert.deepEqual(trace.filter((name) => name === "Received").length, 2, trace.join(", "));
    // Postfix counts the commands of each session when it ends.
    assert.match(await logLine(p, logAt, /disconnect from .* mail=1 /), / bdat=1 /);
  });

  it("submission: STARTTLS + AUTH PLAIN; a refused recipient among two accepted ones", async (t) => {
    const p = ready(t);
    if (!p) return;
    const [alice = "", bob = ""] = p.mailboxes;
    await using client = await submit(p, "PLAIN");
    assert.equal(client.session.tls?.authorized, true);
    assert.equal(client.session.saslMechanism, "PLAIN");
    const to = [alice, p.unknownAddress, bob];
    const message = asciiMessage(FROM, to.join(", "), "partly refused");
    const result = await client.send(message.bytes, { from: FROM, to });
    assert.deepEqual(result.accepted, [alice, bob]);
    assert.equal(result.rejected.length, 1);
    const [refused] = result.rejected;
    assert.equal(refused?.address, p.unknownAddress);
    assert.equal(refused?.code, 550);
    assert.equal(refused?.enhancedCode, "5.1.1");
    assert.match(refused?.text ?? "", /User unknown in virtual mailbox table/);
    await client.quit();
    for (const box of [alice, bob]) stripTrace(await p.waitForMessage(box, message.messageId), message.bytes);
  });

  it("smtps: implicit TLS + AUTH LOGIN", async (t) => {
    const p = ready(t);
    if (!p) return;
    const [, bob = ""] = p.mailboxes;
    await using client = await SmtpClient.connect(`smtps://127.0.0.1:${p.ports.smtps}`, {
      user: p.user,
      password: p.password,
      mechanisms: ["LOGIN"],
      tls: { ca: p.ca },
    });
    assert.equal(client.session.saslMechanism, "LOGIN");
    assert.ok(client.session.tls);
    const message = asciiMessage(FROM, bob, "over smtps");
    await client.send(message.bytes, { from: FROM, to: [bob] });
    await client.quit();
    stripTrace(await p.waitForMessage(bob, message.messageId), message.bytes);
  });

  it("an 8-bit body arrives intact, with BDAT and with DATA", async (t) => {
    const p = ready(t);
    if (!p) return;
    const [alice = ""] = p.mailboxes;
    const logAt = logSize(p);
    await using client = await SmtpClient.connect(`smtp://127.0.0.1:${p.ports.smtp}`);
    const chunked = eightBitMessage(FROM, alice);
    await client.send(chunked.bytes, { from: FROM, to: [alice] });
    const dotted = eightBitMessage(FROM, alice);
    await client.send(dotted.bytes, { from: FROM, to: [alice], chunking: false });
    await client.quit();
    stripTrace(await p.waitForMessage(alice, chunked.messageId), chunked.bytes);
    stripTrace(await p.waitForMessage(alice, dotted.messageId), dotted.bytes);
    // The log is written asynchronously: an earlier session's line may come after logAt.
    const counts = await logLine(p, logAt, /disconnect from .* mail=2 /);
    assert.match(counts, / bdat=1 /);
    assert.match(counts, / data=1 /);
  });

  it("UTF-8 sender, recipient and header fields with SMTPUTF8 (delivered by virtual(8))", async (t) => {
    const p = ready(t);
    if (!p) return;
    const from = "josé@example.org";
    await using client = await submit(p, "PLAIN");
    assert.ok(client.session.extensions.has("SMTPUTF8"));
    const message = utf8Message(from, p.utf8Mailbox);
    const result = await client.send(message.bytes, { from, to: [p.utf8Mailbox] });
    assert.deepEqual(result.accepted, [p.utf8Mailbox]);
    await client.quit();
    const stored = await p.waitForMessage(p.utf8Mailbox, message.messageId);
    // virtual(8) writes Unix line ends, and says how the mail came: "with UTF8SMTPSA".
    const trace = stripTrace(stored, message.bytes, { lineEnd: "lf" });
    assert.deepEqual(trace, ["Return-Path", "X-Original-To", "Delivered-To", "Received"]);
    assert.match(stored.toString("utf8"), /^Return-Path: <josé@example\.org>\n/);
    assert.match(stored.toString("utf8"), /with UTF8SMTPSA id/);
  });

  it("a large message (4 MiB of short lines) goes through BDAT byte for byte", async (t) => {
    const p = ready(t);
    if (!p) return;
    const [alice = ""] = p.mailboxes;
    const head = asciiMessage(FROM, alice, "large");
    const line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.,;:!?+-*/=()[]<>\r\n";
    const body = Buffer.from(line.repeat(Math.ceil((4 * 1024 * 1024) / line.length)));
    const message = Buffer.concat([head.bytes, body]);
    await using client = await SmtpClient.connect(`smtp://127.0.0.1:${p.ports.smtp}`);
    await client.send(message, { from: FROM, to: [alice] });
    await client.quit();
    stripTrace(await p.waitForMessage(alice, head.messageId, 30_000), message);
  });

  it("submission without AUTH: every recipient refused, a ReplyError 554 5.7.1", async (t) => {
    const p = ready(t);
    if (!p) return;
    const [alice = ""] = p.mailboxes;
    await using client = await SmtpClient.connect(`smtp+starttls://127.0.0.1:${p.ports.submission}`, {
      tls: { ca: p.ca },
    });
    assert.ok(client.session.extensions.has("AUTH"));
    await assert.rejects(
      client.send(asciiMessage(FROM, alice).bytes, { from: FROM, to: [alice] }),
      (error: unknown) =>
        error instanceof ReplyError && error.status === 554 && error.enhancedCode === "5.7.1",
    );
    await client.quit();
  });

  it("credentials on the plain port (AUTH offered only under TLS) never leave the client", async (t) => {
    const p = ready(t);
    if (!p) return;
    const sent: string[] = [];
    await assert.rejects(
      SmtpClient.connect(`smtp://127.0.0.1:${p.ports.smtp}`, {
        user: p.user,
        password: p.password,
        onTrace: (event) => {
          if (event.direction === "send") sent.push(event.text);
        },
      }),
      // No AUTH in the EHLO reply (smtpd_tls_auth_only), and smtp:// never upgrades.
      (error: unknown) => error instanceof ProtocolError || error instanceof TlsError,
    );
    assert.ok(sent.length > 0);
    assert.ok(!sent.some((line) => /^AUTH/i.test(line)), sent.join("\n"));
  });

  it("VRFY: 252 for a mailbox, a ReplyError 550 for an unknown one", async (t) => {
    const p = ready(t);
    if (!p) return;
    const [alice = ""] = p.mailboxes;
    await using client = await SmtpClient.connect(`smtp://127.0.0.1:${p.ports.smtp}`);
    const known = await client.verify(alice);
    assert.equal(known.code, 252);
    await assert.rejects(
      client.verify(p.unknownAddress),
      (error: unknown) => error instanceof ReplyError && error.status === 550,
    );
    await client.quit();
  });
});
