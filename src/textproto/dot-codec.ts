/**
 * Dot-stuffing: how a block of lines of any content travels on a line-based channel and ends with a
 * line holding a single `.` (RFC 5321 §4.5.2, RFC 1939 §3, RFC 3977 §3.1.1).
 *
 * - Sending, every line that starts with `.` gets one more `.` in front, and the block ends with
 *   `.` CRLF. The CRLF before that `.` belongs to the content: `a` CRLF is sent as `a\r\n.\r\n`.
 * - Receiving, one leading `.` is removed from every line that has one, and the line `.` ends the
 *   block (also as the very first line: an empty block is just `.\r\n`).
 *
 * Only CRLF separates lines here. The decoder passes a bare LF or a bare CR through as content (it
 * never starts a line, so it can neither hide nor fake the terminator). The encoder turns every
 * bare CR and bare LF into CRLF, so sequences such as `\n.\n` or `\r.\r` can never reach a server
 * that might take them for the end of the data (SMTP smuggling, CVE-2023-51764).
 *
 * All classes here are pure state machines; input may be split at any byte.
 */
import { Transform, type TransformCallback } from "node:stream";
import { ConnectionClosedError, LimitError, ProtocolError } from "../errors.js";
import type { ByteReader } from "./byte-reader.js";

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const CR_BYTE = Buffer.from([CR]);
const LF_BYTE = Buffer.from([LF]);
const DOT_BYTE = Buffer.from([DOT]);
const CRLF = Buffer.from("\r\n");
const TERMINATOR = Buffer.from(".\r\n");
const LF_DOT = Buffer.from("\n.");

/**
 * Text (decoded as latin1) in which every CR and LF belongs to a CRLF: the chunk needs no line
 * ending fixed. Linear: `[^\r\n]*` cannot overlap the CRLF that follows it.
 */
const CLEAN = /^(?:[^\r\n]*\r\n)*[^\r\n]*$/;
/** {@link CLEAN}, and no line after the first starts with a dot. */
const CLEAN_STUFFED = /^(?:[^\r\n]*\r\n(?!\.))*[^\r\n]*$/;
/** The largest chunk checked by one match of {@link CLEAN} (the match keeps state per line). */
export const ONE_MATCH_MAX = 256 * 1024;

/**
 * Where the decoder stands:
 * - `line-start`: at the start of a line (also before the first byte): a `.` here is special;
 * - `dot`: a `.` seen at the start of a line, held back (stuffing, or the terminator);
 * - `dot-cr`: `.` CR at the start of a line, both held back: an LF now ends the block;
 * - `in-line`: inside a line;
 * - `cr`: just after a CR inside a line (the CR already passed on): an LF now ends the line;
 * - `done`: the terminator has been read.
 */
export type DotDecoderState = "line-start" | "dot" | "dot-cr" | "in-line" | "cr" | "done";

export interface DotDecoderOptions {
  /** Most decoded bytes accepted; beyond it {@link LimitError} (`data`). Default: no limit. */
  maxBytes?: number;
}

/** What one {@link DotDecoder.push} produced. */
export interface DotDecodeResult {
  /** Decoded content, in order (may share memory with the input chunk). */
  data: Buffer[];
  /** True once the terminator has been read. */
  done: boolean;
  /** When `done`: the bytes of the input after the terminator (possibly empty). */
  rest?: Buffer;
}

/**
 * Incremental dot-unstuffing decoder: push the received bytes as they come; each result carries
 * the decoded content so far and, once the `.` line arrives, `done` and the bytes after it.
 * After `done`, every pushed chunk comes back whole as `rest`.
 */
export class DotDecoder {
  private current: DotDecoderState = "line-start";
  private decoded = 0;
  private readonly maxBytes: number;
  private failure: Error | undefined;

  constructor(options: DotDecoderOptions = {}) {
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  }

  /** The current state (see {@link DotDecoderState}). */
  get state(): DotDecoderState {
    return this.current;
  }

  /** Decoded bytes handed out so far. */
  get bytes(): number {
    return this.decoded;
  }

