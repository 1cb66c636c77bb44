import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../../src/errors.js";
import { generateMessageId, parseMessageIds } from "../../../src/mime/header/message-id.js";

describe("parseMessageIds", () => {
  it("reads bracketed ids in order, without brackets", () => {
    assert.deepEqual(parseMessageIds("<a@b>"), ["a@b"]);
    assert.deepEqual(parseMessageIds(" <a@b>\r\n <c@d>\t<e@f> "), ["a@b", "c@d", "e@f"]);
    assert.deepEqual(parseMessageIds("<a@b> <a@b>"), ["a@b", "a@b"]);
  });

  it("tolerates glued ids, commas, folding inside an id and a missing >", () => {
    assert.deepEqual(parseMessageIds("<a@b><c@d>"), ["a@b", "c@d"]);
    assert.deepEqual(parseMessageIds("<a@b>,<c@d>, <e@f>"), ["a@b", "c@d", "e@f"]);
    assert.deepEqual(parseMessageIds("<abc@\r\n example.org>"), ["abc@example.org"]);
    assert.deepEqual(parseMessageIds("<a@b"), ["a@b"]);
    assert.deepEqual(parseMessageIds("<a@b <c@d>"), ["a@b", "c@d"]);
  });

  it("reads ids without brackets, and skips comments and quoted text", () => {
    assert.deepEqual(parseMessageIds("a@b c@d"), ["a@b", "c@d"]);
    assert.deepEqual(parseMessageIds("a@b,c@d"), ["a@b", "c@d"]);
    assert.deepEqual(parseMessageIds("<a@b> (Alice's message of x@y)"), ["a@b"]);
    assert.deepEqual(parseMessageIds('Your message of "Mon, 1 Jan" <a@b>'), ["a@b"]);
    assert.deepEqual(parseMessageIds('"x@y" <a@b>'), ["a@b"]);
  });

  it("skips empty and meaningless input", () => {
    for (const s of ["", "   ", "<>", "< >", "no ids here", "@", "x@", "(a@b)"])
      assert.deepEqual(parseMessageIds(s), [], s);
  });

  it("is linear on hostile input", () => {
    const n = 1024 * 1024;
    assert.equal(parseMessageIds("<".repeat(n)).length, 0);
    assert.deepEqual(parseMessageIds(`<${" ".repeat(n)}x@y`), ["x@y"]);
    assert.equal(parseMessageIds(`<a${" b".repeat(n / 2)}`).length, 1);
    assert.equal(parseMessageIds(`<a${" ".repeat(n)}b>`)[0], "ab");
    assert.equal(parseMessageIds("(".repeat(n)).length, 0);
    assert.equal(parseMessageIds('"'.repeat(n)).length, 0);
    assert.equal(parseMessageIds("<a@b>".repeat(n / 5)).length, Math.floor(n / 5));
  });
});

describe("generateMessageId", () => {
  it("makes unique, bracketed ids on the default or the given domain", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => generateMessageId()));
    assert.equal(ids.size, 1000);
    for (const id of ids) {
      assert.match(id, /^<[a-z0-9]+\.[A-Za-z0-9_-]{22}@inetkit\.invalid>$/);
      assert.deepEqual(parseMessageIds(id), [id.slice(1, -1)]);
    }
    assert.match(generateMessageId("mail.example.org"), /@mail\.example\.org>$/);
    assert.match(generateMessageId("bücher.example"), /@xn--bcher-kva\.example>$/);
  });

  it("refuses a domain that does not belong in an id", () => {
    for (const d of ["", "a b", "a\r\nb", "a>b", "<a", "a@b", "a\0b"]) {
      assert.throws(() => generateMessageId(d), InvalidArgumentError, JSON.stringify(d));
    }
  });
});
