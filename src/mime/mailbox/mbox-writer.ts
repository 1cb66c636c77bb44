/**
 * Writing mbox files (RFC 4155): each message gets a `From sender date` line, its `From ` lines
 * quoted ({@link MboxQuoter}), a final line ending when it lacks one, and a blank line after it.
 * Messages stream through with backpressure; a path is written atomically (a temporary file in
 * the same folder, fsync, rename) or appended to (with fsync, and cut back on failure).
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { type FileHandle, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { finished } from "node:stream/promises";
import { abortErrorFrom, InvalidArgumentError } from "../../errors.js";
import {
  chunksOf,
  FileBatcher,
  isMessageBytes,
  type MessageBytes,
  writeWithBackpressure,
} from "./byte-streams.js";
import { MboxQuoter } from "./mbox-quoter.js";
import type { MboxFormat } from "./mbox-scanner.js";

/** A message to store, with what its `From ` line should say. */
export interface MboxEntry {
  /** The message bytes (a leading `From ` line in them is content and gets quoted). */
  content: MessageBytes;
  /** The envelope sender: printable ASCII without blanks. Default `MAILER-DAEMON`. */
  sender?: string | undefined;
  /** The delivery date: a Date (written in asctime form, UTC) or the text to write. Default: now. */
  date?: Date | string | undefined;
}

/** What {@link writeMbox} takes for each message: its bytes alone, or an {@link MboxEntry}. */
export type MboxWriteInput = MessageBytes | MboxEntry;

/** Options of {@link writeMbox}. */
export interface MboxWriteOptions {
  /** How to quote `From ` lines: `"mboxrd"` (the default) or `"mboxo"`. */
  format?: MboxFormat;
  /**
   * For a path: add to the end of the file (created when missing) instead of replacing it. A
   * blank line is added first when the file does not end with one. On failure the file is cut
   * back to its old length.
   */
  append?: boolean;
  /** For a path: fsync the file before renaming it (or after appending). Default true. */
  fsync?: boolean;
  /** For a path: the mode of a new file. Default `0o600` (mail is private). */
  mode?: number;
  /** For a `Writable`: end it when done (default true; never for stdout/stderr). */
  end?: boolean;
  /** Stops the write between chunks: `AbortError`, and a path is left as it was. */
  signal?: AbortSignal;
}

/** What {@link writeMbox} wrote. */
export interface MboxWriteResult {
  messages: number;
  /** Bytes written (`From ` lines, quoting and separators included). */
  bytes: number;
}

