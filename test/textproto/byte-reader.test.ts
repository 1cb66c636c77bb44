import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ConnectionClosedError, LimitError, ProtocolError } from "../../src/errors.js";
import { ByteReader } from "../../src/textproto/byte-reader.js";
import { bytewise, collect, everySplit, FakeSource, produce, readerOf, splitAt } from "./helpers.js";

const KiB = 1024;
const MiB = 1024 * KiB;

async function readAllLines(reader: ByteReader): Promise<string[]> {
  const lines: string[] = [];
  for (;;) {
    const line = await reader.readLine();
    if (line === null) return lines;
    lines.push(line.toString("latin1"));
  }
}

describe("ByteReader lines", () => {
  const wire = Buffer.from("220 hello\r\n\r\n250-a\r\n250 b c\r\n");
  const expected = ["220 hello", "", "250-a", "250 b c"];

  it("reads the same lines whatever the split (every offset, and byte by byte)", async () => {
    for (const parts of everySplit(wire)) {
      assert.deepEqual(await readAllLines(readerOf(parts)), expected);
    }
    assert.deepEqual(await readAllLines(readerOf(bytewise(wire))), expected);
  });

  it("reads the same lines for random splits into many chunks", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(wire.length), { maxLength: 12 }), async (cuts) => {
        assert.deepEqual(await readAllLines(readerOf(splitAt(wire, cuts))), expected);
      }),
    );
  });

  it("joins a CRLF split across chunks into one line ending", async () => {
    const reader = readerOf([Buffer.from("abc\r"), Buffer.from("\ndef\r"), Buffer.from("\n")]);
    assert.equal((await reader.readLine())?.toString(), "abc");
    assert.equal((await reader.readLine())?.toString(), "def");
    assert.equal(await reader.readLine(), null);
  });

  it("waits for the rest of a line that arrives later", async () => {
    const reader = new ByteReader();
    const pending = reader.readLine();
    reader.push(Buffer.from("25"));
    reader.push(Buffer.from("0 ok\r"));
    reader.push(Buffer.from("\n"));
    assert.equal((await pending)?.toString(), "250 ok");
    assert.equal(reader.tryReadLine(), undefined);
  });

  it("rejects a bare LF in crlf mode, at every split", async () => {
    for (const parts of everySplit(Buffer.from("abc\ndef\r\n"))) {
      await assert.rejects(readerOf(parts).readLine(), (error: unknown) => {
        assert.ok(error instanceof ProtocolError);
        assert.equal(error.reason, "bare-lf");
        return true;
      });
    }
  });

  it("accepts a bare LF in lenient mode and drops a CR before LF", async () => {
    const wire = Buffer.from("abc\ndef\r\n\nx\r\r\n");
    for (const parts of everySplit(wire)) {
      const lines = await readAllLines(readerOf(parts, { lineEnding: "lenient" }));
      assert.deepEqual(lines, ["abc", "def", "", "x\r"]);
    }
  });

  it("accepts a line of exactly maxLineLength and rejects one byte more with LimitError", async () => {
    const limit = 16;
    const exact = Buffer.from(`${"a".repeat(limit)}\r\n`);
    const over = Buffer.from(`${"a".repeat(limit + 1)}\r\n`);
    for (const lineEnding of ["crlf", "lenient"] as const) {
      for (const parts of everySplit(exact)) {
        const line = await readerOf(parts, { maxLineLength: limit, lineEnding }).readLine();
        assert.equal(line?.toString(), "a".repeat(limit));
      }
      for (const parts of everySplit(over)) {
        await assert.rejects(
          readerOf(parts, { maxLineLength: limit, lineEnding }).readLine(),
          (error: unknown) => {
            assert.ok(error instanceof LimitError);
            assert.equal(error.what, "line");
            assert.equal(error.limit, limit);
            return true;
          },
        );
      }
    }
  });

  it("rejects an over-long line before its end arrives (no waiting for a LF that never comes)", async () => {
    const reader = new ByteReader({ maxLineLength: 8 });
    const pending = reader.readLine();
    reader.push(Buffer.from("0123456789")); // 10 bytes, no LF: can no longer be a line of <= 8
    await assert.rejects(pending, LimitError);
  });

  it("honours a per-call limit", async () => {
    const reader = readerOf([Buffer.from("0123456789\r\n")]);
    assert.throws(() => reader.tryReadLine(4), LimitError);
    assert.equal(reader.tryReadLine(10)?.toString(), "0123456789");
  });

  it("rejects with ConnectionClosedError when the stream ends inside a line", async () => {
    const reader = readerOf([Buffer.from("250 ok\r\n250 partial")]);
    assert.equal((await reader.readLine())?.toString(), "250 ok");
    await assert.rejects(reader.readLine(), ConnectionClosedError);
  });

  it("resolves null at a clean end, also for reads pending when it ends", async () => {
    const reader = new ByteReader();
    const pending = reader.readLine();
    reader.end();
    assert.equal(await pending, null);
    assert.equal(reader.isEnded, true);
    assert.equal(await reader.readLine(), null);
  });

  it("rejects pending and later reads with the error given to end(), even with data buffered", async () => {
    const reader = new ByteReader();
    const failure = new Error("socket reset");
    const pendingLine = reader.readLine();
    reader.end(failure);
    await assert.rejects(pendingLine, (error) => error === failure);
    const other = new ByteReader();
    other.push(Buffer.from("250 ok\r\nmore"));
    const chunkRead = other.readChunk(2);
    assert.equal((await chunkRead)?.toString(), "25");
    other.end(failure);
    await assert.rejects(other.readLine(), (error) => error === failure);
    await assert.rejects(other.readChunk(), (error) => error === failure);
    await assert.rejects(other.readExactly(1), (error) => error === failure);
  });

  it("a later end(error) after a clean end still fails reads", async () => {
    const reader = readerOf([Buffer.from("x\r\n")]);
    const failure = new Error("late");
    reader.end(failure);
    await assert.rejects(reader.readLine(), (error) => error === failure);
  });

  it("ignores pushes after end() and empty chunks", async () => {
    const reader = new ByteReader();
    reader.push(Buffer.alloc(0));
    assert.equal(reader.buffered, 0);
    reader.push(Buffer.from("a\r\n"));
    reader.end();
    reader.push(Buffer.from("b\r\n"));
    assert.equal(reader.buffered, 3);
    assert.deepEqual(await readAllLines(reader), ["a"]);
  });

  it("discard() drops what is buffered", async () => {
    const reader = new ByteReader();
    reader.push(Buffer.from("plaintext injected\r\n"));
    reader.discard();
    assert.equal(reader.buffered, 0);
    reader.push(Buffer.from("after\r\n"));
    assert.equal((await reader.readLine())?.toString(), "after");
  });
});

