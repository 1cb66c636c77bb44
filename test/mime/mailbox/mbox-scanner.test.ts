// The mbox scanner: message boundaries, offsets, the dropped separator, unquoting in both
// formats, CRLF files — checked against a whole-file model at every split point of fixed
// inputs and on random files cut at random places; bounded carry; linear on hostile input.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type MboxEvent, MboxScanner } from "../../../src/mime/mailbox/mbox-scanner.js";
import { cut, modelRead, scanChunks } from "./mbox-model.js";

const FIXTURES: Record<string, string> = {
  simple:
    "From alice@example.org Thu Jan  1 00:00:00 1970\nSubject: a\n\nbody\n\n" +
    "From bob@example.org Fri Jan  2 00:00:00 1970\nSubject: b\n\nsecond\n",
  quoted:
    "From a Mon Jan  5 00:00:00 1970\n\n>From one\n>>From two\n>>>From three\n>From\n>Fro\n>\n" +
    "From b\n>From x\n\n",
  preamble: "junk line\n>From not a message\n\nFrom x y\nbody\n",
  crlf: "From a@b date\r\nH: v\r\n\r\nbody\r\n\r\nFrom c@d date\r\nH: w\r\n\r\n>From q\r\n",
  blanks: "From a\n\n\n\nFrom b\n\nFrom c\n\r\n\r\n",
  noFinalNewline: "From a\nline\n\nFrom b\nlast line without newline",
  fromAtEof: "From a\nx\nFrom b",
  noBlankBefore: "From a\nx\nFrom b\ny\n",
  empty: "",
  onlyJunk: "hello\nworld\n",
  loneCr: "From a\n\r\rx\n\r",
};

for (const format of ["mboxrd", "mboxo"] as const) {
  describe(`MboxScanner (${format})`, () => {
    for (const [name, text] of Object.entries(FIXTURES)) {
      it(`${name}: the same messages at every split point (single and double splits)`, () => {
        const bytes = Buffer.from(text, "latin1");
        const expected = modelRead(text, format);
        assert.deepEqual(scanChunks([bytes], format), expected);
        for (let a = 0; a <= bytes.length; a += 1) {
          assert.deepEqual(scanChunks(cut(bytes, [a]), format), expected, `split at ${a}`);
        }
        if (bytes.length <= 120) {
          for (let a = 1; a < bytes.length; a += 1) {
            for (let b = a + 1; b < bytes.length; b += 1) {
              assert.deepEqual(scanChunks(cut(bytes, [a, b]), format), expected, `split at ${a},${b}`);
            }
          }
        }
        // One byte at a time.
        const single = [...bytes].map((byte) => Buffer.from([byte]));
        assert.deepEqual(scanChunks(single, format), expected);
      });
    }
  });
}

describe("MboxScanner: what the model says, spelled out", () => {
  it("drops one blank line before a From line and at the end; keeps the rest", () => {
    const messages = scanChunks([Buffer.from(FIXTURES.blanks!)], "mboxrd");
    assert.deepEqual(
      messages.map((m) => m.content),
      ["\n\n", "", "\r\n"],
    );
  });

  it("gives offsets of the From lines and Python's stop offsets", () => {
    const text = FIXTURES.simple!;
    const messages = scanChunks([Buffer.from(text)], "mboxrd");
    assert.equal(messages.length, 2);
    assert.equal(messages[0]!.offset, 0);
    assert.equal(messages[1]!.offset, text.indexOf("From bob"));
    assert.equal(messages[0]!.end, text.indexOf("From bob") - 1);
    assert.equal(messages[1]!.end, text.length);
    assert.equal(messages[0]!.content, "Subject: a\n\nbody\n");
  });

  it("unquotes mboxrd by one '>' and mboxo only '>From '", () => {
    const text = FIXTURES.quoted!;
    const rd = scanChunks([Buffer.from(text)], "mboxrd")[0]!.content;
    const o = scanChunks([Buffer.from(text)], "mboxo")[0]!.content;
    assert.equal(rd, "\nFrom one\n>From two\n>>From three\n>From\n>Fro\n>\n");
    assert.equal(o, "\nFrom one\n>>From two\n>>>From three\n>From\n>Fro\n>\n");
  });

  it("keeps CRLF line endings and drops a CRLF separator", () => {
    const [first, second] = scanChunks([Buffer.from(FIXTURES.crlf!)], "mboxrd");
    assert.equal(first!.fromLine, "From a@b date");
    assert.equal(first!.content, "H: v\r\n\r\nbody\r\n");
    assert.equal(second!.content, "H: w\r\n\r\nFrom q\r\n");
  });

  it("agrees with the model on random files cut at random places", () => {
    const piece = fc.constantFrom(
      "From a b\n",
      "From \n",
      "From x\r\n",
      "From",
      "From ",
      ">From x\n",
      ">>From y\n",
      ">>>From\n",
      ">>",
      ">",
      "\n",
      "\r\n",
      "\r",
      "text\n",
      "text\r\n",
      "F",
      "Fro",
      "rom ",
      " ",
      "x",
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }),
        fc.array(fc.nat(400), { maxLength: 8 }),
        fc.constantFrom("mboxrd" as const, "mboxo" as const),
        (pieces, points, format) => {
          const text = pieces.join("");
          const bytes = Buffer.from(text, "latin1");
          assert.deepEqual(scanChunks(cut(bytes, points), format), modelRead(text, format));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("MboxScanner: bounds", () => {
  it("holds at most a few bytes between chunks, whatever the input", () => {
    const text = Buffer.from(`${Object.values(FIXTURES).join("") + ">".repeat(5000)}From x\n`);
    const scanner = new MboxScanner("mboxrd");
    const events: MboxEvent[] = [];
    let peak = 0;
    for (let at = 0; at < text.length; at += 1) {
      scanner.push(text.subarray(at, at + 1), events);
      if (scanner.heldBytes > peak) peak = scanner.heldBytes;
    }
    scanner.end(events);
    assert.ok(peak <= 4097, `held ${peak}`); // only while collecting a From line
  });

  it("keeps only the first 4096 bytes of a From line", () => {
    const long = `From ${"x".repeat(10_000)}`;
    const [message] = scanChunks([Buffer.from(`${long}\nbody\n`)], "mboxrd");
    assert.equal(message!.fromLine, long.slice(0, 4096));
    assert.equal(message!.content, "body\n");
  });

  it("runs in linear time on 1 MB hostile inputs", () => {
    const hostile = [
      ">".repeat(1_000_000),
      "From ".repeat(200_000),
      "\n".repeat(1_000_000),
      "\r".repeat(1_000_000),
      `From a\n${">From \n".repeat(150_000)}`,
      `From a\n${"x".repeat(1_000_000)}`,
    ];
    for (const text of hostile) {
      const bytes = Buffer.from(text);
      const chunks = cut(
        bytes,
        Array.from({ length: 50 }, (_, k) => k * 20_011),
      );
      for (const format of ["mboxrd", "mboxo"] as const) {
        assert.deepEqual(scanChunks(chunks, format), modelRead(text, format));
      }
    }
  });

  it("refuses a push after end", () => {
    const scanner = new MboxScanner();
    scanner.end([]);
    assert.throws(() => scanner.push(Buffer.from("x"), []), RangeError);
  });
});
