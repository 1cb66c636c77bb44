import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isDotEntry, parseListing, parseListLine } from "../../src/ftp/list/index.js";
import type { FileInfo } from "../../src/ftp/types.js";
import { NOW, PROFTPD_LIST, PUREFTPD_LIST, VSFTPD_LIST } from "./list-fixtures.js";

const utc = (y: number, mo: number, d: number, h = 0, mi = 0): Date =>
  new Date(Date.UTC(y, mo - 1, d, h, mi));

function parse(line: string, now = NOW): FileInfo {
  const info = parseListLine(line, { now });
  assert.ok(info, `no entry for ${JSON.stringify(line)}`);
  return info;
}

/** The fields worth comparing, without `raw`. */
function fields(info: FileInfo): Omit<FileInfo, "raw"> {
  const { raw: _raw, ...rest } = info;
  return rest;
}

describe("parseListLine: Unix ls -l", () => {
  it("reads a vsftpd listing (numeric ids, zero-padded days, years for old files)", () => {
    const entries = parseListing(VSFTPD_LIST, { now: NOW });
    assert.deepEqual(entries.map(fields), [
      {
        name: "dir",
        type: "directory",
        size: 4096,
        modifiedAt: utc(2024, 1, 31, 12),
        permissions: "rwxr-xr-x",
        owner: "1000",
        group: "1000",
      },
      {
        name: "file.txt",
        type: "file",
        size: 1234,
        modifiedAt: utc(2024, 1, 31, 12),
        permissions: "rw-r--r--",
        owner: "1000",
        group: "1000",
      },
      {
        name: "link",
        type: "symlink",
        target: "file.txt",
        size: 8,
        modifiedAt: utc(2024, 2, 5, 8, 30),
        permissions: "rwxrwxrwx",
        owner: "1000",
        group: "1000",
      },
      {
        name: "old.bin",
        type: "file",
        size: 1048576,
        modifiedAt: utc(2021, 3, 3),
        permissions: "rw-r--r--",
        owner: "1000",
        group: "1000",
      },
      {
        name: "empty",
        type: "file",
        size: 0,
        modifiedAt: utc(2023, 12, 24),
        permissions: "rw-------",
        owner: "1000",
        group: "1000",
      },
    ]);
    assert.deepEqual(
      entries.map((e) => e.raw),
      VSFTPD_LIST,
    );
  });

  it("reads a ProFTPD listing: skips total, returns . and .., keeps inner spaces", () => {
    const entries = parseListing(PROFTPD_LIST, { now: NOW });
    assert.deepEqual(
      entries.map((e) => [e.name, e.type, e.owner, e.group, e.size]),
      [
        [".", "directory", "alice", "users", 4096],
        ["..", "directory", "root", "root", 4096],
        ["file.txt", "file", "alice", "users", 1234],
        ["two  spaces.txt", "file", "alice", "users", 42],
      ],
    );
    assert.deepEqual(
      entries.map((e) => isDotEntry(e)),
      [true, true, false, false],
    );
    assert.equal(entries[3]!.modifiedAt?.toISOString(), "2024-03-14T23:59:00.000Z");
  });

  it("reads a pure-ftpd listing", () => {
    assert.deepEqual(
      parseListing(PUREFTPD_LIST, { now: NOW }).map((e) => [e.name, e.type, e.size, e.owner]),
      [
        ["dir", "directory", 4096, "1000"],
        ["file.txt", "file", 1234, "1000"],
      ],
    );
  });

  it("reads lines without a group column, or without a link count", () => {
    assert.deepEqual(fields(parse("-rw-r--r--   1 alice          42 Jan 31 12:00 no group")), {
      name: "no group",
      type: "file",
      size: 42,
      modifiedAt: utc(2024, 1, 31, 12),
      permissions: "rw-r--r--",
      owner: "alice",
    });
    const noLinks = parse("-rw-r--r-- alice users 42 Jan 31 12:00 x");
    assert.deepEqual([noLinks.owner, noLinks.group, noLinks.size], ["alice", "users", 42]);
  });

  it("reads character and block devices (major, minor) without a size", () => {
    const null_ = parse("crw-rw-rw- 1 root root 1, 3 Jan 1 2020 null");
    assert.deepEqual(fields(null_), {
      name: "null",
      type: "unknown",
      modifiedAt: utc(2020, 1, 1),
      permissions: "rw-rw-rw-",
      owner: "root",
      group: "root",
    });
    const sda = parse("brw-rw----   1 root     disk       8,   0 Mar  1 09:00 sda");
    assert.deepEqual([sda.name, sda.type, sda.size, sda.group], ["sda", "unknown", undefined, "disk"]);
    const joined = parse("crw--w----  1 root tty 4,1 Mar  1 09:00 tty1");
    assert.deepEqual([joined.name, joined.size, joined.group], ["tty1", undefined, "tty"]);
    assert.equal(parse("prw-r--r-- 1 root root 0 Mar  1 09:00 fifo").type, "unknown");
    assert.equal(parse("srwxrwxrwx 1 root root 0 Mar  1 09:00 sock").type, "unknown");
  });

  it("accepts the ACL and security-context markers + @ . after the mode", () => {
    for (const marker of ["+", "@", "."]) {
      const info = parse(`drwxr-xr-x${marker}  2 user staff 4096 Mar  1  2020 a dir`);
      assert.deepEqual(
        [info.name, info.type, info.permissions, info.owner],
        ["a dir", "directory", "rwxr-xr-x", "user"],
      );
    }
  });

  it("keeps spaces in names: inner, leading and trailing", () => {
    assert.equal(parse("-rw-r--r-- 1 u g 5 Jan 31 12:00 a b  c").name, "a b  c");
    assert.equal(parse("-rw-r--r-- 1 u g 5 Jan 31 12:00  leading").name, " leading");
    assert.equal(parse("-rw-r--r-- 1 u g 5 Jan  1  2020   two leading").name, "  two leading");
    assert.equal(parse("-rw-r--r-- 1 u g 5 Jan 31 12:00 trailing  ").name, "trailing  ");
    assert.equal(parse("-rw-r--r-- 1 u g 5 Jan 31 12:00 Jan 31 12:00 x").name, "Jan 31 12:00 x");
  });

  it("splits a symlink at the first ' -> ' only, and only for symlinks", () => {
    const chain = parse("lrwxrwxrwx 1 u g 5 Jan 31 12:00 a -> b -> c");
    assert.deepEqual([chain.name, chain.target], ["a", "b -> c"]);
    const file = parse("-rw-r--r-- 1 u g 5 Jan 31 12:00 not -> a link");
    assert.deepEqual([file.name, file.target, file.type], ["not -> a link", undefined, "file"]);
    const noTarget = parse("lrwxrwxrwx 1 u g 5 Jan 31 12:00 dangling");
    assert.deepEqual([noTarget.name, noTarget.target], ["dangling", undefined]);
  });

  it("infers the year of Mmm dd hh:mm: the latest date no more than ~6 months ahead", () => {
    const at = (line: string, now: Date): string | undefined =>
      parse(`-rw-r--r-- 1 u g 5 ${line} f`, now).modifiedAt?.toISOString();
    assert.equal(at("Dec 24 12:00", NOW), "2023-12-24T12:00:00.000Z");
    assert.equal(at("Mar 16 12:00", NOW), "2024-03-16T12:00:00.000Z");
    assert.equal(at("Sep 10 12:00", NOW), "2024-09-10T12:00:00.000Z");
    assert.equal(at("Sep 20 12:00", NOW), "2023-09-20T12:00:00.000Z");
    assert.equal(at("Apr  1 08:00", NOW), "2024-04-01T08:00:00.000Z");
    const newYearsEve = utc(2024, 12, 31, 23, 0);
    assert.equal(at("Jan  1 01:00", newYearsEve), "2025-01-01T01:00:00.000Z");
    assert.equal(at("Dec 31 22:00", newYearsEve), "2024-12-31T22:00:00.000Z");
    assert.equal(at("Feb 29 12:00", utc(2025, 3, 1)), "2024-02-29T12:00:00.000Z");
    assert.equal(at("Feb 29 12:00", utc(2024, 3, 1)), "2024-02-29T12:00:00.000Z");
    assert.equal(at("Feb 29 12:00", utc(2027, 1, 10)), "2024-02-29T12:00:00.000Z");
  });

  it("reads ISO dates, --full-time dates with zones, and day-first dates", () => {
    assert.equal(
      parse("-rw-r--r-- 1 u g 5 2024-01-31 12:00 iso").modifiedAt?.toISOString(),
      "2024-01-31T12:00:00.000Z",
    );
    const full = parse("-rw-r--r-- 1 u g 5 2024-01-31 12:00:07.123456789 +0100 full time");
    assert.deepEqual([full.name, full.modifiedAt?.toISOString()], ["full time", "2024-01-31T11:00:07.123Z"]);
    const west = parse("-rw-r--r-- 1 u g 5 2024-01-31 12:00:07 -0530 w");
    assert.equal(west.modifiedAt?.toISOString(), "2024-01-31T17:30:07.000Z");
    const zoneLike = parse("-rw-r--r-- 1 u g 5 2024-01-31 12:00 +0100");
    assert.deepEqual(
      [zoneLike.name, zoneLike.modifiedAt?.toISOString()],
      ["+0100", "2024-01-31T12:00:00.000Z"],
    );
    const dayFirst = parse("-rw-r--r-- 1 u g 5 31 Jan 12:00 day first");
    assert.deepEqual(
      [dayFirst.name, dayFirst.modifiedAt?.toISOString()],
      ["day first", "2024-01-31T12:00:00.000Z"],
    );
    assert.equal(
      parse("-rw-r--r-- 1 u g 5 jan 31 2020 lower").modifiedAt?.toISOString(),
      "2020-01-31T00:00:00.000Z",
    );
  });

  it("leaves out a date that does not exist, and a size that is not a safe integer", () => {
    const feb30 = parse("-rw-r--r-- 1 u g 5 Feb 30  2023 x");
    assert.deepEqual([feb30.name, feb30.type, feb30.modifiedAt], ["x", "file", undefined]);
    const huge = parse("-rw-r--r-- 1 u g 99999999999999999999 Jan 31 12:00 huge");
    assert.deepEqual([huge.name, huge.size], ["huge", undefined]);
  });

  it("is not fooled by owners and groups that look like dates", () => {
    const may = parse("drwxr-xr-x 2 may 5 4096 Jan 31 12:00 x");
    assert.deepEqual([may.name, may.owner, may.group, may.size], ["x", "may", "5", 4096]);
    const jan = parse("-rw-r--r-- 1 jan 12 2020 Jan 31 12:00 y");
    assert.deepEqual([jan.name, jan.owner, jan.group, jan.size], ["y", "jan", "12", 2020]);
  });

  it("returns hostile names as data, untouched", () => {
    for (const name of [
      "..",
      ".",
      "../../etc/passwd",
      "/etc/passwd",
      "\x1b[2J\x1b[1;1Hevil",
      "tab\there",
      "nul\x00byte",
      "bell\x07",
      "back\\slash",
      "résumé.txt",
      "文件 名.txt",
      "emoji 😀.png",
      "\u202Egnp.exe",
    ]) {
      const info = parse(`-rw-r--r-- 1 u g 5 Jan 31 12:00 ${name}`);
      assert.equal(info.name, name);
      assert.equal(info.type, "file");
    }
  });

  it("drops one trailing CR, skips blank and total lines", () => {
    const info = parse("-rw-r--r-- 1 u g 5 Jan 31 12:00 crlf\r");
    assert.deepEqual([info.name, info.raw], ["crlf", "-rw-r--r-- 1 u g 5 Jan 31 12:00 crlf"]);
    for (const line of ["", "   ", "\r", "total 0", "total 123456"]) {
      assert.equal(parseListLine(line, { now: NOW }), undefined, JSON.stringify(line));
    }
  });

  it("turns lines it cannot read into type unknown with the whole line as the name", () => {
    for (const line of [
      "garbage",
      "total",
      "total x",
      "-rw-r--r-- 1 u g 5 Jan 31 12:00",
      "-rw-r--r-- 1 u g 5 Jan 31 12:00 ",
      "-rw-r--r-- 1 u g five Jan 31 12:00 x",
      "-rw-r--r-- 1 u g 5 Foo 31 12:00 x",
      "-rw-r--r-- 1 u g 5 Jan 32 12:00 x",
      "-rw-r--r-- 1 u g 5 Jan 31 25:00 x",
      "-rw-r--r-- 1 u g 5 Jan 31 12:60 x",
      "-rwxr-xr-xx 1 u g 5 Jan 31 12:00 x",
      "xrw-r--r-- 1 u g 5 Jan 31 12:00 x",
      "-rw-r--r--",
      "550 No files found",
      "\x00\x01\x02",
    ]) {
      const info = parseListLine(line, { now: NOW });
      assert.deepEqual(info, { name: line, type: "unknown", raw: line }, JSON.stringify(line));
    }
  });

  it("never throws, whatever the line", () => {
    const piece = fc.constantFrom(
      "-rw-r--r--",
      "drwx------+",
      "crw-rw-rw-",
      " ",
      "1",
      "1,",
      "Jan",
      "31",
      "12:00",
    );
    const more = fc.constantFrom("2020", "2024-01-31", "+0100", "x", "->", " -> ", "\t", "\r", "total");
    const line = fc.oneof(
      fc.array(fc.oneof(piece, more), { maxLength: 14 }).map((parts) => parts.join(" ")),
      fc.string(),
    );
    fc.assert(
      fc.property(line, (text) => {
        const info = parseListLine(text, { now: NOW });
        if (info !== undefined) {
          assert.equal(typeof info.name, "string");
          assert.ok(text.startsWith(info.raw));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