describe("ByteReader raw mode", () => {
  it("readExactly gathers bytes across chunks and leaves the rest for lines", async () => {
    const wire = Buffer.from("0123456789rest\r\n");
    for (const parts of everySplit(wire)) {
      const reader = readerOf(parts);
      assert.equal((await reader.readExactly(10)).toString(), "0123456789");
      assert.equal((await reader.readLine())?.toString(), "rest");
    }
    assert.equal((await readerOf([]).readExactly(0)).length, 0);
  });

  it("readExactly rejects with ConnectionClosedError when the stream ends short", async () => {
    await assert.rejects(readerOf([Buffer.from("abc")]).readExactly(4), ConnectionClosedError);
  });

  it("readExactly refuses a negative or fractional count", async () => {
    await assert.rejects(readerOf([]).readExactly(-1), RangeError);
    await assert.rejects(readerOf([]).readExactly(1.5), RangeError);
  });

  it("readChunk hands over at most max bytes without copying, then null at the end", async () => {
    const chunk = Buffer.from("abcdef");
    const reader = readerOf([chunk]);
    const first = await reader.readChunk(4);
    assert.equal(first?.toString(), "abcd");
    assert.equal(first?.buffer, chunk.buffer);
    assert.equal((await reader.readChunk())?.toString(), "ef");
    assert.equal(await reader.readChunk(), null);
  });

  it("readChunk waits for data", async () => {
    const reader = new ByteReader();
    const pending = reader.readChunk();
    reader.push(Buffer.from("x"));
    assert.equal((await pending)?.toString(), "x");
  });

  it("chunks(n) yields exactly n bytes, whatever the split, and leaves the rest", async () => {
    const wire = Buffer.from("literal-bytes* 2 FETCH\r\n");
    for (const parts of everySplit(wire)) {
      const reader = readerOf(parts);
      assert.equal((await collect(reader.chunks(13))).toString(), "literal-bytes");
      assert.equal((await reader.readLine())?.toString(), "* 2 FETCH");
    }
  });

  it("chunks(n) rejects with ConnectionClosedError when the stream ends short", async () => {
    await assert.rejects(collect(readerOf([Buffer.from("ab")]).chunks(3)), ConnectionClosedError);
  });

  it("rest() yields everything to the end of the stream", async () => {
    const reader = readerOf([Buffer.from("line\r\nrest "), Buffer.from("of it")]);
    assert.equal((await reader.readLine())?.toString(), "line");
    assert.equal((await collect(reader.rest())).toString(), "rest of it");
  });
});