  /**
   * Decodes `chunk`. Throws {@link LimitError} (`data`) when the decoded content would exceed
   * `maxBytes` (nothing of that chunk is returned; the decoder then stays failed).
   */
  push(chunk: Buffer): DotDecodeResult {
    if (this.failure) throw this.failure;
    if (this.current === "done") return { data: [], done: true, rest: chunk };
    const data: Buffer[] = [];
    const n = chunk.length;
    let state: DotDecoderState = this.current;
    let i = 0;
    // Start of the bytes that pass through unchanged, not yet added to `data`.
    let run = 0;
    let rest: Buffer | undefined;
    while (i < n) {
      const byte = chunk[i]!;
      switch (state) {
        case "line-start":
          if (byte === DOT) {
            // Held back: dropped if it is stuffing, or the start of the terminator.
            if (i > run) data.push(chunk.subarray(run, i));
            i += 1;
            run = i;
            state = "dot";
          } else {
            state = byte === CR ? "cr" : "in-line";
            i += 1;
          }
          break;
        case "dot":
          if (byte === CR) {
            i += 1;
            run = i;
            state = "dot-cr";
          } else {
            // The line had more than the dot: the dot was stuffing (RFC 5321 §4.5.2), and this
            // byte is ordinary content.
            state = "in-line";
          }
          break;
        case "dot-cr":
          if (byte === LF) {
            state = "done";
            rest = chunk.subarray(i + 1);
            i = n;
            run = n;
          } else {
            // `.` CR then something else: the dot was stuffing, the CR is content.
            data.push(CR_BYTE);
            state = "cr";
          }
          break;
        case "in-line": {
          const cr = chunk.indexOf(CR, i);
          if (cr < 0) {
            i = n;
          } else {
            i = cr + 1;
            state = "cr";
          }
          break;
        }
        case "cr":
          if (byte === LF) state = "line-start";
          else if (byte !== CR) state = "in-line";
          i += 1;
          break;
        case "done":
          i = n;
          break;
      }
    }
    if (state !== "done" && n > run) data.push(chunk.subarray(run, n));
    let size = 0;
    for (const piece of data) size += piece.length;
    if (this.decoded + size > this.maxBytes) {
      this.failure = new LimitError("data", this.maxBytes);
      throw this.failure;
    }
    this.decoded += size;
    this.current = state;
    return state === "done" ? { data, done: true, rest: rest ?? Buffer.alloc(0) } : { data, done: false };
  }
}

/** Options of {@link DotEncoder} (and {@link CrlfNormalizer}). */
export interface LineEncoderOptions {
  /**
   * Double a `.` at the start of a line and end with `.` CRLF (DATA, RFC 5321 §4.5.2). Default
   * true; false only makes every line ending CRLF (BDAT content, MIME bodies).
   */
  stuffDots?: boolean;
  /** End content whose last line has no line break with a CRLF. Default true. */
  finalLineBreak?: boolean;
}

/**
 * Incremental dot-stuffing encoder. {@link DotEncoder.push} returns the encoded bytes for a chunk
 * of content (possibly sharing memory with it); {@link DotEncoder.end} returns the tail: a CRLF
 * when non-empty content did not end with a line break, then `.` CRLF. Bare CR, bare LF and CRLF
 * each become one CRLF, also when a CR ends one chunk and its LF starts the next.
 */
export class DotEncoder {
  /** At the start of a line: a `.` here must be doubled. */
  private lineStart = true;
  /** The content so far ends with a CR that may be half of a CRLF split across chunks. */
  private afterCR = false;
  private ended = false;
  private readonly stuffDots: boolean;
  private readonly finalLineBreak: boolean;

  constructor(options: LineEncoderOptions = {}) {
    this.stuffDots = options.stuffDots ?? true;
    this.finalLineBreak = options.finalLineBreak ?? true;
  }

