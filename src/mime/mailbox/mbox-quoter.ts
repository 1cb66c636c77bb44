/**
 * The pure core of the mbox writer: `From ` quoting of one message's bytes, split anywhere
 * (RFC 4155 Appendix A), and the final line ending a stored message needs. No I/O here.
 *
 * - `mboxrd`: every line matching `>*From ` gets one more `>` (so the reader's "remove one `>`
 *   from `>+From `" gives back the exact bytes);
 * - `mboxo`: every line starting `From ` becomes `>From ` (a line that already was `>From `
 *   comes back as `From ` from an mboxo reader: the format's known loss).
 *
 * A message that does not end with a line ending gets one at {@link MboxQuoter.end}: CRLF when
 * its first line ended with CRLF, else LF (an mbox cannot store a message without one; Python's
 * `mailbox.mbox` adds one too). An empty message stays empty.
 */
import type { MboxFormat } from "./mbox-scanner.js";

const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const F = 0x46;
const FROM = Buffer.from("From ");
const QUOTE = Buffer.from(">");
const LF_BYTES = Buffer.from("\n");
const CRLF_BYTES = Buffer.from("\r\n");

/**
 * Where the quoter stands between chunks: at a line start, inside a leading `>` run (mboxrd),
 * matching `From ` (`held` of its bytes were in earlier chunks and not passed on yet), or inside
 * an ordinary line.
 */
type QuoteMode = "line-start" | "gt-run" | "from" | "in-line";

/** Incremental `From ` quoter for one message: {@link push} its bytes, then {@link end} once. */
export class MboxQuoter {
  readonly format: MboxFormat;
  #mode: QuoteMode = "line-start";
  /** Bytes of `From ` matched at the current line start so far. */
  #matched = 0;
  /** How many of the matched bytes belong to earlier chunks (held back, not passed on). */
  #held = 0;
  #size = 0;
  #last = -1;
  /** The first line ending's kind: undefined until one is seen. */
  #crlf: boolean | undefined;

  constructor(format: MboxFormat = "mboxrd") {
    this.format = format;
  }

  /** Message bytes pushed so far. */
  get size(): number {
    return this.#size;
  }

  /** Quotes the next chunk; returns the bytes to store (views into `chunk`, or constants). */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    const length = chunk.length;
    if (length === 0) return out;
    const rd = this.format === "mboxrd";
    let runStart = 0;
    let i = 0;
    let mode = this.#mode;
    /** Chunk index where the in-chunk part of a `From ` match starts. */
    let matchStart = 0;
    while (i < length) {
      if (mode === "in-line") {
        const newline = chunk.indexOf(LF, i);
        if (newline < 0) {
          i = length;
          break;
        }
        if (this.#crlf === undefined) this.#crlf = (newline > 0 ? chunk[newline - 1] : this.#last) === CR;
        i = newline + 1;
        mode = "line-start";
      } else if (mode === "line-start") {
        const first = chunk[i];
        if (first === F) {
          mode = "from";
          matchStart = i;
          this.#matched = 0;
          this.#held = 0;
        } else {
          mode = first === GT && rd ? "gt-run" : "in-line";
        }
      } else if (mode === "gt-run") {
        while (i < length && chunk[i] === GT) i += 1;
        if (i === length) break;
        mode = chunk[i] === F ? "line-start" : "in-line";
      } else {
        // "from": compare the next bytes with the rest of `From `.
        if (chunk[i] !== FROM[this.#matched]) {
          // Not a From line: give back the held bytes (the in-chunk ones are still in the run).
          if (this.#held > 0) {
            out.push(...slice(chunk, runStart, matchStart), FROM.subarray(0, this.#held));
            runStart = matchStart;
          }
          mode = "in-line";
          continue;
        }
        this.#matched += 1;
        i += 1;
        if (this.#matched === FROM.length) {
          out.push(...slice(chunk, runStart, matchStart), QUOTE, FROM.subarray(0, this.#held));
          runStart = matchStart;
          mode = "in-line";
        }
      }
    }
    if (mode === "from") {
      // The chunk ended inside a possible `From `: hold its bytes back until the next chunk says.
      out.push(...slice(chunk, runStart, matchStart));
      this.#held = this.#matched;
    } else {
      out.push(...slice(chunk, runStart, length));
    }
    this.#mode = mode;
    this.#size += length;
    this.#last = chunk[length - 1]!;
    return out;
  }

  /** The bytes that end the message: held-back bytes, then the line ending it lacks (if any). */
  end(): Buffer[] {
    const out: Buffer[] = [];
    if (this.#mode === "from" && this.#held > 0) out.push(FROM.subarray(0, this.#held));
    this.#mode = "line-start";
    this.#held = 0;
    if (this.#size > 0 && this.#last !== LF) out.push(this.#crlf ? CRLF_BYTES : LF_BYTES);
    return out;
  }
}

function slice(chunk: Buffer, from: number, to: number): Buffer[] {
  return to > from ? [chunk.subarray(from, to)] : [];
}
