import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../../src/errors.js";
import {
  formatAddress,
  parseAddressList,
  parseMailbox,
  tryParseAddressList,
} from "../../../src/mime/address/index.js";
import type { Address } from "../../../src/mime/types.js";
import { INVALID, VALID } from "./cases.js";

function rejects(fn: () => unknown, what: string): InvalidArgumentError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof InvalidArgumentError, `${what}: threw ${String(error)}`);
    return error;
  }
  assert.fail(`${what}: did not throw`);
}

describe("parseAddressList: the valid table", () => {
  for (const { input, expected, note } of VALID) {
    it(`${JSON.stringify(input)}${note ? ` (${note})` : ""}`, () => {
      assert.deepEqual(parseAddressList(input), expected);
    });
  }
});

describe("parseAddressList: the invalid table", () => {
  for (const { input, note } of INVALID) {
    it(`${JSON.stringify(input)} (${note})`, () => {
      const error = rejects(() => parseAddressList(input), note);
      assert.match(error.message, /^invalid address: /);
      // The message is safe to print: control characters escaped.
      assert.doesNotMatch(error.message, /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/);
      const soft = tryParseAddressList(input);
      if (input.trim() === "" || /^[\s,()]*$/.test(input)) {
        assert.deepEqual(soft, { addresses: [], defects: [] });
      } else {
        assert.deepEqual(soft.addresses, []);
        assert.equal(soft.defects.length, 1);
        assert.equal(soft.defects[0]!.kind, "invalid-address");
      }
    });
  }
});

describe("parseAddressList: options and edge cases", () => {
  it("returns [] for an empty list only with allowEmpty", () => {
    assert.deepEqual(parseAddressList("", { allowEmpty: true }), []);
    assert.deepEqual(parseAddressList(" , (comment) ,", { allowEmpty: true }), []);
    rejects(() => parseAddressList("  "), "blank");
  });

  it("accepts a quoted local part with '@' only when asked (M2)", () => {
    const input = '"xclow3n@gmail.com x"@internal.domain';
    assert.deepEqual(parseAddressList(input, { allowQuotedAt: true }), [
      { name: "", address: '"xclow3n@gmail.com x"@internal.domain' },
    ]);
  });

  it("keeps an encoded word inside a quoted name a name", () => {
    const [mailbox] = parseAddressList('"=?utf-8?b?YUBldmlsLmV4YW1wbGU=?=" <b@good.example>');
    assert.deepEqual(mailbox, { name: "a@evil.example", address: "b@good.example" });
  });

  it("replaces control characters a decoded name would hold (Mailsploit)", () => {
    const [mailbox] = parseAddressList(
      "=?utf-8?b?cG90dXNAd2hpdGVob3VzZS5nb3Y=?= =?utf-8?Q?=00=0D=0A?= <attacker@mailsploit.com>",
    );
    assert.ok(mailbox && "address" in mailbox);
    assert.equal(mailbox.address, "attacker@mailsploit.com");
    assert.doesNotMatch(mailbox.name, /[\u0000-\u001f]/);
    assert.match(mailbox.name, /^potus@whitehouse\.gov\uFFFD+$/);
  });

  it("reports undecodable encoded words in names as defects, not failures", () => {
    const result = tryParseAddressList("=?utf-8?B?####?= <a@example.org>");
    assert.equal(result.addresses.length, 1);
    assert.deepEqual(
      result.defects.map((d) => d.kind),
      ["malformed-encoded-word"],
    );
  });

  it("refuses comments nested past the bound without recursing", () => {
    const depth = 64;
    assert.deepEqual(parseAddressList(`${"(".repeat(depth)}${")".repeat(depth)} a@example.org`), [
      { name: "", address: "a@example.org" },
    ]);
    rejects(() => parseAddressList(`${"(".repeat(depth + 1)}${")".repeat(depth + 1)} a@example.org`), "deep");
  });

  it("the error names the offset of the problem", () => {
    const error = rejects(() => parseAddressList("a@b.example, c@d@e.example"), "two @");
    assert.match(error.message, /offset 16/);
  });
});

describe("parseMailbox", () => {
  it("parses exactly one mailbox", () => {
    assert.deepEqual(parseMailbox("Alice <alice@example.org>"), {
      name: "Alice",
      address: "alice@example.org",
    });
    assert.deepEqual(parseMailbox(" alice@example.org (x) "), { name: "", address: "alice@example.org" });
    assert.deepEqual(parseMailbox('"a@evil" <b@good>'), { name: "a@evil", address: "b@good" });
  });

  for (const input of [
    "a@example.org, b@example.org",
    "a@example.org,",
    ", a@example.org",
    "g: a@example.org;",
    "g:;",
    "",
    "Alice",
    "a@b@c",
    "<a@b>c@d",
  ]) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      rejects(() => parseMailbox(input), input);
    });
  }

  for (const { input, note } of INVALID) {
    it(`refuses the invalid case ${JSON.stringify(input)} (${note})`, () => {
      rejects(() => parseMailbox(input), note);
    });
  }
});

