import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { LimitError } from "../../../src/errors.js";
import {
  type Eol,
  type LineHandler,
  LineScanner,
  STREAM,
  WHOLE,
} from "../../../src/mime/parse/line-scanner.js";
import { splitAt } from "./helpers.js";

const EOLS = ["", "\n", "\r\n"];

/**
 * A handler that holds lines starting with `--` up to `limit` bytes, calls `--b` and `--b--`
 * structure, and records everything it is given.
 */
class Recorder implements LineHandler {
  mode: number;
  paused = false;
  body = "";
  events: string[] = [];
  constructor(mode: number) {
    this.mode = mode;
  }
  data(bytes: Buffer): void {
    this.body += bytes.toString("latin1");
  }
  line(content: Buffer, eol: Eol): boolean {
    const text = content.toString("latin1");
    if (this.mode === WHOLE) {
      this.events.push(`line ${JSON.stringify(text)}${EOLS[eol]!.length}`);
      return true;
    }
    if (/^--b(--)?[ \t]*$/.test(text)) {
      this.events.push(`delim ${text.trim()} after ${JSON.stringify(this.body)}`);
      this.body = "";
      return true;
    }
    return false;
  }
  keepsLastEol(): boolean {
    return true;
  }
}

function scan(chunks: readonly Buffer[], mode: number, maxLine = 1000): Recorder {
  const recorder = new Recorder(mode);
  const scanner = new LineScanner(recorder, maxLine, () => new LimitError("mime-line", maxLine));
  for (const chunk of chunks) assert.equal(scanner.push(chunk), chunk.length);
  scanner.end();
  recorder.events.push(`end after ${JSON.stringify(recorder.body)}`);
  return recorder;
}

function everySplit(bytes: Buffer): Buffer[][] {
  const out: Buffer[][] = [[bytes]];
  for (let i = 0; i <= bytes.length; i += 1) out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  out.push([...bytes].map((b) => Buffer.from([b])));
  return out;
}

describe("LineScanner", () => {
  it("gives body bytes through, drops the line ending before a delimiter, keeps the last one at the end", () => {
    const wire = Buffer.from("a\r\nb\r\n--b\r\nc\nd\r\n\r\n--b--  \r\ntail\r\n");
    const expected = [
      'delim --b after "a\\r\\nb"',
      'delim --b-- after "c\\nd\\r\\n"',
      'end after "tail\\r\\n"',
    ];
    for (const chunks of everySplit(wire)) {
      const r = scan(chunks, 10);
      assert.deepEqual(r.events, expected, `split ${chunks.map((c) => c.length)}`);
    }
  });

  it("treats lines that only look like delimiters as body, whatever the split", () => {
    const wire = Buffer.from("--bx\r\n-b\r\n--\r\n-\r\n--b-\r\n--b \r\n--b\r\r\n--b\r\n");
    for (const chunks of everySplit(wire)) {
      const r = scan(chunks, 10);
      assert.deepEqual(r.events, [
        'delim --b after "--bx\\r\\n-b\\r\\n--\\r\\n-\\r\\n--b-"',
        'delim --b after "--b\\r"',
        'end after ""',
      ]);
    }
  });

  it("gives up holding a line once it is longer than a delimiter could be", () => {
    const long = `--${"x".repeat(50)}`;
    const wire = Buffer.from(`${long}\r\n--b\r\n`);
    const r = scan([wire], 10);
    assert.deepEqual(r.events, [`delim --b after ${JSON.stringify(long)}`, 'end after ""']);
  });

  it("keeps a bare CR as content, and a CR split from its LF as a line ending", () => {
    for (const chunks of everySplit(Buffer.from("x\ry\r\n--b\r\nz\r"))) {
      const r = scan(chunks, 10);
      assert.deepEqual(r.events, ['delim --b after "x\\ry"', 'end after "z\\r"']);
    }
  });

  it("delivers whole lines in WHOLE mode, a last line without ending too", () => {
    for (const chunks of everySplit(Buffer.from("A: 1\r\n b\n\r\nlast"))) {
      const r = scan(chunks, WHOLE);
      assert.deepEqual(r.events, ['line "A: 1"2', 'line " b"1', 'line ""2', 'line "last"0', 'end after ""']);
    }
  });

  it("in STREAM mode passes everything through", () => {
    const wire = Buffer.from("--b\r\nx\r\n");
    const r = scan([wire], STREAM);
    assert.deepEqual(r.events, ['end after "--b\\r\\nx\\r\\n"']);
  });

  it("yields the same events for random splits of random text", () => {
    const alphabet = fc.constantFrom("a", "-", "b", "\r", "\n", " ", "--b\r\n", "--b--\n");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), fc.array(fc.nat(200)), (pieces, cuts) => {
        const wire = Buffer.from(pieces.join(""), "latin1");
        const whole = scan([wire], 6).events;
        assert.deepEqual(scan(splitAt(wire, cuts), 6).events, whole);
      }),
    );
  });

  it("refuses a line longer than maxLineLength, in any mode and any split", () => {
    for (const mode of [WHOLE, STREAM, 10]) {
      for (const chunks of everySplit(Buffer.from("12345\r\n--3456\r\n"))) {
        assert.throws(
          () => scan(chunks, mode, 5),
          (e: unknown) => e instanceof LimitError && e.what === "mime-line",
        );
      }
      // Exactly at the bound is fine (the CR of CRLF is not part of the line).
      for (const chunks of everySplit(Buffer.from("12345\r\n--345\r\n"))) scan(chunks, mode, 5);
    }
  });

  it("holds no more than a candidate's length of a long line", () => {
    const recorder = new Recorder(10);
    const scanner = new LineScanner(recorder, 1 << 30, () => new LimitError("mime-line", 0));
    let peak = 0;
    for (let i = 0; i < 1000; i += 1) {
      scanner.push(Buffer.from(i === 0 ? "--" : "xxxxxxxx"));
      peak = Math.max(peak, scanner.bufferedBytes);
    }
    scanner.end();
    assert.ok(peak <= 16, `held ${peak}`);
    assert.equal(recorder.body.length, 2 + 999 * 8);
  });
});
