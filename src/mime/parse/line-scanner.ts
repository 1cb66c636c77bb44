/**
 * The byte scanner under the MIME parser: it cuts a stream of chunks into lines (CRLF or bare LF,
 * RFC 2046 §5.1.1 and the Unix mailbox habit) without ever joining the whole input, and tells the
 * body bytes apart from the lines that may carry structure (header lines, boundary delimiters).
 *
 * Body bytes are passed on as contiguous slices of the input, many lines at a time; only two
 * things are ever held back:
 * - a line that may be a boundary delimiter (it starts with `--` and is short enough), until its
 *   end shows what it is, and a whole header line;
 * - the line ending of the last body line, because the CRLF before a delimiter belongs to the
 *   delimiter, not to the body (RFC 2046 §5.1.1): it is released when the next line turns out to
 *   be body, dropped when it is a delimiter, and kept at the end of the input.
 *
 * A bare CR is not a line ending here (it is content): binary bodies keep their bytes, and a
 * delimiter must end in CRLF or LF. Every line is bounded by `maxLineLength` (a LimitError).
 */
import type { LimitError } from "../../errors.js";

/** {@link LineHandler.mode}: deliver every line whole (a header block). */
export const WHOLE = -1;
/** {@link LineHandler.mode}: every line is body (no boundary is open). */
export const STREAM = 0;

/** Line endings, as held back: none, LF, CRLF. */
export type Eol = 0 | 1 | 2;
export const EOL_NONE: Eol = 0;
export const EOL_LF: Eol = 1;
export const EOL_CRLF: Eol = 2;

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const SP = 0x20;
const HT = 0x09;
const EOL_BYTES: readonly Buffer[] = [Buffer.alloc(0), Buffer.from("\n"), Buffer.from("\r\n")];
const CR_BYTE = Buffer.from("\r");

/** What the scanner reports to (the message state machine). */
export interface LineHandler {
  /**
   * Read at the start of every line: {@link WHOLE}, {@link STREAM}, or a positive number — the
   * line is body unless it starts with `--` and its length, trailing blanks aside, is at most
   * that many bytes (then it is held and given to {@link line} whole).
   */
  readonly mode: number;
  /** Body bytes, in order (line endings inside, the last line's ending held back). */
  data(bytes: Buffer): void;
  /**
   * A held line, complete: its bytes without the ending (`eol` is EOL_NONE only at the end of the
   * input). Returns true when the line was structure (a header line, a blank line ending a header
   * block, a delimiter): the held-back line ending before it is then dropped. Returns false when
   * it was body after all: the held-back ending and the line follow as {@link data}. The bytes
   * may be a view of the input: copy them to keep them.
   */
  line(content: Buffer, eol: Eol): boolean;
  /**
   * At the end of the input: true to keep the held-back line ending of the last body line as
   * body, false to drop it.
   */
  keepsLastEol(): boolean;
  /** True when the scanner should stop after the current line (the caller resumes with the rest). */
  readonly paused: boolean;
}

const AT_START = 0;
const PLAIN = 1;
const HELD = 2;

/**
 * Cuts chunks into lines for a {@link LineHandler}. Not reentrant; one instance per message level.
 */
export class LineScanner {
  readonly #handler: LineHandler;
  readonly #maxLine: number;
  readonly #tooLong: () => LimitError;
  #state = AT_START;
  /** Bytes of the current line so far (a withheld CR included). */
  #lineLength = 0;
  /** The line ending of the last body line, not yet released. */
  #pendingEol: Eol = EOL_NONE;
  /** The current plain line's last byte so far was a CR at the end of a chunk (maybe half a CRLF). */
  #trailingCR = false;
  #held: Buffer[] = [];
  #heldLength = 0;
  /** Candidate limit of the held line; 0 when the line is held whole. */
  #candidate = 0;
  /** Length of the held line up to its last byte that is not SP, HT or CR. */
  #nonBlank = 0;

  constructor(handler: LineHandler, maxLineLength: number, tooLong: () => LimitError) {
    this.#handler = handler;
    this.#maxLine = maxLineLength;
    this.#tooLong = tooLong;
  }

  /** Bytes the scanner holds right now (a held line). */
  get bufferedBytes(): number {
    return this.#heldLength;
  }

