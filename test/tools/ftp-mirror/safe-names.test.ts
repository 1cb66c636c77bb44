// Name rules for names that become path segments (security checklist §4A W1).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  collisionKey,
  isSafeName,
  MAX_NAME_BYTES,
  unsafeNameReason,
} from "../../../src/tools/ftp-mirror/safe-names.js";

describe("unsafeNameReason", () => {
  const refused: Array<[string, RegExp]> = [
    ["", /empty/],
    [".", /directory itself/],
    ["..", /parent/],
    ["../../x", /"\/"/],
    ["/etc/x", /"\/"/],
    ["a\\b", /"\\"/],
    ["..\\..\\x", /"\\"/],
    ["a\0b", /NUL/],
    ["a\x1b[2Jb", /U\+001B/],
    ["tab\there", /U\+0009/],
    ["line\nbreak", /U\+000A/],
    ["del\x7f", /U\+007F/],
    ["c1\u0085x", /U\+0085/],
    ["c1\u009bx", /U\+009B/],
    ["C:evil", /drive letter/],
    ["c:", /drive letter/],
    ["x".repeat(MAX_NAME_BYTES + 1), /255 bytes/],
    ["é".repeat(128), /255 bytes/],
    ["bad\ud800x", /surrogate/],
  ];
  for (const [name, reason] of refused) {
    it(`refuses ${JSON.stringify(name.length > 40 ? `${name.slice(0, 10)}…` : name)}`, () => {
      const why = unsafeNameReason(name);
      assert.ok(why !== undefined, "refused");
      assert.match(why, reason);
      assert.equal(isSafeName(name), false);
    });
  }

  it("accepts ordinary names, spaces, dots inside, a leading dash, UTF-8 and a colon later on POSIX", () => {
    for (const name of [
      "a",
      "README",
      ".hidden",
      "...",
      "a b",
      " leading",
      "-rf",
      "|pipe",
      "日本語.txt",
      "😀",
      "12:00 notes",
      "x".repeat(MAX_NAME_BYTES),
      "é".repeat(127),
    ]) {
      assert.equal(unsafeNameReason(name), undefined, JSON.stringify(name));
    }
  });

  it("applies Windows rules on request", () => {
    const windows = { platform: "windows" as const };
    for (const name of [
      "CON",
      "con.txt",
      "Nul",
      "COM1",
      "lpt9.log",
      "a:b",
      "trailing.",
      "trailing ",
      "a<b",
      "a|b",
      "a?b",
      "a*b",
      'a"b',
    ]) {
      assert.ok(unsafeNameReason(name, windows) !== undefined, name);
    }
    for (const name of ["CONSOLE", "com10", "a.b", "normal name"]) {
      assert.equal(unsafeNameReason(name, windows), undefined, name);
    }
    assert.equal(unsafeNameReason("notes:x"), undefined, "a colon after the first letter is fine on POSIX");
    assert.ok(unsafeNameReason("notes:x", windows) !== undefined);
  });

  it("never accepts a name that could leave its folder", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 20 }), (name) => {
        if (!isSafeName(name)) return;
        assert.ok(!name.includes("/") && !name.includes("\\") && !name.includes("\0"));
        assert.ok(name !== "." && name !== ".." && name.length > 0);
        assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(name));
      }),
      { numRuns: 5000 },
    );
  });
});

describe("collisionKey", () => {
  it("joins NFC and NFD spellings, and case only when the target ignores case", () => {
    const nfc = "caf\u00e9";
    const nfd = "cafe\u0301";
    assert.notEqual(nfc, nfd);
    assert.equal(collisionKey(nfc, false), collisionKey(nfd, false));
    assert.notEqual(collisionKey("README", false), collisionKey("readme", false));
    assert.equal(collisionKey("README", true), collisionKey("readme", true));
  });
});
