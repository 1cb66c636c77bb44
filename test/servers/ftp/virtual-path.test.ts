import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  baseName,
  joinVirtual,
  PathRefused,
  parentOf,
  quotePath,
  resolveVirtualPath,
  splitVirtual,
} from "../../../src/servers/ftp/virtual-path.js";

describe("virtual paths", () => {
  it("resolves relative and absolute arguments", () => {
    assert.equal(resolveVirtualPath("/pub", "a.txt"), "/pub/a.txt");
    assert.equal(resolveVirtualPath("/pub", "/a.txt"), "/a.txt");
    assert.equal(resolveVirtualPath("/pub", "./x//y/."), "/pub/x/y");
    assert.equal(resolveVirtualPath("/pub/deep", ".."), "/pub");
    assert.equal(resolveVirtualPath("/", ""), "/");
    assert.equal(resolveVirtualPath("/a", "b c/ d"), "/a/b c/ d");
  });

  it("never climbs above the root", () => {
    assert.equal(resolveVirtualPath("/pub", "../../.."), "/");
    assert.equal(resolveVirtualPath("/", "../../etc/passwd"), "/etc/passwd");
    assert.equal(resolveVirtualPath("/a/b", "/../../x/../../y"), "/y");
  });

  it("refuses NUL, CR and LF", () => {
    assert.ok(resolveVirtualPath("/", "a\0b") instanceof PathRefused);
    assert.ok(resolveVirtualPath("/", "a\rb") instanceof PathRefused);
    assert.ok(resolveVirtualPath("/", "a\nb") instanceof PathRefused);
  });

  it("always gives a normalized absolute path without . or .. (property)", () => {
    const part = fc.oneof(fc.constantFrom("..", ".", "", "a", "b c", "..."), fc.string({ maxLength: 4 }));
    const path = fc.array(part, { maxLength: 10 }).map((parts) => parts.join("/"));
    fc.assert(
      fc.property(path, path, (cwdArgument, argument) => {
        const cwd = resolveVirtualPath("/", cwdArgument);
        if (cwd instanceof PathRefused) return;
        const resolved = resolveVirtualPath(cwd, argument);
        if (resolved instanceof PathRefused) {
          assert.ok(/[\0\r\n]/.test(argument));
          return;
        }
        assert.ok(resolved.startsWith("/"));
        assert.ok(resolved === "/" || !resolved.endsWith("/"));
        for (const component of splitVirtual(resolved)) {
          assert.notEqual(component, "..");
          assert.notEqual(component, ".");
          assert.notEqual(component, "");
        }
      }),
    );
  });

  it("splits, joins and quotes", () => {
    assert.deepEqual(splitVirtual("/a/b"), ["a", "b"]);
    assert.deepEqual(splitVirtual("/"), []);
    assert.equal(parentOf("/a/b"), "/a");
    assert.equal(parentOf("/a"), "/");
    assert.equal(parentOf("/"), "/");
    assert.equal(baseName("/a/b"), "b");
    assert.equal(baseName("/"), "");
    assert.equal(joinVirtual("/", "x"), "/x");
    assert.equal(joinVirtual("/a", "x"), "/a/x");
    assert.equal(quotePath('/say "hi"'), '"/say ""hi"""');
  });
});