  /** Encodes a chunk of content. Throws `RangeError` after {@link end} (a programming error). */
  push(chunk: Buffer): Buffer[] {
    if (this.ended) throw new RangeError("DotEncoder.push() after end()");
    const out: Buffer[] = [];
    const n = chunk.length;
    if (n === 0) return out;
    if (!this.afterCR && this.passesUnchanged(chunk)) {
      this.lineStart = chunk[n - 1] === LF;
      out.push(chunk);
      return out;
    }
    let i = 0;
    if (this.afterCR) {
      this.afterCR = false;
      // The CR that ended the last chunk was bare unless this chunk starts with its LF.
      if (chunk[0] === LF) i = 1;
      else out.push(LF_BYTE);
    }
    // Bytes from `run` on pass through unchanged: CRLF pairs and ordinary bytes need no work, so
    // runs span many lines and the output is a few large slices of the input.
    let run = 0;
    // Cached positions of the next CR and the next LF at or after i (n when there is none).
    let nextCR = -1;
    let nextLF = -1;
    while (i < n) {
      if (this.lineStart) {
        this.lineStart = false;
        if (this.stuffDots && chunk[i] === DOT) {
          if (i > run) out.push(chunk.subarray(run, i));
          out.push(DOT_BYTE);
          run = i;
        }
      }
      if (nextCR < i) nextCR = indexOrEnd(chunk, CR, i);
      if (nextLF < i) nextLF = indexOrEnd(chunk, LF, i);
      if (nextCR === n && nextLF === n) break;
      this.lineStart = true;
      if (nextCR < nextLF) {
        const after = nextCR + 1;
        if (after === n) {
          // Pass the CR on now; the next chunk (or end()) decides whether it needs an LF.
          this.afterCR = true;
          i = n;
        } else if (chunk[after] === LF) {
          i = after + 1;
        } else {
          // A bare CR: complete it to CRLF.
          out.push(chunk.subarray(run, after), LF_BYTE);
          run = after;
          i = after;
        }
      } else {
        // A bare LF (an LF after a CR was consumed with its CR): put a CR before it.
        if (nextLF > run) out.push(chunk.subarray(run, nextLF));
        out.push(CR_BYTE);
        run = nextLF;
        i = nextLF + 1;
      }
    }
    if (n > run) out.push(run === 0 ? chunk : chunk.subarray(run, n));
    return out;
  }

  /**
   * True when `chunk` needs no change: every CR is followed by LF and every LF preceded by CR
   * within it, it does not end with a CR, and (when stuffing) no line in it starts with a dot.
   * Native string and buffer searches only, no loop per line: most content is like that, and
   * this costs the same before V8 has optimised anything (a cold process sends its first
   * messages interpreted).
   */
  private passesUnchanged(chunk: Buffer): boolean {
    if (!this.stuffDots) return onlyCrlfBreaks(chunk);
    if (this.lineStart && chunk[0] === DOT) return false;
    if (chunk.length <= ONE_MATCH_MAX) return CLEAN_STUFFED.test(chunk.toString("latin1"));
    return chunk.indexOf(LF_DOT) === -1 && onlyCrlfBreaks(chunk);
  }

  /** Ends the content: returns the closing bytes (see the class). Call once. */
  end(): Buffer[] {
    if (this.ended) throw new RangeError("DotEncoder.end() called twice");
    this.ended = true;
    const tail = this.stuffDots ? [TERMINATOR] : [];
    if (this.afterCR) return [LF_BYTE, ...tail];
    return this.lineStart || !this.finalLineBreak ? tail : [CRLF, ...tail];
  }
}

/**
 * True when every CR and every LF in `bytes` belongs to a CRLF pair (a CR at the very end does
 * not): CRLF normalisation would leave the bytes as they are. Native searches only, so it costs
 * the same in a cold process as in a warm one.
 */
export function onlyCrlfBreaks(bytes: Buffer): boolean {
  if (bytes.length <= ONE_MATCH_MAX) return CLEAN.test(bytes.toString("latin1"));
  // One match would keep a backtracking entry per line: a big chunk is checked in two passes.
  const unpaired = bytes.toString("latin1").replaceAll("\r\n", "");
  return !unpaired.includes("\r") && !unpaired.includes("\n");
}

/**
 * The DATA form of content known to have CRLF line breaks only and to end with one (or to be
 * empty; see {@link onlyCrlfBreaks}), split into `parts` anywhere: the parts and the terminator
 * in one Buffer, when no line starts with a dot. `undefined` when one does: {@link DotEncoder}
 * then stuffs it.
 */
export function crlfContentUnstuffed(parts: readonly Buffer[]): Buffer | undefined {
  let lineStart = true;
  for (const part of parts) {
    if (part.length === 0) continue;
    if ((lineStart && part[0] === DOT) || part.indexOf(LF_DOT) !== -1) return undefined;
    lineStart = part[part.length - 1] === LF;
  }
  return Buffer.concat([...parts, TERMINATOR]);
}

