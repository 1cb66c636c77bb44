// The mirror's glob matcher: the syntax, and pathological patterns that must simply finish.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../../src/errors.js";
import { Glob, globMatch, MAX_GLOB_LENGTH } from "../../../src/tools/ftp-mirror/glob.js";

describe("globMatch", () => {
  const cases: Array<[string, string, boolean]> = [
    ["*.py", "setup.py", true],
    ["*.py", "setup.pyc", false],
    ["*.py", "src/setup.py", false],
    ["doc*.pdf", "doc-2024.pdf", true],
    ["doc*.pdf", "doc.pdf", true],
    ["doc*.pdf", "adoc.pdf", false],
    ["?.txt", "a.txt", true],
    ["?.txt", "ab.txt", false],
    ["?", "/", false],
    ["a?b", "a/b", false],
    ["[abc].txt", "b.txt", true],
    ["[abc].txt", "d.txt", false],
    ["[a-c]x", "cx", true],
    ["[!a-c]x", "cx", false],
    ["[!a-c]x", "dx", true],
    ["[^a-c]x", "dx", true],
    ["[]]", "]", true],
    ["[!]]", "a", true],
    ["[a-]", "-", true],
    ["[/]", "/", false],
    ["[", "[", true],
    ["a[b", "a[b", true],
    ["\\*", "*", true],
    ["\\*", "a", false],
    ["**", "a/b/c", true],
    ["**", "", true],
    ["src/**", "src/a/b.ts", true],
    ["src/**", "lib/a.ts", false],
    ["**/*.py", "a.py", true],
    ["**/*.py", "x/y/a.py", true],
    ["**/*.py", "x/y/a.pyc", false],
    ["a/**/b", "a/b", true],
    ["a/**/b", "a/x/y/b", true],
    ["a/**/b", "a/xb", false],
    ["a*b", "a/b", false],
    ["*", "", true],
    ["", "", true],
    ["", "a", false],
    ["héllo*", "héllo wörld", true],
    ["?llo", "éllo", true],
    ["😀?", "😀x", true],
  ];
  for (const [pattern, text, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? "matches" : "does not match"} ${JSON.stringify(text)}`, () => {
      assert.equal(globMatch(pattern, text), expected);
    });
  }

  it("ignores case when asked", () => {
    assert.equal(globMatch("*.PDF", "a.pdf"), false);
    assert.equal(globMatch("*.PDF", "a.pdf", { nocase: true }), true);
    assert.equal(globMatch("[A-C]*", "banana", { nocase: true }), true);
  });

  it("agrees with a regular expression built from simple patterns", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "b", "/", "."), maxLength: 10 });
    const pattern = fc.string({ unit: fc.constantFrom("a", "b", "/", ".", "*", "?"), maxLength: 8 });
    fc.assert(
      fc.property(pattern, text, (p, t) => {
        const source = p.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
        // Runs of stars are `**` here: they cross `/`; leave those out of the comparison.
        fc.pre(!p.includes("**"));
        assert.equal(globMatch(p, t), new RegExp(`^${source}$`).test(t));
      }),
      { numRuns: 2000 },
    );
  });

  it("agrees with a regular expression for patterns with `**` too", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "b", "/"), maxLength: 10 });
    const pattern = fc.string({ unit: fc.constantFrom("a", "/", "*", "**", "**/", "?"), maxLength: 6 });
    fc.assert(
      fc.property(pattern, text, (p, t) => {
        let source = "";
        for (let i = 0; i < p.length; ) {
          if (p.startsWith("**", i)) {
            let end = i;
            while (p[end] === "*") end += 1;
            if (p[end] === "/") {
              source += "(?:.*/)?";
              end += 1;
            } else source += ".*";
            i = end;
          } else {
            source += p[i] === "*" ? "[^/]*" : p[i] === "?" ? "[^/]" : p[i];
            i += 1;
          }
        }
        assert.equal(globMatch(p, t), new RegExp(`^${source}$`).test(t), `${p} vs ${t}`);
      }),
      { numRuns: 3000 },
    );
  });

  it("finishes on pathological patterns and inputs", () => {
    const long = "a".repeat(5000);
    assert.equal(globMatch("*a*a*a*a*a*a*a*a*a*a*a*b", long), false);
    assert.equal(globMatch("**a**a**a**a**a**a**a**b", `${"a/".repeat(2000)}c`), false);
    assert.equal(globMatch("**[", "x/y/["), true);
    assert.equal(globMatch("**[", "x/y/z"), false);
    assert.equal(globMatch("[".repeat(1000), "[".repeat(1000)), true);
    assert.equal(globMatch(`${"*".repeat(500)}x`, long), false);
    assert.equal(globMatch("[[[[[[[[[[]", "["), true);
    assert.equal(globMatch(`${"?*".repeat(300)}b`, long), false);
  });

  it("matches 100 000 entries with one compiled pattern", () => {
    const glob = new Glob("**/*[0-9].txt");
    let matched = 0;
    for (let i = 0; i < 100_000; i += 1) if (glob.match(`dir${i % 50}/sub/file${i}.txt`)) matched += 1;
    assert.equal(matched, 100_000);
  });

  it("refuses patterns that are too long or hold NUL", () => {
    assert.throws(() => new Glob("a".repeat(MAX_GLOB_LENGTH + 1)), InvalidArgumentError);
    assert.throws(() => new Glob("a\0b"), InvalidArgumentError);
    assert.equal(new Glob("*.txt").pattern, "*.txt");
  });
});
