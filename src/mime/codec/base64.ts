/**
 * Streaming base64 for MIME bodies (RFC 2045 §6.8).
 *
 * The decoder is tolerant the way Python's `email` package is: CR, LF, space and tab are skipped
 * silently; any other byte outside the alphabet is skipped with an `invalid-base64` defect; a group
 * cut short at the end is decoded as if it had been padded (with a defect). It differs from Python
 * in one deliberate way: after a complete padded group (`xx==`, `xxx=`) Python stops reading,
 * while this decoder goes on decoding what follows (with a defect), so concatenated base64 bodies
 * lose no data.
 *
 * The encoder writes lines of exactly 76 characters (57 input bytes) separated by CRLF; the last
 * line may be shorter and is not followed by CRLF (the CRLF before a boundary belongs to the
 * boundary, RFC 2046 §5.1.1).
 */
import { InvalidArgumentError } from "../../errors.js";
import type { MimeDefect } from "../types.js";
import { type LineRun, regularLineRun } from "./base64-lines.js";
import type { BodyDecoder, BodyEncoder } from "./body-codec.js";
import { asBuffer, DefectLog, describeByte, EMPTY } from "./defect-log.js";

const PAD = -2;
const SPACE = -3;
const JUNK = -1;

// Byte → sextet (0..63), or one of PAD / SPACE / JUNK.
const DECODE = new Int8Array(256).fill(JUNK);
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
DECODE[0x3d] = PAD;
for (const b of [0x0d, 0x0a, 0x20, 0x09]) DECODE[b] = SPACE;

/** Input bytes per output line: 57 bytes make exactly 76 base64 characters. */
const BYTES_PER_LINE = 57;
const CHARS_PER_LINE = 76;
const CRLF = Buffer.from("\r\n", "latin1");
const LF = 0x0a;
const DASH = 0x2d;
const UNDERSCORE = 0x5f;

/**
 * Whole lines of at least this many characters in a chunk go to Node's own decoder, which is
 * several times faster — and which keeps memory flat: Buffers live outside V8's heap and are
 * freed only when V8 collects, which it does as its heap fills. Decoding in JavaScript put almost
 * nothing on that heap, so collections were rare and dead chunks piled up between them (17 MiB at
 * 100 MiB of attachment, 33 MiB at 1 GiB); the string each run of lines becomes for Node's
 * decoder is on the heap, so collections keep pace with the input. Shorter runs are not worth it.
 */
const NATIVE_MIN = 1024;

/**
 * Decodes a base64 body chunk by chunk (RFC 2045 §6.8). Memory use is bounded by the chunk being
 * decoded: at most three characters are carried from one chunk to the next.
 *
 * Runs of whole lines of one length (how mailers write base64) are handed to Node's decoder, and
 * its result is checked against what those lines must give; a run that fails the check (a stray
 * byte, a blank, a misplaced "=") is decoded byte by byte instead, with its defects, and so is the
 * rest of that body. Output and defects do not depend on which way a byte went, nor on the split.
 *
 * Never throws on malformed input; problems are recorded in {@link Base64Decoder.defects} as
 * `invalid-base64`, once per kind of problem. Throws `InvalidArgumentError` only when used after
 * {@link Base64Decoder.end}.
 */
export class Base64Decoder implements BodyDecoder {
  readonly #log = new DefectLog();
  /** Sextets of the group being read, most significant first. */
  #acc = 0;
  /** How many sextets of the current group have been read (0..3). */
  #count = 0;
  /** `=` signs seen after a two-character group (a second one completes it). */
  #pads = 0;
  /** True right after a padded group ended: more data then is a defect. */
  #padded = false;
  /** Bytes consumed so far, for the offsets in defect messages. */
  #offset = 0;
  #ended = false;
  /** Whole lines may go to Node's decoder: false once a run of them turned out not to be clean. */
  #native = true;

  /** The defects found so far (see the class description). */
  get defects(): MimeDefect[] {
    return this.#log.list;
  }

