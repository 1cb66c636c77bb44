// The listing parsers' fast paths against the general code they stand in for: the `ls -l`
// regular expression against the tokenizer, the remembered dates, fact names and permission
// strings against computing them afresh. (ListingParser's line splitting: list-parser-split.)
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { inferYear, monthIndex, utcDate } from "../../src/ftp/list/calendar.js";
import { modeToPermissions, parseMlsdLine } from "../../src/ftp/list/index.js";
import { parseCommonUnixLine, parseUnixLine, parseUnixLineTokens } from "../../src/ftp/list/unix.js";
import { daysInMonth, parseTimeVal } from "../../src/ftp/replies.js";
import { NOW } from "./list-fixtures.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A few reference times, so that remembered dates are both reused and invalidated. */
const NOWS = [
  NOW,
  new Date(Date.UTC(2024, 11, 31, 23, 0)),
  new Date(Date.UTC(2025, 2, 1)),
  new Date(Date.UTC(1970, 0, 1)),
];

const blanks = fc
  .array(fc.constantFrom(" ", " ", " ", "\t"), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join(""));
/** Mostly `usual`, sometimes `odd`. */
const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: usual, weight: 12 }, { arbitrary: odd, weight: 1 });
const digits = (min: number, max: number) =>
  fc
    .array(fc.constantFrom(..."0123456789"), { minLength: min, maxLength: max })
    .map((parts) => parts.join(""));
/** A column: mostly plain, sometimes one that looks like another column. */
const column = mostly(
  fc.constantFrom("1000", "ftp", "alice", "users", "0", "root"),
  fc.oneof(
    fc.constantFrom("may", "Jan", "5,", "12", "2020", "12:00", ",", "2024-01-31", "1,", "x,y", "31", "99:99"),
    fc.constantFrom("é", "a\u00a0b", "\u3000", "-", "+0100"),
    fc.string({ unit: fc.constantFrom("a", "1", ",", ":", "-", "\u00a0"), minLength: 1, maxLength: 6 }),
  ),
);
const month = mostly(
  fc.oneof(
    fc.constantFrom(...MONTHS),
    fc.constantFrom(...MONTHS).map((m) => m.toUpperCase()),
    fc.constantFrom(...MONTHS).map((m) => m.toLowerCase()),
  ),
  fc.constantFrom("Foo", "Jan.", "JA", "Ja\u00f1", "Ma\u212a", "1an", "31"),
);
const day = mostly(digits(1, 2), fc.constantFrom("0", "00", "32", "99", "1a", "123", "Jan"));
const time = mostly(
  fc.oneof(
    fc.tuple(digits(1, 2), digits(2, 2)).map(([h, m]) => `${h}:${m}`),
    digits(4, 4),
  ),
  fc.constantFrom("24:00", "00:60", "1:5", "12:000", "2024-01-31", "12345", "12:00:00", "1,"),
);
const name = fc.oneof(
  fc.constantFrom("file.txt", "a dir", " leading", "trailing ", "x -> y", "Jan 31 12:00 twice", "\r", "  "),
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }),
);
const mode = fc.tuple(
  mostly(fc.constantFrom("-", "d", "l"), fc.constantFrom(..."bcDLnps?", "x")),
  fc.array(mostly(fc.constantFrom(..."-rwx"), fc.constantFrom(..."sStTlL?", "a")), {
    minLength: 9,
    maxLength: 9,
  }),
  mostly(fc.constantFrom("", "+"), fc.constantFrom("@", ".", "#")),
);

/** `ls -l` lines: the common shape from random parts, and sometimes columns added or dropped. */
const unixLine = fc
  .record({
    mode,
    links: mostly(digits(1, 3), fc.oneof(digits(11, 12), column)),
    owner: column,
    group: column,
    extra: fc.option(column, { freq: 8 }),
    size: mostly(digits(1, 8), fc.oneof(digits(15, 17), digits(33, 33), fc.constantFrom("1,", "1, 3", "-1"))),
    month,
    day,
    time,
    name,
    gaps: fc.array(blanks, { minLength: 9, maxLength: 9 }),
    drop: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 8 }),
  })
  .map((r) => {
    const [type, permissions, acl] = r.mode;
    const columns = [r.links, r.owner, r.group, ...(r.extra === null ? [] : [r.extra]), r.size];
    if (r.drop !== null) columns.splice(r.drop, 1);
    const fields = [...columns, r.month, r.day, r.time];
    let line = `${type}${permissions.join("")}${acl}`;
    fields.forEach((field, i) => {
      line += r.gaps[i % r.gaps.length]! + field;
    });
    // One blank before the name, as ls writes it; the name may start with more.
    return `${line}${r.gaps[8]!.slice(0, 1)}${r.name}`;
  });