describe("parseAddressList: hostile input in linear time (no timing asserts: a quadratic parser times out)", () => {
  it("100,000 addresses (GHSA-2x7j-588g-ccc2)", () => {
    const list = parseAddressList("a@b.com,".repeat(100_000));
    assert.equal(list.length, 100_000);
    assert.deepEqual(list[99_999], { name: "", address: "a@b.com" });
  });

  it("100,000 nested groups are refused, no RangeError (CVE-2025-14874)", () => {
    let text = "";
    for (let i = 0; i < 100_000; i++) text += `g${i}:`;
    text += "a@b.com";
    text += ";".repeat(100_000);
    const error = rejects(() => parseAddressList(text), "nested groups");
    assert.match(error.message, /nested/);
  });

  it("1 MB of '(' and of '\"'", () => {
    rejects(() => parseAddressList("(".repeat(1 << 20)), "parens");
    rejects(() => parseAddressList('"'.repeat(1 << 20)), "even quotes");
    rejects(() => parseAddressList('"'.repeat((1 << 20) + 1)), "odd quotes");
    assert.equal(parseAddressList(`${"(x)".repeat(300_000)}a@b.example`).length, 1);
    assert.equal((parseAddressList(`${'""'.repeat(300_000)} <a@b.example>`)[0] as { name: string }).name, "");
  });

  it("1 MB of '=?' in a name, a local part, and as a name alone", () => {
    const runs = "=?".repeat(1 << 19);
    const [mailbox] = parseAddressList(`${runs} <a@b.example>`);
    assert.equal((mailbox as { address: string }).address, "a@b.example");
    rejects(() => parseAddressList(`${runs}@b.example`), "=? local part");
    rejects(() => parseAddressList(runs), "=? alone");
  });

  it("1 MB of '<', of ':', of ',', of '@' and of dots", () => {
    rejects(() => parseAddressList("<".repeat(1 << 20)), "<");
    rejects(() => parseAddressList(":".repeat(1 << 20)), ":");
    rejects(() => parseAddressList("@".repeat(1 << 20)), "@");
    assert.deepEqual(parseAddressList(",".repeat(1 << 20), { allowEmpty: true }), []);
    assert.equal(parseAddressList(`a${".a".repeat(1 << 18)}@b.example`).length, 1);
    rejects(() => parseAddressList(`a${".".repeat(1 << 20)}@b.example`), "dots");
  });

  it("a long route and a long phrase", () => {
    assert.equal(parseAddressList(`<${"@r.example,".repeat(50_000)}:a@b.example>`).length, 1);
    const [mailbox] = parseAddressList(`${"w ".repeat(200_000)}<a@b.example>`);
    assert.equal((mailbox as { name: string }).name.length, 399_999);
  });
});

describe("parseAddressList: properties on arbitrary text", () => {
  const PIECES = [
    "a",
    "b.c",
    "@",
    "<",
    ">",
    ",",
    ";",
    ":",
    ".",
    " ",
    '"',
    "\\",
    "(",
    ")",
    "[",
    "]",
    "=?",
    "?=",
    "=?utf-8?q?=40x?=",
    "=?utf-8?b?QEA=?=",
    "x@y.example",
    "ö",
    "\t",
    "\u0000",
    "\r\n",
  ];
  const text = fc
    .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 3 })), { maxLength: 20 })
    .map((p) => p.join(""));

  const addressesOf = (list: Address[]) => list.flatMap((a) => ("group" in a ? a.members : [a]));

  it("either parses or throws InvalidArgumentError; what parses formats and parses back the same", () => {
    fc.assert(
      fc.property(text, (input) => {
        let list: Address[];
        try {
          list = parseAddressList(input, { allowEmpty: true });
        } catch (error) {
          assert.ok(error instanceof InvalidArgumentError, String(error));
          return;
        }
        for (const mailbox of addressesOf(list)) {
          assert.ok(mailbox.address.length > 0);
          assert.ok(!mailbox.address.includes("=?"), mailbox.address);
        }
        if (list.length > 0)
          assert.deepEqual(parseAddressList(formatAddress(list, { smtputf8: true })), list);
      }),
      { numRuns: 2000 },
    );
  });

  it("a decoded display name never becomes an address, whatever it decodes to", () => {
    fc.assert(
      fc.property(text, (name) => {
        const word = `=?utf-8?b?${Buffer.from(name).toString("base64")}?=`;
        const list = parseAddressList(`${word} <victim@good.example>, ${word} : a@b.example;`);
        assert.equal(list.length, 2);
        assert.equal((list[0] as { address: string }).address, "victim@good.example");
        assert.deepEqual((list[1] as { members: unknown[] }).members, [{ name: "", address: "a@b.example" }]);
        assert.throws(() => parseAddressList(word), InvalidArgumentError);
      }),
      { numRuns: 1000 },
    );
  });
});
