import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { AbortError, InvalidArgumentError, LimitError } from "../../../src/errors.js";
import { parseMessage } from "../../../src/mime/parse/index.js";
import { parseMessageWithStats } from "../../../src/mime/parse/parse-message.js";
import type { StreamedAttachment } from "../../../src/mime/types.js";
import { spyNativeBase64 } from "../codec/helpers.js";
import { NESTED } from "./fixtures.js";
import { chunked, crlf } from "./helpers.js";

const KiB = 1024;
const MiB = 1024 * KiB;

// A full garbage collection on demand, to measure what is still referenced (not what the GC
// has yet to collect).
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

/** Deterministic pseudo-random bytes (xorshift), so the test knows what the attachment holds. */
function payloadChunk(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed | 1;
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * A message with a short text part and a base64 attachment of `size` bytes, produced lazily in
 * ~57 KiB steps (never held whole). `progress.produced` counts the bytes pulled so far.
 */
function bigMessage(size: number, progress: { produced: number }, hash: ReturnType<typeof createHash>) {
  async function* generate(): AsyncGenerator<Buffer> {
    const head = crlf(
      "Subject: big",
      "Content-Type: multipart/mixed; boundary=zz",
      "",
      "--zz",
      "Content-Type: text/plain",
      "",
      "see attached",
      "--zz",
      "Content-Type: application/octet-stream",
      "Content-Disposition: attachment; filename=big.bin",
      "Content-Transfer-Encoding: base64",
      "",
      "",
    );
    yield Buffer.from(head);
    const step = 57 * 1024; // a multiple of 57 bytes: whole 76-character lines
    for (let done = 0, seed = 1; done < size; done += step, seed += 1) {
      const raw = payloadChunk(seed, Math.min(step, size - done));
      hash.update(raw);
      const lines = raw.toString("base64").replace(/.{76}/g, "$&\r\n");
      const bytes = Buffer.from(lines.endsWith("\n") ? lines : `${lines}\r\n`);
      progress.produced += bytes.length;
      yield bytes;
    }
    yield Buffer.from("--zz--\r\n");
  }
  return generate();
}

describe("parseMessage: attachments as streams (onAttachment)", () => {
  it("streams a 24 MiB attachment with backpressure and holds little in its own buffers", async () => {
    const size = 24 * MiB;
    const progress = { produced: 0 };
    const sent = createHash("sha256");
    const received = createHash("sha256");
    let consumed = 0;
    let maxAhead = 0;
    let maxLive = 0;
    const { message, peakBufferedBytes } = await parseMessageWithStats(bigMessage(size, progress, sent), {
      onAttachment: async (attachment) => {
        assert.equal(attachment.filename, "big.bin");
        let n = 0;
        for await (const chunk of attachment.stream) {
          received.update(chunk as Buffer);
          consumed += (chunk as Buffer).length;
          // Input pulled ahead of what this slow reader took (57 bytes are 76 characters + CRLF).
          maxAhead = Math.max(maxAhead, progress.produced - (consumed * 78) / 57);
          if (++n % 8 === 0) await new Promise((resolve) => setImmediate(resolve));
          if (n % 64 === 0) {
            collectGarbage();
            maxLive = Math.max(maxLive, process.memoryUsage().arrayBuffers);
          }
        }
      },
    });
    assert.equal(consumed, size);
    assert.equal(received.digest("hex"), sent.digest("hex"));
    assert.equal(message.attachments[0]!.size, size);
    assert.equal(message.text, "see attached");
    await assert.rejects(message.attachments[0]!.content(), InvalidArgumentError);
    assert.ok(peakBufferedBytes < 64 * KiB, `the parser held ${peakBufferedBytes} bytes`);
    assert.ok(maxAhead < 512 * KiB, `the parser read ${maxAhead} bytes ahead of the reader`);
    // Nothing the parse went through stays referenced (a leak would grow with the attachment).
    assert.ok(maxLive < 16 * MiB, `${maxLive} bytes of buffers still referenced`);
  });

  it("hands a streamed base64 attachment to Node's decoder in runs of whole lines", async () => {
    // Memory, not speed, is the point: V8 frees the input chunks and the decoded ones (both
    // outside its heap) only when it collects, and it collects as its heap fills. The string
    // each run of lines becomes for Node's decoder keeps that pace with the input; decoded byte
    // by byte in JavaScript, the dead chunks piled up between collections (17 MiB of them at
    // 100 MiB of message read in 64 KiB chunks, 33 MiB at 1 GiB). Not a timing: a count.
    const size = 4 * MiB;
    const sent = createHash("sha256");
    const received = createHash("sha256");
    async function* inReadsOf64KiB(): AsyncGenerator<Buffer> {
      let pending: Buffer[] = [];
      let length = 0;
      for await (const piece of bigMessage(size, { produced: 0 }, sent)) {
        pending.push(piece);
        length += piece.length;
        while (length >= 64 * KiB) {
          const all = Buffer.concat(pending, length);
          yield all.subarray(0, 64 * KiB);
          pending = [all.subarray(64 * KiB)];
          length -= 64 * KiB;
        }
      }
      yield Buffer.concat(pending, length);
    }
    const spied = await spyNativeBase64(() =>
      parseMessage(inReadsOf64KiB(), {
        onAttachment: async (attachment) => {
          for await (const chunk of attachment.stream) received.update(chunk as Buffer);
        },
      }),
    );
    assert.equal(received.digest("hex"), sent.digest("hex"));
    assert.equal(spied.result.attachments[0]!.size, size);
    const characters = Math.floor((size * 78) / 57);
    assert.ok(spied.chars > 0.98 * characters, `${spied.chars} of ${characters} characters went natively`);
    assert.ok(spied.calls <= Math.ceil(characters / (64 * KiB)) + 2, `${spied.calls} runs`);
  });

  it("keeps every body when there is no callback (the same message, for contrast)", async () => {
    const { peakBufferedBytes } = await parseMessageWithStats(
      bigMessage(2 * MiB, { produced: 0 }, createHash("md5")),
    );
    assert.ok(peakBufferedBytes >= 2 * MiB);
  });

  it("calls back in document order, one attachment at a time, and keeps the main text and HTML", async () => {
    const log: string[] = [];
    let active = 0;
    const m = await parseMessage(NESTED, {
      onAttachment: async (attachment) => {
        active += 1;
        assert.equal(active, 1);
        const chunks: Buffer[] = [];
        for await (const chunk of attachment.stream) chunks.push(chunk as Buffer);
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(`${attachment.contentType} ${Buffer.concat(chunks).length}`);
        active -= 1;
      },
    });
    assert.deepEqual(log, ["image/png 70", "application/pdf 14", "message/rfc822 116"]);
    assert.equal(m.text, "Café au lait");
    assert.equal(m.html, "<p>Café</p>");
    // Inside the streamed message nothing is kept, but the tree is there.
    const inner = m.attachments[2]!.part.children[0]!;
    assert.equal(inner.headers.get("subject"), "inner");
    assert.equal(inner.children[0]!.size, 9);
    await assert.rejects(inner.children[0]!.content(), InvalidArgumentError);
  });

  it("drains a stream the callback left unread, and one the reader destroyed", async () => {
    const big = payloadChunk(7, 600 * KiB)
      .toString("base64")
      .replace(/.{76}/g, "$&\r\n");
    const message = crlf(
      "Content-Type: multipart/mixed; boundary=b",
      "",
      "--b",
      "Content-Type: application/x-a",
      "Content-Transfer-Encoding: base64",
      "",
      big,
      "--b",
      "Content-Type: application/x-b",
      "Content-Transfer-Encoding: base64",
      "",
      big,
      "--b--",
    );
    const m = await parseMessage(chunked([Buffer.from(message)]), {
      onAttachment: (attachment) => {
        if (attachment.contentType === "application/x-b") {
          attachment.stream.once("data", () => attachment.stream.destroy());
        }
      },
    });
    assert.deepEqual(
      m.attachments.map((a) => a.size),
      [600 * KiB, 600 * KiB],
    );
  });

  it("rejects with the callback's error, and the stream sees it too", async () => {
    const boom = new Error("boom");
    await assert.rejects(
      parseMessage(NESTED, {
        onAttachment: () => {
          throw boom;
        },
      }),
      (error) => error === boom,
    );
    let streamError: unknown;
    const big = crlf(
      "Content-Type: image/png",
      "Content-Transfer-Encoding: base64",
      "",
      "AAAA\r\n".repeat(200_000),
    );
    await assert.rejects(
      parseMessage(chunked([Buffer.from(big)]), {
        onAttachment: async (attachment: StreamedAttachment) => {
          attachment.stream.on("error", (e) => {
            streamError = e;
          });
          await new Promise((resolve) => setTimeout(resolve, 5));
          throw boom;
        },
      }),
      (error) => error === boom,
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(streamError, boom);
  });

  it("aborts on the signal: AbortError, the attachment stream destroyed, the source released", async () => {
    const controller = new AbortController();
    let streamError: unknown;
    const source = Readable.from(
      (async function* () {
        yield Buffer.from(crlf("Content-Type: image/png", "Content-Transfer-Encoding: base64", "", ""));
        for (;;) {
          yield Buffer.from("AAAA\r\n".repeat(1000));
          await new Promise((resolve) => setImmediate(resolve));
        }
      })(),
    );
    await assert.rejects(
      parseMessage(source, {
        signal: controller.signal,
        onAttachment: (attachment) => {
          attachment.stream.on("error", (e) => {
            streamError = e;
          });
          attachment.stream.resume();
          setTimeout(() => controller.abort(), 10);
        },
      }),
      AbortError,
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(streamError instanceof AbortError);
    assert.ok(source.destroyed);
    // A source stuck waiting for data does not keep the abort waiting.
    const stuck = new Readable({ read() {} });
    stuck.push("Subject: waiting\r\n");
    const later = new AbortController();
    const timer = setTimeout(() => later.abort(), 20);
    await assert.rejects(parseMessage(stuck, { signal: later.signal }), AbortError);
    clearTimeout(timer);
    assert.ok(stuck.destroyed);
    const aborted = AbortSignal.abort();
    await assert.rejects(parseMessage("Subject: x\r\n\r\n", { signal: aborted }), AbortError);
  });

  it("destroys the attachment stream with the LimitError that ends the parse", async () => {
    let streamError: unknown;
    const message = crlf("Content-Type: image/png", "", "short", "x".repeat(100));
    await assert.rejects(
      parseMessage(message, {
        maxLineLength: 50,
        onAttachment: (attachment) => {
          attachment.stream.on("error", (e) => {
            streamError = e;
          });
          attachment.stream.resume();
        },
      }),
      LimitError,
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(streamError instanceof LimitError);
  });

  it("passes the source's own error on", async () => {
    const failure = new Error("disk on fire");
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from("Subject: x\r\n");
      throw failure;
    }
    await assert.rejects(parseMessage(failing()), (error) => error === failure);
    await assert.rejects(parseMessage(42 as unknown as string), InvalidArgumentError);
  });
});
