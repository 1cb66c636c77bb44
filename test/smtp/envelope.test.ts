// The SMTP envelope: from headers, from options, and checked for the server at hand (SMTPUTF8).
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { InvalidArgumentError, LimitError, ProtocolError } from "../../src/errors.js";
import { Headers } from "../../src/mime/header/headers.js";
import { buildMessage } from "../../src/mime/index.js";
import {
  envelopeFromHeaders,
  prepareEnvelope,
  recipientsOption,
  senderOption,
} from "../../src/smtp/envelope.js";
import { isBuiltMessage, prepareMessage } from "../../src/smtp/message.js";

async function collect(iterable: readonly Buffer[] | AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of iterable) parts.push(part);
  return Buffer.concat(parts).toString("utf8");
}

describe("envelope from headers", () => {
  it("takes Sender or From, and To, Cc, Bcc (groups included) once each", () => {
    const headers = new Headers([
      { name: "From", value: "Alice <alice@example.org>, bob@example.org" },
      { name: "To", value: "Carol <carol@example.org>, Friends: dan@example.org, erin@example.org;" },
      { name: "Cc", value: "carol@example.org" },
      { name: "Bcc", value: "hidden@example.org" },
    ]);
    assert.deepEqual(envelopeFromHeaders(headers), {
      from: "alice@example.org",
      to: ["carol@example.org", "dan@example.org", "erin@example.org", "hidden@example.org"],
    });
    const withSender = new Headers([
      { name: "From", value: "alice@example.org" },
      { name: "Sender", value: "list@example.org" },
    ]);
    assert.deepEqual(envelopeFromHeaders(withSender), { from: "list@example.org", to: [] });
  });

  it("uses the Resent-* fields of a resent message", () => {
    const headers = new Headers([
      { name: "From", value: "alice@example.org" },
      { name: "To", value: "bob@example.org" },
      { name: "Resent-Date", value: "Mon, 1 Jan 2024 00:00:00 +0000" },
      { name: "Resent-From", value: "carol@example.org" },
      { name: "Resent-To", value: "dan@example.org" },
    ]);
    assert.deepEqual(envelopeFromHeaders(headers), { from: "carol@example.org", to: ["dan@example.org"] });
  });

  it("refuses address headers that do not parse", () => {
    assert.throws(
      () => envelopeFromHeaders(new Headers([{ name: "To", value: "a@b@c" }])),
      InvalidArgumentError,
    );
  });
});

describe("envelope options", () => {
  it("accepts bare addresses, display forms and lists", () => {
    assert.deepEqual(recipientsOption("a@x.org, Bee <b@x.org>"), ["a@x.org", "b@x.org"]);
    assert.deepEqual(recipientsOption(["a@x.org", "Cee <c@x.org>"]), ["a@x.org", "c@x.org"]);
    assert.equal(senderOption("Alice <alice@x.org>"), "alice@x.org");
    assert.equal(senderOption(""), "");
    assert.equal(senderOption("<>"), "");
    assert.throws(() => senderOption("a@x.org, b@x.org"), InvalidArgumentError);
    assert.throws(() => recipientsOption(["a@x.org\r\nDATA"]), InvalidArgumentError);
    assert.throws(() => recipientsOption(42 as never), InvalidArgumentError);
    assert.throws(() => senderOption("a@x.org\nRCPT TO:<b@x>"), InvalidArgumentError);
  });
});

describe("envelope preparation", () => {
  it("sends Unicode domains as A-labels without SMTPUTF8", () => {
    const got = prepareEnvelope(
      { from: "me@bücher.example", to: ["you@bücher.example"] },
      { smtputf8Offered: false },
    );
    assert.deepEqual(got, {
      from: "me@xn--bcher-kva.example",
      to: ["you@xn--bcher-kva.example"],
      smtputf8: false,
    });
  });

  it("needs SMTPUTF8 for a UTF-8 local part, and fails typed when the server lacks it", () => {
    const envelope = { from: "me@example.org", to: ["jörg@example.org"] };
    assert.deepEqual(prepareEnvelope(envelope, { smtputf8Offered: true }), { ...envelope, smtputf8: true });
    assert.throws(
      () => prepareEnvelope(envelope, { smtputf8Offered: false }),
      (error: unknown) => error instanceof ProtocolError && error.reason === "smtputf8-unsupported",
    );
    assert.throws(
      () => prepareEnvelope({ from: "a@x.org", to: ["b@x.org"] }, { smtputf8Offered: false, force: true }),
      (error: unknown) => error instanceof ProtocolError && error.reason === "smtputf8-unsupported",
    );
    assert.deepEqual(
      prepareEnvelope({ from: "a@bücher.example", to: ["b@x.org"] }, { smtputf8Offered: true, force: true }),
      { from: "a@bücher.example", to: ["b@x.org"], smtputf8: true },
    );
  });

  it("refuses invalid addresses and empty recipient lists, and removes duplicates", () => {
    for (const address of ["a b@x.org", "a@x.org>", "a@b@c", "<a@x.org>", "a@x.org\r\n", '"a@b"@x.org', ""]) {
      assert.throws(
        () => prepareEnvelope({ from: "a@x.org", to: [address] }, { smtputf8Offered: true }),
        InvalidArgumentError,
        JSON.stringify(address),
      );
    }
    assert.throws(
      () => prepareEnvelope({ from: "a@x.org", to: [] }, { smtputf8Offered: true }),
      InvalidArgumentError,
    );
    assert.deepEqual(prepareEnvelope({ from: "", to: ["b@x.org", "b@x.org"] }, { smtputf8Offered: false }), {
      from: "",
      to: ["b@x.org"],
      smtputf8: false,
    });
  });
});

