import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  CrlfNormalizer,
  encodeTextBody,
  identityEncoding,
  MAX_LINE,
  shapeOf,
  toCrlf,
} from "../../../src/mime/build/body.js";

const expected = (text: string) => text.replace(/\r\n|\r|\n/g, "\r\n");

describe("toCrlf / CrlfNormalizer", () => {
  it("turns bare LF and bare CR into CRLF and keeps CRLF", () => {
    const cases: Array<[string, string]> = [
      ["", ""],
      ["a", "a"],
      ["a\nb", "a\r\nb"],
      ["a\rb", "a\r\nb"],
      ["a\r\nb", "a\r\nb"],
      ["\n\n", "\r\n\r\n"],
      ["\r\r\n\n\r", "\r\n\r\n\r\n\r\n"],
      ["\r", "\r\n"],
      ["x\r", "x\r\n"],
      ["\n\r", "\r\n\r\n"],
    ];
    for (const [input, output] of cases)
      assert.equal(toCrlf(Buffer.from(input)).toString(), output, JSON.stringify(input));
  });

  it("returns the same Buffer when there is nothing to change", () => {
    const clean = Buffer.from("a\r\nb\r\n");
    assert.equal(toCrlf(clean), clean);
  });

  it("gives the same output for the input split at every byte offset", () => {
    const input = Buffer.from("a\r\n\rb\n\r\r\nc\r");
    const whole = expected(input.toString());
    for (let i = 0; i <= input.length; i++) {
      for (let j = i; j <= input.length; j++) {
        const normalizer = new CrlfNormalizer();
        const out = Buffer.concat([
          normalizer.push(input.subarray(0, i)),
          normalizer.push(input.subarray(i, j)),
          normalizer.push(input.subarray(j)),
          normalizer.end(),
        ]);
        assert.equal(out.toString(), whole, `split at ${i}, ${j}`);
      }
    }
  });

  it("agrees with a regex on random text split into random chunks (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "\r", "\n", "\r\n", "xy"), { maxLength: 60 }),
        fc.array(fc.nat(60), { maxLength: 5 }),
        (pieces, cuts) => {
          const text = pieces.join("");
          const bytes = Buffer.from(text);
          const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
          const normalizer = new CrlfNormalizer();
          const out: Buffer[] = [];
          let last = 0;
          for (const p of [...points, bytes.length]) {
            out.push(normalizer.push(bytes.subarray(last, p)));
            last = p;
          }
          out.push(normalizer.end());
          assert.equal(Buffer.concat(out).toString(), expected(text));
          assert.equal(toCrlf(bytes).toString(), expected(text));
        },
      ),
    );
  });
});

describe("shapeOf / identityEncoding", () => {
  it("measures the longest line, 8-bit bytes and NUL", () => {
    assert.deepEqual(shapeOf(Buffer.from("ab\r\nabcd\r\nx")), {
      longestLine: 4,
      eightBit: false,
      nul: false,
    });
    assert.deepEqual(shapeOf(Buffer.from("ab\r\nabcdef")), { longestLine: 6, eightBit: false, nul: false });
    assert.deepEqual(shapeOf(Buffer.from("caf\u00e9")), { longestLine: 5, eightBit: true, nul: false });
    assert.equal(shapeOf(Buffer.from("a\0b")).nul, true);
  });

  it("labels content written as it is", () => {
    assert.equal(identityEncoding(Buffer.from("Subject: x\r\n\r\nbody\r\n")), "7bit");
    assert.equal(identityEncoding(Buffer.from("Subject: x\r\n\r\nb\u00f6dy\r\n")), "8bit");
    assert.equal(identityEncoding(Buffer.from(`${"x".repeat(MAX_LINE)}\r\n`)), "7bit");
    assert.equal(identityEncoding(Buffer.from(`${"x".repeat(MAX_LINE + 1)}\r\n`)), "binary");
    assert.equal(identityEncoding(Buffer.from("a\0b")), "binary");
  });
});

describe("encodeTextBody", () => {
  it("honours a forced encoding", () => {
    assert.equal(encodeTextBody(Buffer.from("abc"), "base64").encoding, "base64");
    assert.equal(encodeTextBody(Buffer.from("abc"), "base64").bytes.toString().trim(), "YWJj");
    assert.equal(encodeTextBody(Buffer.from("abc"), "quoted-printable").encoding, "quoted-printable");
  });

  it("8bit keeps UTF-8 bytes, but not a line over 998 octets or a NUL", () => {
    const utf8 = Buffer.from("Gr\u00fc\u00dfe\r\n");
    assert.deepEqual(encodeTextBody(utf8, "8bit"), { encoding: "8bit", bytes: utf8 });
    assert.equal(encodeTextBody(Buffer.from("plain\r\n"), "8bit").encoding, "7bit");
    assert.equal(encodeTextBody(Buffer.from("x".repeat(MAX_LINE + 1)), "8bit").encoding, "quoted-printable");
    assert.equal(encodeTextBody(Buffer.from("a\0b"), "8bit").encoding, "quoted-printable");
  });

  it("auto never leaves a line over 78 octets", () => {
    for (const text of [
      "short\r\n",
      `${"y".repeat(79)}\r\n`,
      "caf\u00e9\r\n",
      `${"z ".repeat(300)}`,
      "\u65e5\u672c".repeat(100),
    ]) {
      const { encoding, bytes } = encodeTextBody(Buffer.from(text), "auto");
      for (const line of bytes.toString("latin1").split("\r\n"))
        assert.ok(line.length <= 78, `${encoding}: ${line.length}`);
    }
  });
});
