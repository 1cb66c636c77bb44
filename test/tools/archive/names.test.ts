// Entry names: relative `/`-separated paths only; everything that could climb out of the folder
// an archive is unpacked into, or be cut short, is refused.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../../src/errors.js";
import {
  checkEntryName,
  MAX_ENTRY_NAME_BYTES,
  unsafeEntryNameReason,
} from "../../../src/tools/archive/index.js";

describe("checkEntryName", () => {
  it("accepts relative paths and drops a folder's trailing slash", () => {
    assert.equal(checkEntryName("a.txt", "file"), "a.txt");
    assert.equal(checkEntryName("a/b/c.txt", "file"), "a/b/c.txt");
    assert.equal(checkEntryName("日本語/ファイル", "file"), "日本語/ファイル");
    assert.equal(checkEntryName("..a/b..", "file"), "..a/b..");
    assert.equal(checkEntryName("docs/", "directory"), "docs");
    assert.equal(checkEntryName(" ", "file"), " ");
  });

  it("refuses absolute, climbing, NUL, backslash, empty segments and lone surrogates", () => {
    const bad = [
      "",
      "/a",
      "//a",
      "../a",
      "a/..",
      "a/../b",
      ".",
      "./a",
      "a/./b",
      "a//b",
      "a/",
      "a\0",
      "a\\b",
      "C:a",
      "c:/a",
      "\ud800",
    ];
    for (const name of bad) {
      assert.throws(() => checkEntryName(name, "file"), InvalidArgumentError, JSON.stringify(name));
    }
    assert.throws(() => checkEntryName("docs//", "directory"), InvalidArgumentError);
    assert.throws(() => checkEntryName("x".repeat(MAX_ENTRY_NAME_BYTES), "file"), InvalidArgumentError);
    assert.equal(
      checkEntryName("x".repeat(MAX_ENTRY_NAME_BYTES - 2), "file").length,
      MAX_ENTRY_NAME_BYTES - 2,
    );
  });

  it("never accepts a name with a `..` segment or a leading `/` (property)", () => {
    const piece = fc.constantFrom("a", "..", ".", "", "b c", "é", "\\", "\0");
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 6 }), (parts) => {
        const name = parts.join("/");
        const segments = name.split("/");
        const unsafe = segments.some((s) => s === "" || s === "." || s === "..") || /[\\\0]/.test(name);
        assert.equal(unsafeEntryNameReason(name) !== undefined, unsafe, JSON.stringify(name));
      }),
    );
  });
});
