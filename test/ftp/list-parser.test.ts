import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { LimitError } from "../../src/errors.js";
import {
  DEFAULT_MAX_LISTING_BYTES,
  DEFAULT_MAX_LISTING_LINE,
  formatMlsdLine,
  formatUnixListLine,
  ListingParser,
  type ListingParserOptions,
  parseListing,
} from "../../src/ftp/list/index.js";
import type { FileInfo } from "../../src/ftp/types.js";
import { NOW, PROFTPD_LIST, PROFTPD_MLSD } from "./list-fixtures.js";

/** Feeds `chunks` to a fresh parser and returns every entry, `end()` included. */
function run(chunks: readonly Uint8Array[], options: ListingParserOptions = {}): FileInfo[] {
  const parser = new ListingParser({ now: NOW, ...options });
  const out: FileInfo[] = [];
  for (const chunk of chunks) out.push(...parser.push(chunk));
  out.push(...parser.end());
  return out;
}

/** Cuts `bytes` at the given offsets. */
function splitAt(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const cuts = [...new Set(offsets)].filter((o) => o > 0 && o < bytes.length).sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let start = 0;
  for (const cut of cuts) {
    parts.push(bytes.subarray(start, cut));
    start = cut;
  }
  parts.push(bytes.subarray(start));
  return parts;
}

function limitOf(what: string, limit: number): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof LimitError, `expected LimitError, got ${String(error)}`);
    assert.equal(error.what, what);
    assert.equal(error.limit, limit);
    return true;
  };
}

/** A mixed small listing: unicode, CRLF and bare LF, a line without an ending. */
const SMALL_LIST = Buffer.from(
  "total 8\r\n" +
    "-rw-r--r-- 1 u g 5 Jan 31 12:00 résumé.txt\r\n" +
    "drwxr-xr-x 2 u g 4096 Jan  1  2020 文件 夹\n" +
    "\r\n" +
    "lrwxrwxrwx 1 u g 1 Mar 14 09:00 l -> 😀\r\n" +
    "01-31-24  12:00PM       <DIR>          iis dir\n" +
    "?? what\r\n" +
    "-rw-r--r-- 1 u g 7 Jan 31 12:00 last",
  "utf8",
);

