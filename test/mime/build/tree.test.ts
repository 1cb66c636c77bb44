import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { drawBoundary } from "../../../src/mime/build/tree.js";

describe("drawBoundary", () => {
  it("is =_ and 32 base64url characters, different each time", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const boundary = drawBoundary([]);
      assert.match(boundary, /^=_[A-Za-z0-9_-]{32}$/);
      seen.add(boundary);
    }
    assert.equal(seen.size, 500);
  });

  it("draws again while the boundary occurs in the content written as it is", () => {
    const draws = [Buffer.alloc(24, 1), Buffer.alloc(24, 2), Buffer.alloc(24, 3)];
    const taken = draws.map((d) => `=_${d.toString("base64url")}`);
    let calls = 0;
    const random = (size: number) => {
      assert.equal(size, 24);
      return draws[calls++]!;
    };
    const plain = [Buffer.from(`text\r\n--${taken[0]}\r\nmore`), Buffer.from(`x${taken[1]}`)];
    assert.equal(drawBoundary(plain, random), taken[2]);
    assert.equal(calls, 3);
  });
});