  /** Decodes `chunk` after what came before; returns the bytes completed by it (possibly none). */
  push(chunk: Uint8Array): Buffer {
    if (this.#ended) throw new InvalidArgumentError("Base64Decoder: push() after end()");
    const length = chunk.length;
    if (length === 0) return EMPTY;
    const out = Buffer.allocUnsafe((((length + 3) >> 2) + 1) * 3);
    let o = 0;
    let from = 0;
    if (this.#native && length >= NATIVE_MIN) {
      // The partial line at the start (its group may have begun in the last chunk) in JavaScript,
      // the whole lines after it natively, the partial line at the end in JavaScript again.
      const bytes = asBuffer(chunk);
      const lineStart = bytes.indexOf(LF) + 1;
      if (lineStart > 0 && length - lineStart >= NATIVE_MIN) {
        o = this.#decode(chunk, 0, lineStart, out, 0);
        from = lineStart;
        if (this.#count === 0 && this.#pads === 0 && !this.#padded) {
          const run = regularLineRun(bytes, lineStart, length);
          if (run.chars >= NATIVE_MIN) {
            const decoded = this.#decodeNative(bytes, lineStart, run, out, o);
            if (decoded < 0) {
              // Not clean after all (a stray byte, a blank, an "="): this body goes the slow way.
              this.#native = false;
            } else {
              o += decoded;
              from = run.end;
            }
          }
        }
      }
    }
    o = this.#decode(chunk, from, length, out, o);
    this.#offset += length;
    return out.subarray(0, o);
  }

  /** Decodes the group left open at the end (as if it had been padded) and finishes. */
  end(): Buffer {
    if (this.#ended) throw new InvalidArgumentError("Base64Decoder: end() called twice");
    this.#ended = true;
    const count = this.#count;
    const acc = this.#acc;
    if (count === 0) return EMPTY;
    if (count === 1) {
      this.#log.add(
        "lone",
        "invalid-base64",
        () => "base64: a lone character at the end (6 bits) was dropped",
      );
      return EMPTY;
    }
    this.#log.add(
      "unpadded",
      "invalid-base64",
      () => "base64: the data ended inside a group of four characters (missing padding)",
    );
    return count === 2
      ? Buffer.from([(acc >>> 4) & 0xff])
      : Buffer.from([(acc >>> 10) & 0xff, (acc >>> 2) & 0xff]);
  }

  /**
   * Decodes `chunk[from..to)` into `out` from offset `o` with this decoder's state, in
   * JavaScript (every byte looked at, every defect noted); returns the new end of `out`.
   */
  #decode(chunk: Uint8Array, from: number, to: number, out: Buffer, o: number): number {
    let acc = this.#acc;
    let count = this.#count;
    for (let i = from; i < to; i++) {
      if (count === 0 && this.#pads === 0 && !this.#padded) {
        // Fast path: whole groups of four alphabet characters (a line is 19 of them).
        while (i + 4 <= to) {
          const a = DECODE[chunk[i]!]!;
          const b = DECODE[chunk[i + 1]!]!;
          const c = DECODE[chunk[i + 2]!]!;
          const d = DECODE[chunk[i + 3]!]!;
          if ((a | b | c | d) < 0) break;
          out[o++] = (a << 2) | (b >> 4);
          out[o++] = ((b & 15) << 4) | (c >> 2);
          out[o++] = ((c & 3) << 6) | d;
          i += 4;
        }
        if (i === to) break;
      }
      const value = DECODE[chunk[i]!]!;
      if (value >= 0) {
        if (this.#pads !== 0 || this.#padded) this.#dataAfterPad(i);
        acc = (acc << 6) | value;
        if (++count === 4) {
          out[o++] = acc >>> 16;
          out[o++] = (acc >>> 8) & 0xff;
          out[o++] = acc & 0xff;
          acc = 0;
          count = 0;
        }
      } else if (value === SPACE) {
        // Line breaks and blanks carry no data (RFC 2045 §6.8: "ignored by decoding software").
      } else if (value === PAD) {
        if (count === 3) {
          out[o++] = (acc >>> 10) & 0xff;
          out[o++] = (acc >>> 2) & 0xff;
          acc = 0;
          count = 0;
          this.#padded = true;
        } else if (count === 2) {
          if (++this.#pads === 2) {
            out[o++] = (acc >>> 4) & 0xff;
            acc = 0;
            count = 0;
            this.#pads = 0;
            this.#padded = true;
          }
        } else {
          const at = this.#offset + i;
          this.#log.add("pad", "invalid-base64", () => `base64: misplaced "=" at offset ${at}; ignored`);
        }
      } else {
        const at = this.#offset + i;
        const byte = chunk[i]!;
        this.#log.add(
          "junk",
          "invalid-base64",
          () => `base64: byte ${describeByte(byte)} at offset ${at} is not in the alphabet; ignored`,
        );
      }
    }
    this.#acc = acc;
    this.#count = count;
    return o;
  }

  /**
   * Decodes the lines `[start, run.end)` with Node's decoder into `out` at `o`: returns the bytes
   * written, or -1 when the lines are not clean base64, leaving them to {@link #decode}. Node's
   * decoder skips bytes outside the alphabet and stops at "=" (fewer bytes than the lines' length
   * promises: that is the check), but also takes the URL-safe "-" and "_" as digits, which RFC
   * 2045 does not: those are looked for first.
   */
  #decodeNative(bytes: Buffer, start: number, run: LineRun, out: Buffer, o: number): number {
    const lines = bytes.subarray(start, run.end);
    if (lines.indexOf(DASH) >= 0 || lines.indexOf(UNDERSCORE) >= 0) return -1;
    const written = out.write(lines.toString("latin1"), o, "base64");
    return written === (run.chars >> 2) * 3 ? written : -1;
  }

  #dataAfterPad(index: number): void {
    const at = this.#offset + index;
    if (this.#pads !== 0) {
      // `xx=` followed by data: that single "=" was not padding (Python skips it too).
      this.#log.add("pad", "invalid-base64", () => `base64: misplaced "=" before offset ${at}; ignored`);
      this.#pads = 0;
    } else {
      this.#log.add(
        "after-pad",
        "invalid-base64",
        () => `base64: data after padding at offset ${at}; decoded as a continuation`,
      );
    }
    this.#padded = false;
  }
}

