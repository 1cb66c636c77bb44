// Byte-level helpers for the corpus generator. They write MIME by hand — base64 from Buffer, Q and
// quoted-printable and RFC 2231 percent-encoding byte by byte here — and never call src/mime/, so
// the corpus stays an independent witness of what the parser must read.
import { createHash } from "node:crypto";

/** A piece of a message: ASCII text (its "\n" become CRLF unless the message asks for bare LF) or raw bytes. */
export type Chunk = string | Buffer;

/** One stored corpus message: a file name without `.eml`, what it exercises, and its bytes. */
export interface CorpusMessage {
  name: string;
  about: string;
  bytes: Buffer;
}

/**
 * Joins chunks into one message. Text chunks must be ASCII (raw 8-bit text goes in as a Buffer,
 * see {@link raw8}) so no byte enters the corpus by accident; "\n" becomes CRLF unless `bareLf`.
 */
export function message(chunks: readonly Chunk[], options: { bareLf?: boolean } = {}): Buffer {
  return Buffer.concat(
    chunks.map((chunk) => {
      if (typeof chunk !== "string") return chunk;
      for (let i = 0; i < chunk.length; i++) {
        if (chunk.charCodeAt(i) > 0x7f) throw new RangeError(`non-ASCII text chunk: ${chunk.slice(0, 40)}`);
      }
      return Buffer.from(options.bareLf ? chunk : chunk.replace(/\n/g, "\r\n"), "latin1");
    }),
  );
}

/** Raw UTF-8 bytes for an 8-bit header or body (RFC 6532), with "\n" turned into CRLF. */
export function raw8(text: string): Buffer {
  return Buffer.from(text.replace(/\n/g, "\r\n"), "utf8");
}

/** Bytes from hex (how the CJK and Cyrillic samples are stored: encoded once, checked by a test). */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ""), "hex");
}

/** Base64 in lines of `width` characters separated by "\n" (no final line break). */
export function base64Lines(bytes: Uint8Array, width = 76): string {
  const flat = Buffer.from(bytes).toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < flat.length; i += width) lines.push(flat.slice(i, i + width));
  return lines.join("\n");
}

const HEX = "0123456789ABCDEF";

function isAlnum(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

function percentByte(byte: number, mark: string): string {
  return mark + HEX[byte >> 4] + HEX[byte & 15];
}

/** An RFC 2047 B-encoded word for these bytes. */
export function bWord(charset: string, bytes: Uint8Array): string {
  return `=?${charset}?B?${Buffer.from(bytes).toString("base64")}?=`;
}

/** An RFC 2047 Q-encoded word: letters and digits as they are, space as `_`, every other byte `=XX`. */
export function qWord(charset: string, bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes)
    out += isAlnum(byte) ? String.fromCharCode(byte) : byte === 0x20 ? "_" : percentByte(byte, "=");
  return `=?${charset}?Q?${out}?=`;
}

/** RFC 2231 percent-encoding: letters, digits and `-._` kept, every other byte `%XX`. */
export function pct(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) {
    out +=
      isAlnum(byte) || byte === 0x2d || byte === 0x2e || byte === 0x5f
        ? String.fromCharCode(byte)
        : percentByte(byte, "%");
  }
  return out;
}

/**
 * Quoted-printable of bytes (RFC 2045 §6.7): CRLF in the input stays a hard line break, `=`, bytes
 * outside printable ASCII and whitespace before a line end become `=XX`, and lines are cut with a
 * soft break (`=`) before 76 characters. The result uses "\n" for its line breaks.
 */
export function quotedPrintable(bytes: Uint8Array): string {
  const out: string[] = [];
  let line = "";
  const flush = (soft: boolean) => {
    out.push(soft ? `${line}=` : line);
    line = "";
  };
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 0x0d && bytes[i + 1] === 0x0a) {
      flush(false);
      i++;
      continue;
    }
    const atLineEnd = i + 1 === bytes.length || (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a);
    const plain =
      (byte >= 0x21 && byte <= 0x7e && byte !== 0x3d) || ((byte === 0x20 || byte === 0x09) && !atLineEnd);
    const piece = plain ? String.fromCharCode(byte) : percentByte(byte, "=");
    if (line.length + piece.length > 75) flush(true);
    line += piece;
  }
  out.push(line);
  return out.join("\n");
}

/** Deterministic pseudo-random bytes: SHA-256 of `seed` and a counter, concatenated. */
export function noise(seed: string, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let n = 0; blocks.length * 32 < length; n++) {
    blocks.push(createHash("sha256").update(`${seed}/${n}`).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** Something that starts like a PNG (signature and IHDR tag) followed by noise: enough for MIME. */
export function fakePng(seed: string, length: number): Buffer {
  const head = hex("89504e470d0a1a0a0000000d49484452");
  return Buffer.concat([head, noise(seed, length - head.length)]);
}

/** Something that starts like a JPEG (SOI and APP0 JFIF) followed by noise. */
export function fakeJpeg(seed: string, length: number): Buffer {
  const head = hex("ffd8ffe000104a46494600");
  return Buffer.concat([head, noise(seed, length - head.length)]);
}

/** Text with CRLF line breaks as UTF-8 bytes (for bodies that are then base64- or QP-encoded). */
export function utf8Crlf(text: string): Buffer {
  return Buffer.from(text.replace(/\n/g, "\r\n"), "utf8");
}

/** The common top-level header block of corpus message `n` (From, To, Date, Message-ID, MIME-Version). */
export function envelope(n: number, subject: string, more = ""): string {
  const nn = String(n).padStart(2, "0");
  return (
    "From: Alice Example <alice@example.org>\n" +
    "To: Bob Example <bob@example.net>\n" +
    `Subject: ${subject}\n` +
    `Date: Mon, 02 Mar 2026 09:${nn}:00 +0000\n` +
    `Message-ID: <corpus-${nn}@inetkit.test>\n` +
    "MIME-Version: 1.0\n" +
    more
  );
}
