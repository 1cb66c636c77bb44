/**
 * The inputs {@link parseMessage} accepts, seen as one kind: an async sequence of Buffers, read
 * one chunk at a time (a Buffer or string input is one chunk; the driver slices big chunks).
 */
import type { Readable } from "node:stream";
import { InvalidArgumentError } from "../../errors.js";

/** What a message can be parsed from. */
export type MessageSource = Readable | AsyncIterable<Uint8Array> | Buffer | Uint8Array | string;

/**
 * An iterator over the source's chunks as Buffers (views, not copies). A string is encoded as
 * UTF-8 (RFC 6532 allows UTF-8 headers). Throws `InvalidArgumentError` for anything else, and
 * (when iterated) for a chunk that is neither bytes nor a string.
 */
export function chunksOf(source: MessageSource): AsyncIterator<Buffer> {
  if (typeof source === "string") return once(Buffer.from(source, "utf8"));
  if (source instanceof Uint8Array) return once(asBuffer(source));
  if (source !== null && typeof source === "object" && Symbol.asyncIterator in source) {
    const inner = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    return {
      async next(): Promise<IteratorResult<Buffer>> {
        const result = await inner.next();
        if (result.done) return { done: true, value: undefined };
        return { done: false, value: toBuffer(result.value) };
      },
      async return(): Promise<IteratorResult<Buffer>> {
        await inner.return?.();
        return { done: true, value: undefined };
      },
    };
  }
  throw new InvalidArgumentError(
    "parseMessage: the source must be a Readable, an async iterable, a Buffer or a string",
  );
}

function toBuffer(chunk: unknown): Buffer {
  if (chunk instanceof Uint8Array) return asBuffer(chunk);
  // A Readable with setEncoding() yields strings; take them back as the UTF-8 they came from.
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  throw new InvalidArgumentError("parseMessage: the source yielded a chunk that is not bytes");
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function once(chunk: Buffer): AsyncIterator<Buffer> {
  let done = false;
  return {
    next(): Promise<IteratorResult<Buffer>> {
      if (done) return Promise.resolve({ done: true, value: undefined });
      done = true;
      return Promise.resolve({ done: false, value: chunk });
    },
  };
}