const LF = Buffer.from("\n");
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `date` in C's asctime form, UTC: `Thu Jan  1 00:00:00 1970` (as Python's `time.asctime(time.gmtime())`). */
export function asctime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, " ")} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} ${date.getUTCFullYear()}`
  );
}

/**
 * The `From ` line for a message (without its line ending): `From SENDER DATE` (RFC 4155 §2).
 *
 * @throws InvalidArgumentError for a sender that is empty or not printable ASCII without blanks,
 *   a date text with characters other than printable ASCII, or an invalid Date.
 */
export function formatFromLine(sender = "MAILER-DAEMON", date: Date | string = new Date()): string {
  if (!/^[\x21-\x7e]+$/.test(sender)) {
    throw new InvalidArgumentError(
      `an mbox sender must be printable ASCII without blanks: ${JSON.stringify(sender)}`,
    );
  }
  let when: string;
  if (typeof date === "string") {
    if (!/^[\x20-\x7e]+$/.test(date)) {
      throw new InvalidArgumentError(`an mbox date must be printable ASCII: ${JSON.stringify(date)}`);
    }
    when = date;
  } else {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
      throw new InvalidArgumentError("an mbox date must be a valid Date or a string");
    }
    when = asctime(date);
  }
  return `From ${sender} ${when}`;
}

/**
 * Writes messages to an mbox file or stream, in order, one at a time (each message streams
 * through; memory does not grow with message size).
 *
 * To a path: without `append`, the file is replaced atomically (written to a temporary name in
 * its folder, fsynced, renamed over it: a reader sees the old file or the whole new one); with
 * `append`, the messages are added at its end (a symlink is refused either way: the temporary
 * file is created exclusively and a renamed file replaces a link rather than writing through
 * it). To a `Writable`: written with backpressure, ended unless `end: false` (on failure it is
 * left as it is, neither ended nor destroyed).
 *
 * Unlike Python's `mailbox.mbox.add`, a message whose first line starts with `From ` keeps that
 * line as content (quoted); give the envelope as `sender` and `date`.
 *
 * @throws InvalidArgumentError for a bad sender/date/option or a message that is not bytes;
 *   AbortError when `signal` fires; the destination's own errors (a failed path write leaves no
 *   temporary file, and an append is cut back).
 */
export async function writeMbox(
  destination: string | NodeJS.WritableStream,
  messages: AsyncIterable<MboxWriteInput> | Iterable<MboxWriteInput>,
  options: MboxWriteOptions = {},
): Promise<MboxWriteResult> {
  const format = options.format ?? "mboxrd";
  if (format !== "mboxrd" && format !== "mboxo") {
    throw new InvalidArgumentError(`format must be "mboxrd" or "mboxo", got ${JSON.stringify(format)}`);
  }
  if (options.signal?.aborted) throw abortErrorFrom(options.signal);
  if (typeof destination !== "string") {
    const result = await writeMessages(
      (pieces) => writeWithBackpressure(destination, pieces),
      messages,
      format,
      options,
    );
    if (options.end !== false && destination !== process.stdout && destination !== process.stderr) {
      destination.end();
      await finished(destination);
    }
    return result;
  }
  return options.append
    ? appendToPath(destination, messages, format, options)
    : replacePath(destination, messages, format, options);
}

type Write = (pieces: Buffer[]) => Promise<void>;

/** Formats every message through `write`. */
async function writeMessages(
  write: Write,
  messages: AsyncIterable<MboxWriteInput> | Iterable<MboxWriteInput>,
  format: MboxFormat,
  options: MboxWriteOptions,
): Promise<MboxWriteResult> {
  const { signal } = options;
  let count = 0;
  let bytes = 0;
  const send = async (pieces: Buffer[]) => {
    if (pieces.length === 0) return;
    for (const piece of pieces) bytes += piece.length;
    await write(pieces);
  };
  for await (const input of messages) {
    if (signal?.aborted) throw abortErrorFrom(signal);
    const entry = entryOf(input);
    await send([Buffer.from(`${formatFromLine(entry.sender, entry.date ?? new Date())}\n`, "latin1")]);
    const quoter = new MboxQuoter(format);
    for await (const chunk of chunksOf(entry.content)) {
      if (signal?.aborted) throw abortErrorFrom(signal);
      await send(quoter.push(chunk));
    }
    await send([...quoter.end(), LF]);
    count += 1;
  }
  if (signal?.aborted) throw abortErrorFrom(signal);
  return { messages: count, bytes };
}

function entryOf(input: MboxWriteInput): MboxEntry {
  if (isMessageBytes(input)) return { content: input };
  if (typeof input === "object" && input !== null && "content" in input && isMessageBytes(input.content)) {
    return input;
  }
  throw new InvalidArgumentError("each mbox message must be bytes, a stream, or { content, sender?, date? }");
}

const { O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW } = constants;

async function replacePath(
  path: string,
  messages: AsyncIterable<MboxWriteInput> | Iterable<MboxWriteInput>,
  format: MboxFormat,
  options: MboxWriteOptions,
): Promise<MboxWriteResult> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, options.mode ?? 0o600);
  let closed = false;
  try {
    const batcher = new FileBatcher(handle);
    const result = await writeMessages(batcher.write, messages, format, options);
    await batcher.flush();
    if (options.fsync !== false) await handle.sync();
    closed = true;
    await handle.close();
    await rename(temporary, path);
    return result;
  } catch (error) {
    if (!closed) await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

async function appendToPath(
  path: string,
  messages: AsyncIterable<MboxWriteInput> | Iterable<MboxWriteInput>,
  format: MboxFormat,
  options: MboxWriteOptions,
): Promise<MboxWriteResult> {
  let handle: FileHandle;
  try {
    handle = await open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW, options.mode ?? 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOOP") {
      throw new InvalidArgumentError(`refusing to append through a symbolic link: ${path}`, { cause: error });
    }
    throw error;
  }
  let length = 0;
  try {
    const info = await handle.stat();
    if (!info.isFile())
      throw new InvalidArgumentError(`refusing to append to something that is not a file: ${path}`);
    length = info.size;
    const batcher = new FileBatcher(handle);
    const lead = await separatorNeeded(handle, length);
    if (lead.length > 0) await batcher.write([lead]);
    const result = await writeMessages(batcher.write, messages, format, options);
    await batcher.flush();
    if (options.fsync !== false) await handle.sync();
    return { ...result, bytes: result.bytes + lead.length };
  } catch (error) {
    // Leave the file as it was: cut off whatever part of this append reached it.
    await handle.truncate(length).catch(() => undefined);
    throw error;
  } finally {
    await handle.close();
  }
}

/**
 * What must come before a new `From ` line at the end of an existing mbox of `length` bytes: a
 * blank line unless the file already ends with one (RFC 4155: messages are followed by an empty
 * line), and a line ending first when the last line lacks one.
 */
async function separatorNeeded(handle: FileHandle, length: number): Promise<Buffer> {
  if (length === 0) return Buffer.alloc(0);
  const tail = Buffer.alloc(Math.min(2, length));
  await handle.read(tail, 0, tail.length, length - tail.length);
  const last = tail[tail.length - 1];
  if (last !== 0x0a) return Buffer.from("\n\n");
  const before = tail.length === 2 ? tail[0] : undefined;
  if (before === 0x0a) return Buffer.alloc(0);
  if (before === 0x0d && length >= 3) {
    // `\r\n` at the end: is the line before it blank too (`\n\r\n` or `\r\n\r\n`)?
    const more = Buffer.alloc(Math.min(4, length));
    await handle.read(more, 0, more.length, length - more.length);
    const text = more.toString("latin1");
    if (text.endsWith("\n\r\n")) return Buffer.alloc(0);
  }
  return LF;
}
