/**
 * The streaming quoted-printable encoder (RFC 2045 §6.7); the rules are described in
 * quoted-printable.ts.
 */
import { InvalidArgumentError } from "../../errors.js";
import type { BodyEncoder } from "./body-codec.js";
import { EMPTY } from "./defect-log.js";

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const TAB = 0x09;
const EQ = 0x3d;
const UPPER_HEX = "0123456789ABCDEF";

/** Options of {@link QpEncoder}. */
export interface QpEncoderOptions {
  /**
   * `false` (the default, text mode): CRLF or a bare LF in the input is a hard line break, written
   * CRLF; a bare CR is encoded `=0D`. `true` (binary mode): CR and LF are encoded as `=0D` / `=0A`,
   * so any bytes round-trip exactly and the output has only soft line breaks.
   */
  binary?: boolean;
}

/** 1 for bytes written as themselves when not at the end of a line: printable ASCII but "=", and blanks. */
const MID_LITERAL = new Uint8Array(256);
for (let b = 0x21; b <= 0x7e; b++) MID_LITERAL[b] = 1;
MID_LITERAL[EQ] = 0;
MID_LITERAL[SP] = 1;
MID_LITERAL[TAB] = 1;

/** Longest output line, its `=` soft break included (RFC 2045 §6.7 rule 5). */
const MAX_LINE = 76;
/** How an output line ends: not at all (the very end), CRLF, or `=` CRLF. */
type Terminator = 0 | 1 | 2;
const NONE = 0;
const HARD = 1;
const SOFT = 2;

/**
 * Encodes bytes as quoted-printable chunk by chunk (RFC 2045 §6.7); see the module description.
 * The output does not depend on how the input is split; it ends with CRLF only when the input
 * ended with a line break (text mode). Between pushes it holds back at most one output line.
 *
 * Throws `InvalidArgumentError` only when used after {@link QpEncoder.end}.
 */
export class QpEncoder implements BodyEncoder {
  readonly #binary: boolean;
  /** The output line being built (without its line break). */
  readonly #line = Buffer.allocUnsafe(MAX_LINE + 4);
  #length = 0;
  /** 2 when the line starts with a literal "F" (room kept for writing it "=46"), else 0. */
  #reserve = 0;
  /** The last input byte, not yet encoded: whether it ends a line decides how blanks are written. */
  #pending = -1;
  /** Text mode: a CR seen last, not yet known to start a CRLF. */
  #cr = false;
  #ended = false;
  #out: Buffer = EMPTY;
  #o = 0;

  constructor(options: QpEncoderOptions = {}) {
    this.#binary = options.binary === true;
  }

  /** Encodes `chunk` after what came before; returns the output lines it completes. */
  push(chunk: Uint8Array): Buffer {
    if (this.#ended) throw new InvalidArgumentError("QpEncoder: push() after end()");
    // Worst case: 3 output bytes per input byte, plus a 3-byte break per 25 escapes, plus the
    // held-back line.
    this.#out = Buffer.allocUnsafe(chunk.length * 4 + 2 * MAX_LINE);
    this.#o = 0;
    const binary = this.#binary;
    const line = this.#line;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      // Fast path: `c` is no line break, so the pending byte is not last on its line; when it is
      // written as itself and fits (not at a line start, where "From " matters), just append it.
      const pending = this.#pending;
      if (
        pending >= 0 &&
        MID_LITERAL[pending] === 1 &&
        (binary || (c !== CR && c !== LF && !this.#cr)) &&
        this.#length > 0 &&
        this.#length < MAX_LINE - 1 - this.#reserve
      ) {
        line[this.#length++] = pending;
        this.#pending = c;
        continue;
      }
      if (binary) {
        this.#token(c);
        continue;
      }
      if (this.#cr) {
        this.#cr = false;
        if (c === LF) {
          this.#hardBreak();
          continue;
        }
        this.#token(CR);
      }
      if (c === CR) this.#cr = true;
      else if (c === LF) this.#hardBreak();
      else this.#token(c);
    }
    return this.#take();
  }

  /** Encodes what was held back (a trailing blank as `=20`/`=09`) and finishes. */
  end(): Buffer {
    if (this.#ended) throw new InvalidArgumentError("QpEncoder: end() called twice");
    this.#ended = true;
    this.#out = Buffer.allocUnsafe(2 * MAX_LINE + 8);
    this.#o = 0;
    if (this.#cr) {
      this.#cr = false;
      this.#token(CR);
    }
    this.#finishLine(NONE);
    return this.#take();
  }

  #take(): Buffer {
    const out = this.#out.subarray(0, this.#o);
    this.#out = EMPTY;
    return out;
  }

  /** A new input byte that is not a hard line break: the pending one is now known not to end its line. */
  #token(byte: number): void {
    if (this.#pending >= 0) this.#append(this.#pending, false);
    this.#pending = byte;
  }

  #hardBreak(): void {
    this.#finishLine(HARD);
  }

  #finishLine(terminator: Terminator): void {
    if (this.#pending >= 0) this.#append(this.#pending, true);
    this.#pending = -1;
    if (terminator !== NONE || this.#length > 0) this.#emit(terminator);
  }

  /** Appends the encoding of `byte` to the line, breaking the line first when it does not fit. */
  #append(byte: number, last: boolean): void {
    const literal = (byte >= 0x21 && byte <= 0x7e && byte !== EQ) || (!last && (byte === SP || byte === TAB));
    const size = literal ? 1 : 3;
    // A token that is not the last of its line must leave room for the "=" of a soft break.
    const limit = (last ? MAX_LINE : MAX_LINE - 1) - this.#reserve;
    if (this.#length + size > limit) this.#emit(SOFT);
    if (this.#length === 0 && byte === 0x46) this.#reserve = 2;
    const line = this.#line;
    if (literal) {
      line[this.#length++] = byte;
    } else {
      line[this.#length++] = EQ;
      line[this.#length++] = UPPER_HEX.charCodeAt(byte >> 4);
      line[this.#length++] = UPPER_HEX.charCodeAt(byte & 15);
    }
  }

  /** Writes the line and its terminator (none at the very end) to the output. */
  #emit(terminator: Terminator): void {
    const out = this.#out;
    const line = this.#line;
    let o = this.#o;
    let start = 0;
    if (
      this.#reserve !== 0 &&
      this.#length >= 5 &&
      line[1] === 0x72 &&
      line[2] === 0x6f &&
      line[3] === 0x6d &&
      line[4] === SP
    ) {
      // "From " at a line start would be quoted by an mbox writer; "=46" keeps the bytes intact.
      out[o++] = EQ;
      out[o++] = 0x34;
      out[o++] = 0x36;
      start = 1;
    }
    o += this.#line.copy(out, o, start, this.#length);
    if (terminator === SOFT) out[o++] = EQ;
    if (terminator !== NONE) {
      out[o++] = CR;
      out[o++] = LF;
    }
    this.#o = o;
    this.#length = 0;
    this.#reserve = 0;
  }
}
