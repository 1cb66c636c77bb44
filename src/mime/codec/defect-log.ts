/**
 * Records codec defects once per kind of problem, so a hostile body with a million bad bytes
 * yields one defect (naming the first occurrence), not a million.
 */
import type { MimeDefect, MimeDefectKind } from "../types.js";

/** A defect list that keeps only the first defect for each `key`. Internal to codec/. */
export class DefectLog {
  /** The recorded defects, in the order they were first found. */
  readonly list: MimeDefect[] = [];
  readonly #seen = new Set<string>();

  /** Adds a defect unless one with the same `key` was already recorded; `message` is built lazily. */
  add(key: string, kind: MimeDefectKind, message: () => string): void {
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.list.push({ kind, message: message() });
  }
}

/** A byte as a short, terminal-safe description: `0x21 ("!")`, `0x0d`. */
export function describeByte(byte: number): string {
  const hex = `0x${byte.toString(16).padStart(2, "0")}`;
  return byte > 0x20 && byte < 0x7f ? `${hex} ("${String.fromCharCode(byte)}")` : hex;
}

/** Views any Uint8Array as a Buffer without copying. */
export function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** A shared empty Buffer (never written to). */
export const EMPTY = Buffer.alloc(0);
