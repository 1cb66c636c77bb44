/**
 * The pure core of the mbox reader: a push scanner that turns the bytes of an mbox file, split
 * anywhere, into message boundaries and unquoted message bytes. No I/O here.
 *
 * The rules (RFC 4155 §2 and Appendix A, with the tolerance of Python's `mailbox.mbox`):
 * - every line that starts with the five bytes `From ` starts a new message (Python does not ask
 *   for a blank line before it, and neither do we); bytes before the first such line are skipped;
 * - the `From ` line itself is not part of the message;
 * - when the line just before a `From ` line (or before the end of the file) is blank, that blank
 *   line is the separator and is dropped: exactly one, exactly as Python's `_generate_toc` does.
 *   A blank line is `\n` or `\r\n`, so CRLF files work the same way as LF files (Python on POSIX
 *   only knows `\n`; on a CRLF file it would keep the `\r\n` separator in the message);
 * - line endings are never changed: the bytes between the `From ` line and the separator come out
 *   as they are, except for the unquoting of `From ` lines:
 *   - `mboxrd`: a line matching `>+From ` loses one `>` (so `>>From ` becomes `>From `);
 *   - `mboxo`: a line starting with exactly `>From ` becomes `From ` (`>>From ` stays: mboxo
 *     writers only ever quote `From `, so the format cannot tell a quoted `From ` from a real
 *     `>From `, which is why mboxrd exists).
 *
 * Memory: the scanner holds back at most 7 bytes between pushes (a pending blank line and the
 * start of the next line, until it knows whether that line is a `From ` line) and the first
 * {@link MAX_FROM_LINE} bytes of a `From ` line. Data events are views into the pushed chunks.
 */

/** The two `From ` quoting conventions (RFC 4155 Appendix A). */
export type MboxFormat = "mboxrd" | "mboxo";

/** The longest `From ` line kept (in bytes, without its line ending); the rest of it is dropped. */
export const MAX_FROM_LINE = 4096;

/** What the scanner found, in file order. */
export type MboxEvent =
  /** A message starts: the byte offset of its `From ` line and that line without its line ending. */
  | { type: "start"; offset: number; fromLine: Buffer }
  /** Bytes of the current message, already unquoted (a view into a pushed chunk, or a constant). */
  | { type: "data"; bytes: Buffer }
  /** The current message ended; `end` is the byte offset just after its last byte (separator excluded). */
  | { type: "end"; end: number };

const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const FROM = Buffer.from("From ");

/**
 * Where the scanner stands at a chunk boundary:
 * - `line-start`: a line starts at the first byte of the carry (or of the next chunk);
 * - `gt-run` (mboxrd): inside a run of `>` at the start of a line; the carry holds its last `>`;
 * - `in-line`: inside an ordinary line, everything before already passed on;
 * - `from-line`: inside a `From ` separator line, collecting it.
 */
type Mode = "line-start" | "gt-run" | "in-line" | "from-line";

/**
 * Incremental mbox scanner. Push the file's bytes in order with {@link push}, then call
 * {@link end} once; each call appends the events it found to `out`.
 */
export class MboxScanner {
  readonly format: MboxFormat;
  #mode: Mode = "line-start";
  /** True between a `start` event and its `end` event (false in the skipped bytes before the first message). */
  #inMessage = false;
  /** Bytes at the end of the last chunk that could not be classified yet (at most 7). */
  #carry: Buffer = Buffer.alloc(0);
  /** Absolute offset of the next byte pushed. */
  #offset = 0;
  /** The `From ` line being collected, its offset and its kept length. */
  #fromParts: Buffer[] = [];
  #fromLength = 0;
  #fromOffset = 0;
  #ended = false;

  constructor(format: MboxFormat = "mboxrd") {
    this.format = format;
  }

  /** Bytes held back between pushes (the carry and the `From ` line being collected). */
  get heldBytes(): number {
    return this.#carry.length + this.#fromLength;
  }

  /** Absolute offset of the next byte to be pushed (the bytes pushed so far). */
  get offset(): number {
    return this.#offset;
  }

