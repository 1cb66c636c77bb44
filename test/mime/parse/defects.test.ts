import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { LimitError } from "../../../src/errors.js";
import { parseMessage } from "../../../src/mime/parse/index.js";
import type { MimePart } from "../../../src/mime/types.js";
import { NESTED } from "./fixtures.js";
import { chunked, crlf, splitAt } from "./helpers.js";

/** Every part, pre-order, without recursion. */
function parts(root: MimePart): MimePart[] {
  const out: MimePart[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const part = stack.pop()!;
    out.push(part);
    for (let i = part.children.length - 1; i >= 0; i -= 1) stack.push(part.children[i]!);
  }
  return out;
}

describe("parseMessage: defects", () => {
  it("keeps each part's own defects, and the message's list is all of them in document order", async () => {
    const m = await parseMessage(
      crlf(
        "Date: not a date",
        "Content-Type: multipart/mixed; boundary=b",
        "",
        "--b",
        "Content-Type: text/plain; charset=x-unknown",
        "",
        "one",
        "--b",
        "Content-Type: multipart/alternative; boundary=c",
        "",
        "--c",
        "Content-Transfer-Encoding: base64",
        "",
        "!!!!",
        "--b",
        "Content-Type: image/png",
        "Content-Transfer-Encoding: x-custom",
        "",
        "x",
        "--b--",
      ),
    );
    assert.deepEqual(
      m.defects.map((d) => d.kind),
      [
        "invalid-date",
        "unknown-charset",
        "missing-closing-boundary",
        "invalid-base64",
        "unknown-transfer-encoding",
      ],
    );
    assert.deepEqual(
      parts(m.root).map((p) => p.defects.map((d) => d.kind)),
      [
        ["invalid-date"],
        ["unknown-charset"],
        ["missing-closing-boundary"],
        ["invalid-base64"],
        ["unknown-transfer-encoding"],
      ],
    );
    for (const defect of m.defects) assert.ok(defect.message.length > 0);
  });

  it("escapes control characters in defect messages", async () => {
    const m = await parseMessage("Content-Type: text\x1b[31m\r\n\r\n");
    const defect = m.defects.find((d) => d.kind === "malformed-content-type")!;
    assert.doesNotMatch(defect.message, /\x1b/);
    assert.equal(m.root.contentType, "text/plain");
  });

  it("never throws on mangled messages (only LimitError, for crossed bounds), in any split", async () => {
    const base = Buffer.from(NESTED);
    const junk = fc.constantFrom(
      "\r",
      "\n",
      "-",
      "--",
      "--outer",
      "--inner--",
      "=",
      "=?",
      ":",
      " ",
      "\x00",
      "\xff",
      "\r\n\r\n",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(base.length), junk, fc.nat(8)), { maxLength: 12 }),
        fc.array(fc.nat(base.length), { maxLength: 6 }),
        async (edits, cuts) => {
          let bytes = base;
          for (const [at, text, cut] of edits) {
            bytes = Buffer.concat([
              bytes.subarray(0, at),
              Buffer.from(text, "latin1"),
              bytes.subarray(at + cut),
            ]);
          }
          try {
            const m = await parseMessage(chunked(splitAt(bytes, cuts)), { maxLineLength: 4096 });
            for (const part of parts(m.root)) {
              if (part.size !== undefined) assert.equal((await part.content()).length, part.size);
            }
          } catch (error) {
            assert.ok(error instanceof LimitError, String(error));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never throws on random bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
        const m = await parseMessage(Buffer.from(bytes));
        assert.ok(m.root);
      }),
      { numRuns: 300 },
    );
  });
});
