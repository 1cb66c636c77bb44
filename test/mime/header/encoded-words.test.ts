import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../../src/errors.js";
import { decodeEncodedWords, encodeHeaderText } from "../../../src/mime/header/encoded-words.js";
import { askPython } from "./python-oracle.js";

const kinds = (value: string): string[] => decodeEncodedWords(value).defects.map((d) => d.kind);
const text = (value: string): string => decodeEncodedWords(value).text;

/** The encoded words of an encoder's output. */
const wordsOf = (encoded: string): string[] => encoded.match(/=\?[^?]+\?[BQ]\?[^?]*\?=/g) ?? [];

describe("decodeEncodedWords", () => {
  it("decodes B and Q words in any case and charset (RFC 2047 §4)", () => {
    assert.equal(text("=?ISO-8859-1?Q?Andr=E9?= Pirard"), "André Pirard");
    assert.equal(text("=?US-ASCII?Q?Keith_Moore?="), "Keith Moore");
    assert.equal(text("=?utf-8?b?w6k=?="), "é");
    assert.equal(text("=?koi8-r?B?8NLJ18XU?="), "Привет");
    assert.equal(text("=?shift_jis?B?gqCCooKk?="), "あいう");
    assert.equal(text("=?iso-2022-jp?B?GyRCJEskWyRzGyhC?="), "にほん");
  });

  it("drops whitespace between adjacent words only (§6.2)", () => {
    assert.equal(text("=?utf-8?q?a?= =?utf-8?q?b?="), "ab");
    assert.equal(text("=?utf-8?q?a?=\r\n\t =?iso-8859-1?q?b?="), "ab");
    assert.equal(text("=?utf-8?q?a?= b =?utf-8?q?c?="), "a b c");
    assert.equal(text("x  =?utf-8?q?y?=  z"), "x  y  z");
  });

  it("joins same-charset words as bytes: a character split across words comes out whole", () => {
    assert.equal(text("=?utf-8?Q?=E2=82?= =?utf-8?Q?=AC?="), "€");
    assert.equal(text("=?utf-8?B?8J+Y?= =?UTF8?B?gA==?="), "😀");
    assert.equal(text("=?shift_jis?B?gg==?= =?shift_jis?B?oA==?="), "あ");
    assert.deepEqual(kinds("=?utf-8?Q?=E2=82?= =?utf-8?Q?=AC?="), []);
  });

  it("takes the charset without its RFC 2231 §5 language", () => {
    assert.equal(text("=?utf-8*en-us?q?hi?="), "hi");
  });

  it("keeps malformed words as text, with a defect", () => {
    for (const word of ["=?utf-8?x?abc?=", "=?utf-8?b?!!!?=", "=?utf-8?b?YWJjZ?=", "=??q?a?="]) {
      const r = decodeEncodedWords(`a ${word} b`);
      assert.equal(r.text, `a ${word} b`, word);
      assert.deepEqual(
        r.defects.map((d) => d.kind),
        ["malformed-encoded-word"],
        word,
      );
    }
    // A malformed word does not swallow the good one after it.
    assert.equal(text("=?utf-8?x?junk =?utf-8?q?real?="), "=?utf-8?x?junk real");
  });

  it("passes on charset defects", () => {
    assert.deepEqual(kinds("=?x-unknown?q?hi?="), ["unknown-charset"]);
    assert.equal(text("=?x-unknown?q?hi?="), "hi");
    assert.deepEqual(kinds("=?utf-8?q?=FF?="), ["invalid-charset-bytes"]);
  });

  it("leaves text without words alone", () => {
    for (const s of ["plain", "=?", "=?=?=?", "a=?b", "?= =?", "=?utf-8?q?no end", ""]) {
      assert.deepEqual(decodeEncodedWords(s), { text: s, defects: [] });
    }
  });

  it("agrees with Python's email.policy.default on a batch", () => {
    const cases = [
      "=?utf-8?B?4oKs?= =?utf-8?B?4oKs?=",
      "=?utf-8?Q?=E2=82?= =?utf-8?Q?=AC?=",
      "abc=?utf-8?q?d?=ef",
      "a =?utf-8?q?b?=  c",
      "=?utf-8?q?a b?=",
      "=?utf-8?x?abc?=",
      "=?utf-8?b?YWJ?=",
      "=?utf-8*en?q?hi?=",
      "=?utf-8?x?junk =?utf-8?q?real?=",
      "=?ISO-8859-1?Q?a?= b =?ISO-8859-1?Q?c?=",
      "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
      "(=?ISO-8859-1?Q?a?=)",
      "=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=",
      "=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=",
      "=?koi8-r?B?8NLJ18XU?=",
      "=?gb2312?B?xOO6ww==?=",
      "=?euc-kr?B?vsiz58fPvLy/5A==?=",
      "=?big5?B?pKSk5Q==?=",
      "=?windows-1251?Q?=CF=F0=E8=E2=E5=F2?=",
      "Re: =?utf-8?q?=E2=82=AC?= price",
      "=?utf-8?q?a?=\t=?utf-8?q?b?=",
      "=?=?=?",
      "=?utf-8?Q?a?==?utf-8?Q?b?=",
      "x =?utf-8?q?y?= =?utf-8?q?z?= w",
      "=?utf-8?Q?=F0=9F=98?= =?utf-8?Q?=80?=",
      "=?utf-8?B?8J+Y?= =?utf-8?B?gA==?=",
      "=?utf-16?B?/v8AQQBC?=",
      "=?utf-8?q?=3F?=",
    ];
    const python = askPython<string>("decode-default", cases);
    cases.forEach((c, k) => {
      assert.equal(text(c), python[k], c);
    });
  });

  it("agrees with Python's decode_header + make_header where words stand apart", () => {
    // The legacy API puts a space between a word and glued plain text; we (and policy.default) don't.
    const cases = [
      "=?utf-8?Q?=E2=82?= =?utf-8?Q?=AC?=",
      "=?utf-8?B?8J+Y?=\t=?utf-8?B?gA==?=",
      "=?shift_jis?B?gg==?= =?shift_jis?B?oA==?=",
      "=?ISO-8859-1?Q?Andr=E9?= Pirard <andre@example.org>",
      "Re: =?koi8-r?B?8NLJ18XU?= =?utf-8?q?_and_more?= tail",
      "=?utf-8?x?abc?=",
      "no words at all",
    ];
    const python = askPython<string>("decode-legacy", cases);
    cases.forEach((c, k) => {
      assert.equal(text(c), python[k], c);
    });
  });

  it("is linear on hostile input (1 MB of =? runs, 100,000 words)", () => {
    const mb = 1024 * 1024;
    for (const unit of ["=?", "=?x?", "=?utf-8?q?", "=?utf-8?q?a", "=?a?b?=?", "=?utf-8?x?a?"]) {
      const s = unit.repeat(Math.ceil(mb / unit.length));
      assert.equal(text(s).length, s.length, unit);
    }
    const words = "=?utf-8?q?a?= ".repeat(100_000);
    assert.equal(text(words), `${"a".repeat(100_000)} `);
    const mixed = "=?utf-8?q?a?= =?iso-8859-1?q?b?= ".repeat(50_000);
    assert.equal(text(mixed), `${"ab".repeat(50_000)} `);
    const bad = "=?utf-8?b?!?= ".repeat(100_000);
    const r = decodeEncodedWords(bad);
    assert.equal(r.text, bad);
    assert.equal(r.defects.length, 1);
  });
});

