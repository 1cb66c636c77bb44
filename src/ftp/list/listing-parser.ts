/**
 * The incremental side of listing parsing: the bytes of a LIST or MLSD data connection, chunk by
 * chunk, in; {@link FileInfo} entries out. Bounded (the whole listing and each line), so a server
 * that never stops sending costs at most `maxBytes` (basic-ftp's GHSA-rp42-5vxx-qpwr: unbounded
 * LIST data).
 */
import { isUtf8 } from "node:buffer";
import { LimitError } from "../../errors.js";
import type { FileInfo } from "../types.js";
import { type ListingOptions, type ListLineOptions, parseListLine } from "./detect.js";
import { parseMlsdLine } from "./mlsd.js";
import { parseCommonUnixLine } from "./unix.js";

/** Options of {@link ListingParser}. */
export interface ListingParserOptions extends ListingOptions {
  /** Most bytes in the whole listing. Default 40 MiB (basic-ftp's `maxListingBytes`). */
  maxBytes?: number;
  /** Most bytes in one line, without its line ending. Default 64 KiB. */
  maxLineLength?: number;
}

/** Default bound on a whole listing: 40 MiB. */
export const DEFAULT_MAX_LISTING_BYTES = 40 * 1024 * 1024;
/** Default bound on one listing line: 64 KiB. */
export const DEFAULT_MAX_LISTING_LINE = 64 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits the bytes of a listing into lines (CRLF or bare LF, split across chunks anywhere; one CR
 * before the LF is dropped), decodes each as UTF-8 (invalid bytes become U+FFFD) and parses it as
 * MLSD or LIST.
 *
 * ```ts
 * const parser = new ListingParser({ format: "mlsd" });
 * for await (const chunk of data) entries.push(...parser.push(chunk));
 * entries.push(...parser.end());
 * ```
 *
 * After a `LimitError` the parser stays failed: every later call throws the same error.
 *
 * Why not the shared `ByteReader`: a listing is up to 40 MiB of short lines, and cutting it into
 * one Buffer per line (then one decode per line) took about a quarter of the parse time of a
 * 10,000-entry listing. Here a chunk's complete lines are decoded in one go when they are valid
 * UTF-8 (the usual case) and cut as text; only a line split across chunks, or a run holding
 * invalid UTF-8, is decoded line by line. The limits are the reader's, in bytes.
 */
export class ListingParser {
  private readonly mlsd: boolean;
  private readonly lineOptions: ListLineOptions;
  private readonly now: Date;
  private readonly maxBytes: number;
  private readonly maxLineLength: number;
  /** The bytes of the line not yet ended, in the pieces they came in (joined once its LF arrives). */
  private partial: Buffer[] = [];
  private partialLength = 0;
  private received = 0;
  private failure: LimitError | undefined;

  constructor(options: ListingParserOptions = {}) {
    this.mlsd = options.format === "mlsd";
    this.now = options.now ?? new Date();
    this.lineOptions = { now: this.now };
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_LISTING_BYTES;
    this.maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LISTING_LINE;
  }

  /** Bytes pushed so far. */
  get bytesReceived(): number {
    return this.received;
  }

  /**
   * Takes the next chunk of the data connection and returns the entries of the lines it
   * completed (blank and `total` lines are dropped).
   *
   * @throws LimitError `listing` when the listing passes `maxBytes`, `line` when a line passes
   *   `maxLineLength` (before any byte of the chunk is parsed, for the listing bound).
   */
  push(chunk: Uint8Array): FileInfo[] {
    if (this.failure) throw this.failure;
    this.received += chunk.length;
    if (this.received > this.maxBytes) this.fail(new LimitError("listing", this.maxBytes));
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const out: FileInfo[] = [];
    let start = 0;
    if (this.partialLength > 0) {
      const lf = bytes.indexOf(LF);
      if (lf < 0) {
        this.keep(bytes);
        return out;
      }
      this.partial.push(bytes.subarray(0, lf));
      const line = Buffer.concat(this.partial, this.partialLength + lf);
      this.partial = [];
      this.partialLength = 0;
      this.takeBytes(line, 0, line.length, out);
      start = lf + 1;
    }
    const last = bytes.lastIndexOf(LF);
    if (last >= start) {
      this.takeLines(bytes, start, last, out);
      start = last + 1;
    }
    if (start < bytes.length) this.keep(start === 0 ? bytes : bytes.subarray(start));
    return out;
  }

