import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { LimitError } from "../../../src/errors.js";
import { foldHeader } from "../../../src/mime/header/fold.js";
import { Headers, parseHeaderBlock } from "../../../src/mime/header/headers.js";
import { askPython } from "./python-oracle.js";

const block = (text: string): Buffer => Buffer.from(text, "latin1");
const fieldsOf = (text: string) => parseHeaderBlock(block(text)).headers.fields.map((f) => [f.name, f.value]);

describe("Headers", () => {
  it("looks names up case-insensitively and keeps order and case", () => {
    const h = new Headers([
      { name: "Received", value: "one" },
      { name: "Subject", value: "hi" },
      { name: "RECEIVED", value: "two" },
    ]);
    assert.equal(h.get("received"), "one");
    assert.deepEqual(h.getAll("Received"), ["one", "two"]);
    assert.equal(h.has("subject"), true);
    assert.equal(h.has("to"), false);
    assert.equal(h.get("to"), undefined);
    assert.deepEqual(h.getAll("to"), []);
    assert.deepEqual(
      h.fields.map((f) => f.name),
      ["Received", "Subject", "RECEIVED"],
    );
    assert.equal(h.size, 3);
    assert.deepEqual([...h].length, 3);
    assert.ok(Object.isFrozen(h.fields));
    h.getAll("received").push("x");
    assert.deepEqual(h.getAll("received"), ["one", "two"]);
  });
});

