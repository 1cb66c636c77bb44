import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { sanitize, truncate } from "../../src/cli/terminal.js";

describe("sanitize", () => {
  it("shows ESC and other C0 controls in caret notation (scp CVE-2019-6109)", () => {
    assert.equal(sanitize("\u001b[1A\rharmless"), "^[[1A^Mharmless");
    assert.equal(sanitize("a\u0000b\u0007c\u0008d"), "a^@b^Gc^Hd");
    assert.equal(sanitize("\u001f"), "^_");
    assert.equal(sanitize("del\u007f"), "del^?");
  });

  it("keeps TAB and escapes LF unless told otherwise", () => {
    assert.equal(sanitize("a\tb\nc"), "a\tb^Jc");
    assert.equal(sanitize("a\tb\nc", { keepTab: false, keepNewline: true }), "a^Ib\nc");
  });

  it("escapes C1 controls (a lone CSI is U+009B)", () => {
    assert.equal(sanitize("x\u009b31my\u0085"), "x\\x9b31my\\x85");
    assert.equal(sanitize("\u0080\u009f"), "\\x80\\x9f");
  });

  it("neutralizes bidi controls with a visible marker", () => {
    assert.equal(sanitize("invoice\u202egpj.exe"), "invoice⟨RLO⟩gpj.exe");
    assert.equal(sanitize("\u202a\u202b\u202c\u202d"), "⟨LRE⟩⟨RLE⟩⟨PDF⟩⟨LRO⟩");
    assert.equal(sanitize("\u2066\u2067\u2068\u2069"), "⟨LRI⟩⟨RLI⟩⟨FSI⟩⟨PDI⟩");
    assert.equal(sanitize("\u200e\u200f\u061c"), "⟨LRM⟩⟨RLM⟩⟨ALM⟩");
  });

  it("shows zero-width and invisible characters", () => {
    assert.equal(sanitize("pay\u200bpal"), "pay⟨ZWSP⟩pal");
    assert.equal(sanitize("\u200c\u200d\u2060\ufeff"), "⟨ZWNJ⟩⟨ZWJ⟩⟨WJ⟩⟨BOM⟩");
    assert.equal(sanitize("a\u2028b\u2029"), "a⟨LSEP⟩b⟨PSEP⟩");
    assert.equal(sanitize("x\u2062y\u00ad"), "x⟨U+2062⟩y⟨U+00AD⟩");
  });

  it("leaves ordinary text, accents, CJK and emoji alone", () => {
    const text = "Grüße, 你好, café — 👍 [Sun Nov 22 03:24:32 2026] hello";
    assert.equal(sanitize(text), text);
  });

  it("never lets a control, bidi or zero-width character through (property)", () => {
    const dangerous =
      /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (text) => {
        assert.ok(!dangerous.test(sanitize(text)));
      }),
    );
  });
});

describe("truncate", () => {
  it("shortens with an ellipsis and never splits a surrogate pair", () => {
    assert.equal(truncate("hello", 10), "hello");
    assert.equal(truncate("hello world", 6), "hello…");
    assert.equal(truncate("ab👍cd", 4), "ab…");
  });
});