  /**
   * Scans `chunk` from `start`. Returns where it stopped: `chunk.length`, or earlier when the
   * handler paused after a line (call again with the rest). Throws the LimitError of `tooLong`
   * when a line exceeds `maxLineLength`.
   */
  push(chunk: Buffer, start = 0): number {
    const n = chunk.length;
    const h = this.#handler;
    let p = start;
    // The body bytes of this chunk not yet given to the handler: [runStart, runEnd). While a run
    // is open, the held-back line ending (if any) lies right after runEnd, inside the chunk.
    let runStart = -1;
    let runEnd = -1;
    while (p < n) {
      if (this.#state === AT_START) {
        const mode = h.mode;
        if (mode === WHOLE || (mode > 0 && chunk[p] === DASH)) {
          if (runStart >= 0) {
            if (runEnd > runStart) h.data(chunk.subarray(runStart, runEnd));
            runStart = -1;
          }
          this.#state = HELD;
          this.#candidate = mode === WHOLE ? 0 : mode;
          this.#lineLength = 0;
          this.#nonBlank = 0;
        } else {
          this.#state = PLAIN;
          this.#lineLength = 0;
          if (runStart >= 0) {
            // The previous line's ending is contiguous: it joins the run.
            this.#pendingEol = EOL_NONE;
          } else {
            this.#releaseEol();
            runStart = p;
          }
          runEnd = p;
        }
      }
      if (this.#state === PLAIN) {
        if (this.#trailingCR) {
          this.#trailingCR = false;
          if (chunk[p] === LF) {
            // The CR was withheld (and already counted); the line ends here in CRLF.
            if (this.#lineLength - 1 > this.#maxLine) throw this.#tooLong();
            this.#pendingEol = EOL_CRLF;
            this.#state = AT_START;
            p += 1;
            continue;
          }
          h.data(CR_BYTE);
        }
        const lf = chunk.indexOf(LF, p);
        if (lf < 0) {
          this.#lineLength += n - p;
          let end = n;
          if (chunk[n - 1] === CR) {
            end = n - 1;
            this.#trailingCR = true;
          }
          if (this.#lineLength - (this.#trailingCR ? 1 : 0) > this.#maxLine) throw this.#tooLong();
          if (runStart < 0) runStart = p;
          if (end > runStart) h.data(chunk.subarray(runStart, end));
          return n;
        }
        let contentEnd = lf;
        let eol: Eol = EOL_LF;
        if (lf > p && chunk[lf - 1] === CR) {
          contentEnd = lf - 1;
          eol = EOL_CRLF;
        }
        if (this.#lineLength + (contentEnd - p) > this.#maxLine) throw this.#tooLong();
        if (runStart < 0) runStart = p;
        runEnd = contentEnd;
        this.#pendingEol = eol;
        this.#state = AT_START;
        p = lf + 1;
        continue;
      }
      // HELD: a header line or a possible delimiter.
      const lf = chunk.indexOf(LF, p);
      const end = lf < 0 ? n : lf;
      if (end > p) this.#append(chunk.subarray(p, end));
      if (this.#lineLength - 1 > this.#maxLine) throw this.#tooLong();
      if (this.#candidate > 0 && !this.#stillCandidate()) {
        // Not a delimiter after all: what was held is body, and so is the rest of the line.
        const held = this.#takeHeld();
        const endsInCR = held[held.length - 1] === CR;
        const body = endsInCR ? held.subarray(0, held.length - 1) : held;
        this.#releaseEol();
        if (body.length > 0) h.data(body);
        if (lf < 0) {
          // A CR at the end of the chunk may be half a CRLF: withheld until the next byte.
          this.#trailingCR = endsInCR;
          this.#state = PLAIN;
          return n;
        }
        if (body.length > this.#maxLine) throw this.#tooLong();
        this.#pendingEol = endsInCR ? EOL_CRLF : EOL_LF;
        this.#state = AT_START;
        p = lf + 1;
        continue;
      }
      if (lf < 0) return n;
      let content = this.#takeHeld();
      let eol: Eol = EOL_LF;
      if (content.length > 0 && content[content.length - 1] === CR) {
        content = content.subarray(0, content.length - 1);
        eol = EOL_CRLF;
      }
      if (content.length > this.#maxLine) throw this.#tooLong();
      this.#state = AT_START;
      p = lf + 1;
      this.#deliver(content, eol);
      if (h.paused) return p;
    }
    if (runStart >= 0 && runEnd > runStart) h.data(chunk.subarray(runStart, runEnd));
    return n;
  }

  /**
   * The end of the input: a last line without an ending is delivered, and a held-back line
   * ending is released as body or dropped, as {@link LineHandler.keepsLastEol} says.
   */
  end(): void {
    const h = this.#handler;
    if (this.#state === PLAIN && this.#trailingCR) {
      this.#trailingCR = false;
      h.data(CR_BYTE);
    } else if (this.#state === HELD) {
      this.#state = AT_START;
      this.#deliver(this.#takeHeld(), EOL_NONE);
    }
    this.#state = AT_START;
    if (h.keepsLastEol()) this.#releaseEol();
    else this.#pendingEol = EOL_NONE;
  }

  #deliver(content: Buffer, eol: Eol): void {
    const h = this.#handler;
    if (h.line(content, eol)) {
      this.#pendingEol = EOL_NONE;
    } else {
      this.#releaseEol();
      if (content.length > 0) h.data(content);
      this.#pendingEol = eol;
    }
  }

  #releaseEol(): void {
    if (this.#pendingEol !== EOL_NONE) {
      const eol = this.#pendingEol;
      this.#pendingEol = EOL_NONE;
      this.#handler.data(EOL_BYTES[eol]!);
    }
  }

  #append(bytes: Buffer): void {
    const before = this.#heldLength;
    this.#held.push(bytes);
    this.#heldLength += bytes.length;
    this.#lineLength += bytes.length;
    if (this.#candidate > 0) {
      for (let i = bytes.length - 1; i >= 0; i -= 1) {
        const b = bytes[i]!;
        if (b !== SP && b !== HT && b !== CR) {
          this.#nonBlank = before + i + 1;
          break;
        }
      }
    }
  }

  /** A held candidate may still be a delimiter: it starts with `--` and is short enough. */
  #stillCandidate(): boolean {
    if (this.#nonBlank > this.#candidate) return false;
    if (this.#heldLength >= 2) {
      const first = this.#held[0]!;
      const second = first.length >= 2 ? first[1] : this.#held[1]![0];
      if (second !== DASH) return false;
    }
    return true;
  }

  #takeHeld(): Buffer {
    const held = this.#held.length === 1 ? this.#held[0]! : Buffer.concat(this.#held, this.#heldLength);
    this.#held = [];
    this.#heldLength = 0;
    return held;
  }
}