describe("ByteReader flow control", () => {
  it("pauses its source at highWaterMark and resumes once drained below it", async () => {
    const source = new FakeSource();
    const reader = new ByteReader({ highWaterMark: 100, source });
    reader.push(Buffer.alloc(60));
    assert.equal(source.paused, false);
    reader.push(Buffer.alloc(40)); // 100 buffered: at the mark
    assert.equal(source.paused, true);
    assert.equal(source.pauses, 1);
    reader.push(Buffer.alloc(10)); // a socket may deliver one more chunk after pause()
    assert.equal(source.pauses, 1);
    await reader.readChunk(5); // 105: still at or above the mark
    assert.equal(source.paused, true);
    await reader.readChunk(10); // 95: below
    assert.equal(source.paused, false);
    assert.equal(source.resumes, 1);
  });

  it("lets a long line that is within the limit through even when it is above highWaterMark", async () => {
    const source = new FakeSource();
    const reader = new ByteReader({ highWaterMark: 64, maxLineLength: 1000, source });
    const line = Buffer.from(`${"x".repeat(1000)}\r\n`);
    const reading = reader.readLine();
    const pushed = await produce(
      reader,
      source,
      splitAt(line, [100, 200, 300, 400, 500, 600, 700, 800, 900, 1001]),
    );
    assert.equal(pushed, line.length);
    assert.equal((await reading)?.length, 1000);
  });

  it("with a producer driven by pause/resume, holds at most highWaterMark plus one chunk", async () => {
    const source = new FakeSource();
    const reader = new ByteReader({ highWaterMark: 4 * KiB, source });
    const chunk = Buffer.alloc(KiB, 0x61);
    let peak = 0;
    const producing = produce(
      reader,
      source,
      Array.from({ length: 64 }, () => chunk),
    );
    let received = 0;
    while (received < 64 * KiB) {
      peak = Math.max(peak, reader.buffered);
      const part = await reader.readChunk(512);
      assert.ok(part);
      received += part.length;
      // A slow consumer: give the producer several turns between reads.
      for (let i = 0; i < 3; i += 1) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(await producing, 64 * KiB);
    assert.ok(source.pauses > 0, "the source was paused");
    assert.ok(peak <= 4 * KiB + KiB, `peak ${peak}`);
  });

  it("setSource() applies flow control to the new source at once", () => {
    const reader = new ByteReader({ highWaterMark: 10 });
    reader.push(Buffer.alloc(20));
    const source = new FakeSource();
    reader.setSource(source);
    assert.equal(source.paused, true);
  });

  it("a 1 GiB stream without LF stops at the line limit; the producer is held under 2x the limit", async () => {
    const limit = MiB;
    const chunkSize = 64 * KiB;
    const source = new FakeSource();
    const reader = new ByteReader({ maxLineLength: limit, source });
    let stopped = false;
    // Fresh chunks, made only when the producer is allowed to push: a reader that buffered
    // without bound would show up in memory, not only in the count.
    function* gigabyte(): Generator<Buffer> {
      for (let sent = 0; sent < 1024 * MiB; sent += chunkSize) yield Buffer.alloc(chunkSize, 0x41);
    }
    if (global.gc) global.gc();
    const rssBefore = process.memoryUsage().rss;
    const producing = produce(reader, source, gigabyte(), () => stopped);
    // Nobody reads yet: the reader pauses the producer at its high-water mark (= the limit here).
    for (let turn = 0; !source.paused && turn < 100_000; turn += 1) await new Promise((r) => setImmediate(r));
    assert.equal(source.paused, true);
    assert.equal(reader.buffered, reader.highWaterMark);
    // Now a line is read: the reader lets the line grow to its limit, then fails.
    await assert.rejects(reader.readLine(), (error: unknown) => {
      assert.ok(error instanceof LimitError);
      assert.equal(error.limit, limit);
      return true;
    });
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    stopped = true;
    source.resume(); // release the producer if it is waiting, so that it sees `stopped`
    const pushed = await producing;
    assert.ok(pushed > limit, `pushed ${pushed}: the reader read up to its limit`);
    assert.ok(pushed < 2 * limit, `pushed ${pushed} bytes, limit ${limit}`);
    // Secondary, loose check (other allocations and the GC add noise): nowhere near 1 GiB.
    assert.ok(rssGrowth < 2 * limit + 96 * MiB, `rss grew by ${rssGrowth}`);
  });
});