describe("message preparation", () => {
  it("strips Bcc from bytes, measures them, and scans them for 8-bit octets", async () => {
    const prepared = await prepareMessage(
      "From: a@x.org\nTo: b@x.org\nBcc: c@x.org\nMessage-ID: <1@x.org>\nSubject: é\n\nhi\n",
    );
    assert.equal(prepared.kind, "bytes");
    assert.deepEqual(prepared.implied(), { from: "a@x.org", to: ["b@x.org", "c@x.org"] });
    assert.equal(prepared.messageId, "<1@x.org>");
    assert.equal(prepared.eightBit, true);
    assert.equal(prepared.utf8Headers, true);
    const content = await collect(prepared.content);
    assert.equal(content, "From: a@x.org\nTo: b@x.org\nMessage-ID: <1@x.org>\nSubject: é\n\nhi\n");
    assert.equal(prepared.size(), Buffer.byteLength(content.replace(/\n/g, "\r\n")));
    const ascii = await prepareMessage(Buffer.from("To: b@x.org\r\n\r\nplain"));
    assert.equal(ascii.eightBit, false);
    assert.equal(ascii.size(), "To: b@x.org\r\n\r\nplain\r\n".length);
    assert.equal((await prepareMessage(new TextEncoder().encode("To: a@x.org\r\n\r\nx"))).kind, "bytes");
  });

  it("reads only the header block of a stream before sending, and strips Bcc from it", async () => {
    let pulled = 0;
    async function* source() {
      const parts = [
        "From: a@x.org\r\nBc",
        "c: hidden@x.org\r\nTo: b@x.org\r\n",
        "\r\nbody 1\r\n",
        "body 2\r\n",
      ];
      for (const part of parts) {
        pulled += 1;
        yield part;
      }
    }
    // A bare async iterable (a Readable would read ahead on its own).
    const prepared = await prepareMessage(source() as unknown as Readable);
    assert.equal(prepared.kind, "stream");
    assert.equal(pulled, 3);
    assert.deepEqual(prepared.implied(), { from: "a@x.org", to: ["b@x.org", "hidden@x.org"] });
    assert.equal(prepared.size(), undefined);
    assert.equal(await collect(prepared.content), "From: a@x.org\r\nTo: b@x.org\r\n\r\nbody 1\r\nbody 2\r\n");
  });

  it("propagates a stream's failure while its header block is read", async () => {
    async function* failing() {
      yield "From: a@x.org\r\n";
      throw new Error("disk on fire");
    }
    await assert.rejects(prepareMessage(Readable.from(failing())), /disk on fire/);
    await assert.rejects(
      prepareMessage(Readable.from([`X: ${"x".repeat(2 * 1024 * 1024)}`])),
      (error: unknown) => error instanceof LimitError && error.what === "message-header",
    );
  });

  it("takes a built message's envelope and bytes as they are", async () => {
    const built = buildMessage({
      from: "a@x.org",
      to: "b@x.org",
      bcc: "c@x.org",
      subject: "hello",
      text: "hi",
      messageId: "m1@x.org",
    });
    assert.ok(isBuiltMessage(built));
    assert.ok(!isBuiltMessage(Readable.from([])));
    const prepared = await prepareMessage(built);
    assert.equal(prepared.kind, "built");
    assert.deepEqual(prepared.implied(), { from: "a@x.org", to: ["b@x.org", "c@x.org"] });
    assert.equal(prepared.messageId, "<m1@x.org>");
    const content = await collect(prepared.content);
    assert.ok(content.includes("Subject: hello\r\n"));
    assert.ok(!/^Bcc:/im.test(content));
  });

  it("parses the address headers only when the caller leaves part of the envelope to them", async () => {
    const prepared = await prepareMessage("To: a@b@c\r\n\r\nbody");
    assert.throws(() => prepared.implied(), InvalidArgumentError);
    assert.equal(await collect(prepared.content), "To: a@b@c\r\n\r\nbody");
  });

  it("refuses what is not a message", async () => {
    for (const bad of [42, null, { foo: 1 }]) {
      await assert.rejects(prepareMessage(bad as never), InvalidArgumentError);
    }
  });
});
