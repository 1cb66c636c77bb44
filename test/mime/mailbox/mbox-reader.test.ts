// readMbox and streamMbox: paths, Readables and iterables; offsets that point at the From lines;
// the per-message limit (thrown or skipped); streamed bodies (skipping unread ones); abort; a
// generated 50 MB mbox read through a stream with the reader's own buffered bytes bounded.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { AbortError, InvalidArgumentError, LimitError } from "../../../src/errors.js";
import { readMbox } from "../../../src/mime/mailbox/mbox-reader.js";
import type { MboxReadStats } from "../../../src/mime/mailbox/mbox-source.js";
import { type MboxStreamedMessage, streamMbox } from "../../../src/mime/mailbox/mbox-stream.js";
import { modelRead } from "./mbox-model.js";

const FILE =
  "From alice@example.org Thu Jan  1 00:00:00 1970\nSubject: one\n\n>From the start\nbody\n\n" +
  "From bob@example.org  Fri Jan  2 00:00:00 1970\r\nSubject: two\r\n\r\n>>From two\r\n\r\n" +
  "From MAILER-DAEMON\nSubject: three\n\nlast";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "inetkit-mbox-read-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** A lazily generated mbox of about `bytes` bytes: messages of varied sizes, some with From lines. */
function* generated(bytes: number): Generator<Buffer, void, undefined> {
  let made = 0;
  let n = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  while (made < bytes) {
    const size = 200 + ((n * 7919) % 20_000);
    const line = `line ${n} of a body that goes on for a while to fill it up ...........\n`;
    const body = line.repeat(Math.ceil(size / line.length));
    const message =
      `From sender${n}@example.org Thu Jan  1 00:00:00 1970\nSubject: message ${n}\nMessage-ID: <${n}@x>\n\n` +
      `${n % 5 === 0 ? ">From quoted\n" : ""}${body}\n`;
    const buffer = Buffer.from(message);
    pending.push(buffer);
    pendingBytes += buffer.length;
    made += buffer.length;
    n += 1;
    if (pendingBytes >= 64 * 1024) {
      yield Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
    }
  }
  if (pending.length > 0) yield Buffer.concat(pending);
}

