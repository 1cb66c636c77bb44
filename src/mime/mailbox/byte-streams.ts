/**
 * Small byte-stream helpers shared by the mbox reader and writer and the Maildir: turning the
 * inputs a caller may give (Buffer, Uint8Array, Readable, async iterable) into Buffers, and
 * writing to a Node stream with backpressure.
 */
import type { FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";
import { ConnectionClosedError, InvalidArgumentError } from "../../errors.js";

/** A message's bytes as a caller may give them: whole, or as a stream of chunks. */
export type MessageBytes = Buffer | Uint8Array | Readable | AsyncIterable<Uint8Array>;

/** A Buffer view of `bytes` (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** True for the values {@link chunksOf} accepts. */
export function isMessageBytes(value: unknown): value is MessageBytes {
  return (
    value instanceof Uint8Array ||
    (typeof value === "object" && value !== null && Symbol.asyncIterator in value)
  );
}

/**
 * The chunks of `source`, as Buffers. A stream that yields strings is refused: message bytes are
 * bytes, and guessing an encoding would change them.
 *
 * @throws InvalidArgumentError for a string chunk or a value that is neither bytes nor iterable.
 */
export async function* chunksOf(source: MessageBytes): AsyncGenerator<Buffer> {
  if (source instanceof Uint8Array) {
    if (source.length > 0) yield asBuffer(source);
    return;
  }
  if (typeof source !== "object" || source === null || !(Symbol.asyncIterator in source)) {
    throw new InvalidArgumentError(
      "message bytes must be a Buffer, a Uint8Array, a Readable or an async iterable",
    );
  }
  for await (const chunk of source as AsyncIterable<unknown>) {
    if (!(chunk instanceof Uint8Array)) {
      throw new InvalidArgumentError(
        "a message stream yielded something other than bytes (a string? do not set an encoding)",
      );
    }
    if (chunk.length > 0) yield asBuffer(chunk);
  }
}

/**
 * Writes `pieces` to `stream` and resolves once it may take more (after `'drain'` when a write
 * returned false).
 *
 * @throws the stream's own error when it fails; ConnectionClosedError when it closes first.
 */
export async function writeWithBackpressure(
  stream: NodeJS.WritableStream,
  pieces: readonly Buffer[],
): Promise<void> {
  let ok = true;
  for (const piece of pieces) ok = stream.write(piece) && ok;
  if (ok) return;
  await new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      stream.removeListener("drain", onDrain);
      stream.removeListener("error", onError);
      stream.removeListener("close", onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new ConnectionClosedError("the destination stream closed before all the data was written"));
    };
    stream.on("drain", onDrain);
    stream.on("error", onError);
    stream.on("close", onClose);
  });
}

const BATCH_BYTES = 256 * 1024;

/** Buffers small pieces into writes of about {@link BATCH_BYTES} (one `writev` each). */
export class FileBatcher {
  #handle: FileHandle;
  #pieces: Buffer[] = [];
  #bytes = 0;

  constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  write = async (pieces: Buffer[]): Promise<void> => {
    for (const piece of pieces) {
      this.#pieces.push(piece);
      this.#bytes += piece.length;
    }
    if (this.#bytes >= BATCH_BYTES) await this.flush();
  };

  async flush(): Promise<void> {
    let pieces = this.#pieces;
    let left = this.#bytes;
    this.#pieces = [];
    this.#bytes = 0;
    while (left > 0) {
      const { bytesWritten } = await this.#handle.writev(pieces);
      left -= bytesWritten;
      if (left > 0) pieces = dropBytes(pieces, bytesWritten);
    }
  }
}

/** `pieces` without their first `count` bytes (after a short write). */
function dropBytes(pieces: Buffer[], count: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const piece of pieces) {
    if (count >= piece.length) {
      count -= piece.length;
    } else {
      rest.push(count > 0 ? piece.subarray(count) : piece);
      count = 0;
    }
  }
  return rest;
}
