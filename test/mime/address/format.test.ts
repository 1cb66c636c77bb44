import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../../src/errors.js";
import { domainToAscii, formatAddress, parseAddressList } from "../../../src/mime/address/index.js";
import type { Address, Mailbox } from "../../../src/mime/types.js";
import { addressList } from "./arbitraries.js";

function asciiDomains(list: Address[]): Address[] {
  const fix = (m: Mailbox): Mailbox => {
    const at = m.address.lastIndexOf("@");
    return { name: m.name, address: `${m.address.slice(0, at)}@${domainToAscii(m.address.slice(at + 1))}` };
  };
  return list.map((a) => ("group" in a ? { group: a.group, members: a.members.map(fix) } : fix(a)));
}

describe("formatAddress", () => {
  const cases: Array<[Address | Address[], string, { smtputf8?: boolean }?]> = [
    [{ name: "", address: "alice@example.org" }, "alice@example.org"],
    [{ name: "Alice", address: "alice@example.org" }, "Alice <alice@example.org>"],
    [{ name: "Alice Example", address: "alice@example.org" }, "Alice Example <alice@example.org>"],
    [{ name: "Joe Q. Public", address: "j@example.org" }, '"Joe Q. Public" <j@example.org>'],
    [{ name: 'Giant; "Big" Box', address: "s@example.net" }, '"Giant; \\"Big\\" Box" <s@example.net>'],
    [{ name: "back\\slash", address: "b@example.org" }, '"back\\\\slash" <b@example.org>'],
    [{ name: "a@evil.example", address: "b@good.example" }, '"a@evil.example" <b@good.example>'],
    [{ name: " lead", address: "b@example.org" }, '" lead" <b@example.org>'],
    [{ name: "Jörg", address: "j@example.org" }, "Jörg <j@example.org>", { smtputf8: true }],
    [{ name: "", address: "user@bücher.example" }, "user@xn--bcher-kva.example"],
    [{ name: "", address: "user@bücher.example" }, "user@bücher.example", { smtputf8: true }],
    [{ name: "", address: "jörg@bücher.example" }, "jörg@bücher.example", { smtputf8: true }],
    [{ name: "", address: '"john smith"@example.org' }, '"john smith"@example.org'],
    [{ name: "", address: "user@[192.0.2.1]" }, "user@[192.0.2.1]"],
    [{ group: "undisclosed-recipients", members: [] }, "undisclosed-recipients:;"],
    [
      {
        group: "Friends",
        members: [
          { name: "", address: "a@x.example" },
          { name: "B", address: "b@x.example" },
        ],
      },
      "Friends: a@x.example, B <b@x.example>;",
    ],
    [
      [
        { name: "", address: "a@x.example" },
        { group: "G", members: [] },
      ],
      "a@x.example, G:;",
    ],
  ];
  for (const [input, expected, options] of cases) {
    it(`${JSON.stringify(input)}${options ? " smtputf8" : ""} → ${expected}`, () => {
      assert.equal(formatAddress(input, options), expected);
    });
  }

  it("encodes a non-ASCII name as encoded words without SMTPUTF8", () => {
    const text = formatAddress({ name: "Jörg Müller", address: "j@example.org" });
    assert.match(
      text,
      /^=\?utf-8\?[BQ]\?[\x21-\x7e]+\?=( =\?utf-8\?[BQ]\?[\x21-\x7e]+\?=)* <j@example\.org>$/,
    );
    assert.deepEqual(parseAddressList(text), [{ name: "Jörg Müller", address: "j@example.org" }]);
  });

  it("encodes a name a reader would decode, so it comes back as written", () => {
    const name = "=?utf-8?B?QUI=?=";
    const text = formatAddress({ name, address: "a@example.org" });
    assert.notEqual(text.slice(0, name.length), name);
    assert.deepEqual(parseAddressList(text), [{ name, address: "a@example.org" }]);
    // Text that only looks like the start of a word stays readable.
    assert.equal(formatAddress({ name: "=?x", address: "a@example.org" }), "=?x <a@example.org>");
  });

  it("normalizes the addr-spec it is given (comments, spaces)", () => {
    assert.equal(formatAddress({ name: "", address: " a (c) @ example.org " }), "a@example.org");
  });

  const refused: Array<[string, Address | Address[], { smtputf8?: boolean }?]> = [
    ["CRLF in a name (CVE-2021-23400)", { name: "A\r\nBcc: v@example.org", address: "a@example.org" }],
    ["LF in a name", { name: "A\nB", address: "a@example.org" }],
    ["NUL in a name", { name: "A\u0000", address: "a@example.org" }],
    ["ESC in a name", { name: "A\u001b[2J", address: "a@example.org" }],
    ["C1 in a name", { name: "A\u0085", address: "a@example.org" }],
    ["a lone surrogate in a name", { name: "A\ud800", address: "a@example.org" }],
    ["CRLF in an address", { name: "", address: "a@example.org\r\nBcc: v@example.org" }],
    ["NUL in an address", { name: "", address: "a\u0000@example.org" }],
    ["a second address", { name: "", address: "a@example.org, b@example.org" }],
    ["a display name in the address", { name: "", address: "Eve <a@example.org>" }],
    ["two '@'", { name: "", address: "a@b@example.org" }],
    ["no '@'", { name: "", address: "alice" }],
    ["an empty address", { name: "A", address: "" }],
    ["an encoded word in the address", { name: "", address: "=?utf-8?q?a=40b?=c@example.org" }],
    ["a quoted '@' (M2)", { name: "", address: '"a@b"@example.org' }],
    ["a non-ASCII local part without smtputf8", { name: "", address: "jörg@example.org" }],
    ["an invalid IDN", { name: "", address: "a@xn--zz.example" }],
    ["an IDN that maps to another name", { name: "", address: "a@ｅｘａｍｐｌｅ.org" }],
    ["a group without a name", { group: "", members: [] }],
    ["a nested group", { group: "G", members: [{ group: "H", members: [] } as unknown as Mailbox] }],
    ["a name that is not a string", { name: 42 as unknown as string, address: "a@example.org" }],
  ];
  for (const [what, input, options] of refused) {
    it(`refuses ${what}`, () => {
      assert.throws(() => formatAddress(input, options), InvalidArgumentError);
    });
  }

  it("a quoted '@' passes with allowQuotedAt", () => {
    assert.equal(
      formatAddress({ name: "", address: '"a@b"@example.org' }, { allowQuotedAt: true }),
      '"a@b"@example.org',
    );
  });
});