describe("the ls -l fast path", () => {
  it("agrees with the tokenizer on generated lines", () => {
    let fast = 0;
    fc.assert(
      fc.property(unixLine, fc.constantFrom(...NOWS), (line, now) => {
        const general = parseUnixLineTokens(line, now);
        const common = parseCommonUnixLine(line, now);
        if (common !== undefined) {
          fast += 1;
          assert.deepEqual(common, general, JSON.stringify(line));
        }
        assert.deepEqual(parseUnixLine(line, now), general, JSON.stringify(line));
      }),
      { numRuns: 20_000 },
    );
    // The generator reaches the fast path often, not only the fallback.
    assert.ok(fast > 2000, `only ${fast} lines took the fast path`);
  });

  it("takes every well-formed line of the usual shape, and reads it as the tokenizer does", () => {
    const usual = fc
      .record({
        type: fc.constantFrom("-", "d", "l"),
        acl: fc.constantFrom("", "+"),
        links: digits(1, 4),
        owner: fc.constantFrom("1000", "ftp", "alice"),
        group: fc.constantFrom("1000", "ftp", "users"),
        size: digits(1, 12),
        month: fc.integer({ min: 0, max: 11 }),
        day: fc.integer({ min: 1, max: 31 }),
        clock: fc.option(fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))),
        year: fc.integer({ min: 1970, max: 2037 }),
        name: fc.string({ unit: "grapheme", minLength: 1, maxLength: 10 }),
        now: fc.constantFrom(...NOWS),
      })
      .map((r) => {
        const pad = (n: number) => String(n).padStart(2, "0");
        const when = r.clock === null ? ` ${r.year}` : `${pad(r.clock[0])}:${pad(r.clock[1])}`;
        const date = `${MONTHS[r.month]} ${String(r.day).padStart(2, " ")} ${when}`;
        return {
          line: `${r.type}rw-r--r--${r.acl}    ${r.links} ${r.owner.padEnd(8)} ${r.group.padEnd(8)} ${r.size.padStart(12)} ${date} ${r.name}`,
          now: r.now,
        };
      });
    fc.assert(
      fc.property(usual, ({ line, now }) => {
        const common = parseCommonUnixLine(line, now);
        assert.ok(common !== undefined, JSON.stringify(line));
        assert.deepEqual(common, parseUnixLineTokens(line, now));
      }),
      { numRuns: 3000 },
    );
  });

  it("gives a new Date for every entry, and dates against each entry's own now", () => {
    const line = "-rw-r--r-- 1 u g 5 Mar 16 12:00 f";
    const a = parseUnixLine(line, NOW)!;
    const b = parseUnixLine(line, NOW)!;
    assert.notEqual(a.modifiedAt, b.modifiedAt);
    a.modifiedAt!.setTime(0);
    assert.equal(b.modifiedAt?.toISOString(), "2024-03-16T12:00:00.000Z");
    assert.equal(parseUnixLine(line, NOW)!.modifiedAt?.toISOString(), "2024-03-16T12:00:00.000Z");
    // Within six months before a later now: next year's 16 March; not yet within them: this year's.
    const autumn = new Date(Date.UTC(2024, 9, 1));
    assert.equal(parseUnixLine(line, autumn)!.modifiedAt?.toISOString(), "2025-03-16T12:00:00.000Z");
    const summer = new Date(Date.UTC(2024, 7, 1));
    assert.equal(parseUnixLine(line, summer)!.modifiedAt?.toISOString(), "2024-03-16T12:00:00.000Z");
    const earlier = new Date(Date.UTC(2023, 8, 1));
    assert.equal(parseUnixLine(line, earlier)!.modifiedAt?.toISOString(), "2023-03-16T12:00:00.000Z");
    const noDate = parseUnixLine("-rw-r--r-- 1 u g 5 Feb 30 12:00 f", NOW)!;
    assert.deepEqual([noDate.name, noDate.modifiedAt], ["f", undefined]);
    assert.deepEqual(parseUnixLine("-rw-r--r-- 1 u g 5 Feb 30 12:00 f", NOW), noDate);
  });
});

