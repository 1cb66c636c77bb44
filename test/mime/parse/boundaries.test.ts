import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BoundaryTable } from "../../../src/mime/parse/boundaries.js";

const line = (text: string): Buffer => Buffer.from(text, "latin1");

describe("BoundaryTable", () => {
  it("matches whole delimiter lines only, with transport padding, innermost frame first", () => {
    const table = new BoundaryTable();
    table.add(0, "outer");
    table.add(1, "inner");
    table.add(2, "outer");
    assert.deepEqual(table.match(line("--outer")), { frame: 2, close: false });
    assert.deepEqual(table.match(line("--inner-- \t")), { frame: 1, close: true });
    for (const text of ["--outerx", "-outer", "--out", "outer", "--outer--x", "--", "--outer\r"]) {
      assert.equal(table.match(line(text)), undefined, text);
    }
    table.remove(2);
    assert.deepEqual(table.match(line("--outer--")), { frame: 0, close: true });
    table.remove(1);
    table.remove(0);
    assert.equal(table.size, 0);
    assert.equal(table.match(line("--outer")), undefined);
  });

  it("reads a boundary ending in `--` both ways, the inner frame deciding", () => {
    const table = new BoundaryTable();
    table.add(0, "a");
    table.add(1, "a--");
    assert.deepEqual(table.match(line("--a--")), { frame: 1, close: false });
    assert.deepEqual(table.match(line("--a----")), { frame: 1, close: true });
  });

  it("knows a non-ASCII boundary by its UTF-8 and its latin1 bytes", () => {
    const table = new BoundaryTable();
    table.add(0, "é");
    assert.ok(table.match(Buffer.concat([line("--"), Buffer.from("é", "utf8")])));
    assert.ok(table.match(Buffer.concat([line("--"), Buffer.from("é", "latin1")])));
  });
});