describe("formatAddress → parseAddressList round trip (properties)", () => {
  it("with SMTPUTF8: Unicode names, local parts and domains come back as they were", () => {
    fc.assert(
      fc.property(addressList({ unicodeLocal: true, unicodeDomain: true }), (list) => {
        const text = formatAddress(list, { smtputf8: true });
        assert.doesNotMatch(text, /[\r\n\u0000]/);
        assert.deepEqual(parseAddressList(text), list);
      }),
      { numRuns: 500 },
    );
  });

  it("without SMTPUTF8: ASCII only on the wire, names decoded back, domains in A-labels", () => {
    fc.assert(
      fc.property(addressList({ unicodeLocal: false, unicodeDomain: true }), (list) => {
        const text = formatAddress(list);
        assert.match(text, /^[\u0020-\u007e]*$/);
        assert.deepEqual(parseAddressList(text), asciiDomains(list));
      }),
      { numRuns: 500 },
    );
  });

  it("parse → format → parse is stable on the formatted text", () => {
    fc.assert(
      fc.property(addressList({ unicodeLocal: false, unicodeDomain: false }), (list) => {
        const text = formatAddress(list);
        assert.equal(formatAddress(parseAddressList(text)), text);
      }),
      { numRuns: 300 },
    );
  });
});