describe("calendar helpers", () => {
  it("monthIndex folds case like toLowerCase, and only for the twelve months", () => {
    const lowered = MONTHS.map((m) => m.toLowerCase());
    const reference = (token: string): number =>
      token.length === 3 ? lowered.indexOf(token.toLowerCase()) : -1;
    const token = fc.oneof(
      fc
        .constantFrom(...MONTHS)
        .chain((m) =>
          fc
            .array(fc.boolean(), { minLength: 3, maxLength: 3 })
            .map((upper) => [...m].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join("")),
        ),
      fc.string({ minLength: 0, maxLength: 4 }),
      fc.string({
        unit: fc.constantFrom("j", "A", "n", "@", "`", "\u212a", "\u0130", "J", "a", "N"),
        maxLength: 3,
      }),
    );
    fc.assert(
      fc.property(token, (text) => {
        assert.equal(monthIndex(text), reference(text), JSON.stringify(text));
      }),
      { numRuns: 5000 },
    );
    // Every UTF-16 unit in each place (a code folded into a neighbour's bits must not match).
    for (let code = 0; code < 0x10000; code += 1) {
      const c = String.fromCharCode(code);
      for (const token of [`${c}an`, `j${c}n`, `ja${c}`])
        assert.equal(monthIndex(token), reference(token), token);
    }
  });

  it("utcDate gives the instant setUTCFullYear/setUTCHours give, years 0-99 included", () => {
    const fields = fc.tuple(
      fc.oneof(
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 1890, max: 2110 }),
        fc.integer({ min: 9990, max: 10_001 }),
      ),
      fc.integer({ min: -1, max: 12 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: -1, max: 24 }),
      fc.integer({ min: -1, max: 60 }),
      fc.integer({ min: -1, max: 61 }),
      fc.integer({ min: 0, max: 999 }),
    );
    fc.assert(
      fc.property(fields, ([y, mo, d, h, mi, s, ms]) => {
        const valid =
          y <= 9999 && mo >= 0 && mo <= 11 && d >= 1 && d <= daysInMonth(y, mo) && h >= 0 && h <= 23;
        let expected: Date | undefined;
        if (valid && mi >= 0 && mi <= 59 && s >= 0 && s <= 60) {
          expected = new Date(0);
          expected.setUTCFullYear(y, mo, d);
          expected.setUTCHours(h, mi, s, ms);
        }
        assert.deepEqual(utcDate(y, mo, d, h, mi, s, ms), expected);
      }),
      { numRuns: 5000 },
    );
  });

  it("inferYear answers the same when asked again, whatever was asked in between", () => {
    const reference = (month: number, day: number, hour: number, minute: number, now: Date) => {
      const limit = now.getTime() + 183 * 24 * 3600 * 1000;
      for (let year = now.getUTCFullYear() + 1; year >= now.getUTCFullYear() - 8; year -= 1) {
        const date = utcDate(year, month, day, hour, minute);
        if (date !== undefined && date.getTime() <= limit) return date;
      }
      return undefined;
    };
    const ask = fc.tuple(
      fc.integer({ min: -1, max: 12 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: -1, max: 24 }),
      fc.integer({ min: -1, max: 60 }),
      fc.constantFrom(...NOWS),
    );
    fc.assert(
      fc.property(fc.array(ask, { minLength: 1, maxLength: 6 }), (asks) => {
        for (const [m, d, h, mi, now] of [...asks, ...asks]) {
          assert.deepEqual(inferYear(m, d, h, mi, now), reference(m, d, h, mi, now));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("MLSD fast paths", () => {
  it("reads fact names in any spelling as the lower-cased name, the first one kept", () => {
    const names = [
      "type",
      "size",
      "modify",
      "perm",
      "unique",
      "UNIX.mode",
      "UNIX.owner",
      "UNIX.gid",
      "sizd",
      "x.y",
    ];
    const spelling = fc
      .constantFrom(...names)
      .chain((n) =>
        fc
          .array(fc.boolean(), { minLength: n.length, maxLength: n.length })
          .map((upper) => [...n].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join("")),
      );
    const value = fc.constantFrom("file", "dir", "1234", "20240131120000", "0644", "alice", "", "a=b");
    const facts = fc.array(fc.tuple(spelling, value), { maxLength: 8 });
    fc.assert(
      fc.property(facts, (pairs) => {
        const line = `${pairs.map(([k, v]) => `${k}=${v};`).join("")} name`;
        const expected: Record<string, string> = {};
        for (const [k, v] of pairs) if (!(k.toLowerCase() in expected)) expected[k.toLowerCase()] = v;
        const info = parseMlsdLine(line);
        assert.ok(info?.facts !== undefined);
        assert.deepEqual({ ...info.facts }, expected);
        assert.deepEqual(Object.keys(info.facts), Object.keys(expected));
        assert.equal(Object.getPrototypeOf(info.facts), null);
      }),
      { numRuns: 3000 },
    );
  });

  it("stays linear on a line of semicolons and equals signs", () => {
    const line = `${";".repeat(60_000)}=${"=;".repeat(2000)}; name`;
    const info = parseMlsdLine(line);
    assert.equal(info?.name, "name");
    assert.deepEqual(Object.keys(info.facts ?? {}), []);
  });

  it("parseTimeVal gives a new Date each time, also for the text it read last", () => {
    const a = parseTimeVal("20240131120000.5");
    const b = parseTimeVal("20240131120000.5");
    assert.notEqual(a, b);
    a!.setTime(0);
    assert.equal(b?.toISOString(), "2024-01-31T12:00:00.500Z");
    assert.equal(parseTimeVal("20240131120000.5")?.toISOString(), "2024-01-31T12:00:00.500Z");
    assert.equal(parseTimeVal("20240131120060")?.toISOString(), "2024-01-31T12:01:00.000Z");
    assert.equal(parseTimeVal("20240131120000.")?.toISOString(), undefined);
    assert.equal(parseTimeVal(`20240131120000.${"1".repeat(64)}`)?.toISOString(), "2024-01-31T12:00:00.111Z");
    assert.equal(parseTimeVal(`20240131120000.${"1".repeat(65)}`), undefined);
    assert.equal(parseTimeVal("2024013112000x"), undefined);
    assert.equal(parseTimeVal(""), undefined);
  });

  it("parseTimeVal agrees with a field-by-field reading", () => {
    // The reading before the fast one: slices, Number, setUTCFullYear/setUTCHours.
    const reference = (text: string): Date | undefined => {
      if (text.length < 14 || !/^[0-9]{14}$/.test(text.slice(0, 14))) return undefined;
      let millis = 0;
      if (text.length > 14) {
        const fraction = text.slice(15);
        if (text[14] !== "." || !/^[0-9]{1,64}$/.test(fraction)) return undefined;
        millis = Number(fraction.slice(0, 3).padEnd(3, "0"));
      }
      const [year, month, day, hour, minute, second] = [0, 4, 6, 8, 10, 12].map((at) =>
        Number(text.slice(at, at === 0 ? 4 : at + 2)),
      ) as [number, number, number, number, number, number];
      if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month - 1)) {
        return undefined;
      }
      if (hour > 23 || minute > 59 || second > 60) return undefined;
      const date = new Date(0);
      date.setUTCFullYear(year, month - 1, day);
      date.setUTCHours(hour, minute, second, millis);
      return date;
    };
    const text = fc.oneof(
      fc
        .tuple(
          fc.integer({ min: 900, max: 9999 }),
          fc.integer({ min: 0, max: 13 }),
          fc.integer({ min: 0, max: 32 }),
          fc.integer({ min: 0, max: 24 }),
          fc.integer({ min: 0, max: 60 }),
          fc.integer({ min: 0, max: 61 }),
          fc.option(digits(0, 5)),
        )
        .map(([y, mo, d, h, mi, s, f]) => {
          const two = (n: number) => String(n).padStart(2, "0");
          return `${String(y).padStart(4, "0")}${two(mo)}${two(d)}${two(h)}${two(mi)}${two(s)}${f === null ? "" : `.${f}`}`;
        }),
      fc.string({ maxLength: 18 }),
    );
    fc.assert(
      fc.property(text, (t) => {
        assert.deepEqual(parseTimeVal(t), reference(t), t);
      }),
      { numRuns: 5000 },
    );
  });

  it("modeToPermissions gives the same string for a mode however often it is asked", () => {
    for (let mode = 0; mode < 0o10000; mode += 1) {
      const expected = [0o400, 0o200, 0o100, 0o040, 0o020, 0o010, 0o004, 0o002, 0o001]
        .map((bit, i) => {
          const x = (mode & bit) !== 0;
          const special = [0o4000, 0o2000, 0o1000][Math.floor(i / 3)]!;
          if (i % 3 !== 2) return x ? "rw"[i % 3] : "-";
          const letter = i === 8 ? "t" : "s";
          if ((mode & special) === 0) return x ? "x" : "-";
          return x ? letter : letter.toUpperCase();
        })
        .join("");
      assert.equal(modeToPermissions(mode), expected);
      assert.equal(modeToPermissions(mode | 0o170000), expected);
    }
  });
});
