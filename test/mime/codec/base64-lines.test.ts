import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { regularLineRun } from "../../../src/mime/codec/base64-lines.js";
import { bytes } from "./helpers.js";

/** `count` lines of `width` characters, each ended by `eol`. */
function lines(width: number, count: number, eol = "\r\n"): string {
  return `${"A".repeat(width)}${eol}`.repeat(count);
}

describe("regularLineRun", () => {
  it("takes every whole line of one length, and leaves the partial line at the end", () => {
    const text = `${lines(76, 10)}AAAA`;
    assert.deepEqual(regularLineRun(bytes(text), 0, text.length), { end: 780, chars: 760 });
  });

  it("starts where it is told and stops at `end`", () => {
    const text = `xx\r\n${lines(8, 5)}`;
    assert.deepEqual(regularLineRun(bytes(text), 4, text.length), { end: 4 + 50, chars: 40 });
    assert.deepEqual(regularLineRun(bytes(text), 4, 4 + 35), { end: 4 + 30, chars: 24 });
  });

  it("reads lines ended by a bare LF", () => {
    const text = lines(64, 3, "\n");
    assert.deepEqual(regularLineRun(bytes(text), 0, text.length), { end: 195, chars: 192 });
  });

  it("stops at the first line of another length or with another ending", () => {
    const longer = `${lines(76, 3)}${lines(72, 2)}`;
    assert.deepEqual(regularLineRun(bytes(longer), 0, longer.length), { end: 234, chars: 228 });
    const bare = `${lines(8, 2)}${lines(8, 2, "\n")}`;
    assert.deepEqual(regularLineRun(bytes(bare), 0, bare.length), { end: 20, chars: 16 });
  });

  it("keeps whole groups of four characters: two lines at a time, or four", () => {
    const six = lines(6, 5);
    assert.deepEqual(regularLineRun(bytes(six), 0, six.length), { end: 32, chars: 24 });
    const seven = lines(7, 7);
    assert.deepEqual(regularLineRun(bytes(seven), 0, seven.length), { end: 36, chars: 28 });
    const three = lines(7, 3);
    assert.deepEqual(regularLineRun(bytes(three), 0, three.length), { end: 0, chars: 0 });
  });

  it("finds no run without a line ending, or in empty lines", () => {
    assert.deepEqual(regularLineRun(bytes("AAAAAAAA"), 0, 8), { end: 0, chars: 0 });
    assert.deepEqual(regularLineRun(bytes("AAAA\r\n"), 2, 4), { end: 2, chars: 0 });
    assert.deepEqual(regularLineRun(bytes("\r\n\r\n\r\n"), 0, 6), { end: 0, chars: 0 });
    assert.deepEqual(regularLineRun(bytes("\n\n"), 0, 2), { end: 0, chars: 0 });
  });

  it("looks only at line endings: what lies between them is the caller's to check", () => {
    const text = "AB!D\r\nA=CD\r\n";
    assert.deepEqual(regularLineRun(bytes(text), 0, text.length), { end: 12, chars: 8 });
  });
});
