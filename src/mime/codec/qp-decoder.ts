/**
 * The streaming quoted-printable decoder (RFC 2045 §6.7); the rules are described in
 * quoted-printable.ts.
 */
import { InvalidArgumentError } from "../../errors.js";
import type { MimeDefect } from "../types.js";
import type { BodyDecoder } from "./body-codec.js";
import { DefectLog, describeByte, EMPTY } from "./defect-log.js";

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const TAB = 0x09;
const EQ = 0x3d;

/** Hex digit value of a byte, or -1. Lowercase is accepted (RFC 2045 §6.7 rule 1 allows it). */
function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** Hex digit values by byte (-1: not a hex digit). */
const HEX = new Int8Array(256).fill(-1);
for (let b = 0; b < 256; b++) HEX[b] = hexValue(b);
/** 1 for bytes a decoder copies as they are: anything but "=", blanks, CR and LF. */
const PLAIN = new Uint8Array(256).fill(1);
for (const b of [EQ, SP, TAB, CR, LF]) PLAIN[b] = 0;

// Decoder states.
const TEXT = 0; // ordinary text (blanks possibly pending in #blanks)
const AFTER_EQ = 1; // saw "=" (and possibly blanks after it, pending in #blanks)
const AFTER_HEX = 2; // saw "=" and one hex digit (#hex)

/**
 * Decodes a quoted-printable body chunk by chunk (RFC 2045 §6.7); see the module description for
 * the rules. The output does not depend on how the input is split. Between chunks it holds back at
 * most a `=`, a hex digit, a CR and the run of blanks at the end of the chunk (bounded in practice
 * by the parser's line-length limit).
 *
 * Never throws on malformed input (defects are recorded, once per kind); throws
 * `InvalidArgumentError` only when used after {@link QpDecoder.end}.
 */
export class QpDecoder implements BodyDecoder {
  readonly #log = new DefectLog();
  #state = TEXT;
  /** The first hex digit after "=" (the byte itself), in state AFTER_HEX. */
  #hex = 0;
  /** A CR seen last, not yet known to start a CRLF. */
  #cr = false;
  /** Blanks (SP/TAB) seen last: dropped if a line break follows, else kept. */
  #blanks: number[] = [];
  #offset = 0;
  #ended = false;

  /** The defects found so far. */
  get defects(): MimeDefect[] {
    return this.#log.list;
  }

