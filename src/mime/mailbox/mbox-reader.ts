/**
 * Reading an mbox file (RFC 4155) message by message as it streams, each message whole: one
 * message in memory at a time, bounded by `maxMessageBytes`. For messages of any size, as
 * streams, see mbox-stream.ts. The splitting and unquoting rules are those of
 * `MboxScanner` (mbox-scanner.ts) (Python's `mailbox.mbox`, plus CRLF files).
 */
import { InvalidArgumentError, LimitError } from "../../errors.js";
import {
  envelopeOf,
  type MboxEnvelope,
  type MboxReadOptions,
  type MboxSource,
  note,
  scanBatches,
} from "./mbox-source.js";

/** One message of an mbox, whole. */
export interface MboxMessage extends MboxEnvelope {
  /**
   * Byte offset just after the message's stored bytes: the separator blank line and the next
   * `From ` line are not included (Python's `stop`). The stored bytes run from the end of the
   * `From ` line to here; `size` may be smaller, by one byte per unquoted line.
   */
  end: number;
  /** Bytes of the message, unquoted. */
  size: number;
  /** The message bytes, without the `From ` line, `From ` lines unquoted (the same Buffer on each call). */
  content(): Buffer;
}

const DEFAULT_MAX_MESSAGE = 64 * 1024 * 1024;

/**
 * Reads an mbox message by message as the file streams in. Each message is held whole (so
 * memory is about one message plus one chunk); messages over `maxMessageBytes` are refused or
 * skipped. Breaking out of the loop stops the read (and closes a file it opened).
 *
 * Follows RFC 4155 with Python's `mailbox.mbox` tolerance (any line starting `From ` separates;
 * one blank line before it, or at the end of the file, is dropped); see `MboxScanner` (mbox-scanner.ts).
 *
 * @param source A file path, a `Readable`, an (async) iterable of byte chunks, or the file's bytes.
 * @throws LimitError (`mbox-message`) for a message over `maxMessageBytes` with `oversized: "throw"`;
 *   AbortError when `signal` fires; InvalidArgumentError for a bad option or a source yielding strings;
 *   Node's file errors (`ENOENT`, …) for a path.
 */
export async function* readMbox(
  source: MboxSource,
  options: MboxReadOptions = {},
): AsyncGenerator<MboxMessage> {
  const max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
  if (!Number.isSafeInteger(max) || max < 0) {
    throw new InvalidArgumentError(`maxMessageBytes must be a non-negative integer, got ${max}`);
  }
  const skip = options.oversized === "skip";
  const stats = options.stats;
  let envelope: MboxEnvelope | undefined;
  let pieces: Buffer[] = [];
  let size = 0;
  let over = false;
  let index = 0;
  const batches = scanBatches(source, options);
  for await (const { events, held } of batches) {
    for (const event of events) {
      if (event.type === "start") {
        envelope = envelopeOf(index++, event.offset, event.fromLine);
        pieces = [];
        size = 0;
        over = false;
        if (stats) stats.messages += 1;
      } else if (event.type === "data") {
        size += event.bytes.length;
        if (over) continue;
        if (size > max) {
          if (!skip) throw new LimitError("mbox-message", max);
          over = true;
          pieces = [];
          continue;
        }
        pieces.push(event.bytes);
        if (stats) note(stats, size + held);
      } else if (envelope) {
        const message = envelope;
        if (over) {
          options.onSkipped?.({
            index: message.index,
            offset: message.offset,
            fromLine: message.fromLine,
            size,
          });
        } else {
          const content = Buffer.concat(pieces, size);
          pieces = [];
          yield { ...message, end: event.end, size, content: () => content };
        }
        if (stats) stats.bufferedBytes = held;
        envelope = undefined;
      }
    }
  }
}
