/**
 * The incremental side of listing parsing: the bytes of a LIST or MLSD data connection, chunk by
 * chunk, in; {@link FileInfo} entries out. Bounded (the whole listing and each line), so a server
 * that never stops sending costs at most `maxBytes` (basic-ftp's GHSA-rp42-5vxx-qpwr: unbounded
 * LIST data).
 */
import { LimitError } from "../../errors.js";
import { ByteReader } from "../../textproto/byte-reader.js";
import type { FileInfo } from "../types.js";
import { type ListingOptions, parseListLine } from "./detect.js";
import { parseMlsdLine } from "./mlsd.js";

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

const NEWLINE = Buffer.from("\n");

/**
 * Splits the bytes of a listing into lines (CRLF or bare LF, split across chunks anywhere, through
 * the shared `ByteReader`), decodes each as UTF-8 (invalid bytes become U+FFFD) and parses it as
 * MLSD or LIST.
 *
 * ```ts
 * const parser = new ListingParser({ format: "mlsd" });
 * for await (const chunk of data) entries.push(...parser.push(chunk));
 * entries.push(...parser.end());
 * ```
 *
 * After a `LimitError` the parser stays failed: every later call throws the same error.
 */
export class ListingParser {
  private readonly mlsd: boolean;
  private readonly now: Date;
  private readonly maxBytes: number;
  private readonly maxLineLength: number;
  private readonly lines: ByteReader;
  private received = 0;
  private failure: LimitError | undefined;

  constructor(options: ListingParserOptions = {}) {
    this.mlsd = options.format === "mlsd";
    this.now = options.now ?? new Date();
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_LISTING_BYTES;
    this.maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LISTING_LINE;
    this.lines = new ByteReader({ lineEnding: "lenient", maxLineLength: this.maxLineLength });
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
    this.lines.push(
      Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length),
    );
    return this.drain();
  }

  /**
   * Ends the listing: parses a last line that had no line ending and returns its entry, if any.
   *
   * @throws LimitError when the parser failed before.
   */
  end(): FileInfo[] {
    if (this.failure) throw this.failure;
    if (this.lines.buffered === 0) return [];
    // The last line has no ending: give it one, so the reader hands it over like the others.
    this.lines.push(NEWLINE);
    return this.drain();
  }

  /** Parses every complete line buffered. */
  private drain(): FileInfo[] {
    const out: FileInfo[] = [];
    try {
      for (let line = this.lines.tryReadLine(); line; line = this.lines.tryReadLine()) this.take(line, out);
    } catch (error) {
      if (error instanceof LimitError) this.fail(new LimitError("line", this.maxLineLength));
      throw error;
    }
    return out;
  }

  private fail(error: LimitError): never {
    this.failure = error;
    this.lines.discard();
    throw error;
  }

  private take(line: Buffer, out: FileInfo[]): void {
    if (line.length > this.maxLineLength) this.fail(new LimitError("line", this.maxLineLength));
    const text = line.toString("utf8");
    const info = this.mlsd ? parseMlsdLine(text) : parseListLine(text, { now: this.now });
    if (info !== undefined) out.push(info);
  }
}
