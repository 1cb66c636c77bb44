// ListingParser's chunk-level line splitting against a plain byte splitter: the same entries and
// the same byte limits, however the bytes are chunked and whatever they hold (invalid UTF-8,
// multi-byte characters, CR without LF).
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { LimitError } from "../../src/errors.js";
import { ListingParser, parseListLine, parseMlsdLine } from "../../src/ftp/list/index.js";
import type { FileInfo } from "../../src/ftp/types.js";
import { NOW } from "./list-fixtures.js";

/**
 * The reference line splitter: LF ends a line, one CR before it is dropped, each line is decoded
 * alone; a line longer than `max` bytes is refused.
 */
function referenceListing(bytes: Buffer, mlsd: boolean, max: number): FileInfo[] | "line" {
  const out: FileInfo[] = [];
  let from = 0;
  while (from < bytes.length) {
    let lf = bytes.indexOf(0x0a, from);
    if (lf < 0) lf = bytes.length;
    const end = lf > from && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
    if (end - from > max) return "line";
    const text = bytes.toString("utf8", from, end);
    const info = mlsd ? parseMlsdLine(text) : parseListLine(text, { now: NOW });
    if (info !== undefined) out.push(info);
    from = lf + 1;
  }
  return out;
}

describe("ListingParser line splitting", () => {
  const piece = fc.oneof(
    fc.constantFrom(
      "-rw-r--r-- 1 u g 5 Jan 31 12:00 ",
      "type=file;size=1; ",
      "\r\n",
      "\n",
      "\r",
      "\r\r\n",
      "é",
      "文件",
      "😀",
      "name",
      " ",
    ),
    fc.uint8Array({ minLength: 1, maxLength: 3 }).map((b) => Buffer.from(b).toString("latin1")),
  );
  /** Bytes from pieces; `latin1` pieces carry raw (often invalid UTF-8) bytes. */
  const listing = fc
    .array(fc.tuple(piece, fc.boolean()), { maxLength: 30 })
    .map((parts) => Buffer.concat(parts.map(([p, raw]) => Buffer.from(p, raw ? "latin1" : "utf8"))));

  it("gives the reference's entries and limits, however the bytes are chunked", () => {
    fc.assert(
      fc.property(
        listing,
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 6 }),
        fc.boolean(),
        fc.constantFrom(8, 16, 40, 64 * 1024),
        fc.constantFrom(50, 300, 40 * 1024 * 1024),
        (bytes, cuts, mlsd, max, maxBytes) => {
          const lines = referenceListing(bytes, mlsd, max);
          const parser = new ListingParser({
            format: mlsd ? "mlsd" : "list",
            now: NOW,
            maxLineLength: max,
            maxBytes,
          });
          const offsets = [...new Set(cuts.filter((c) => c < bytes.length))].sort((a, b) => a - b);
          let result: FileInfo[] | "line" | "listing";
          try {
            const out: FileInfo[] = [];
            let start = 0;
            for (const cut of [...offsets, bytes.length]) {
              out.push(...parser.push(bytes.subarray(start, cut)));
              start = cut;
            }
            out.push(...parser.end());
            result = out;
          } catch (error) {
            assert.ok(error instanceof LimitError, String(error));
            result = error.what === "listing" ? "listing" : "line";
          }
          if (bytes.length <= maxBytes) assert.deepEqual(result, lines);
          // Over the listing bound: refused, as a long line when one came before the bound did.
          else assert.ok(result === "listing" || (result === "line" && lines === "line"), String(result));
        },
      ),
      { numRuns: 4000 },
    );
  });

  it("counts a line's limit in bytes, for multi-byte characters too", () => {
    // 3 + 3 + 4 bytes: exactly 10.
    const ten = "é文😀x";
    assert.equal(Buffer.byteLength(ten), 10);
    for (const ending of ["\n", "\r\n", ""]) {
      const ok = Buffer.from(ending === "" ? ten : `${ten}${ending}${ten}${ending}`);
      for (let i = 0; i <= ok.length; i += 1) {
        const parser = new ListingParser({ maxLineLength: 10, now: NOW });
        const names = [
          ...parser.push(ok.subarray(0, i)),
          ...parser.push(ok.subarray(i)),
          ...parser.end(),
        ].map((e) => e.name);
        assert.deepEqual(names, ending === "" ? [ten] : [ten, ten], `split at ${i}`);
      }
    }
    // Eleven bytes, only four characters: refused, whole or split.
    const eleven = Buffer.from("é文😀xy\n");
    for (let i = 0; i <= eleven.length; i += 1) {
      const parser = new ListingParser({ maxLineLength: 10, now: NOW });
      assert.throws(
        () => {
          parser.push(eleven.subarray(0, i));
          parser.push(eleven.subarray(i));
          parser.end();
        },
        (error: unknown) => error instanceof LimitError && error.what === "line" && error.limit === 10,
      );
    }
  });

  it("refuses a line as soon as it cannot fit, before its line ending comes", () => {
    for (const split of [1, 5, 9]) {
      const parser = new ListingParser({ maxLineLength: 10, now: NOW });
      // Ten bytes and a CR may still be a line of ten.
      assert.deepEqual(parser.push(Buffer.from("0123456789\r".slice(0, split))), []);
      assert.deepEqual(parser.push(Buffer.from("0123456789\r".slice(split))), []);
      assert.throws(
        () => parser.push(Buffer.from("x")),
        (error: unknown) => error instanceof LimitError && error.what === "line",
      );
    }
  });

  it("decodes a line with invalid UTF-8 alone, whatever its neighbours", () => {
    const bytes = Buffer.concat([
      Buffer.from("-rw-r--r-- 1 u g 5 Jan 31 12:00 a\xe2\x82", "latin1"),
      Buffer.from("\n-rw-r--r-- 1 u g 5 Jan 31 12:00 \xf0\x9f\x98\x80ok\r\n", "latin1"),
    ]);
    const parser = new ListingParser({ now: NOW });
    assert.deepEqual(
      [...parser.push(bytes), ...parser.end()].map((e) => e.name),
      ["a\ufffd", "😀ok"],
    );
  });
});
