/**
 * Body encodings for the builder: line endings made CRLF (whole buffers and streams), the
 * transfer encoding of a text body chosen and applied, and the 7bit/8bit/binary label of content
 * written as it is (a forwarded message). RFC 2045 §2.7–2.9 and §6; RFC 2046 §5.2.1.
 */

import { CrlfNormalizer as LineNormalizer } from "../../textproto/dot-codec.js";
import type { BodyEncoder } from "../codec/index.js";
import { Base64Encoder, chooseTransferEncoding, QpEncoder } from "../codec/index.js";
import type { TextEncoding } from "./spec.js";

const CR = 0x0d;
const LF = 0x0a;

/** A Content-Transfer-Encoding the builder writes. */
export type OutputEncoding = "7bit" | "8bit" | "binary" | "quoted-printable" | "base64";

/** The longest line a body may carry to be 7bit or 8bit (RFC 5322 §2.1.1, RFC 2045 §2.7). */
export const MAX_LINE = 998;
/** The line length the builder keeps to where it can (RFC 5322 §2.1.1 "SHOULD"). */
export const PREFERRED_LINE = 78;

/**
 * Returns `bytes` with every bare LF and bare CR turned into CRLF (the same Buffer when there
 * is none, so the common case copies nothing). Never throws.
 */
export function toCrlf(bytes: Buffer): Buffer {
  let clean = true;
  for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) {
    if (i === 0 || bytes[i - 1] !== CR) {
      clean = false;
      break;
    }
  }
  if (clean) {
    for (let i = bytes.indexOf(CR); i >= 0; i = bytes.indexOf(CR, i + 1)) {
      if (bytes[i + 1] !== LF) {
        clean = false;
        break;
      }
    }
  }
  if (clean) return bytes;
  const normalizer = new CrlfNormalizer();
  return Buffer.concat([normalizer.push(bytes), normalizer.end()]);
}

/**
 * A streaming {@link toCrlf}: the text layer's {@link LineNormalizer} (a CR at the end of one
 * chunk waits for the next to tell a CRLF from a bare CR) as a {@link BodyEncoder}. An
 * unterminated last line stays unterminated.
 */
export class CrlfNormalizer implements BodyEncoder {
  readonly #lines = new LineNormalizer({ finalLineBreak: false });

  push(chunk: Uint8Array): Buffer {
    const bytes = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    return joined(this.#lines.push(bytes));
  }

  end(): Buffer {
    return joined(this.#lines.end());
  }
}

function joined(pieces: Buffer[]): Buffer {
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
}

/** What a body scan found: the longest line (in octets, without CRLF), 8-bit bytes, NUL bytes. */
export interface BodyShape {
  longestLine: number;
  eightBit: boolean;
  nul: boolean;
}

/** Measures a body whose line endings are already CRLF. Never throws. */
export function shapeOf(bytes: Buffer): BodyShape {
  let longestLine = 0;
  let lineStart = 0;
  for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) {
    const length = i - lineStart - (i > 0 && bytes[i - 1] === CR ? 1 : 0);
    if (length > longestLine) longestLine = length;
    lineStart = i + 1;
  }
  longestLine = Math.max(longestLine, bytes.length - lineStart);
  let eightBit = false;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! > 0x7f) {
      eightBit = true;
      break;
    }
  }
  return { longestLine, eightBit, nul: bytes.includes(0) };
}

/**
 * The label for content written as it is (RFC 2045 §2.7–2.9): `7bit` for ASCII with lines of
 * at most 998 octets and no NUL, `8bit` when it also holds 8-bit bytes, `binary` otherwise.
 */
export function identityEncoding(bytes: Buffer): "7bit" | "8bit" | "binary" {
  const shape = shapeOf(bytes);
  if (shape.nul || shape.longestLine > MAX_LINE) return "binary";
  return shape.eightBit ? "8bit" : "7bit";
}

/** A body ready to be written: its Content-Transfer-Encoding and its encoded bytes. */
export interface EncodedBody {
  encoding: OutputEncoding;
  bytes: Buffer;
}

/** Base64 with 76-character lines, each ending CRLF (RFC 2045 §6.8). */
export function encodeBase64(bytes: Buffer): Buffer {
  const encoder = new Base64Encoder();
  const head = encoder.push(bytes);
  const tail = encoder.end();
  return tail.length === 0 ? head : Buffer.concat([head, tail]);
}

function encodeQuotedPrintable(bytes: Buffer): Buffer {
  const encoder = new QpEncoder();
  const head = encoder.push(bytes);
  const tail = encoder.end();
  return tail.length === 0 ? head : Buffer.concat([head, tail]);
}

/**
 * Encodes a text body (UTF-8, line endings already CRLF). `auto` asks the codec's
 * `chooseTransferEncoding`, and takes quoted-printable instead of 7bit when a line is longer
 * than 78 octets, so every output line stays within 78 (QP and base64 lines are ≤ 76).
 * `8bit` keeps the bytes unless a line is over 998 octets or a NUL is present (then
 * quoted-printable). Never throws.
 */
export function encodeTextBody(bytes: Buffer, mode: TextEncoding): EncodedBody {
  let encoding: OutputEncoding;
  if (mode === "base64" || mode === "quoted-printable") {
    encoding = mode;
  } else if (mode === "8bit") {
    const shape = shapeOf(bytes);
    encoding =
      shape.nul || shape.longestLine > MAX_LINE ? "quoted-printable" : shape.eightBit ? "8bit" : "7bit";
  } else {
    encoding = chooseTransferEncoding(bytes, { text: true });
    if (encoding === "7bit") {
      const shape = shapeOf(bytes);
      if (shape.eightBit || shape.nul || shape.longestLine > PREFERRED_LINE) encoding = "quoted-printable";
    }
  }
  switch (encoding) {
    case "base64":
      return { encoding, bytes: encodeBase64(bytes) };
    case "quoted-printable":
      return { encoding, bytes: encodeQuotedPrintable(bytes) };
    default:
      return { encoding, bytes };
  }
}