describe("parseHeaderBlock", () => {
  it("splits fields at CRLF or LF and unfolds continuations", () => {
    assert.deepEqual(fieldsOf("Subject: a\r\n b\r\n\tc\r\nTo:x@y\nX-Empty:\r\n"), [
      ["Subject", "a b\tc"],
      ["To", "x@y"],
      ["X-Empty", ""],
    ]);
    assert.deepEqual(fieldsOf("A:   lead and trail  \r\n"), [["A", "lead and trail  "]]);
    assert.deepEqual(fieldsOf("A: x\r\n"), fieldsOf("A: x"));
    assert.deepEqual(fieldsOf(""), []);
  });

  it("decodes values as UTF-8 when valid, else latin1", () => {
    const h = parseHeaderBlock(
      Buffer.concat([
        Buffer.from("Subject: caf\u00e9 "),
        Buffer.from("€\r\nX: caf", "utf8"),
        Buffer.from([0xe9, 0x0d, 0x0a]),
      ]),
    ).headers;
    assert.equal(h.get("subject"), "café €");
    assert.equal(h.get("x"), "café");
  });

  it("treats malformed lines like Python's feedparser", () => {
    const first = parseHeaderBlock(block(" cont\r\nFrom: a@b\r\n"));
    assert.deepEqual(first.headers.fields, [{ name: "From", value: "a@b" }]);
    assert.deepEqual(
      first.defects.map((d) => d.kind),
      ["malformed-header"],
    );

    const noName = parseHeaderBlock(block("From: a@b\r\n: noname\r\nSubject: x\r\n"));
    assert.equal(noName.headers.fields.length, 2);
    assert.equal(noName.defects.length, 1);

    const noColon = parseHeaderBlock(block("From: a@b\r\nbogus line\r\nSubject: hi\r\n"));
    assert.deepEqual(noColon.headers.fields, [{ name: "From", value: "a@b" }]);
    assert.equal(noColon.bodyStart, "From: a@b\r\n".length);
    assert.deepEqual(
      noColon.defects.map((d) => d.kind),
      ["malformed-header"],
    );

    const mbox = parseHeaderBlock(block("From alice@example.org Mon Jan  1 00:00:00 2024\r\nSubject: x\r\n"));
    assert.deepEqual(mbox.headers.fields, [{ name: "Subject", value: "x" }]);
    assert.deepEqual(mbox.defects, []);

    const obsolete = parseHeaderBlock(block("Subject : spaced\r\n"));
    assert.deepEqual(obsolete.headers.fields, [{ name: "Subject", value: "spaced" }]);
  });

  it("stops at a blank line and says where the body starts", () => {
    const r = parseHeaderBlock(block("A: 1\r\n\r\nbody: not a header\r\n"));
    assert.deepEqual(r.headers.fields, [{ name: "A", value: "1" }]);
    assert.equal(r.bodyStart, "A: 1\r\n\r\n".length);
  });

  it("enforces maxHeaders and maxHeaderBytes", () => {
    const many = block("X: y\r\n".repeat(11));
    assert.equal(parseHeaderBlock(many, { maxHeaders: 11 }).headers.size, 11);
    assert.throws(
      () => parseHeaderBlock(many, { maxHeaders: 10 }),
      (e: unknown) => e instanceof LimitError && e.what === "mime-headers" && e.limit === 10,
    );
    assert.throws(
      () => parseHeaderBlock(many, { maxHeaderBytes: 20 }),
      (e: unknown) => e instanceof LimitError && e.what === "mime-header-block" && e.limit === 20,
    );
    assert.throws(() => parseHeaderBlock(block("X: y\r\n".repeat(10_001))), LimitError);
  });

  it("is linear on large blocks", () => {
    const folded = block(`Subject: x${"\r\n y".repeat(200_000)}\r\n`);
    assert.equal(parseHeaderBlock(folded).headers.get("subject")?.length, 1 + 400_000);
    const junk = block(" x\r\n".repeat(200_000));
    const r = parseHeaderBlock(junk);
    assert.equal(r.headers.size, 0);
    assert.ok(r.defects.length <= 100);
    assert.equal(parseHeaderBlock(block("X: y\n".repeat(10_000))).headers.size, 10_000);
  });

  it("reads back what foldHeader writes", () => {
    const name = fc.stringMatching(/^[!-9;-~]{1,20}$/);
    const value = fc.string({
      unit: fc.constantFrom("a", "b", " ", "\t", "é", "日", "=?", ":"),
      maxLength: 300,
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 8 }), (fields) => {
        const wire = fields.map(([n, v]) => `${foldHeader(n, v)}\r\n`).join("");
        const parsed = parseHeaderBlock(Buffer.from(wire, "utf8"));
        assert.deepEqual(parsed.defects, []);
        assert.deepEqual(
          parsed.headers.fields.map((f) => [f.name, f.value]),
          fields.map(([n, v]) => [n, v.replace(/^[ \t]+/, "")]),
        );
      }),
      { numRuns: 200 },
    );
  });

  it("agrees with Python's parser (compat32) on a batch", () => {
    const blocks = [
      "From: a@b\r\nTo: c@d\r\nSubject: hello\r\n world\r\n",
      "From: a@b\r\nbogus line\r\nSubject: hi\r\n",
      " cont\r\nFrom: a@b\r\n",
      "From: a@b\r\n: noname\r\nSubject: x\r\n",
      "X-Weird:value\r\nX-Tab:\tvalue \r\n",
      "Subject: caf\xe9\r\n",
      "A: 1\nB: 2\n folded\n",
      "Received: from x\r\n\tby y\r\n\tfor z\r\nReceived: second\r\n",
      "X y: z\r\nA: b\r\n",
      "A: b\r\nX\x01: z\r\nC: d\r\n",
    ];
    const body = "body line\r\n";
    const python = askPython<{ items: [string, string][]; body: string }>(
      "headers",
      blocks.map((b) => Buffer.from(`${b}\r\n${body}`, "latin1").toString("base64")),
    );
    blocks.forEach((b, k) => {
      const ours = parseHeaderBlock(block(b));
      const theirs = python[k]!;
      assert.deepEqual(
        ours.headers.fields.map((f) => [f.name, f.value]),
        theirs.items.map(([n, v]) => [n, v.replace(/\r?\n/g, "")]),
        b,
      );
      const ourBody = ours.bodyStart === undefined ? body : `${b.slice(ours.bodyStart)}\r\n${body}`;
      assert.equal(ourBody, theirs.body, b);
    });
  });
});
