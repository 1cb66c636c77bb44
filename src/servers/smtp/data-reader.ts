/**
 * The end of DATA (RFC 5321 §4.1.1.4, §4.5.2) as the server reads it: only CRLF `.` CRLF ends the
 * data, leading dots are unstuffed ({@link DotDecoder}), and a `.` line that a bare LF or a bare
 * CR starts or ends (`\n.\n`, `\n.\r\n`, `\r\n.\n`, `\r.\r`…) is noted, so the message can be
 * refused once the real end arrives. Such lines are how SMTP smuggling hides a second message
 * (CVE-2023-51764/51765/51766): a server that took them for the end would run the rest as commands.
 *
 * Pure and incremental: input may be split at any byte.
 */
import { DotDecoder } from "../../textproto/dot-codec.js";

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/** How the line before the current position ended. */
type Break = "crlf" | "other";

/**
 * The scanner's state: inside a line; after a CR inside a line; at a line start (after a break of
 * the given kind); after a `.` at a line start; after `.` CR at a line start.
 */
type ScanState =
  | { at: "line" }
  | { at: "cr" }
  | { at: "start"; after: Break }
  | { at: "dot"; after: Break }
  | { at: "dot-cr"; after: Break };

/**
 * Watches the raw DATA bytes for a `.` line delimited by anything but CRLF on both sides. The
 * true terminator (CRLF `.` CRLF) is not flagged; the caller stops feeding at it.
 */
export class SmugglingScanner {
  #state: ScanState = { at: "start", after: "crlf" };
  #found = false;

  /** True once a suspicious `.` line has been seen. */
  get found(): boolean {
    return this.#found;
  }

  /** Scans the next raw bytes. */
  push(chunk: Buffer): void {
    let state = this.#state;
    // Cached positions of the next CR and LF (-1: not looked for yet; length: none left).
    let nextCR = -1;
    let nextLF = -1;
    for (let index = 0; index < chunk.length; index += 1) {
      if (state.at === "line") {
        // Jump over the rest of the line: only a CR or an LF can change anything.
        if (nextCR < index) nextCR = indexOrEnd(chunk, CR, index);
        if (nextLF < index) nextLF = indexOrEnd(chunk, LF, index);
        index = Math.min(nextCR, nextLF);
        if (index === chunk.length) break;
      }
      const byte = chunk[index]!;
      switch (state.at) {
        case "line":
          state = byte === CR ? { at: "cr" } : { at: "start", after: "other" };
          break;
        case "cr":
          if (byte === LF) state = { at: "start", after: "crlf" };
          else state = lineStart(byte, "other");
          break;
        case "start":
          state = lineStart(byte, state.after);
          break;
        case "dot":
          if (byte === LF) {
            this.#found = true;
            state = { at: "start", after: "other" };
          } else if (byte === CR) {
            state = { at: "dot-cr", after: state.after };
          } else {
            state = { at: "line" };
          }
          break;
        case "dot-cr":
          if (byte === LF) {
            // CRLF . CRLF is the true end (the caller stops before anything follows it).
            if (state.after !== "crlf") this.#found = true;
            state = { at: "start", after: "crlf" };
          } else {
            // `.` then a bare CR.
            this.#found = true;
            state = lineStart(byte, "other");
          }
          break;
      }
    }
    this.#state = state;
  }
}

function indexOrEnd(chunk: Buffer, byte: number, from: number): number {
  const found = chunk.indexOf(byte, from);
  return found < 0 ? chunk.length : found;
}

/** The state after `byte`, the first byte of a line that a break of kind `after` began. */
function lineStart(byte: number, after: Break): ScanState {
  if (byte === DOT) return { at: "dot", after };
  if (byte === CR) return { at: "cr" };
  if (byte === LF) return { at: "start", after: "other" };
  return { at: "line" };
}

/** What one {@link DataReader.push} gives. */
export interface DataChunk {
  /** Message content (unstuffed), in order. */
  data: Buffer[];
  /** True once the terminator has been read. */
  done: boolean;
  /** When done: the bytes after the terminator (the client's next commands). */
  rest?: Buffer;
}

/** Decodes DATA: content out, the end found, smuggling attempts noted ({@link smuggling}). */
export class DataReader {
  readonly #decoder = new DotDecoder();
  readonly #scanner = new SmugglingScanner();

  /** True when the data held a `.` line with a bare LF or CR around it: refuse the message. */
  get smuggling(): boolean {
    return this.#scanner.found;
  }

  /** Content bytes decoded so far. */
  get bytes(): number {
    return this.#decoder.bytes;
  }

  /** Feeds received bytes. After `done`, every chunk comes back whole as `rest`. */
  push(chunk: Buffer): DataChunk {
    const result = this.#decoder.push(chunk);
    const consumed = result.rest ? chunk.length - result.rest.length : chunk.length;
    this.#scanner.push(consumed === chunk.length ? chunk : chunk.subarray(0, consumed));
    return result;
  }
}
