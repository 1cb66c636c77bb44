import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { EXCERPT_LENGTH, excerpt } from "../../src/textproto/excerpt.js";

describe("excerpt", () => {
  it("keeps short printable text as it is", () => {
    assert.equal(excerpt(Buffer.from("250 ok caf\u00e9")), "250 ok caf\u00e9");
    assert.equal(excerpt("x".repeat(EXCERPT_LENGTH)), "x".repeat(EXCERPT_LENGTH));
    assert.equal(excerpt(""), "");
  });

  it("escapes C0, DEL and C1 controls and doubles backslashes", () => {
    assert.equal(
      excerpt(Buffer.from("a\r\n\t\x00\x1b[31m\x7f\u0085\\b")),
      "a\\r\\n\\t\\x00\\x1b[31m\\x7f\\u0085\\\\b",
    );
  });

  it("replaces invalid UTF-8 with U+FFFD", () => {
    assert.equal(excerpt(Buffer.from([0x41, 0xff, 0x42])), "A\ufffdB");
  });

  it("cuts long input to at most max characters, ending with an ellipsis", () => {
    const cut = excerpt(Buffer.alloc(10 * 1024 * 1024, 0x41));
    assert.equal(cut, `${"A".repeat(EXCERPT_LENGTH - 1)}\u2026`);
    assert.equal(excerpt("x".repeat(EXCERPT_LENGTH + 1)), `${"x".repeat(EXCERPT_LENGTH - 1)}\u2026`);
    // An escape is never cut in half.
    assert.equal(excerpt("\x01".repeat(20), 10), "\\x01\\x01\u2026");
  });

  it("property: never longer than max, never a raw control character", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 2, max: 80 }), (bytes, max) => {
        const text = excerpt(Buffer.from(bytes), max);
        assert.ok(text.length <= max, text);
        assert.ok(!/[\x00-\x1f\x7f-\x9f]/.test(text), JSON.stringify(text));
      }),
    );
  });
});