/**
 * Encodes bytes as a base64 body chunk by chunk (RFC 2045 §6.8): lines of exactly 76 characters
 * separated by CRLF; the last line holds the rest (1..76 characters, padded with `=`) and is not
 * followed by CRLF. Empty input gives empty output. Holds back at most 56 bytes between pushes.
 *
 * Throws `InvalidArgumentError` only when used after {@link Base64Encoder.end}.
 */
export class Base64Encoder implements BodyEncoder {
  #pending: Buffer = EMPTY;
  #lines = 0;
  #ended = false;

  /** Encodes the complete 76-character lines that `chunk` (after what came before) makes. */
  push(chunk: Uint8Array): Buffer {
    if (this.#ended) throw new InvalidArgumentError("Base64Encoder: push() after end()");
    const data = this.#pending.length === 0 ? asBuffer(chunk) : Buffer.concat([this.#pending, chunk]);
    const whole = data.length - (data.length % BYTES_PER_LINE);
    // Copy the rest: the caller may reuse its chunk after push() returns.
    this.#pending = whole === data.length ? EMPTY : Buffer.from(data.subarray(whole));
    return whole === 0 ? EMPTY : this.#encodeLines(data.subarray(0, whole));
  }

  /** Encodes the last (short) line and finishes. */
  end(): Buffer {
    if (this.#ended) throw new InvalidArgumentError("Base64Encoder: end() called twice");
    this.#ended = true;
    if (this.#pending.length === 0) return EMPTY;
    const text = this.#pending.toString("base64");
    this.#pending = EMPTY;
    return this.#lines === 0 ? Buffer.from(text, "latin1") : Buffer.from(`\r\n${text}`, "latin1");
  }

  #encodeLines(data: Buffer): Buffer {
    const count = data.length / BYTES_PER_LINE;
    const encoded = Buffer.from(data.toString("base64"), "latin1");
    // Every line is preceded by CRLF except the very first line of the whole output, so the
    // output never ends with CRLF whatever the chunk split.
    const leading = this.#lines === 0 ? 0 : 1;
    const out = Buffer.allocUnsafe(count * CHARS_PER_LINE + (count - 1 + leading) * 2);
    let o = 0;
    for (let line = 0; line < count; line++) {
      if (line > 0 || leading === 1) {
        out[o++] = CRLF[0]!;
        out[o++] = CRLF[1]!;
      }
      o += encoded.copy(out, o, line * CHARS_PER_LINE, (line + 1) * CHARS_PER_LINE);
    }
    this.#lines += count;
    return out;
  }
}
