// The server's formatters and the client's parsers share one grammar: what the loopback server
// writes, the client reads back to the same name, size, type and time (at the precision the
// format carries).
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../src/errors.js";
import {
  formatMlsdLine,
  formatUnixListLine,
  type ListEntry,
  ListingParser,
  modeToPermissions,
  parseListLine,
  parseMlsdLine,
} from "../../src/ftp/list/index.js";
import type { FileType } from "../../src/ftp/types.js";

const DAY = 24 * 60 * 60 * 1000;
const MIN_DATE = Date.UTC(1970, 0, 1);
const MAX_DATE = Date.UTC(2100, 11, 31, 23, 59, 59, 999);

/** Names as a file system may hold them: anything but CR and LF, never empty. */
const name = fc
  .string({ unit: "binary", minLength: 1, maxLength: 40 })
  .filter((s) => !s.includes("\r") && !s.includes("\n"));
const type = fc.constantFrom<FileType>("file", "directory", "symlink", "unknown");
const date = fc.integer({ min: MIN_DATE, max: MAX_DATE }).map((ms) => new Date(ms));
const owner = fc.stringMatching(/^[a-z_][a-z0-9_-]{0,7}$|^[0-9]{1,5}$/);
const mode = fc.integer({ min: 0, max: 0o7777 });

/** What the time becomes in an ls line: minutes when recent, else the day. */
function lsPrecision(modified: Date, now: Date): number {
  const ms = modified.getTime();
  if (Math.abs(ms - now.getTime()) < 180 * DAY) return ms - (ms % 60_000);
  return ms - (ms % DAY);
}

function unixLineReadable(entry: ListEntry): boolean {
  if (entry.type !== "symlink" || entry.target === undefined) return true;
  return `${entry.name} -> ${entry.target}`.indexOf(" -> ") === entry.name.length;
}

describe("formatUnixListLine → parseListLine", () => {
  it("gives back name, type, size, permissions, owner, group, target and the time", () => {
    const entry = fc.record({
      name,
      type,
      size: fc.maxSafeNat(),
      modifiedAt: date,
      permissions: mode.map(modeToPermissions),
      owner,
      group: owner,
      target: name,
    });
    fc.assert(
      fc.property(entry, date, (e, now) => {
        fc.pre(unixLineReadable(e));
        const line = formatUnixListLine(e, { now });
        const info = parseListLine(line, { now });
        assert.ok(info, line);
        assert.equal(info.raw, line);
        assert.equal(info.name, e.name);
        assert.equal(info.type, e.type);
        assert.equal(info.size, e.size);
        assert.equal(info.permissions, e.permissions);
        assert.equal(info.owner, e.owner);
        assert.equal(info.group, e.group);
        assert.equal(info.target, e.type === "symlink" ? e.target : undefined);
        assert.equal(info.modifiedAt?.getTime(), lsPrecision(e.modifiedAt, now), line);
      }),
      { numRuns: 2000 },
    );
  });

  it("writes the vsftpd shape", () => {
    const now = new Date(Date.UTC(2024, 2, 15));
    assert.equal(
      formatUnixListLine(
        {
          name: "file.txt",
          type: "file",
          size: 1234,
          modifiedAt: new Date(Date.UTC(2024, 0, 31, 12)),
          owner: "1000",
          group: "1000",
        },
        { now },
      ),
      "-rw-r--r--    1 1000     1000             1234 Jan 31 12:00 file.txt",
    );
    assert.equal(
      formatUnixListLine(
        { name: "old", type: "directory", modifiedAt: new Date(Date.UTC(2020, 2, 1)), links: 3 },
        { now },
      ),
      "drwxr-xr-x    3 ftp      ftp                 0 Mar  1  2020 old",
    );
    assert.equal(
      formatUnixListLine(
        { name: "l", type: "symlink", target: "t", modifiedAt: new Date(Date.UTC(2024, 2, 1, 9, 5)) },
        { now },
      ),
      "lrwxrwxrwx    1 ftp      ftp                 0 Mar  1 09:05 l -> t",
    );
  });

  it("refuses what a LIST line cannot carry", () => {
    const base = { name: "x", type: "file" } as const;
    for (const entry of [
      { ...base, name: "" },
      { ...base, name: "a\nb" },
      { ...base, name: "a\rb" },
      { ...base, owner: "two words" },
      { ...base, group: "" },
      { ...base, permissions: "rwx" },
      { ...base, size: -1 },
      { ...base, links: 0.5 },
      { ...base, modifiedAt: new Date(Number.NaN) },
      { name: "a ->", type: "symlink" as const, target: "b" },
      { name: "a -> b", type: "symlink" as const, target: "c" },
      { name: "a", type: "symlink" as const, target: "b\nc" },
    ] satisfies ListEntry[]) {
      assert.throws(
        () => formatUnixListLine(entry),
        (e: unknown) => e instanceof InvalidArgumentError,
        JSON.stringify(entry),
      );
    }
  });
});

describe("formatMlsdLine → parseMlsdLine", () => {
  it("gives back name, type, size, the time to the second, permissions, owner and group", () => {
    const entry = fc.record(
      {
        name,
        type,
        size: fc.maxSafeNat(),
        modifiedAt: fc
          .integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31) })
          .map((ms) => new Date(ms)),
        permissions: mode.map(modeToPermissions),
        owner,
        group: owner,
        target: fc.stringMatching(/^\/[a-zA-Z0-9._/-]{0,20}$/),
        perm: fc.constantFrom("adfrw", "flcdmpe", "r", ""),
      },
      { requiredKeys: ["name", "type", "modifiedAt"] },
    );
    fc.assert(
      fc.property(entry, (e) => {
        const line = formatMlsdLine(e);
        const info = parseMlsdLine(line);
        assert.ok(info, line);
        assert.equal(info.raw, line);
        assert.equal(info.name, e.name);
        assert.equal(info.type, e.type);
        assert.equal(info.size, e.size);
        const ms = e.modifiedAt.getTime();
        assert.equal(info.modifiedAt?.getTime(), ms - (((ms % 1000) + 1000) % 1000));
        assert.equal(info.permissions, e.permissions);
        assert.equal(info.owner, e.owner);
        assert.equal(info.group, e.group);
        assert.equal(info.target, e.type === "symlink" ? e.target : undefined);
        assert.equal(info.facts?.perm, e.perm);
      }),
      { numRuns: 2000 },
    );
  });

  it("survives the trip through bytes and ListingParser, split anywhere", () => {
    const utf8Name = name.filter((s) => Buffer.from(s, "utf8").toString("utf8") === s);
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: utf8Name, size: fc.maxSafeNat() }), { minLength: 1, maxLength: 20 }),
        fc.nat(),
        (entries, cut) => {
          const lines = entries.map((e) => formatMlsdLine({ ...e, type: "file" }));
          const bytes = Buffer.from(`${lines.join("\r\n")}\r\n`);
          const at = cut % bytes.length;
          const parser = new ListingParser({ format: "mlsd" });
          const out = [
            ...parser.push(bytes.subarray(0, at)),
            ...parser.push(bytes.subarray(at)),
            ...parser.end(),
          ];
          assert.deepEqual(
            out.map((i) => [i.name, i.size]),
            entries.map((e) => [e.name, e.size]),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
