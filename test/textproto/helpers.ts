// Shared helpers for the textproto tests: splitting inputs and a flow-controlled fake source.
import { setImmediate as nextTurn } from "node:timers/promises";
import { ByteReader, type ByteReaderOptions, type ByteSource } from "../../src/textproto/byte-reader.js";

/** Splits `bytes` at the given sorted offsets (offsets outside 1..length-1 are ignored). */
export function splitAt(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const cuts = [...new Set(offsets)].filter((o) => o > 0 && o < bytes.length).sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let start = 0;
  for (const cut of cuts) {
    parts.push(bytes.subarray(start, cut));
    start = cut;
  }
  parts.push(bytes.subarray(start));
  return parts;
}

/** Every way of cutting `bytes` into two pieces (including "not cut"). */
export function* everySplit(bytes: Buffer): Generator<Buffer[]> {
  yield [bytes];
  for (let i = 1; i < bytes.length; i += 1) yield [bytes.subarray(0, i), bytes.subarray(i)];
}

/** `bytes` one byte per chunk. */
export function bytewise(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 1) out.push(bytes.subarray(i, i + 1));
  return out;
}

/** A reader already holding `chunks`, ended unless told otherwise. */
export function readerOf(chunks: readonly Buffer[], options: ByteReaderOptions = {}, end = true): ByteReader {
  const reader = new ByteReader(options);
  for (const chunk of chunks) reader.push(chunk);
  if (end) reader.end();
  return reader;
}

/** A ByteSource that records the calls it gets and knows whether it is paused. */
export class FakeSource implements ByteSource {
  paused = false;
  pauses = 0;
  resumes = 0;
  private waiters: Array<() => void> = [];

  pause(): void {
    this.paused = true;
    this.pauses += 1;
  }

  resume(): void {
    this.paused = false;
    this.resumes += 1;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once the source is not paused. */
  async whenFlowing(): Promise<void> {
    while (this.paused) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

/**
 * Feeds `chunks` into `reader` the way a socket would: one chunk per turn of the event loop, and
 * only while `source` is not paused. Stops early when `stop()` says so. Returns the bytes pushed.
 */
export async function produce(
  reader: ByteReader,
  source: FakeSource,
  chunks: Iterable<Buffer>,
  stop: () => boolean = () => false,
): Promise<number> {
  let pushed = 0;
  for (const chunk of chunks) {
    await source.whenFlowing();
    if (stop()) break;
    reader.push(chunk);
    pushed += chunk.length;
    await nextTurn();
  }
  return pushed;
}

/** Collects an async iterable of Buffers into one Buffer. */
export async function collect(iterable: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of iterable) parts.push(part);
  return Buffer.concat(parts);
}