describe("encodeHeaderText", () => {
  it("leaves printable ASCII alone", () => {
    for (const s of ["Hello world", "  x\ty  ", "a=?b", "=?", "What?=", ""])
      assert.equal(encodeHeaderText(s), s);
  });

  it("encodes ASCII that a decoder would misread", () => {
    const s = "see =?utf-8?q?not_a_word?= here";
    const e = encodeHeaderText(s);
    assert.notEqual(e, s);
    assert.ok(e.startsWith("see =?utf-8?"));
    assert.equal(text(e), s);
  });

  it("encodes only the runs of words that need it", () => {
    assert.equal(encodeHeaderText("Hello wörld"), "Hello =?utf-8?B?d8O2cmxk?=");
    assert.equal(encodeHeaderText("a naïve-approach b"), "a =?utf-8?Q?na=C3=AFve-approach?= b");
    const e = encodeHeaderText("Grüße aus Köln, tschüss");
    assert.equal(text(e), "Grüße aus Köln, tschüss");
  });

  it("chooses the shorter of Q and B", () => {
    assert.match(encodeHeaderText("Cafés-et-restaurants"), /^=\?utf-8\?Q\?/);
    assert.match(encodeHeaderText("日本語のテキスト"), /^=\?utf-8\?B\?/);
  });

  it("restricts Q to the phrase characters of §5(3) and encodes whole phrases", () => {
    const e = encodeHeaderText('Zoë "the (boss)", Inc.', { phrase: true });
    for (const w of wordsOf(e)) {
      if (w.startsWith("=?utf-8?Q?")) assert.match(w.slice(10, -2), /^[A-Za-z0-9!*+\-/=_]*$/, w);
    }
    assert.ok(!/["(),]/.test(e.replace(/=\?utf-8\?B\?[^?]*\?=/g, "")), e);
    assert.equal(text(e), 'Zoë "the (boss)", Inc.');
    assert.equal(encodeHeaderText("Plain Name", { phrase: true }), "Plain Name");
  });

  it("keeps the first word short enough for the field name", () => {
    const e = encodeHeaderText("€".repeat(60), { fieldNameLength: "X-Very-Long-Header-Name".length });
    const first = wordsOf(e)[0]!;
    assert.ok("X-Very-Long-Header-Name: ".length + first.length <= 78, first);
  });

  it("refuses CR, LF and NUL", () => {
    for (const s of ["a\r\nBcc: x@y", "a\nb", "a\rb", "a\0b", "é\n"]) {
      assert.throws(() => encodeHeaderText(s), InvalidArgumentError, JSON.stringify(s));
    }
  });

  const unicodeText = fc.string({
    unit: fc.oneof(
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
      fc.constantFrom(" ", "\t", "=?", "?=", "_", "=", "?", "?Q?", "=?utf-8?q?", "é", "€", "😀", "\x01"),
    ),
    maxLength: 60,
  });

  it("round-trips, with words of at most 75 characters that never split a character", () => {
    fc.assert(
      fc.property(unicodeText, fc.boolean(), fc.integer({ min: 1, max: 70 }), (s, phrase, nameLength) => {
        const e = encodeHeaderText(s, { phrase, fieldNameLength: nameLength });
        assert.equal(text(e), s);
        assert.ok(!/[\r\n]/.test(e));
        for (const w of wordsOf(e)) {
          assert.ok(w.length <= 75, w);
          const alone = decodeEncodedWords(w);
          assert.deepEqual(alone.defects, [], w);
          assert.ok(!alone.text.includes("\ufffd") || s.includes("\ufffd"), w);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("is read back by Python's email.policy.default", () => {
    const samples = fc.sample(
      unicodeText.filter((s) => s.trim() === s && !/\s\s/.test(s)),
      {
        numRuns: 150,
        seed: 2047,
      },
    );
    samples.push("Grüße aus Köln", "日本語のテキスト".repeat(8), "😀 emoji 😀", "a =?utf-8?q?b?= c");
    const encoded = samples.map((s) => encodeHeaderText(s, { fieldNameLength: 7 }));
    const python = askPython<string>("decode-default", encoded);
    samples.forEach((s, k) => {
      assert.equal(python[k], s, encoded[k]);
    });
  });
});