describe("readMbox", () => {
  it("reads a path: messages, envelopes, unquoted content, offsets at the From lines", async () => {
    const path = join(dir, "three.mbox");
    await writeFile(path, FILE);
    const messages = await all(readMbox(path, { chunkSize: 7 }));
    const model = modelRead(FILE, "mboxrd");
    assert.deepEqual(
      messages.map((m) => ({
        offset: m.offset,
        end: m.end,
        fromLine: m.fromLine,
        content: m.content().toString(),
      })),
      model,
    );
    assert.deepEqual(
      messages.map((m) => [m.index, m.sender, m.date]),
      [
        [0, "alice@example.org", "Thu Jan  1 00:00:00 1970"],
        [1, "bob@example.org", "Fri Jan  2 00:00:00 1970"],
        [2, "MAILER-DAEMON", undefined],
      ],
    );
    const file = Buffer.from(FILE);
    for (const m of messages) {
      assert.equal(file.subarray(m.offset, m.offset + 5).toString(), "From ");
      assert.equal(m.size, m.content().length);
    }
    assert.equal(messages[0]!.content().toString(), "Subject: one\n\nFrom the start\nbody\n");
    assert.equal(messages[1]!.content().toString(), "Subject: two\r\n\r\n>From two\r\n");
    assert.equal(messages[2]!.content().toString(), "Subject: three\n\nlast");
  });

  it("reads a Readable, an async iterable, an array of chunks and a Buffer alike", async () => {
    const expected = modelRead(FILE, "mboxo").map((m) => m.content);
    const bytes = Buffer.from(FILE);
    async function* asyncChunks() {
      for (let at = 0; at < bytes.length; at += 3) yield new Uint8Array(bytes.subarray(at, at + 3));
    }
    const sources = [
      Readable.from([bytes.subarray(0, 50), bytes.subarray(50)]),
      asyncChunks(),
      [bytes],
      bytes,
    ];
    for (const source of sources) {
      const messages = await all(readMbox(source, { format: "mboxo" }));
      assert.deepEqual(
        messages.map((m) => m.content().toString()),
        expected,
      );
    }
  });

  it("decodes a From line as UTF-8, or latin1 when it is not UTF-8", async () => {
    const utf8 = Buffer.from("From jörg@example.org now\nx\n");
    const latin1 = Buffer.concat([Buffer.from("From j"), Buffer.from([0xf6]), Buffer.from("rg now\nx\n")]);
    const [a] = await all(readMbox(utf8));
    const [b] = await all(readMbox(latin1));
    assert.equal(a!.sender, "jörg@example.org");
    assert.equal(b!.sender, "jörg");
  });

  it("throws LimitError for a message over maxMessageBytes", async () => {
    const file = `From a\n${"x".repeat(100)}\n\nFrom b\nsmall\n`;
    await assert.rejects(all(readMbox([Buffer.from(file)], { maxMessageBytes: 50 })), (error: unknown) => {
      assert.ok(error instanceof LimitError);
      assert.equal(error.what, "mbox-message");
      assert.equal(error.limit, 50);
      return true;
    });
  });

  it("skips an oversized message when asked, and says so", async () => {
    const file = `From a\nsmall\n\nFrom b\n${"x".repeat(100)}\n\nFrom c\nalso small\n`;
    const skipped: unknown[] = [];
    const messages = await all(
      readMbox([Buffer.from(file)], {
        maxMessageBytes: 50,
        oversized: "skip",
        onSkipped: (s) => skipped.push(s),
      }),
    );
    assert.deepEqual(
      messages.map((m) => [m.index, m.content().toString()]),
      [
        [0, "small\n"],
        [2, "also small\n"],
      ],
    );
    assert.deepEqual(skipped, [{ index: 1, offset: file.indexOf("From b"), fromLine: "From b", size: 101 }]);
  });

  it("stops with AbortError when the signal fires, and closes the file it opened", async () => {
    const path = join(dir, "abort.mbox");
    await writeFile(path, FILE.repeat(50));
    const controller = new AbortController();
    let seen = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of readMbox(path, { signal: controller.signal, chunkSize: 64 })) {
          seen += 1;
          controller.abort();
        }
      })(),
      AbortError,
    );
    assert.ok(seen >= 1 && seen < 150);
    const aborted = AbortSignal.abort();
    await assert.rejects(all(readMbox(path, { signal: aborted })), AbortError);
  });

  it("refuses a source of strings, bad options and a missing file", async () => {
    await assert.rejects(all(readMbox(Readable.from(["From a\n"]))), InvalidArgumentError);
    await assert.rejects(all(readMbox([Buffer.from("x")], { maxMessageBytes: -1 })), InvalidArgumentError);
    await assert.rejects(
      all(readMbox([Buffer.from("x")], { format: "mboxcl" as unknown as "mboxo" })),
      InvalidArgumentError,
    );
    await assert.rejects(all(readMbox(join(dir, "missing.mbox"))), { code: "ENOENT" });
    await assert.rejects(all(readMbox(42 as unknown as string)), InvalidArgumentError);
  });

  it("reads a generated 50 MB mbox through a stream with its own buffers bounded by one message", async () => {
    const stats: MboxReadStats = { bytesRead: 0, messages: 0, bufferedBytes: 0, peakBufferedBytes: 0 };
    let count = 0;
    let largest = 0;
    let bytes = 0;
    for await (const message of readMbox(Readable.from(generated(50 * 1024 * 1024)), { stats })) {
      const content = message.content();
      assert.ok(content.toString("latin1", 0, 22).startsWith(`Subject: message ${count}`));
      largest = Math.max(largest, content.length);
      bytes += content.length;
      count += 1;
    }
    assert.ok(stats.bytesRead >= 50 * 1024 * 1024);
    assert.equal(stats.messages, count);
    assert.ok(count > 4000, `${count} messages`);
    // One message (the largest is about 20 KB) and a few carried bytes; never the file.
    assert.ok(
      stats.peakBufferedBytes >= largest - 200,
      `peak ${stats.peakBufferedBytes} < largest ${largest}`,
    );
    assert.ok(stats.peakBufferedBytes <= largest + 16, `peak ${stats.peakBufferedBytes}, largest ${largest}`);
    assert.ok(bytes > 45 * 1024 * 1024);
  });
});

