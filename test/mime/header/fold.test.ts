import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../../src/errors.js";
import { encodeHeaderText } from "../../../src/mime/header/encoded-words.js";
import { foldHeader } from "../../../src/mime/header/fold.js";

/** Checks the folding rules and that unfolding gives the field back; returns the lines. */
function checkFold(name: string, value: string): string[] {
  const folded = foldHeader(name, value);
  assert.equal(folded.replace(/\r\n/g, ""), `${name}: ${value}`);
  const lines = folded.split("\r\n");
  lines.forEach((line, k) => {
    assert.ok(Buffer.byteLength(line) <= 998, `line ${k} over 998`);
    if (k > 0) {
      assert.match(line, /^[ \t]/, "a continuation starts with whitespace");
      assert.match(line, /[^ \t]/, "no line of whitespace only");
    }
  });
  return lines;
}

describe("foldHeader", () => {
  it("leaves short fields on one line, without a final CRLF", () => {
    assert.equal(foldHeader("Subject", "Hello"), "Subject: Hello");
    assert.equal(foldHeader("X-Empty", ""), "X-Empty: ");
  });

  it("folds at whitespace to lines of at most 78", () => {
    const value = "Hello world ".repeat(20).trim();
    const lines = checkFold("Subject", value);
    assert.ok(lines.length > 1);
    for (const line of lines) assert.ok(line.length <= 78, line);
  });

  it("folds encoded words from encodeHeaderText to 78-column lines", () => {
    const value = encodeHeaderText("Ünïcödé ".repeat(30).trim(), { fieldNameLength: "Subject".length });
    for (const line of checkFold("Subject", value)) assert.ok(line.length <= 78, line);
  });

  it("puts a long token on its own line, never right after the colon", () => {
    const url = `<https://example.org/${"x".repeat(120)}>`;
    const lines = checkFold("List-Unsubscribe", `${url}, <mailto:u@example.org>`);
    assert.ok(lines[0]!.startsWith("List-Unsubscribe: <https://"));
    const lines2 = checkFold("X", `short ${url} end`);
    assert.deepEqual(lines2, ["X: short", ` ${url}`, " end"]);
  });

  it("counts octets, so raw UTF-8 stays within 998", () => {
    const value = Array.from({ length: 400 }, () => "日本語").join(" ");
    for (const line of checkFold("Subject", value)) assert.ok(Buffer.byteLength(line) <= 998);
  });

  it("keeps a long whitespace run foldable, and fails on a token over 998 octets", () => {
    checkFold("X", `a${" ".repeat(1500)}b`);
    checkFold("X", `a ${"b".repeat(990)}`);
    assert.throws(() => foldHeader("X", "y".repeat(999)), InvalidArgumentError);
    assert.throws(() => foldHeader("X", `a ${"é".repeat(500)}`), InvalidArgumentError);
    assert.throws(() => foldHeader("Xyz", "b".repeat(995)), InvalidArgumentError);
  });

  it("refuses header injection and bad names", () => {
    for (const v of ["a\r\nBcc: x@y", "a\nb", "a\rb", "a\0b"])
      assert.throws(() => foldHeader("Subject", v), InvalidArgumentError);
    for (const n of ["", "Sub ject", "Sub:ject", "Sübject", "X\r\nY", "X\0", "X\t"]) {
      assert.throws(() => foldHeader(n, "v"), InvalidArgumentError, JSON.stringify(n));
    }
  });

  it("folds any value: lines within 998, within 78 unless a single word is longer", () => {
    const word = fc.string({
      unit: fc.constantFrom("a", "b", "é", "=", "?", "日"),
      minLength: 1,
      maxLength: 120,
    });
    const space = fc.string({ unit: fc.constantFrom(" ", "\t"), minLength: 1, maxLength: 3 });
    const value = fc
      .array(fc.tuple(space, word), { maxLength: 40 })
      .chain((units) =>
        fc.tuple(fc.option(space, { nil: "" }), word, fc.constant(units), fc.option(space, { nil: "" })),
      )
      .map(([lead, first, units, trail]) => lead + first + units.map(([s, w]) => s + w).join("") + trail);
    fc.assert(
      fc.property(fc.constantFrom("Subject", "X", "Content-Disposition"), value, (name, v) => {
        const lines = checkFold(name, v);
        lines.slice(1).forEach((line, k) => {
          // The value's trailing whitespace stays on the last line (a line can't be only that).
          const measured = k === lines.length - 2 ? line.trimEnd() : line;
          const words = line.trim().split(/[ \t]+/);
          if (Buffer.byteLength(measured) > 78) assert.equal(words.length, 1, line);
        });
      }),
      { numRuns: 300 },
    );
  });
});
