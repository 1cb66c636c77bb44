import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError, LimitError } from "../../../src/errors.js";
import { parseMessage } from "../../../src/mime/parse/index.js";
import type { MimePart } from "../../../src/mime/types.js";
import { chunked, crlf } from "./helpers.js";

function isLimit(what: string, limit?: number): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof LimitError, `expected a LimitError, got ${String(error)}`);
    assert.equal(error.what, what);
    if (limit !== undefined) assert.equal(error.limit, limit);
    return true;
  };
}

/** `count` multiparts, each the only part of the one before. */
function nestedMultiparts(count: number): Buffer {
  const pieces: string[] = [];
  for (let i = 0; i < count; i += 1)
    pieces.push(`Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`);
  pieces.push("\r\nleaf\r\n");
  return Buffer.from(pieces.join(""));
}

/** `count` message/rfc822 parts, each inside the one before. */
function nestedMessages(count: number): Buffer {
  return Buffer.from(
    `${"Content-Type: message/rfc822\r\n\r\n".repeat(count)}Subject: deepest\r\n\r\nleaf\r\n`,
  );
}

/** How deep the tree goes, walked without recursion. */
function depthOf(root: MimePart): number {
  let deepest = 0;
  const stack: [MimePart, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [part, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    for (const child of part.children) stack.push([child, depth + 1]);
  }
  return deepest;
}

describe("parseMessage: limits (each a LimitError naming its option)", () => {
  it("maxDepth: 100,000 nested multiparts stop at the default depth of 64", async () => {
    await assert.rejects(parseMessage(nestedMultiparts(100_000)), isLimit("mime-depth", 64));
    await assert.rejects(parseMessage(nestedMultiparts(4), { maxDepth: 3 }), isLimit("mime-depth", 3));
    const ok = await parseMessage(nestedMultiparts(3), { maxDepth: 3 });
    assert.equal(depthOf(ok.root), 3);
  });

  it("maxDepth counts message/rfc822 nesting too", async () => {
    await assert.rejects(parseMessage(nestedMessages(100_000)), isLimit("mime-depth", 64));
    await assert.rejects(parseMessage(nestedMessages(5), { maxDepth: 4 }), isLimit("mime-depth", 4));
    assert.equal(depthOf((await parseMessage(nestedMessages(4), { maxDepth: 4 })).root), 4);
  });

  it("with the depth bound lifted, deep nesting uses no recursion (no stack overflow)", async () => {
    const deep = await parseMessage(nestedMultiparts(100_000), { maxDepth: Infinity, maxParts: Infinity });
    assert.equal(depthOf(deep.root), 100_000);
    assert.equal(deep.text, "leaf");
    // Every multipart but the innermost lacks its closing delimiter: one defect each, in order.
    assert.equal(deep.defects.length, 100_000);
    const messages = await parseMessage(nestedMessages(2_000), { maxDepth: Infinity });
    assert.equal(depthOf(messages.root), 2_000);
  });

  it("maxParts: a million empty parts stop at the default 10,000", async () => {
    const message = Buffer.from(
      `Content-Type: multipart/mixed; boundary=b\r\n\r\n${"--b\r\n".repeat(1_000_000)}`,
    );
    await assert.rejects(parseMessage(message), isLimit("mime-parts", 10_000));
    // The root counts: root + 2 parts fit in 3.
    const three = crlf(
      "Content-Type: multipart/mixed; boundary=b",
      "",
      "--b",
      "",
      "1",
      "--b",
      "",
      "2",
      "--b--",
    );
    assert.equal((await parseMessage(three, { maxParts: 3 })).root.children.length, 2);
    await assert.rejects(parseMessage(three, { maxParts: 2 }), isLimit("mime-parts", 2));
  });

  it("maxHeaderBytes: 3 MB of header lines stop at the default 2 MiB", async () => {
    const line = `X-Filler: ${"x".repeat(90)}\r\n`;
    const message = Buffer.from(`${line.repeat(30_000)}\r\nbody`);
    await assert.rejects(
      parseMessage(message, { maxHeaders: Infinity }),
      isLimit("mime-header-block", 2 * 1024 * 1024),
    );
    await assert.rejects(
      parseMessage("A: 12345\r\nB: 6\r\n\r\n", { maxHeaderBytes: 15 }),
      isLimit("mime-header-block", 15),
    );
    assert.equal(
      (await parseMessage("A: 12345\r\nB: 6\r\n\r\n", { maxHeaderBytes: 16 })).headers.get("b"),
      "6",
    );
  });

  it("maxHeaders: 10,001 fields stop at the default 10,000", async () => {
    await assert.rejects(parseMessage(`${"X: y\r\n".repeat(10_001)}\r\n`), isLimit("mime-headers", 10_000));
    assert.equal((await parseMessage(`${"X: y\r\n".repeat(10_000)}\r\n`)).headers.getAll("x").length, 10_000);
  });

  it("maxLineLength: a 2 MiB line (in a body or a header) stops at the default 1 MiB", async () => {
    const long = "a".repeat(2 * 1024 * 1024);
    await assert.rejects(parseMessage(`Subject: s\r\n\r\n${long}\r\n`), isLimit("mime-line", 1024 * 1024));
    await assert.rejects(parseMessage(`Subject: ${long}\r\n\r\n`), isLimit("mime-line", 1024 * 1024));
    await assert.rejects(parseMessage("\r\n123456", { maxLineLength: 5 }), isLimit("mime-line", 5));
    assert.equal((await parseMessage("\r\n12345\r\n", { maxLineLength: 5 })).text, "12345\r\n");
  });

  it("refuses bounds that are not positive integers", async () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(parseMessage("", { maxParts: bad }), InvalidArgumentError);
    }
  });

  it("stays linear on 1 MB of '=?' runs in a Subject", async () => {
    const runs = "=?".repeat(500_000);
    const m = await parseMessage(`Subject: ${runs}\r\n\r\n`);
    assert.equal(m.subject, runs);
    const words = "=?utf-8?q?a?= =?x?".repeat(50_000);
    const folded = await parseMessage(`Subject: ${words.replace(/ /g, "\r\n ")}\r\n\r\nb`);
    assert.ok(folded.subject!.length > 0);
    assert.equal(folded.text, "b");
  });

  it("fails the same way when the input arrives in small chunks", async () => {
    const message = Buffer.from(
      `Content-Type: multipart/mixed; boundary=b\r\n\r\n${"--b\r\n".repeat(20_000)}`,
    );
    const chunks: Buffer[] = [];
    for (let i = 0; i < message.length; i += 999) chunks.push(message.subarray(i, i + 999));
    await assert.rejects(parseMessage(chunked(chunks)), isLimit("mime-parts"));
  });
});