describe("streamMbox", () => {
  it("streams each body; the sizes and ends match readMbox", async () => {
    const whole = await all(readMbox([Buffer.from(FILE)]));
    const seen: { content: string; size: number; end: number | undefined }[] = [];
    for await (const message of streamMbox([Buffer.from(FILE)])) {
      const parts: Buffer[] = [];
      for await (const chunk of message.body()) parts.push(chunk);
      seen.push({ content: Buffer.concat(parts).toString(), size: message.size, end: message.end });
    }
    assert.deepEqual(
      seen,
      whole.map((m) => ({ content: m.content().toString(), size: m.size, end: m.end })),
    );
  });

  it("skips the unread rest of a body when moving on, and refuses a second body()", async () => {
    const bytes = Buffer.from(FILE);
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    const got: string[] = [];
    const kept: MboxStreamedMessage[] = [];
    for await (const message of streamMbox(chunks)) {
      kept.push(message);
      if (message.index === 0) {
        const iterator = message.body()[Symbol.asyncIterator]();
        const first = await iterator.next();
        got.push(String(first.value));
        assert.throws(() => message.body(), InvalidArgumentError);
      } else if (message.index === 2) {
        got.push(Buffer.concat(await all(message.body())).toString());
      }
    }
    assert.deepEqual(got, ["S", "Subject: three\n\nlast"]);
    assert.deepEqual(
      kept.map((m) => m.size),
      modelRead(FILE, "mboxrd").map((m) => m.content.length),
    );
    // A body asked for after moving on is empty.
    assert.deepEqual(await all(kept[1]!.body()), []);
  });

  it("gives a Readable per message, fit for pipelines", async () => {
    const texts: string[] = [];
    for await (const message of streamMbox(Readable.from([Buffer.from(FILE)]))) {
      const stream = message.stream();
      let text = "";
      for await (const chunk of stream) text += chunk;
      texts.push(text);
    }
    assert.deepEqual(
      texts,
      modelRead(FILE, "mboxrd").map((m) => m.content),
    );
  });

  it("keeps constant memory over a 50 MB stream when bodies are only streamed", async () => {
    const stats: MboxReadStats = { bytesRead: 0, messages: 0, bufferedBytes: 0, peakBufferedBytes: 0 };
    let bytes = 0;
    for await (const message of streamMbox(Readable.from(generated(50 * 1024 * 1024)), { stats })) {
      if (message.index % 2 === 0) for await (const chunk of message.body()) bytes += chunk.length;
    }
    assert.ok(stats.messages > 4000);
    assert.ok(bytes > 20 * 1024 * 1024);
    assert.ok(stats.peakBufferedBytes <= 4104, `peak ${stats.peakBufferedBytes}`);
  });

  it("reports a source error to the reader of the body and to the next message alike", async () => {
    async function* failing() {
      yield Buffer.from("From a\nfirst part ");
      throw new Error("disk on fire");
    }
    const iterator = streamMbox(failing())[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(first.done, false);
    await assert.rejects(all((first.value as MboxStreamedMessage).body()), /disk on fire/);
    await assert.rejects(iterator.next(), /disk on fire/);
  });
});