  /**
   * Ends the listing: parses a last line that had no line ending and returns its entry, if any.
   *
   * @throws LimitError when the parser failed before.
   */
  end(): FileInfo[] {
    if (this.failure) throw this.failure;
    if (this.partialLength === 0) return [];
    const line = Buffer.concat(this.partial, this.partialLength);
    this.partial = [];
    this.partialLength = 0;
    const out: FileInfo[] = [];
    this.takeBytes(line, 0, line.length, out);
    return out;
  }

  /** Holds the start of a line whose LF has not come yet; a line that can no longer fit fails now. */
  private keep(piece: Buffer): void {
    this.partial.push(piece);
    this.partialLength += piece.length;
    // The limit, plus a CR that the LF may still follow.
    if (this.partialLength > this.maxLineLength + 1) this.fail(new LimitError("line", this.maxLineLength));
  }

  /** Parses the lines of `bytes[start..last]`, where `last` is the index of an LF. */
  private takeLines(bytes: Buffer, start: number, last: number, out: FileInfo[]): void {
    if (!isUtf8(bytes.subarray(start, last + 1))) {
      // Invalid UTF-8 somewhere: decode line by line, so that each line decodes as it would alone.
      for (let from = start; from <= last; ) {
        const lf = bytes.indexOf(LF, from);
        this.takeBytes(bytes, from, lf, out);
        from = lf + 1;
      }
      return;
    }
    const text = bytes.toString("utf8", start, last);
    // Valid UTF-8 of as many UTF-16 units as bytes is ASCII: a line's length is its byte count.
    const ascii = text.length === last - start;
    const max = this.maxLineLength;
    for (let from = 0; from <= text.length; ) {
      let lf = text.indexOf("\n", from);
      if (lf < 0) lf = text.length;
      const end = lf > from && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
      const line = text.slice(from, end);
      // A UTF-16 unit is at most three bytes of UTF-8, so only a long line needs counting.
      if (line.length > max || (!ascii && line.length * 3 > max && Buffer.byteLength(line) > max)) {
        this.fail(new LimitError("line", max));
      }
      this.take(line, out);
      from = lf + 1;
    }
  }

  /** Parses the line `bytes[from..to)` (its LF excluded). */
  private takeBytes(bytes: Buffer, from: number, to: number, out: FileInfo[]): void {
    const end = to > from && bytes[to - 1] === CR ? to - 1 : to;
    if (end - from > this.maxLineLength) this.fail(new LimitError("line", this.maxLineLength));
    this.take(bytes.toString("utf8", from, end), out);
  }

  private fail(error: LimitError): never {
    this.failure = error;
    this.partial = [];
    this.partialLength = 0;
    throw error;
  }

  private take(line: string, out: FileInfo[]): void {
    // Most LIST lines are the common `ls -l` shape: try it first, without the per-line checks of
    // parseListLine (blank, `total`, a second CR), none of which such a line can be. Cold, in a
    // one-shot process, those calls cost a third of the parse.
    if (!this.mlsd && line.charCodeAt(line.length - 1) !== CR) {
      const common = parseCommonUnixLine(line, this.now);
      if (common !== undefined) {
        out.push(common);
        return;
      }
    }
    const info = this.mlsd ? parseMlsdLine(line) : parseListLine(line, this.lineOptions);
    if (info !== undefined) out.push(info);
  }
}