  /** Decodes `chunk` after what came before; returns what can be decoded now. */
  push(chunk: Uint8Array): Buffer {
    if (this.#ended) throw new InvalidArgumentError("QpDecoder: push() after end()");
    if (chunk.length === 0) return EMPTY;
    // Output never exceeds the input plus what was held back ("=", hex digit, CR, blanks).
    const out = Buffer.allocUnsafe(chunk.length + this.#blanks.length + 3);
    let o = 0;
    const length = chunk.length;
    let i = 0;
    while (i < length) {
      if (this.#state === TEXT && !this.#cr && this.#blanks.length === 0) {
        i = this.#fastRun(chunk, i, out, o);
        o = this.#fastOut;
        if (i === length) break;
      }
      const c = chunk[i]!;
      if (this.#cr) {
        this.#cr = false;
        if (c === LF) {
          // CRLF: a hard line break, or with a pending "=" a soft one.
          const soft = this.#state === AFTER_EQ;
          this.#state = TEXT;
          this.#blanks.length = 0;
          if (!soft) {
            out[o++] = CR;
            out[o++] = LF;
          }
          i++;
          continue;
        }
        // A bare CR is an ordinary byte: whatever was pending before it is not at a line end.
        o = this.#flushPending(out, o, i);
        out[o++] = CR;
        continue; // `c` is looked at again in state TEXT
      }
      if (this.#state === TEXT) {
        if (c === SP || c === TAB) {
          this.#blanks.push(c);
        } else if (c === LF) {
          this.#blanks.length = 0;
          out[o++] = LF;
        } else if (c === CR) {
          this.#cr = true;
        } else {
          o = this.#flushBlanks(out, o);
          if (c === EQ) this.#state = AFTER_EQ;
          else out[o++] = c;
        }
        i++;
      } else if (this.#state === AFTER_EQ) {
        if (c === SP || c === TAB) {
          this.#blanks.push(c);
          i++;
        } else if (c === LF) {
          // "=" LF (blanks allowed before the break): a soft line break.
          this.#blanks.length = 0;
          this.#state = TEXT;
          i++;
        } else if (c === CR) {
          this.#cr = true;
          i++;
        } else if (this.#blanks.length === 0 && hexValue(c) >= 0) {
          this.#hex = c;
          this.#state = AFTER_HEX;
          i++;
        } else {
          o = this.#flushPending(out, o, i);
        }
      } else {
        const low = hexValue(c);
        if (low >= 0) {
          out[o++] = (hexValue(this.#hex) << 4) | low;
          this.#state = TEXT;
          i++;
        } else {
          o = this.#flushPending(out, o, i);
        }
      }
    }
    this.#offset += length;
    return out.subarray(0, o);
  }

  #fastOut = 0;

  /**
   * Decodes the common cases (plain bytes, `=XX`, soft and hard breaks, inner blanks) from `i`
   * on, with no state held back; stops at the first byte that needs the state machine. Returns the
   * new input index; the new output index is left in #fastOut.
   */
  #fastRun(chunk: Uint8Array, i: number, out: Buffer, o: number): number {
    const length = chunk.length;
    while (i < length) {
      const c = chunk[i]!;
      if (PLAIN[c] === 1) {
        out[o++] = c;
        i++;
      } else if (c === EQ) {
        if (i + 2 < length) {
          const high = HEX[chunk[i + 1]!]!;
          const low = HEX[chunk[i + 2]!]!;
          if ((high | low) >= 0) {
            out[o++] = (high << 4) | low;
            i += 3;
            continue;
          }
          if (chunk[i + 1] === CR && chunk[i + 2] === LF) {
            i += 3;
            continue;
          }
        }
        if (i + 1 < length && chunk[i + 1] === LF) i += 2;
        else break;
      } else if (c === LF) {
        out[o++] = LF;
        i++;
      } else if (c === CR) {
        if (i + 1 < length && chunk[i + 1] === LF) {
          out[o++] = CR;
          out[o++] = LF;
          i += 2;
        } else break;
      } else {
        // Blanks: kept when something other than a line break follows them in this chunk.
        let j = i + 1;
        while (j < length && (chunk[j] === SP || chunk[j] === TAB)) j++;
        if (j === length || chunk[j] === CR || chunk[j] === LF) break;
        while (i < j) out[o++] = chunk[i++]!;
      }
    }
    this.#fastOut = o;
    return i;
  }

  /** Finishes: a final `=` is a soft break, blanks at the end are trailing blanks (dropped). */
  end(): Buffer {
    if (this.#ended) throw new InvalidArgumentError("QpDecoder: end() called twice");
    this.#ended = true;
    if (this.#cr) {
      // A bare CR at the very end is an ordinary byte.
      const out = Buffer.allocUnsafe(this.#blanks.length + 4);
      const o = this.#flushPending(out, 0, 0);
      out[o] = CR;
      return out.subarray(0, o + 1);
    }
    if (this.#state === AFTER_HEX) {
      const out = Buffer.allocUnsafe(2);
      const o = this.#flushPending(out, 0, 0);
      return out.subarray(0, o);
    }
    // State TEXT or AFTER_EQ: trailing blanks and a final soft break vanish.
    this.#blanks.length = 0;
    this.#state = TEXT;
    return EMPTY;
  }

  /** Writes a pending "=" sequence that turned out invalid, and pending blanks, as literal bytes. */
  #flushPending(out: Buffer, o: number, index: number): number {
    if (this.#state !== TEXT) {
      const at = this.#offset + index;
      const next = this.#state === AFTER_HEX ? this.#hex : (this.#blanks[0] ?? -1);
      this.#log.add(
        "eq",
        "invalid-quoted-printable",
        () =>
          `quoted-printable: "=" near offset ${at} is not followed by two hex digits or a line break` +
          (next >= 0 ? ` (next byte ${describeByte(next)})` : "") +
          "; kept as is",
      );
      out[o++] = EQ;
      if (this.#state === AFTER_HEX) out[o++] = this.#hex;
      this.#state = TEXT;
    }
    return this.#flushBlanks(out, o);
  }

  #flushBlanks(out: Buffer, o: number): number {
    for (const blank of this.#blanks) out[o++] = blank;
    this.#blanks.length = 0;
    return o;
  }
}
