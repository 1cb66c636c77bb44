import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  hasGlob,
  matchNames,
  splitPattern,
  unescapeGlob,
} from "../../../../src/cli/commands/ftp/shell/globs.js";

describe("shell globs", () => {
  it("tells globs from names, honouring backslash escapes", () => {
    assert.equal(hasGlob("*.py"), true);
    assert.equal(hasGlob("doc?.pdf"), true);
    assert.equal(hasGlob("[ab].txt"), true);
    assert.equal(hasGlob("plain.txt"), false);
    assert.equal(hasGlob("star\\*.txt"), false);
    assert.equal(unescapeGlob("star\\*.txt"), "star*.txt");
  });

  it("splits a pattern into its folder and last part", () => {
    assert.deepEqual(splitPattern("*.py"), { folder: "", base: "*.py" });
    assert.deepEqual(splitPattern("pub/doc*.pdf"), { folder: "pub/", base: "doc*.pdf" });
    assert.deepEqual(splitPattern("/a/b/*"), { folder: "/a/b/", base: "*" });
  });

  it("matches regular files only, sorted, hidden ones only for a dotted pattern", () => {
    const entries = [
      { name: "b.py", isFile: true },
      { name: "a.py", isFile: true },
      { name: "pkg.py", isFile: false },
      { name: ".hidden.py", isFile: true },
      { name: "doc1.pdf", isFile: true },
      { name: "doc2.pdf", isFile: true },
      { name: "notes.pdf", isFile: true },
    ];
    assert.deepEqual(matchNames("*.py", entries), ["a.py", "b.py"]);
    assert.deepEqual(matchNames(".*.py", entries), [".hidden.py"]);
    assert.deepEqual(matchNames("doc*.pdf", entries), ["doc1.pdf", "doc2.pdf"]);
    assert.deepEqual(matchNames("*.zip", entries), []);
  });
});
