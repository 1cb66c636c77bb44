/**
 * What the mbox readers share: where an mbox comes from, the read options and live figures, the
 * envelope facts of a `From ` line, and the loop that feeds the source's chunks to the
 * {@link MboxScanner} (never more than one chunk at a time).
 */
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { abortErrorFrom, InvalidArgumentError } from "../../errors.js";
import { asBuffer } from "./byte-streams.js";
import { type MboxEvent, type MboxFormat, MboxScanner } from "./mbox-scanner.js";

/**
 * Where an mbox comes from: a file path (a string is always a path), a `Readable`, an async or
 * plain iterable of byte chunks, or the whole file's bytes.
 */
export type MboxSource = string | Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array;

/**
 * Live figures of a read, kept up to date by the reader in an object the caller passes as
 * {@link MboxReadOptions.stats} (for progress displays and memory checks).
 */
export interface MboxReadStats {
  /** Bytes of the mbox read so far. */
  bytesRead: number;
  /** Messages found so far (yielded or skipped). */
  messages: number;
  /** Bytes the reader holds right now: the current message's bytes so far and the scanner's carry. */
  bufferedBytes: number;
  /** The largest {@link bufferedBytes} seen. */
  peakBufferedBytes: number;
}

/** Options of `readMbox` and `streamMbox`. */
export interface MboxReadOptions {
  /** How `From ` lines were quoted: `"mboxrd"` (the default) or `"mboxo"` (see {@link MboxScanner}). */
  format?: MboxFormat;
  /**
   * `readMbox` only: most bytes of one message (after unquoting). Default 64 MiB. A larger
   * message is a `LimitError` (`what` = `"mbox-message"`), or is skipped with `oversized: "skip"`.
   * Use `streamMbox` for messages of any size.
   */
  maxMessageBytes?: number;
  /** `readMbox` only: what to do with a message over `maxMessageBytes`. Default `"throw"`. */
  oversized?: "throw" | "skip";
  /** `readMbox` only: told about each message skipped for its size (`size` = its full size). */
  onSkipped?: (skipped: { index: number; offset: number; fromLine: string; size: number }) => void;
  /** Stops the read: the iteration throws `AbortError` at the next chunk. */
  signal?: AbortSignal;
  /** An object the reader keeps up to date (see {@link MboxReadStats}). */
  stats?: MboxReadStats;
  /** When reading a path: bytes per read. Default 256 KiB. */
  chunkSize?: number;
}

/** What the `From ` line of a message said, and where the message sits in the file. */
export interface MboxEnvelope {
  /** 0 for the first message of the file, and so on. */
  index: number;
  /** Byte offset of the message's `From ` line in the file. */
  offset: number;
  /**
   * The `From ` line without its line ending (`From alice@example.org Thu Jan  1 00:00:00 1970`),
   * decoded as UTF-8, or as latin1 when it is not valid UTF-8; at most 4096 bytes of it are kept.
   */
  fromLine: string;
  /** The first word after `From ` (the envelope sender), undefined when the line has none. */
  sender: string | undefined;
  /** The rest of the line after the sender, trimmed (usually an asctime date), undefined when empty. */
  date: string | undefined;
}

const DEFAULT_CHUNK = 256 * 1024;

/** Events of one pushed chunk, with the bytes the scanner holds after it. */
export interface Batch {
  events: MboxEvent[];
  held: number;
}

/** Scans `source` chunk by chunk; yields the events of each chunk (never an empty batch). */
export async function* scanBatches(source: MboxSource, options: MboxReadOptions): AsyncGenerator<Batch> {
  const { signal, stats } = options;
  const scanner = new MboxScanner(checkFormat(options.format));
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new InvalidArgumentError(`chunkSize must be a positive integer, got ${chunkSize}`);
  }
  if (signal?.aborted) throw abortErrorFrom(signal);
  const input = inputOf(source, chunkSize);
  try {
    for await (const chunk of input) {
      if (signal?.aborted) throw abortErrorFrom(signal);
      if (!(chunk instanceof Uint8Array)) {
        throw new InvalidArgumentError("the mbox source yielded something other than bytes (a string?)");
      }
      const events: MboxEvent[] = [];
      scanner.push(asBuffer(chunk), events);
      if (stats) {
        stats.bytesRead += chunk.length;
        note(stats, stats.bufferedBytes);
      }
      if (events.length > 0) yield { events, held: scanner.heldBytes };
    }
    if (signal?.aborted) throw abortErrorFrom(signal);
    const events: MboxEvent[] = [];
    scanner.end(events);
    if (events.length > 0) yield { events, held: 0 };
  } finally {
    if (input instanceof Readable && typeof source === "string") input.destroy();
  }
}

/** The source as something `for await` can read. */
function inputOf(source: MboxSource, chunkSize: number): AsyncIterable<unknown> | Iterable<unknown> {
  if (typeof source === "string") return createReadStream(source, { highWaterMark: chunkSize });
  if (source instanceof Uint8Array) return [source];
  if (
    typeof source === "object" &&
    source !== null &&
    (Symbol.asyncIterator in source || Symbol.iterator in source)
  ) {
    return source;
  }
  throw new InvalidArgumentError(
    "the mbox source must be a path, bytes, a Readable or an iterable of chunks",
  );
}

function checkFormat(format: MboxFormat | undefined): MboxFormat {
  if (format === undefined) return "mboxrd";
  if (format !== "mboxrd" && format !== "mboxo") {
    throw new InvalidArgumentError(`format must be "mboxrd" or "mboxo", got ${JSON.stringify(format)}`);
  }
  return format;
}

export function note(stats: MboxReadStats, buffered: number): void {
  stats.bufferedBytes = buffered;
  if (buffered > stats.peakBufferedBytes) stats.peakBufferedBytes = buffered;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The envelope facts of a `From ` line. */
export function envelopeOf(index: number, offset: number, line: Buffer): MboxEnvelope {
  let fromLine: string;
  try {
    fromLine = utf8.decode(line);
  } catch {
    fromLine = line.toString("latin1");
  }
  // "From " SP sender SP date (RFC 4155 §2); be lenient about extra blanks.
  const rest = fromLine.slice(5).replace(/^[ \t]+/, "");
  const blank = rest.search(/[ \t]/);
  const sender = blank < 0 ? rest : rest.slice(0, blank);
  const date = blank < 0 ? "" : rest.slice(blank).trim();
  return { index, offset, fromLine, sender: sender || undefined, date: date || undefined };
}
