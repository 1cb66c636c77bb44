import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseMessage } from "../../../src/mime/parse/index.js";
import type { ParsedMessage } from "../../../src/mime/types.js";
import { NESTED } from "./fixtures.js";
import { chunked, crlf, type PartSummary, splitAt, summarize } from "./helpers.js";

interface Whole {
  tree: PartSummary;
  subject: string | undefined;
  text: string | undefined;
  html: string | undefined;
  attachments: (string | undefined)[];
  defects: string[];
}

async function whole(message: ParsedMessage): Promise<Whole> {
  return {
    tree: await summarize(message.root),
    subject: message.subject,
    text: message.text,
    html: message.html,
    attachments: message.attachments.map((a) => `${a.contentType} ${a.filename} ${a.size}`),
    defects: message.defects.map((d) => `${d.kind}: ${d.message}`),
  };
}

async function parseSplit(bytes: Buffer, cuts: readonly number[]): Promise<Whole> {
  return whole(await parseMessage(chunked(splitAt(bytes, cuts))));
}

/** NESTED with bare LF endings and some junk, so defects and odd paths are split too. */
const ODD = Buffer.from(
  NESTED.replace(/\r\n/g, "\n")
    .replace("--outer\nContent-Type: image/png", "--outer  \t\nContent-Type: image/png")
    .replace("iVBORw0KGgo", "iVBOR*w0KGgo"),
);

/** A base64-encoded message/rfc822 holding a multipart: nested levels see the split too. */
const ENCODED = Buffer.from(
  crlf(
    "Content-Type: multipart/mixed; boundary=x",
    "",
    "--x",
    "Content-Type: message/rfc822",
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.from(
      crlf(
        "Subject: in",
        "Content-Type: multipart/alternative; boundary=y",
        "",
        "--y",
        "",
        "one",
        "--y",
        "",
        "two",
        "--y--",
      ),
    )
      .toString("base64")
      .replace(/.{76}/g, "$&\r\n"),
    "--x",
    "",
    "after",
    "--x--",
  ),
);

describe("parseMessage: any split of the input gives the same result", () => {
  for (const [name, bytes] of [
    ["CRLF", Buffer.from(NESTED)],
    ["LF with defects", ODD],
    ["base64 message/rfc822", ENCODED],
  ] as const) {
    it(`${name}: split at every byte offset`, async () => {
      const expected = await whole(await parseMessage(bytes));
      assert.ok(expected.tree.children.length >= 2);
      for (let cut = 0; cut <= bytes.length; cut += 1) {
        assert.deepEqual(await parseSplit(bytes, [cut]), expected, `cut at ${cut}`);
      }
    });

    it(`${name}: one byte per chunk, and random splits into many chunks`, async () => {
      const expected = await whole(await parseMessage(bytes));
      const everyByte = Array.from({ length: bytes.length }, (_, i) => i);
      assert.deepEqual(await parseSplit(bytes, everyByte), expected);
      await fc.assert(
        fc.asyncProperty(fc.array(fc.nat(bytes.length), { maxLength: 40 }), async (cuts) => {
          assert.deepEqual(await parseSplit(bytes, cuts), expected);
        }),
        { numRuns: 200 },
      );
    });
  }

  it("reads the encoded message's tree", async () => {
    const m = await parseMessage(ENCODED);
    const inner = m.root.children[0]!.children[0]!;
    assert.deepEqual(
      inner.children.map((c) => c.text),
      ["one", "two"],
    );
    assert.equal(m.text, "after");
  });

  it("a string source, a Buffer and a Readable-like iterable of Uint8Arrays agree", async () => {
    const bytes = Buffer.from(NESTED);
    const expected = await whole(await parseMessage(bytes));
    assert.deepEqual(await whole(await parseMessage(NESTED)), expected);
    async function* views(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < bytes.length; i += 7) yield new Uint8Array(bytes.subarray(i, i + 7));
    }
    assert.deepEqual(await whole(await parseMessage(views())), expected);
  });
});