/**
 * Streaming line-ending normaliser: bare CR, bare LF and CRLF each become one CRLF, also across
 * chunk boundaries; nothing else changes. {@link DotEncoder} without the dots (BDAT content,
 * RFC 3030 §2; MIME bodies). With `finalLineBreak` (the default), `end()` adds a CRLF after an
 * unterminated last line.
 */
export class CrlfNormalizer extends DotEncoder {
  constructor(options: { finalLineBreak?: boolean } = {}) {
    super({ stuffDots: false, finalLineBreak: options.finalLineBreak ?? true });
  }
}

function indexOrEnd(chunk: Buffer, byte: number, from: number): number {
  const found = chunk.indexOf(byte, from);
  return found < 0 ? chunk.length : found;
}

/** Dot-stuffs a whole content at once (see {@link DotEncoder}). */
export function dotEncode(content: Buffer): Buffer {
  const encoder = new DotEncoder();
  return Buffer.concat([...encoder.push(content), ...encoder.end()]);
}

function joined(pieces: Buffer[]): Buffer | undefined {
  if (pieces.length === 0) return undefined;
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
}

/**
 * A Transform (Buffers in, Buffers out, byte-counted backpressure) that dot-stuffs the content
 * written to it and, when ended, writes the terminator. Strings written to it are UTF-8 encoded.
 */
export function dotEncodeStream(): Transform {
  const encoder = new DotEncoder();
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      const out = joined(encoder.push(chunk));
      if (out) this.push(out);
      callback();
    },
    flush(callback: TransformCallback) {
      callback(null, Buffer.concat(encoder.end()));
    },
  });
}

export interface DotDecodeStreamOptions extends DotDecoderOptions {
  /**
   * Receives the bytes written after the terminator. Without it, such bytes are a
   * {@link ProtocolError} (`data-after-terminator`).
   */
  onRest?: (rest: Buffer) => void;
}

/**
 * A Transform that decodes a dot-stuffed block: its readable side carries the content and ends at
 * the terminator. Errors with {@link ConnectionClosedError} if its input ends before the
 * terminator, and {@link LimitError} beyond `maxBytes`.
 */
export function dotDecodeStream(options: DotDecodeStreamOptions = {}): Transform {
  const decoder = new DotDecoder(options);
  const onRest = options.onRest;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      let result: DotDecodeResult;
      try {
        const wasDone = decoder.state === "done";
        result = decoder.push(chunk);
        const out = joined(result.data);
        if (out) this.push(out);
        if (result.done && !wasDone) this.push(null);
      } catch (error) {
        callback(error as Error);
        return;
      }
      if (result.rest && result.rest.length > 0) {
        if (!onRest) {
          callback(new ProtocolError("data-after-terminator", 'bytes follow the terminating line "."'));
          return;
        }
        onRest(result.rest);
      }
      callback();
    },
    flush(callback: TransformCallback) {
      if (decoder.state === "done") callback();
      else callback(new ConnectionClosedError('the data ended before its terminating line "."'));
    },
  });
}

/**
 * Reads one dot-stuffed block from `reader` and yields its decoded content in chunks, stopping
 * right after the terminator: no byte beyond it is consumed, so the next reply can be read from
 * `reader` as usual. Rejects with {@link ConnectionClosedError} when the stream ends first,
 * {@link LimitError} (`data`) beyond `maxBytes`, or the stream's own error. Iterate it to the end:
 * a consumer that stops early leaves the rest of the block unread in `reader`. Bytes read past the
 * terminator are given back with `reader.unshift()`.
 */
export async function* readDotBlock(
  reader: ByteReader,
  options: DotDecoderOptions = {},
): AsyncGenerator<Buffer, void, undefined> {
  const decoder = new DotDecoder(options);
  for (;;) {
    // Waits for data; rejects with the stream's error; null at a clean end.
    const chunk = await reader.readChunk();
    if (chunk === null) {
      throw new ConnectionClosedError(
        'the peer closed the connection before the data\'s terminating line "."',
      );
    }
    const result = decoder.push(chunk);
    // Bytes after the terminator belong to whatever the peer says next.
    if (result.rest && result.rest.length > 0) reader.unshift(result.rest);
    const batch = joined(result.data);
    if (batch) yield batch;
    if (result.done) return;
  }
}
