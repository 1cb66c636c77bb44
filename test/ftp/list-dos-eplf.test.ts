import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDosLine, parseEplfLine, parseListing, parseListLine } from "../../src/ftp/list/index.js";
import type { FileInfo } from "../../src/ftp/types.js";
import { EPLF_LIST, IIS_LIST, NOW } from "./list-fixtures.js";

const utc = (y: number, mo: number, d: number, h = 0, mi = 0): Date =>
  new Date(Date.UTC(y, mo - 1, d, h, mi));

function fields(info: FileInfo | undefined): Omit<FileInfo, "raw"> | undefined {
  if (info === undefined) return undefined;
  const { raw: _raw, ...rest } = info;
  return rest;
}

describe("parseListLine: DOS / IIS", () => {
  it("reads an IIS listing: <DIR>, sizes with thousands separators, AM/PM, two- and four-digit years", () => {
    const entries = parseListing(IIS_LIST, { now: NOW });
    assert.deepEqual(entries.map(fields), [
      { name: "dir", type: "directory", modifiedAt: utc(2024, 1, 31, 12) },
      { name: "file.txt", type: "file", size: 1234, modifiedAt: utc(2024, 1, 31, 9, 5) },
      { name: "old dir", type: "directory", modifiedAt: utc(1996, 12, 5, 17, 3) },
      { name: "big file.bin", type: "file", size: 1234567, modifiedAt: utc(2024, 1, 31, 0, 15) },
    ]);
    assert.deepEqual(
      entries.map((e) => e.raw),
      IIS_LIST,
    );
  });

  it("reads 24-hour times, ISO and slash dates, and AM/PM after a blank", () => {
    assert.deepEqual(fields(parseDosLine("2024-01-31  14:15              1234 iso name")), {
      name: "iso name",
      type: "file",
      size: 1234,
      modifiedAt: utc(2024, 1, 31, 14, 15),
    });
    assert.deepEqual(fields(parseDosLine("01/31/2024  12:00 AM    <DIR>          midnight")), {
      name: "midnight",
      type: "directory",
      modifiedAt: utc(2024, 1, 31, 0, 0),
    });
    assert.equal(
      parseDosLine("31-01-24  12:00PM  <DIR>  day first")?.modifiedAt?.toISOString(),
      "2024-01-31T12:00:00.000Z",
    );
    assert.equal(parseDosLine("01-31-69  12:00PM  <DIR>  y")?.modifiedAt?.getUTCFullYear(), 2069);
    assert.equal(parseDosLine("01-31-70  12:00PM  <DIR>  y")?.modifiedAt?.getUTCFullYear(), 1970);
  });

  it("reads Windows dir symlinks and junctions with their [target]", () => {
    const link = parseDosLine("01/31/2024  12:00 PM    <SYMLINKD>     docs [C:\\Users\\me\\Documents]");
    assert.deepEqual([link?.name, link?.type, link?.target], ["docs", "symlink", "C:\\Users\\me\\Documents"]);
    const junction = parseDosLine("01/31/2024  12:00 PM    <JUNCTION>     old");
    assert.deepEqual([junction?.name, junction?.type, junction?.target], ["old", "symlink", undefined]);
  });

  it("keeps leading blanks of a file name (one blank after the size), and hostile names", () => {
    assert.equal(parseDosLine("01-31-24  09:05AM                 1234  leading")?.name, " leading");
    assert.equal(parseDosLine("01-31-24  09:05AM                 1234 ../../x")?.name, "../../x");
    assert.equal(
      parseDosLine("01-31-24  09:05AM                 1234 résumé 文件.txt")?.name,
      "résumé 文件.txt",
    );
  });

  it("leaves out an impossible date but keeps the entry", () => {
    assert.deepEqual(fields(parseDosLine("02-30-24  09:05AM                 1234 feb30")), {
      name: "feb30",
      type: "file",
      size: 1234,
    });
  });

  it("declines lines of another shape", () => {
    for (const line of [
      "01-31-24  13:00PM  <DIR>  bad hour",
      "01-31-24  12:00PM  <FILE>  bad tag",
      "01-31-24  12:00PM  12a4 bad size",
      "01-31-24  12:00PM  ,123 bad size",
      "01-31-24  12:00PM  <DIR>",
      "01-31-24  12:00PM  1234",
      "01-31-24 12:00PM",
      "01-31  12:00PM  <DIR>  x",
      "001-31-24  12:00PM  <DIR>  x",
      "01-31-024  12:00PM  <DIR>  x",
      "01-31-24  12:0PM  <DIR>  x",
      "01-31-24  12:000  <DIR>  x",
      "1234 file",
    ]) {
      assert.equal(parseDosLine(line), undefined, line);
      assert.deepEqual(parseListLine(line, { now: NOW }), { name: line, type: "unknown", raw: line }, line);
    }
  });
});

describe("parseListLine: EPLF", () => {
  it("reads the specification's examples", () => {
    assert.deepEqual(parseListing(EPLF_LIST, { now: NOW }).map(fields), [
      { name: "dev", type: "directory", modifiedAt: new Date(824255902 * 1000) },
      {
        name: "RFCEPLF",
        type: "file",
        size: 10376,
        modifiedAt: new Date(839956783 * 1000),
        permissions: "rw-r--r--",
      },
    ]);
  });

  it("keeps names with spaces, commas and tabs after the first TAB; ignores unknown facts", () => {
    const info = parseEplfLine("+r,s5,xunknown,m,up999,\ta, b\tc");
    assert.deepEqual(fields(info), { name: "a, b\tc", type: "file", size: 5 });
    assert.equal(parseEplfLine("+i1,\tnot retrievable")?.type, "unknown");
  });

  it("declines lines that are not EPLF", () => {
    for (const line of ["+r,s5 no tab", "+r,s5,\t", "r,s5,\tx", ""])
      assert.equal(parseEplfLine(line), undefined, line);
    assert.equal(parseListLine("+r,s5 no tab", { now: NOW })?.type, "unknown");
  });
});