  /** Scans the next chunk of the file. Events are appended to `out`. */
  push(chunk: Uint8Array, out: MboxEvent[]): void {
    if (this.#ended) throw new RangeError("MboxScanner: push after end");
    if (chunk.length === 0) return;
    let buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let base = this.#offset;
    this.#offset += chunk.length;
    if (this.#carry.length > 0) {
      // Re-scan the held bytes together with the new chunk (a copy of at most 7 + chunk bytes;
      // it happens only when a chunk ended within the first bytes of a line).
      base -= this.#carry.length;
      buffer = Buffer.concat([this.#carry, buffer]);
      this.#carry = Buffer.alloc(0);
    }
    this.#scan(buffer, base, false, out);
  }

  /** Ends the file: resolves what was held back and closes the last message. */
  end(out: MboxEvent[]): void {
    if (this.#ended) return;
    this.#ended = true;
    const buffer = this.#carry;
    this.#carry = Buffer.alloc(0);
    this.#scan(buffer, this.#offset - buffer.length, true, out);
  }

  /**
   * Scans `buffer` (whose first byte sits at file offset `base`) from the current mode. With
   * `final`, the end of the buffer is the end of the file.
   */
  #scan(buffer: Buffer, base: number, final: boolean, out: MboxEvent[]): void {
    const length = buffer.length;
    const rd = this.format === "mboxrd";
    /** Start of the bytes not yet passed on. */
    let emitFrom = 0;
    /** Start of the tentative bytes (a pending blank line, then the current line's first bytes), or -1. */
    let tentative = -1;
    /** Length of the pending blank line at `tentative` (0 when none). */
    let blank = 0;
    let i = 0;
    let mode = this.#mode;

    const emit = (from: number, to: number): void => {
      if (this.#inMessage && to > from) out.push({ type: "data", bytes: buffer.subarray(from, to) });
    };

    scan: while (i < length || (final && mode === "from-line")) {
      switch (mode) {
        case "in-line": {
          const newline = buffer.indexOf(LF, i);
          if (newline < 0) {
            i = length;
            break scan;
          }
          i = newline + 1;
          mode = "line-start";
          break;
        }
        case "from-line": {
          const newline = i < length ? buffer.indexOf(LF, i) : -1;
          const stop = newline < 0 ? length : newline;
          this.#collectFrom(buffer.subarray(i, stop));
          if (newline < 0 && !final) {
            i = length;
            break scan;
          }
          this.#startMessage(out);
          i = newline < 0 ? length : newline + 1;
          emitFrom = i;
          mode = "line-start";
          if (newline < 0) break scan;
          break;
        }
        case "line-start": {
          if (tentative < 0) tentative = i;
          const first = buffer[i]!;
          if (first === LF || (first === CR && buffer[i + 1] === LF)) {
            // A blank line: an earlier pending one is content after all; this one waits.
            tentative = i;
            blank = first === LF ? 1 : 2;
            i += blank;
            break;
          }
          if (first === CR && i + 1 >= length && !final) break scan;
          if (first === GT) {
            // A quoted line is never a separator: the pending blank line is content.
            tentative = i;
            blank = 0;
            mode = "gt-run";
            break;
          }
          const match = matchFrom(buffer, i);
          if (match === "partial" && !final) break scan;
          if (match === "yes") {
            // A new message: the pending blank line (if any) was the separator.
            if (this.#inMessage) {
              emit(emitFrom, tentative);
              out.push({ type: "end", end: base + tentative });
            }
            this.#inMessage = false;
            this.#fromOffset = base + i;
            this.#fromParts = [];
            this.#fromLength = 0;
            tentative = -1;
            blank = 0;
            mode = "from-line";
            break;
          }
          tentative = -1;
          blank = 0;
          mode = "in-line";
          break;
        }
        case "gt-run": {
          // `buffer[i]` is a `>` at the start of a line, or after other `>` already passed on.
          tentative = i;
          if (rd) {
            let last = i;
            while (last + 1 < length && buffer[last + 1] === GT) last += 1;
            // Only the last `>` of the run stays tentative: any one of them may be the one removed.
            tentative = last;
            if (last + 1 >= length && !final) {
              i = length;
              break scan;
            }
            i = last;
          }
          const quoted = rd || buffer[i + 1] !== GT ? matchFrom(buffer, i + 1) : "no";
          if (quoted === "partial" && !final) break scan;
          if (quoted === "yes") {
            emit(emitFrom, i);
            emitFrom = i + 1;
          }
          tentative = -1;
          i += 1;
          mode = "in-line";
          break;
        }
      }
    }

    if (final) {
      // The end of the file: a pending blank line was the last separator.
      if (this.#inMessage) {
        const stop = tentative >= 0 && blank > 0 ? tentative : length;
        emit(emitFrom, stop);
        out.push({ type: "end", end: base + stop });
        this.#inMessage = false;
      }
      this.#mode = "line-start";
      return;
    }
    if (mode === "from-line") {
      this.#mode = mode;
      return;
    }
    if (tentative >= 0) {
      emit(emitFrom, tentative);
      // A copy: the carry must not keep the whole chunk alive.
      this.#carry = Buffer.from(buffer.subarray(tentative));
      // `line-start` (a pending blank line, a partial `From`, a lone CR) or `gt-run` (a `>`).
      this.#mode = mode;
    } else {
      emit(emitFrom, length);
      this.#mode = mode;
    }
  }

  #collectFrom(part: Buffer): void {
    const room = MAX_FROM_LINE + 1 - this.#fromLength; // +1: a CR that the line ending will remove
    if (room <= 0 || part.length === 0) return;
    const kept = part.length > room ? part.subarray(0, room) : part;
    this.#fromParts.push(Buffer.from(kept));
    this.#fromLength += kept.length;
  }

  #startMessage(out: MboxEvent[]): void {
    let line = Buffer.concat(this.#fromParts, this.#fromLength);
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length > MAX_FROM_LINE) line = line.subarray(0, MAX_FROM_LINE);
    this.#fromParts = [];
    this.#fromLength = 0;
    this.#inMessage = true;
    out.push({ type: "start", offset: this.#fromOffset, fromLine: line });
  }
}

/** Whether `buffer` holds `From ` at `at`: yes, no, or partial (it ends before the answer is known). */
function matchFrom(buffer: Buffer, at: number): "yes" | "no" | "partial" {
  for (let k = 0; k < FROM.length; k += 1) {
    if (at + k >= buffer.length) return "partial";
    if (buffer[at + k] !== FROM[k]) return "no";
  }
  return "yes";
}