describe("ListingParser", () => {
  it("gives the same entries as parseListing, for CRLF and bare LF", () => {
    const expected = parseListing(SMALL_LIST.toString("utf8").split(/\r?\n/), { now: NOW });
    assert.deepEqual(
      expected.map((e) => e.name),
      ["résumé.txt", "文件 夹", "l", "iis dir", "?? what", "last"],
    );
    assert.deepEqual(run([SMALL_LIST]), expected);
  });

  it("gives the same entries when the listing is split at every offset", () => {
    const expected = run([SMALL_LIST]);
    for (let i = 1; i < SMALL_LIST.length; i += 1) {
      assert.deepEqual(run(splitAt(SMALL_LIST, [i])), expected, `split at ${i}`);
    }
    const bytewise = Array.from({ length: SMALL_LIST.length }, (_, i) => SMALL_LIST.subarray(i, i + 1));
    assert.deepEqual(run(bytewise), expected);
  });

  it("gives the same MLSD entries split at every offset", () => {
    const bytes = Buffer.from(`${PROFTPD_MLSD.join("\r\n")}\r\n`);
    const expected = parseListing(PROFTPD_MLSD, { format: "mlsd" });
    for (let i = 0; i < bytes.length; i += 1) {
      assert.deepEqual(run(splitAt(bytes, [i]), { format: "mlsd" }), expected, `split at ${i}`);
    }
  });

  it("gives the same entries for a big listing under random splits", () => {
    const lines: string[] = [];
    for (let i = 0; i < 2000; i += 1) {
      lines.push(
        formatUnixListLine(
          {
            name: `file ${i} ✓ ${"x".repeat(i % 50)}`,
            type: i % 7 === 0 ? "directory" : "file",
            size: i * 1000,
          },
          { now: NOW },
        ),
      );
    }
    const bytes = Buffer.from(`${lines.join("\r\n")}\r\n`);
    const expected = parseListing(lines, { now: NOW });
    assert.equal(expected.length, 2000);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 200 }), (cuts) => {
        assert.deepEqual(run(splitAt(bytes, cuts)), expected);
      }),
      { numRuns: 40 },
    );
  });

  it("decodes UTF-8, keeping invalid bytes as U+FFFD", () => {
    const line = Buffer.concat([
      Buffer.from("-rw-r--r-- 1 u g 5 Jan 31 12:00 bad"),
      Buffer.from([0xff, 0xc3]),
      Buffer.from("ok é\r\n"),
    ]);
    for (let i = 0; i <= line.length; i += 1) {
      const [entry] = run(splitAt(line, [i]));
      assert.equal(entry?.name, "bad\uFFFD\uFFFDok é");
    }
  });

  it("accepts Uint8Array chunks and counts the bytes", () => {
    const parser = new ListingParser({ now: NOW });
    const bytes = new Uint8Array(Buffer.from("-rw-r--r-- 1 u g 5 Jan 31 12:00 x\n"));
    assert.deepEqual(
      parser.push(bytes).map((e) => e.name),
      ["x"],
    );
    assert.equal(parser.bytesReceived, bytes.length);
    assert.deepEqual(parser.end(), []);
  });

  it("skips total and blank lines, returns . and ..", () => {
    const bytes = Buffer.from(`${PROFTPD_LIST.join("\n")}\n\n\n`);
    assert.deepEqual(
      run([bytes]).map((e) => e.name),
      [".", "..", "file.txt", "two  spaces.txt"],
    );
  });

  it("bounds the whole listing: maxBytes is allowed, one more byte is not", () => {
    const line = Buffer.from("-rw-r--r-- 1 u g 5 Jan 31 12:00 x\r\n");
    const ten = Buffer.concat(Array.from({ length: 10 }, () => line));
    assert.equal(run([ten], { maxBytes: ten.length }).length, 10);
    const parser = new ListingParser({ now: NOW, maxBytes: ten.length });
    assert.equal(parser.push(ten.subarray(0, line.length)).length, 1);
    assert.throws(
      () => parser.push(Buffer.concat([ten.subarray(line.length), Buffer.from("-")])),
      limitOf("listing", ten.length),
    );
    // Failed for good.
    assert.throws(() => parser.push(Buffer.alloc(0)), limitOf("listing", ten.length));
    assert.throws(() => parser.end(), limitOf("listing", ten.length));
  });

  it("stops a listing that never ends at 40 MiB by default", () => {
    assert.equal(DEFAULT_MAX_LISTING_BYTES, 40 * 1024 * 1024);
    const parser = new ListingParser({ now: NOW });
    const chunk = Buffer.from(`${"x".repeat(60_000)}\n`);
    let entries = 0;
    let pushed = 0;
    assert.throws(
      () => {
        for (;;) {
          entries += parser.push(chunk).length;
          pushed += chunk.length;
        }
      },
      limitOf("listing", DEFAULT_MAX_LISTING_BYTES),
    );
    assert.ok(pushed <= DEFAULT_MAX_LISTING_BYTES);
    assert.ok(pushed + chunk.length > DEFAULT_MAX_LISTING_BYTES);
    assert.equal(entries, pushed / chunk.length);
  });

  it("bounds one line: maxLineLength allowed (CR not counted), one more byte is not", () => {
    const max = 64;
    const exact = `-rw-r--r-- 1 u g 5 Jan 31 12:00 ${"n".repeat(max - 32)}`;
    assert.equal(Buffer.byteLength(exact), max);
    const ok = Buffer.from(`${exact}\r\n${exact}\n${exact}`);
    for (let i = 0; i < ok.length; i += 1) {
      assert.equal(run(splitAt(ok, [i]), { maxLineLength: max }).length, 3, `split at ${i}`);
    }
    const long = Buffer.from(`${exact}n\r\n`);
    for (let i = 0; i < long.length; i += 1) {
      assert.throws(
        () => run(splitAt(long, [i]), { maxLineLength: max }),
        limitOf("line", max),
        `split at ${i}`,
      );
    }
    assert.throws(() => run([Buffer.from(`${exact}n`)], { maxLineLength: max }), limitOf("line", max));
    assert.equal(DEFAULT_MAX_LISTING_LINE, 64 * 1024);
    assert.throws(() => run([Buffer.alloc(70_000, 0x61)]), limitOf("line", DEFAULT_MAX_LISTING_LINE));
  });

  it("parses 10,000 LIST lines and 10,000 MLSD lines", () => {
    const list: string[] = [];
    const mlsd: string[] = [];
    for (let i = 0; i < 10_000; i += 1) {
      const entry = {
        name: `entry-${i}.dat`,
        type: "file" as const,
        size: i,
        modifiedAt: new Date(NOW.getTime() - i * 3_600_000),
        owner: "1000",
        group: "1000",
      };
      list.push(formatUnixListLine(entry, { now: NOW }));
      mlsd.push(formatMlsdLine(entry));
    }
    const listed = run([Buffer.from(`${list.join("\r\n")}\r\n`)]);
    const mlsdListed = run([Buffer.from(`${mlsd.join("\r\n")}\r\n`)], { format: "mlsd" });
    assert.equal(listed.length, 10_000);
    assert.equal(mlsdListed.length, 10_000);
    assert.equal(listed[9999]?.name, "entry-9999.dat");
    assert.equal(mlsdListed[9999]?.size, 9999);
  });
});
