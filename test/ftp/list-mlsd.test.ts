import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../src/errors.js";
import {
  formatMlsdLine,
  isDotEntry,
  type MlsdEntry,
  modeToPermissions,
  parseListing,
  parseMlsdLine,
  permissionsToMode,
} from "../../src/ftp/list/index.js";
import type { FileInfo } from "../../src/ftp/types.js";
import { PROFTPD_MLSD, PUREFTPD_MLSD } from "./list-fixtures.js";

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): Date =>
  new Date(Date.UTC(y, mo - 1, d, h, mi, s));

function parse(line: string): FileInfo {
  const info = parseMlsdLine(line);
  assert.ok(info, `no entry for ${JSON.stringify(line)}`);
  return info;
}

function invalid(error: unknown): boolean {
  assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
  return true;
}

describe("parseMlsdLine (RFC 3659 §7)", () => {
  it("reads a ProFTPD listing: cdir/pdir, UNIX.* facts, slink targets, names with spaces", () => {
    const entries = parseListing(PROFTPD_MLSD, { format: "mlsd" });
    assert.deepEqual(
      entries.map((e) => [e.name, e.type, e.size, e.permissions, e.owner, e.group, e.target, isDotEntry(e)]),
      [
        [".", "directory", undefined, "rwxr-xr-x", "alice", "users", undefined, true],
        ["..", "directory", undefined, "rwxr-xr-x", "root", "root", undefined, true],
        ["file.txt", "file", 1234, "rw-r--r--", "alice", "users", undefined, false],
        ["shared dir", "directory", undefined, "rwxrwsr-x", "alice", "users", undefined, false],
        ["link", "symlink", 8, "rwxrwxrwx", "alice", "users", "/home/alice/file.txt", false],
      ],
    );
    assert.equal(entries[2]!.modifiedAt?.toISOString(), "2024-01-31T12:00:00.000Z");
    assert.deepEqual(
      { ...entries[2]!.facts },
      {
        modify: "20240131120000",
        perm: "adfrw",
        size: "1234",
        type: "file",
        unique: "FD00U2A4C2",
        "unix.group": "100",
        "unix.groupname": "users",
        "unix.mode": "0644",
        "unix.owner": "1000",
        "unix.ownername": "alice",
      },
    );
    assert.deepEqual(
      entries.map((e) => e.raw),
      PROFTPD_MLSD,
    );
  });

  it("reads a pure-ftpd listing (UNIX.uid / UNIX.gid, sizd for directories)", () => {
    const entries = parseListing(PUREFTPD_MLSD, { format: "mlsd" });
    assert.deepEqual(
      entries.map((e) => [e.name, e.type, e.size, e.owner, e.group, isDotEntry(e)]),
      [
        [".", "directory", undefined, "1000", "1000", true],
        ["..", "directory", undefined, "0", "0", true],
        ["file.txt", "file", 1234, "1000", "1000", false],
      ],
    );
  });

  it("treats fact names case-insensitively and keeps names with ';', spaces and '='", () => {
    const info = parse("Type=FILE;SIZE=5;Modify=20240131120000.5;PERM=r; a; b=c; d ");
    assert.deepEqual(
      [info.name, info.type, info.size, info.modifiedAt?.toISOString()],
      ["a; b=c; d ", "file", 5, "2024-01-31T12:00:00.500Z"],
    );
    assert.deepEqual(Object.keys(info.facts!), ["type", "size", "modify", "perm"]);
  });

  it("recognises cdir/pdir entries whatever their names", () => {
    const cdir = parse("type=cdir;modify=20240131120000; /home/alice");
    assert.deepEqual([cdir.name, cdir.type, isDotEntry(cdir)], ["/home/alice", "directory", true]);
    assert.equal(isDotEntry(parse("type=pdir; /home")), true);
    assert.equal(isDotEntry(parse("type=dir; .hidden")), false);
  });

  it("reads symlinks in their several spellings and other OS types as unknown", () => {
    assert.deepEqual(
      [
        "type=OS.unix=slink:/t;",
        "type=OS.UNIX=slink;",
        "type=os.unix=symlink;",
        "type=OS.unix=blkdev;",
        "type=weird;",
        "",
      ].map((facts) => {
        const info = parse(`${facts || "size=1;"} n`);
        return [info.type, info.target];
      }),
      [
        ["symlink", "/t"],
        ["symlink", undefined],
        ["symlink", undefined],
        ["unknown", undefined],
        ["unknown", undefined],
        ["unknown", undefined],
      ],
    );
  });

  it("keeps malformed values in facts but out of the typed fields", () => {
    const info = parse("type=file;size=12x;modify=20231301000000;UNIX.mode=0999;novalue;=x; bad");
    assert.deepEqual([info.size, info.modifiedAt, info.permissions], [undefined, undefined, undefined]);
    assert.deepEqual(
      { ...info.facts },
      { type: "file", size: "12x", modify: "20231301000000", "unix.mode": "0999" },
    );
  });

  it("stores a fact named __proto__ as data", () => {
    const info = parse("__proto__=x;constructor=y;type=file; f");
    const proto = "__proto__";
    assert.equal(Object.getOwnPropertyDescriptor(info.facts, proto)?.value, "x");
    assert.equal(info.facts?.constructor, "y");
    assert.equal(Object.getPrototypeOf(info.facts), null);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it("reads MLST entry lines (a leading space, then facts) and MLSD entries without facts", () => {
    const mlst = parse(" type=file;size=3;modify=20240131120000; /pub/file.txt");
    assert.deepEqual([mlst.name, mlst.type, mlst.size], ["/pub/file.txt", "file", 3]);
    const bare = parse(" just a name");
    assert.deepEqual([bare.name, bare.type, bare.facts && { ...bare.facts }], ["just a name", "unknown", {}]);
  });

  it("returns hostile names untouched", () => {
    for (const name of ["..", "../../etc/passwd", "\x1b]0;title\x07", "a\tb", "résumé.txt", "中文 文件"]) {
      assert.equal(parse(`type=file;size=1; ${name}`).name, name);
    }
  });

  it("skips blank lines, drops one trailing CR, and makes the rest unknown", () => {
    assert.equal(parseMlsdLine(""), undefined);
    assert.equal(parseMlsdLine("  "), undefined);
    assert.equal(parseMlsdLine("type=file; x\r")?.name, "x");
    for (const line of ["type=file;size=1", "type=file;size=1 x", "type=file; ", "garbage"]) {
      assert.deepEqual(parseMlsdLine(line), { name: line, type: "unknown", raw: line }, line);
    }
  });
});

describe("formatMlsdLine", () => {
  it("writes facts in a fixed order and the name after '; '", () => {
    assert.equal(
      formatMlsdLine({
        name: "file.txt",
        type: "file",
        size: 1234,
        modifiedAt: utc(2024, 1, 31, 12),
        perm: "adfrw",
        unique: "801U1",
        permissions: "rw-r--r--",
        owner: "1000",
        group: "1000",
        facts: { "UNIX.ownername": "alice", size: "ignored" },
      }),
      "type=file;size=1234;modify=20240131120000;perm=adfrw;unique=801U1;UNIX.mode=0644;UNIX.owner=1000;UNIX.group=1000;UNIX.ownername=alice; file.txt",
    );
    assert.equal(formatMlsdLine({ name: ".", type: "cdir", perm: "flcdmpe" }), "type=cdir;perm=flcdmpe; .");
    assert.equal(formatMlsdLine({ name: "l", type: "symlink", target: "/t" }), "type=OS.unix=slink:/t; l");
    assert.equal(formatMlsdLine({ name: "l", type: "symlink", target: "a b;c" }), "type=OS.unix=slink; l");
    assert.equal(
      formatMlsdLine({ name: "d", type: "directory", permissions: "rwxr-sr-t" }),
      "type=dir;UNIX.mode=3755; d",
    );
    assert.equal(formatMlsdLine({ name: "odd", type: "unknown" }), " odd");
  });

  it("writes back a parsed line to the same entry (cdir kept)", () => {
    for (const line of PROFTPD_MLSD) {
      const info = parse(line);
      const again = parse(formatMlsdLine(info));
      assert.deepEqual(
        [
          again.name,
          again.type,
          again.size,
          again.modifiedAt,
          again.permissions,
          again.target,
          isDotEntry(again),
        ],
        [info.name, info.type, info.size, info.modifiedAt, info.permissions, info.target, isDotEntry(info)],
      );
    }
  });

  it("refuses what the grammar cannot carry", () => {
    const base = { name: "x", type: "file" } as const;
    const entries: MlsdEntry[] = [
      { ...base, name: "" },
      { ...base, name: "a\r\nb" },
      { ...base, name: "a\nb" },
      { ...base, perm: "a;b" },
      { ...base, owner: "John Smith" },
      { ...base, group: "g\x00" },
      { ...base, size: -1 },
      { ...base, size: 1.5 },
      { ...base, permissions: "rwxrwxrwxx" },
      { ...base, modifiedAt: new Date(Number.NaN) },
      { ...base, facts: { "a=b": "c" } },
      { ...base, facts: { "": "c" } },
      { ...base, facts: { x: "c d" } },
      { name: "a=b; c", type: "unknown" },
    ];
    for (const entry of entries) {
      assert.throws(() => formatMlsdLine(entry), invalid, JSON.stringify(entry));
    }
  });
});

describe("mode ↔ permissions", () => {
  it("renders setuid, setgid and sticky the way ls does", () => {
    assert.equal(modeToPermissions(0o755), "rwxr-xr-x");
    assert.equal(modeToPermissions(0o4755), "rwsr-xr-x");
    assert.equal(modeToPermissions(0o4644), "rwSr--r--");
    assert.equal(modeToPermissions(0o2775), "rwxrwsr-x");
    assert.equal(modeToPermissions(0o1777), "rwxrwxrwt");
    assert.equal(modeToPermissions(0o1776), "rwxrwxrwT");
    assert.equal(modeToPermissions(0o100644), "rw-r--r--");
  });

  it("round-trips every 12-bit mode", () => {
    for (let mode = 0; mode <= 0o7777; mode += 1)
      assert.equal(permissionsToMode(modeToPermissions(mode)), mode);
    for (const bad of ["rwxrwxrw", "rwxrwxrwxx", "xwxrwxrwx", "rwtrwxrwx", "rwxrwxrws"]) {
      assert.equal(permissionsToMode(bad), undefined, bad);
    }
  });
});
