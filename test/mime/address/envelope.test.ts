import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../../src/errors.js";
import {
  isValidEnvelopeAddress,
  parseAddressList,
  toAsciiAddress,
  toUnicodeAddress,
} from "../../../src/mime/address/index.js";
import { INVALID } from "./cases.js";

const VALID = [
  "a@example.org",
  "first.last+tag@example.org",
  "!#$%&'*+-/?=^_`{|}~@example.org",
  '"john smith"@example.org',
  '"a\\"b"@example.org',
  "user@[192.0.2.1]",
  "user@[IPv6:2001:db8::1]",
  "user@localhost",
  "User@Example.ORG",
  "user@xn--bcher-kva.example",
  `${"l".repeat(64)}@example.org`,
  `a@${"d".repeat(63)}.${"e".repeat(63)}.${"f".repeat(63)}.${"g".repeat(59)}`,
];

const INVALID_ENVELOPE: Array<[string, string]> = [
  ["", "empty (the null reverse-path is the client's business)"],
  ["<a@example.org>", "angle brackets"],
  ["Alice <a@example.org>", "a display name"],
  [" a@example.org", "leading space"],
  ["a@example.org ", "trailing space"],
  ["a(c)@example.org", "a comment"],
  ["a . b@example.org", "obsolete spaces around a dot"],
  ['"a\\b"@example.org', "a needless quoted-pair"],
  ['"a\tb"@example.org', "TAB in a quoted local part"],
  ['""@example.org', "empty quoted local part"],
  ["a@b@example.org", "two '@' (CVE-2019-16056)"],
  ['"a@b"@example.org', "quoted '@' (GHSA-mm7p-fcc7-pg87, M2)"],
  ["=?utf-8?q?a=40b?=c@example.org", "encoded word (gh-152519)"],
  ["a@[1.2.3]", "bad IPv4 literal"],
  ["a@[IPv6:zz]", "bad IPv6 literal"],
  ["a@[tag:content]", "general address literal"],
  ["a@192.0.2.1", "IP address outside a literal"],
  ["a@a_b.example", "underscore in a domain"],
  ["a@-a.example", "label starting with '-'"],
  [`a@${"d".repeat(64)}.example`, "label over 63 octets"],
  [
    `${"l".repeat(10)}@${"d".repeat(63)}.${"e".repeat(63)}.${"f".repeat(63)}.${"g".repeat(61)}`,
    "over 254 octets",
  ],
  [`${"l".repeat(65)}@example.org`, "local part over 64 octets"],
  ["a@xn--zz.example", "invalid A-label"],
  ["jörg@example.org", "UTF-8 local part without SMTPUTF8"],
  ["a@bücher.example", "U-label without SMTPUTF8"],
  ["foo\u0140bar.example@good.example", "Splitting the email atom: U+0140 is not '@'"],
  ["a@example.org\r\n", "CRLF"],
  ["a@example.org\r\nRCPT TO:<b@example.org>", "command injection"],
  ["a\u0000@example.org", "NUL"],
];

describe("isValidEnvelopeAddress", () => {
  for (const address of VALID) {
    it(`accepts ${JSON.stringify(address)}`, () => {
      assert.equal(isValidEnvelopeAddress(address), true);
      // The same parser reads it in a header, to the same address (G9).
      assert.deepEqual(parseAddressList(address), [{ name: "", address }]);
    });
  }
  for (const [address, why] of INVALID_ENVELOPE) {
    it(`refuses ${JSON.stringify(address)} (${why})`, () => {
      assert.equal(isValidEnvelopeAddress(address), false);
    });
  }
  for (const { input, note } of INVALID) {
    it(`refuses the invalid header case ${JSON.stringify(input)} (${note})`, () => {
      assert.equal(isValidEnvelopeAddress(input, { smtputf8: true }), false);
    });
  }

  it("accepts UTF-8 local parts and U-labels only with smtputf8", () => {
    for (const address of ["jörg@bücher.example", "山田@例え.テスト", "user@bücher.example"]) {
      assert.equal(isValidEnvelopeAddress(address), false, address);
      assert.equal(isValidEnvelopeAddress(address, { smtputf8: true }), true, address);
    }
    // 64 octets, not 64 characters.
    assert.equal(isValidEnvelopeAddress(`${"ö".repeat(33)}@example.org`, { smtputf8: true }), false);
    assert.equal(isValidEnvelopeAddress(`${"ö".repeat(32)}@example.org`, { smtputf8: true }), true);
  });

  it("accepts a quoted '@' only with allowQuotedAt", () => {
    assert.equal(isValidEnvelopeAddress('"a@b"@example.org', { allowQuotedAt: true }), true);
  });
});

describe("toAsciiAddress / toUnicodeAddress", () => {
  it("converts the domain both ways and keeps the local part", () => {
    assert.equal(toAsciiAddress("User@Bücher.Example"), "User@xn--bcher-kva.example");
    assert.equal(toAsciiAddress('"a b"@[192.0.2.1]'), '"a b"@[192.0.2.1]');
    assert.equal(toUnicodeAddress("user@xn--bcher-kva.example"), "user@bücher.example");
    assert.equal(toUnicodeAddress("user@例え。テスト"), "user@例え.テスト");
  });

  it("refuses what the envelope cannot carry", () => {
    for (const address of [
      "jörg@example.org",
      "a@xn--zz.example",
      "a@b@c",
      '"a@b"@c.example',
      "a@ｅｘａｍｐｌｅ.org",
    ]) {
      assert.throws(() => toAsciiAddress(address), InvalidArgumentError, address);
    }
    assert.throws(() => toUnicodeAddress("a@xn--zz.example"), InvalidArgumentError);
  });
});
