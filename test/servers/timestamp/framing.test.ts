import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type FramedMessage, MessageFramer } from "../../../src/servers/timestamp/framing.js";

function show(messages: FramedMessage[]): Array<[string, boolean]> {
  return messages.map((m) => [m.bytes.toString("latin1"), m.terminated]);
}

/** Feeds `input` in the given pieces, then flushes (as the quiet period would). */
function frame(pieces: Buffer[], max?: number): Array<[string, boolean]> {
  const framer = new MessageFramer(max);
  const out: FramedMessage[] = [];
  for (const piece of pieces) out.push(...framer.push(piece));
  const rest = framer.flush();
  if (rest) out.push(rest);
  assert.equal(framer.pending, 0);
  return show(out);
}

function splitAt(input: Buffer, cuts: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    pieces.push(input.subarray(from, cut));
    from = cut;
  }
  pieces.push(input.subarray(from));
  return pieces;
}

describe("MessageFramer", () => {
  it("cuts LF and CRLF lines, stripping the terminator", () => {
    assert.deepEqual(frame([Buffer.from("one\ntwo\r\n\nthree")]), [
      ["one", true],
      ["two", true],
      ["", true],
      ["three", false],
    ]);
  });

  it("keeps bytes without a LF until flushed", () => {
    const framer = new MessageFramer();
    assert.deepEqual(framer.push(Buffer.from("hel")), []);
    assert.deepEqual(framer.push(Buffer.from("lo")), []);
    assert.equal(framer.pending, 5);
    assert.deepEqual(show([framer.flush()!]), [["hello", false]]);
    assert.equal(framer.flush(), undefined);
  });

  it("keeps a CR that is not followed by LF", () => {
    assert.deepEqual(frame([Buffer.from("a\rb\n")]), [["a\rb", true]]);
  });

  it("hands over exactly maxMessage bytes when no LF comes", () => {
    assert.deepEqual(frame([Buffer.from("abcdefghij")], 4), [
      ["abcd", false],
      ["efgh", false],
      ["ij", false],
    ]);
  });

  it("accepts a line whose LF is the last byte within the bound", () => {
    assert.deepEqual(frame([Buffer.from("abc\nabcd\n")], 4), [
      ["abc", true],
      ["abcd", false],
      ["", true],
    ]);
  });

  it("gives the same messages wherever a small input is split (every offset, every pair)", () => {
    const input = Buffer.from("ab\r\ncd\nefghijk\r\n\nxy\rz");
    const expected = frame([input], 5);
    for (let i = 0; i <= input.length; i += 1) {
      assert.deepEqual(frame(splitAt(input, [i]), 5), expected, `split at ${i}`);
      for (let j = i; j <= input.length; j += 1) {
        assert.deepEqual(frame(splitAt(input, [i, j]), 5), expected, `split at ${i},${j}`);
      }
    }
  });

  it("gives the same messages for any input and any split (property)", () => {
    const bytes = fc
      .uint8Array({ maxLength: 200 })
      .map((a) => Buffer.from(a.map((b) => (b % 5 === 0 ? 10 : b))));
    fc.assert(
      fc.property(
        bytes,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 1, max: 40 }),
        (input, cuts, max) => {
          const pieces = splitAt(
            input,
            cuts.map((c) => c % (input.length + 1)),
          );
          const messages = frame(pieces, max);
          assert.deepEqual(messages, frame([input], max));
          for (const [text, terminated] of messages) {
            assert.ok(text.length <= max, "a message never exceeds the bound");
            assert.ok(!text.includes("\n"), "a message never holds a LF");
            if (terminated) assert.ok(text.length <= max - 1);
          }
        },
      ),
    );
  });

  it("refuses a bound below 1", () => {
    assert.throws(() => new MessageFramer(0), RangeError);
  });
});
