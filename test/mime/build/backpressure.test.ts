/**
 * The message stream honours backpressure: a slow consumer holds the attachment's source back
 * (it is never read ahead without bound), a file attachment is read as a stream, an early stop
 * destroys the source, and a failing source fails the message.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, describe, it } from "node:test";
import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import { buildMessage } from "../../../src/mime/build/index.js";

const CHUNK = 16 * 1024;
const dir = mkdtempSync(join(tmpdir(), "inetkit-bp-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A source that makes `total` bytes on demand and counts what it has made. */
class CountingSource extends Readable {
  produced = 0;
  readonly hash = createHash("sha256");
  constructor(readonly total: number) {
    super();
  }
  override _read(): void {
    if (this.produced >= this.total) {
      this.push(null);
      return;
    }
    const chunk = Buffer.alloc(Math.min(CHUNK, this.total - this.produced), this.produced & 0xff);
    this.produced += chunk.length;
    this.hash.update(chunk);
    this.push(chunk);
  }
}

/** The decoded bytes of the base64 part that follows `marker` in a raw message. */
function attachmentBytes(raw: Buffer, marker: string): Buffer {
  const text = raw.toString("latin1");
  const start = text.indexOf("\r\n\r\n", text.indexOf(marker)) + 4;
  const end = text.indexOf("\r\n--", start);
  return Buffer.from(text.slice(start, end), "base64");
}

async function settle(): Promise<void> {
  for (let i = 0; i < 200; i++) await nextTurn();
}

describe("backpressure", () => {
  it("a paused consumer stops the source: nothing is read far ahead", async () => {
    const source = new CountingSource(32 * 1024 * 1024);
    const message = buildMessage({
      from: "a@example.org",
      to: "b@example.org",
      text: "big one",
      attachments: [{ content: source, filename: "big.bin" }],
    });
    const out = message.stream();
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve) => {
      out.once("data", (chunk: Buffer) => {
        chunks.push(chunk);
        out.pause();
        resolve();
      });
    });
    await settle();
    assert.ok(source.produced <= 1024 * 1024, `read ahead ${source.produced} bytes while paused`);
    const pausedAt = source.produced;
    await settle();
    assert.equal(source.produced, pausedAt, "nothing more is read while the consumer waits");

    // Now read it all, slowly at first, and check the content arrived whole.
    out.on("data", (chunk: Buffer) => chunks.push(chunk));
    out.resume();
    await new Promise((resolve, reject) => out.once("end", resolve).once("error", reject));
    assert.equal(source.produced, source.total);
    const decoded = attachmentBytes(Buffer.concat(chunks), "big.bin");
    assert.equal(decoded.length, source.total);
    assert.equal(createHash("sha256").update(decoded).digest("hex"), source.hash.digest("hex"));
  });

  it("a file attachment is streamed from its path, held back by a slow consumer", async () => {
    // A FIFO as the "file": what the test manages to write into it is what the builder has read
    // (plus the pipe's small buffer), so unbounded read-ahead would show as a large count.
    const fifo = join(dir, "attachment.fifo");
    execFileSync("mkfifo", [fifo]);
    const message = buildMessage({
      from: "a@example.org",
      attachments: [{ path: fifo, filename: "pipe.bin" }],
    });
    const out = message.stream();
    const total = 16 * 1024 * 1024;
    const writer = createWriteStream(fifo);
    const hash = createHash("sha256");
    let written = 0;
    let paused = false;
    const produce = (async () => {
      while (written < total) {
        const chunk = Buffer.alloc(CHUNK, written / CHUNK);
        hash.update(chunk);
        written += chunk.length;
        if (!writer.write(chunk)) await new Promise<void>((resolve) => writer.once("drain", () => resolve()));
      }
      await new Promise<void>((resolve) => writer.end(() => resolve()));
    })();
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve) => {
      out.once("data", (chunk: Buffer) => {
        chunks.push(chunk);
        out.pause();
        paused = true;
        resolve();
      });
    });
    assert.ok(paused);
    // Give the writer every chance to fill whatever the builder would buffer (waiting, not timing:
    // the bound below holds however long we wait).
    await sleep(300);
    await settle();
    assert.ok(written <= 2 * 1024 * 1024, `the builder read ${written} bytes ahead of a paused consumer`);
    out.on("data", (chunk: Buffer) => chunks.push(chunk));
    out.resume();
    await new Promise((resolve, reject) => out.once("end", resolve).once("error", reject));
    await produce;
    const decoded = attachmentBytes(Buffer.concat(chunks), "pipe.bin");
    assert.equal(decoded.length, total);
    assert.equal(createHash("sha256").update(decoded).digest("hex"), hash.digest("hex"));
  });

  it("destroying the message stream early destroys the source", async () => {
    const source = new CountingSource(64 * 1024 * 1024);
    const out = buildMessage({ from: "a@example.org", attachments: [{ content: source }] }).stream();
    await new Promise<void>((resolve) => out.once("data", () => resolve()));
    out.destroy();
    await settle();
    assert.equal(source.destroyed, true);
    assert.ok(source.produced < source.total);
  });

  it("a failing source fails the stream and toBuffer with its error", async () => {
    const failing = () =>
      new Readable({
        read() {
          this.destroy(new Error("disk on fire"));
        },
      });
    const out = buildMessage({ from: "a@example.org", attachments: [{ content: failing() }] }).stream();
    await assert.rejects(
      (async () => {
        for await (const _ of out) void _;
      })(),
      /disk on fire/,
    );
    await assert.rejects(
      buildMessage({ from: "a@example.org", forward: failing() }).toBuffer(),
      /disk on fire/,
    );
  });

  it("a missing file fails when streamed, not when built", async () => {
    const message = buildMessage({
      from: "a@example.org",
      attachments: [{ path: join(dir, "missing.pdf") }],
    });
    assert.match(message.headers.get("content-type")!, /^multipart\/mixed/);
    await assert.rejects(message.toBuffer(), { code: "ENOENT" });
  });
});

describe("stopping while a source is silent", () => {
  it("destroying the message stream destroys a source that never sends", async () => {
    const silent = new Readable({ read() {} });
    const out = buildMessage({
      from: "a@example.org",
      text: "x",
      attachments: [{ content: silent }],
    }).stream();
    await new Promise<void>((resolve) => out.once("data", () => resolve()));
    await settle();
    out.destroy();
    await settle();
    assert.equal(silent.destroyed, true);
  });
});
