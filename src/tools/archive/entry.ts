/**
 * What the archive readers return for one entry, and the limits they read under. Archives may
 * come from anyone: every count, name and size read from one is bounded.
 */
import type { Readable } from "node:stream";
import { LimitError, ProtocolError } from "../../errors.js";
import { unsafeEntryNameReason } from "./names.js";

/** One entry of an archive. */
export interface ArchiveEntry {
  /** The relative `/`-separated path, checked (no `..`, not absolute, no NUL), without a folder's trailing `/`. */
  name: string;
  /** `symlink` and `other` (devices, hard links…) are listed, never followed. */
  type: "file" | "directory" | "symlink" | "other";
  /** Bytes of the content (0 for folders). */
  size: number;
  /** The entry's modification time, when it has a valid one. */
  modifiedAt: Date | undefined;
  /** Permission bits (`0o644`…) when the archive records them. */
  mode: number | undefined;
  /**
   * The content as a stream (checked as it goes: a ZIP entry's CRC-32 and size at its end, a tar
   * entry's size). The stream fails with ProtocolError when the bytes do not match.
   */
  open(): Readable;
  /**
   * The whole content in memory.
   *
   * @throws LimitError when the entry is larger than `maxBytes` (default 64 MiB); ProtocolError
   *   for a corrupt entry (CRC mismatch, wrong size, bad compressed data, unsupported method).
   */
  read(options?: { maxBytes?: number }): Promise<Buffer>;
}

/** Limits for reading an archive. */
export interface ArchiveReadOptions {
  /** Most entries listed (default 1 000 000). */
  maxEntries?: number;
  /** Most bytes of one tar PAX or GNU long-name header (default 1 MiB). */
  maxHeaderBytes?: number;
}

export const DEFAULT_MAX_ENTRIES = 1_000_000;
export const DEFAULT_MAX_HEADER_BYTES = 1024 * 1024;
export const DEFAULT_MAX_READ_BYTES = 64 * 1024 * 1024;

/** A malformed-archive ProtocolError. */
export function malformed(message: string): ProtocolError {
  return new ProtocolError("malformed-archive", message);
}

/**
 * Checks a name read from an archive (without a folder's trailing `/`).
 *
 * @throws ProtocolError (`unsafe-entry-name`) for a name that could escape the folder it is unpacked into.
 */
export function checkReadName(name: string): string {
  const reason = unsafeEntryNameReason(name);
  if (reason !== undefined) {
    throw new ProtocolError("unsafe-entry-name", `the archive holds an entry name that ${reason}`);
  }
  return name;
}

/** Reads `stream` whole, refusing more than `maxBytes`. */
export async function collect(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      stream.destroy();
      throw new LimitError("archive-entry", maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
