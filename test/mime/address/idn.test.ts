import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../../src/errors.js";
import { domainToAscii, domainToUnicodeSafe } from "../../../src/mime/address/index.js";

describe("domainToAscii / domainToUnicodeSafe", () => {
  const pairs: Array<[string, string, string]> = [
    // input, A-labels, U-labels
    ["bücher.example", "xn--bcher-kva.example", "bücher.example"],
    ["BÜCHER.Example", "xn--bcher-kva.example", "bücher.example"],
    ["xn--bcher-kva.example", "xn--bcher-kva.example", "bücher.example"],
    ["XN--BCHER-KVA.EXAMPLE", "xn--bcher-kva.example", "bücher.example"],
    ["straße.de", "xn--strae-oqa.de", "straße.de"],
    ["例え.テスト", "xn--r8jz45g.xn--zckzah", "例え.テスト"],
    ["例え。テスト", "xn--r8jz45g.xn--zckzah", "例え.テスト"],
    ["bu\u0308cher.example", "xn--bcher-kva.example", "bücher.example"],
    ["💩.la", "xn--ls8h.la", "💩.la"],
    ["example.org", "example.org", "example.org"],
    ["Example.ORG", "example.org", "example.org"],
    ["localhost", "localhost", "localhost"],
    ["[192.0.2.1]", "[192.0.2.1]", "[192.0.2.1]"],
    ["[IPv6:2001:db8::1]", "[IPv6:2001:db8::1]", "[IPv6:2001:db8::1]"],
  ];
  for (const [input, ascii, unicode] of pairs) {
    it(`${input} ⇄ ${ascii}`, () => {
      assert.equal(domainToAscii(input), ascii);
      assert.equal(domainToUnicodeSafe(input), unicode);
      assert.equal(domainToUnicodeSafe(ascii), unicode);
    });
  }

  // What node:url's domainToASCII would silently rewrite or accept, and an address must not.
  const refused: Array<[string, string]> = [
    ["", "empty"],
    ["a..example", "empty label"],
    ["example.org.", "trailing dot"],
    [".example.org", "leading dot"],
    ["ex%41mple.org", "percent-decoding (→ example.org)"],
    ["0x7f.1", "IPv4 number parsing (→ 127.0.0.1)"],
    ["192.0.2.1", "an IP address outside a literal"],
    ["example.0", "numeric last label"],
    ["pay\u200bpal.example", "zero-width space dropped (→ paypal.example)"],
    ["\u200b.example", "zero-width label"],
    ["ﬀ.example", "compatibility mapping (→ ff.example)"],
    ["Ⅻ.example", "compatibility mapping (→ xii.example)"],
    ["ｅｘａｍｐｌｅ.org", "fullwidth letters (→ example.org)"],
    ["xn--zz.example", "invalid punycode"],
    ["xn--a.example", "invalid punycode"],
    ["a_b.example", "underscore"],
    ["-a.example", "leading hyphen"],
    ["a-.example", "trailing hyphen"],
    ["exa mple.org", "space"],
    ["ex@mple.org", "'@'"],
    [`${"a".repeat(64)}.example`, "label over 63 octets"],
    [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`, "over 253 octets"],
    ["a\u0000.example", "NUL"],
    ["a\r\n.example", "CRLF"],
  ];
  for (const [input, why] of refused) {
    it(`refuses ${JSON.stringify(input)} (${why})`, () => {
      assert.throws(() => domainToAscii(input), InvalidArgumentError);
      assert.throws(() => domainToUnicodeSafe(input), InvalidArgumentError);
    });
  }

  it("accepts a name of exactly 253 octets", () => {
    const name = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`;
    assert.equal(domainToAscii(name), name);
  });
});
