// SmtpClient against Python's aiosmtpd (Debian's python3-aiosmtpd): plain, STARTTLS, implicit
// TLS, AUTH PLAIN and LOGIN, 8-bit and UTF-8 messages, a refused recipient among accepted ones,
// several messages over one connection. aiosmtpd keeps each message exactly as received, so
// every check compares bytes. It offers no CHUNKING: the data goes with DATA.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ReplyError } from "../../../src/errors.js";
import { buildMessage } from "../../../src/mime/index.js";
import { SmtpClient } from "../../../src/smtp/index.js";
import { asciiMessage, eightBitMessage, utf8Message } from "./client-fixtures.js";
import { type AiosmtpdPeer, startAiosmtpd, unavailable, usable } from "./peers.js";

const FROM = "sender@example.org";
const TO = "someone@example.test";

describe("SmtpClient → aiosmtpd", () => {
  let peer: AiosmtpdPeer | undefined;
  before(async () => {
    // A missing aiosmtpd is reported by each test through usable() (a failure in CI).
    if (unavailable("aiosmtpd") === undefined) peer = await startAiosmtpd();
  });
  after(() => peer?.stop());

  /** The peer, or undefined when the test was skipped (usable() already failed it in CI). */
  const ready = (t: { skip(message?: string): void }) => (usable(t, "aiosmtpd") ? peer : undefined);
  const url = (scheme: "smtp" | "smtp+starttls" | "smtps", port: number) => `${scheme}://127.0.0.1:${port}`;

  it("plain SMTP: the data arrives byte for byte, dot-stuffing undone", async (t) => {
    const p = ready(t);
    if (!p) return;
    const seen = p.received().length;
    await using client = await SmtpClient.connect(url("smtp", p.ports.plain), { name: "client.example.org" });
    assert.equal(client.session.tls, undefined);
    assert.equal(client.session.protocol, "esmtp");
    const message = asciiMessage(FROM, TO);
    const result = await client.send(message.bytes, { from: FROM, to: [TO] });
    assert.deepEqual(result.accepted, [TO]);
    assert.deepEqual(result.rejected, []);
    assert.match(result.response, /^250 /);
    await client.quit();
    const [got] = p.received().slice(seen);
    assert.ok(got);
    assert.deepEqual(got.data, message.bytes);
    assert.equal(got.mailFrom, FROM);
    assert.deepEqual(got.rcptTos, [TO]);
    assert.equal(got.heloName, "client.example.org");
    assert.equal(got.tls, false);
    assert.equal(got.user, null);
  });

  it("STARTTLS + AUTH PLAIN, the certificate verified against the test CA", async (t) => {
    const p = ready(t);
    if (!p) return;
    const seen = p.received().length;
    await using client = await SmtpClient.connect(url("smtp+starttls", p.ports.plain), {
      user: p.user,
      password: p.password,
      mechanisms: ["PLAIN"],
      tls: { ca: p.ca },
    });
    assert.equal(client.session.tls?.authorized, true);
    assert.equal(client.session.saslMechanism, "PLAIN");
    assert.equal(client.session.user, p.user);
    // Read again after the upgrade: AUTH is offered only under TLS.
    assert.ok(client.session.extensions.has("AUTH"));
    assert.ok(!client.session.extensions.has("STARTTLS"));
    const message = asciiMessage(FROM, TO, "over STARTTLS");
    await client.send(message.bytes, { from: FROM, to: TO });
    await client.quit();
    const [got] = p.received().slice(seen);
    assert.deepEqual(got?.data, message.bytes);
    assert.equal(got?.tls, true);
    assert.equal(got?.user, p.user);
  });

  it("implicit TLS (smtps://) + AUTH LOGIN", async (t) => {
    const p = ready(t);
    if (!p) return;
    const seen = p.received().length;
    await using client = await SmtpClient.connect(url("smtps", p.ports.implicitTls), {
      user: p.user,
      password: p.password,
      mechanisms: ["LOGIN"],
      tls: { ca: p.ca },
    });
    assert.equal(client.session.saslMechanism, "LOGIN");
    assert.ok(client.session.tls);
    const message = asciiMessage(FROM, TO, "over implicit TLS");
    await client.send(message.bytes, { from: FROM, to: [TO] });
    await client.quit();
    const [got] = p.received().slice(seen);
    assert.deepEqual(got?.data, message.bytes);
    assert.equal(got?.tls, true);
    assert.equal(got?.user, p.user);
  });

  it("a wrong password is a ReplyError 535 and no session", async (t) => {
    const p = ready(t);
    if (!p) return;
    await assert.rejects(
      SmtpClient.connect(url("smtps", p.ports.implicitTls), {
        user: p.user,
        password: "not-the-password",
        tls: { ca: p.ca },
      }),
      (error: unknown) =>
        error instanceof ReplyError && error.status === 535 && error.enhancedCode === "5.7.8",
    );
  });

  it("an 8-bit body goes with BODY=8BITMIME", async (t) => {
    const p = ready(t);
    if (!p) return;
    const seen = p.received().length;
    await using client = await SmtpClient.connect(url("smtp", p.ports.plain));
    const message = eightBitMessage(FROM, TO);
    await client.send(message.bytes, { from: FROM, to: [TO] });
    await client.quit();
    const [got] = p.received().slice(seen);
    assert.deepEqual(got?.data, message.bytes);
    // SIZE too: aiosmtpd announces a limit, and a Buffer's size is known.
    assert.deepEqual(got?.mailOptions, [`SIZE=${message.bytes.length}`, "BODY=8BITMIME"]);
    assert.equal(got?.smtpUtf8, false);
  });

  it("UTF-8 addresses and header fields go with SMTPUTF8", async (t) => {
    const p = ready(t);
    if (!p) return;
    const seen = p.received().length;
    const from = "josé@example.org";
    const to = "δοκιμή@example.test";
    await using client = await SmtpClient.connect(url("smtp", p.ports.plain));
    const message = utf8Message(from, to);
    const result = await client.send(message.bytes, { from, to: [to] });
    assert.deepEqual(result.accepted, [to]);
    await client.quit();
    const [got] = p.received().slice(seen);
    assert.deepEqual(got?.data, message.bytes);
    assert.equal(got?.smtpUtf8, true);
    assert.equal(got?.mailFrom, from);
    assert.deepEqual(got?.rcptTos, [to]);
    assert.ok(got?.mailOptions.includes("SMTPUTF8"), JSON.stringify(got?.mailOptions));
  });

  it("a refused recipient among accepted ones: reported, the others get the message", async (t) => {
    const p = ready(t);
    if (!p) return;
    const seen = p.received().length;
    await using client = await SmtpClient.connect(url("smtp", p.ports.plain));
    const to = ["first@example.test", p.rejectAddress, "second@example.test"];
    const message = asciiMessage(FROM, to.join(", "), "partly refused");
    const result = await client.send(message.bytes, { from: FROM, to });
    assert.deepEqual(result.accepted, ["first@example.test", "second@example.test"]);
    assert.equal(result.rejected.length, 1);
    const [refused] = result.rejected;
    assert.equal(refused?.address, p.rejectAddress);
    assert.equal(refused?.code, 550);
    assert.equal(refused?.enhancedCode, "5.1.1");
    assert.match(refused?.text ?? "", /no such user here/);
    await client.quit();
    const [got] = p.received().slice(seen);
    assert.deepEqual(got?.rcptTos, ["first@example.test", "second@example.test"]);
    assert.deepEqual(got?.data, message.bytes);
  });

  it("every recipient refused: a ReplyError, and the connection still sends the next message", async (t) => {
    const p = ready(t);
    if (!p) return;
    const seen = p.received().length;
    await using client = await SmtpClient.connect(url("smtp", p.ports.plain));
    await assert.rejects(
      client.send(asciiMessage(FROM, p.rejectAddress).bytes, { from: FROM, to: [p.rejectAddress] }),
      (error: unknown) =>
        error instanceof ReplyError && error.status === 550 && error.enhancedCode === "5.1.1",
    );
    const next = asciiMessage(FROM, TO, "after a refusal");
    await client.send(next.bytes, { from: FROM, to: [TO] });
    await client.quit();
    const got = p.received().slice(seen);
    assert.equal(got.length, 1);
    assert.deepEqual(got[0]?.data, next.bytes);
  });

  it("several messages over one connection, the envelope taken from the headers (Bcc dropped)", async (t) => {
    const p = ready(t);
    if (!p) return;
    const seen = p.received().length;
    await using client = await SmtpClient.connect(url("smtp", p.ports.plain));
    const sent: Buffer[] = [];
    for (let i = 0; i < 5; i++) {
      const message = asciiMessage(FROM, TO, `number ${i}`);
      sent.push(message.bytes);
      await client.send(message.bytes);
    }
    const withBcc = Buffer.from(
      `From: ${FROM}\r\nTo: ${TO}\r\nBcc: hidden@example.test\r\nSubject: bcc\r\n\r\nbody\r\n`,
    );
    await client.send(withBcc);
    await client.quit();
    const got = p.received().slice(seen);
    assert.deepEqual(
      got.slice(0, 5).map((m) => m.data),
      sent,
    );
    assert.deepEqual(got[5]?.rcptTos, [TO, "hidden@example.test"]);
    assert.equal(got[5]?.mailFrom, FROM);
    assert.doesNotMatch(got[5]?.data.toString() ?? "", /Bcc:|hidden@/i);
  });

  it("bare LF and CR in the input reach the server as CRLF", async (t) => {
    const p = ready(t);
    if (!p) return;
    const seen = p.received().length;
    await using client = await SmtpClient.connect(url("smtp", p.ports.plain));
    const input = Buffer.from(`From: ${FROM}\nTo: ${TO}\nSubject: line ends\n\nunix\nold mac\rmixed\r\n.\n`);
    await client.send(input, { from: FROM, to: [TO] });
    await client.quit();
    const [got] = p.received().slice(seen);
    const expected = input.toString("latin1").replace(/\r\n|\r|\n/g, "\r\n");
    assert.equal(got?.data.toString("latin1"), expected);
  });

  it("a built message (buildMessage) arrives as the builder wrote it", async (t) => {
    const p = ready(t);
    if (!p) return;
    const seen = p.received().length;
    const built = buildMessage({
      from: `Sender <${FROM}>`,
      to: TO,
      bcc: "blind@example.test",
      subject: "Grüße — built",
      text: "Text part.\n.\n",
      html: "<p>HTML part</p>",
      attachments: [{ filename: "data.bin", content: Buffer.from([0, 1, 2, 255, 254]) }],
    });
    await using client = await SmtpClient.connect(url("smtp", p.ports.plain));
    const result = await client.send(built);
    assert.deepEqual(result.accepted, [TO, "blind@example.test"]);
    await client.quit();
    const [got] = p.received().slice(seen);
    assert.deepEqual(got?.data, await built.toBuffer());
    assert.deepEqual(got?.rcptTos, [TO, "blind@example.test"]);
  });
});
