import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../../src/errors.js";
import { formatDate, parseDate } from "../../../src/mime/header/date.js";
import { askPython } from "./python-oracle.js";

const iso = (value: string): string | undefined => parseDate(value)?.toISOString();

describe("parseDate", () => {
  it("reads RFC 5322 §3.3 dates with their zone", () => {
    assert.equal(iso("Thu, 01 Jan 1970 00:00:00 +0000"), "1970-01-01T00:00:00.000Z");
    assert.equal(iso("Mon, 2 Jan 2006 15:04:05 -0700"), "2006-01-02T22:04:05.000Z");
    assert.equal(iso("Fri, 3 Mar 2023 10:11:12 +0530"), "2023-03-03T04:41:12.000Z");
  });

  it("reads the obsolete forms of §4.3", () => {
    // Two-digit years: 00-49 → 20xx, 50-99 → 19xx (Python's strptime rule would say 2050-2068).
    assert.equal(iso("3 Mar 49 10:00:00 +0000"), "2049-03-03T10:00:00.000Z");
    assert.equal(iso("3 Mar 50 10:00:00 +0000"), "1950-03-03T10:00:00.000Z");
    assert.equal(iso("3 Mar 68 10:00:00 +0000"), "1968-03-03T10:00:00.000Z");
    assert.equal(iso("3 Mar 101 10:00:00 +0000"), "2001-03-03T10:00:00.000Z");
    assert.equal(iso("3 Mar 2023 10:00:00 EST"), "2023-03-03T15:00:00.000Z");
    assert.equal(iso("3 Mar 2023 10:00:00 edt"), "2023-03-03T14:00:00.000Z");
    assert.equal(iso("3 Mar 2023 10:00:00 UT"), "2023-03-03T10:00:00.000Z");
    // Military zones are read as -0000 (their signs were defined backwards in RFC 822).
    assert.equal(iso("3 Mar 2023 10:00:00 A"), "2023-03-03T10:00:00.000Z");
    assert.equal(iso("3 Mar 2023 10:00:00 Y"), "2023-03-03T10:00:00.000Z");
    assert.equal(iso("3 Mar 2023 10:00 +0100"), "2023-03-03T09:00:00.000Z");
    assert.equal(iso("(comment) Fri (x) , 03 (y) Mar 2023 10:11:12 +0000 (CET)"), "2023-03-03T10:11:12.000Z");
    assert.equal(iso("  Fri ,  03  Mar\t 2023\r\n 10:11:12  +0000  "), "2023-03-03T10:11:12.000Z");
    assert.equal(iso("Wed, 17 Jun 2009 13:56:54.123 +0200"), "2009-06-17T11:56:54.000Z");
    assert.equal(iso("Mon Jan  2 15:04:05 2006"), "2006-01-02T15:04:05.000Z");
  });

  it("returns undefined for garbage instead of throwing", () => {
    for (const s of [
      "",
      " ",
      "garbage",
      "31 Apr 2020 10:00",
      "29 Feb 2023 10:00",
      "3 Mar 2023 24:00",
      "3 Mar 2023",
      "Foo, 3 Mar 2023 10:00",
      "3 Xyz 2023 10:00",
      "3 Mar 2023 10:00:61",
      "x".repeat(5000),
      "1 Jan 12345 10:00",
    ]) {
      assert.equal(parseDate(s), undefined, s);
    }
    fc.assert(
      fc.property(fc.string(), (s) => {
        const d = parseDate(s);
        assert.ok(d === undefined || !Number.isNaN(d.getTime()));
      }),
    );
  });

  it("agrees with Python's email.utils.parsedate_to_datetime on a batch", () => {
    const cases = [
      "Thu, 01 Jan 1970 00:00:00 +0000",
      "1 Jan 70 00:00 EST",
      "Mon Jan  2 15:04:05 2006",
      "Mon, 2 Jan 2006 15:04:05 -0700 (MST)",
      "02-Jan-06 15:04:05 GMT",
      "garbage",
      "31 Apr 2020 10:00",
      "Fri,  3 Mar 2023 10:11:12 +0100",
      "Fri, 3 Mar 2023 10:11 +0100",
      "3 Mar 2023 10:11:12 +0100",
      "Fri,3 Mar 2023 10:11:12 +0100",
      "Fri, 03 Mar 23 10:11:12 +0100",
      "Fri, 03 Mar 49 10:11:12 +0100",
      "Fri, 03 Mar 99 10:11:12 +0100",
      "Fri, 03 Mar 2023 10:11:12 EDT",
      "Fri, 03 Mar 2023 10:11:12 PST",
      "Fri, 03 Mar 2023 10:11:12 UT",
      "Fri, 03 Mar 2023 10:11:12 Z",
      "Fri, 03 Mar 2023 10:11:12 -0000",
      "Fri, 03 Mar 2023 10:11:12",
      "Fri, 03 March 2023 10:11:12 +0000",
      "Fri, 03 mar 2023 10:11:12 +0000",
      "Fri, 03 Mar 2023 10:11:12 +0000 (CET)",
      "Fri, 03 Mar 2023 10:11:12 +0000 GMT",
      "Mar 03 2023 10:11:12 +0000",
      "Fri, 03 Mar 2023 10.11.12 +0000",
      "Fri, 03 Mar 2023 10:11:12+0000",
      "Fri, 29 Feb 2023 10:11:12 +0000",
      "Thu, 29 Feb 2024 10:11:12 +0000",
      "Fri, 03 Mar 2023 24:00:00 +0000",
      "Fri, 03 Mar 2023 10:60:00 +0000",
      "",
      "   ",
      "Fri, 03 Xyz 2023 10:11:12 +0000",
      "Fri, 03 Mar 2023",
      "Fri, 03 Mar 2023 10:11:12 foo",
      "Sun, 31 Dec 9999 23:59:59 +0000",
      "Fri, 3 Mar 2023 1:2:3 +0000",
      "Fri, 3 Mar 2023 10:11:12 -1200",
      "Fri, 3 Mar 2023 10:11:12 +1400",
      "Sat, 1 Jan 2000 00:00:00 +0000",
      "Tue, 31 Dec 1899 23:59:59 -0100",
    ];
    // Python's naive results (no or unknown zone) are read as UTC, as parseDate does.
    const python = askPython<{ ms: number } | null>("date", cases);
    cases.forEach((c, k) => {
      assert.equal(parseDate(c)?.getTime() ?? null, python[k]?.ms ?? null, c);
    });
  });
});

describe("formatDate", () => {
  it("writes RFC 5322 dates in UTC", () => {
    assert.equal(formatDate(new Date(0)), "Thu, 01 Jan 1970 00:00:00 +0000");
    assert.equal(formatDate(new Date("2024-02-29T23:05:09.999Z")), "Thu, 29 Feb 2024 23:05:09 +0000");
  });

  it("round-trips through parseDate (to the second)", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("1900-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59Z"),
          noInvalidDate: true,
        }),
        (d) => {
          assert.equal(parseDate(formatDate(d))?.getTime(), Math.floor(d.getTime() / 1000) * 1000);
        },
      ),
    );
  });

  it("refuses dates it cannot write", () => {
    assert.throws(() => formatDate(new Date(Number.NaN)), InvalidArgumentError);
    assert.throws(() => formatDate(new Date("1800-01-01T00:00:00Z")), InvalidArgumentError);
  });
});
