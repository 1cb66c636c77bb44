/**
 * What both archive writers accept for one entry, checked once: where its bytes come from, its
 * modification time and its permission bits. Pure, apart from reading a source stream.
 */
import { Readable } from "node:stream";
import { InvalidArgumentError } from "../../errors.js";

/** An entry's bytes: a whole buffer, or a stream of Buffers/Uint8Arrays (no `setEncoding`). */
export type EntrySource = Readable | Uint8Array;

/** Options of `addFile`. */
export interface FileEntryOptions {
  /** Modification time recorded for the entry. Default: now. */
  modifiedAt?: Date;
  /** Permission bits (`0o644` default for files). Only `0o7777` is kept. */
  mode?: number;
  /**
   * The stream's length when known. ZIP uses it to leave out ZIP64 fields for small entries
   * (without it a streamed entry gets them, to stay readable by streaming unzippers); tar needs
   * the size before the data, and without it spools the stream to a temporary file first.
   * A stream that delivers a different number of bytes fails the entry.
   */
  size?: number;
}

/** Options of `addDirectory`. */
export interface DirectoryEntryOptions {
  /** Default: now. */
  modifiedAt?: Date;
  /** Default `0o755`. */
  mode?: number;
}

/** Checked entry facts. */
export interface EntryFacts {
  modifiedAt: Date;
  mode: number;
  size: number | undefined;
}

/**
 * Validates `options` for one entry.
 *
 * @throws InvalidArgumentError for an invalid date, a mode outside 0–0o7777 or a size that is not a
 *   whole number of 0 or more.
 */
export function entryFacts(
  options: FileEntryOptions | DirectoryEntryOptions | undefined,
  defaultMode: number,
): EntryFacts {
  const modifiedAt = options?.modifiedAt ?? new Date();
  if (!(modifiedAt instanceof Date) || !Number.isFinite(modifiedAt.getTime())) {
    throw new InvalidArgumentError("an archive entry's modifiedAt must be a valid Date");
  }
  const mode = options?.mode ?? defaultMode;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
    throw new InvalidArgumentError("an archive entry's mode must be a whole number from 0 to 0o7777");
  }
  const size = options !== undefined && "size" in options ? options.size : undefined;
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) {
    throw new InvalidArgumentError("an archive entry's size must be a whole number of 0 or more");
  }
  return { modifiedAt, mode, size };
}

/**
 * Checks that `source` is bytes or a readable stream.
 *
 * @throws InvalidArgumentError otherwise.
 */
export function checkSource(source: EntrySource): void {
  if (source instanceof Uint8Array || source instanceof Readable) return;
  throw new InvalidArgumentError("an archive entry's source must be a Buffer, a Uint8Array or a Readable");
}

/** The stream's chunks as Buffers. @throws InvalidArgumentError for a chunk that is not bytes (a string). */
export async function* chunksOf(source: AsyncIterable<unknown>): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    if (Buffer.isBuffer(chunk)) yield chunk;
    else if (chunk instanceof Uint8Array) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else throw new InvalidArgumentError("an archive entry's stream delivered text, not bytes");
  }
}

/** `bytes` as a Buffer, without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
