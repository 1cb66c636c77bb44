/**
 * What `send` does with the message before a byte of it goes out: it reads the header block (and
 * only the header block) of raw bytes or streams, removes Bcc and Resent-Bcc fields from it,
 * parses it for the envelope and the Message-ID, and hands back the content as a single-use
 * stream of chunks. Bytes are also measured (the SIZE parameter) and scanned for 8-bit octets.
 * A stream is never read beyond its header block here.
 */
import { isAscii } from "node:buffer";
import { Readable } from "node:stream";
import { InvalidArgumentError, LimitError } from "../errors.js";
import type { BuiltMessage } from "../mime/build/spec.js";
import { parseHeaderBlock } from "../mime/header/headers.js";
import { ONE_MATCH_MAX, onlyCrlfBreaks } from "../textproto/dot-codec.js";
import { normalizedLength } from "./data-stream.js";
import { envelopeFromHeaders } from "./envelope.js";
import type { SmtpMessage } from "./types.js";

/** Largest header block read to find the envelope and strip Bcc. */
export const MAX_HEADER_BYTES = 1024 * 1024;

const CR = 0x0d;
const LF = 0x0a;

/** A message ready to be sent. */
export interface PreparedMessage {
  kind: "bytes" | "stream" | "built";
  /** The envelope the message itself implies (From/Sender, To, Cc, Bcc; or a built message's envelope). */
  implied(): { from: string | undefined; to: string[] };
  messageId: string | undefined;
  /** The content (Bcc removed): the parts of bytes, or a single-use stream of chunks. */
  content: readonly Buffer[] | AsyncIterable<Buffer>;
  /** The CRLF-normalised size, when known (bytes only); measured on first call. */
  size(): number | undefined;
  /**
   * True when the content already has CRLF line breaks only and ends with one (or is empty):
   * normalising would change nothing, and only dots remain to be stuffed. False when unknown.
   */
  crlfOnly: boolean;
  /** Whether the content has an octet over 127, when known (bytes only). */
  eightBit: boolean | undefined;
  /** Whether a header field holds non-ASCII text (RFC 6532). */
  utf8Headers: boolean;
  /** Releases the source when the message will not be sent after all. */
  discard(): void;
}

/** True for what `buildMessage` returns. */
export function isBuiltMessage(value: unknown): value is BuiltMessage {
  if (typeof value !== "object" || value === null || value instanceof Readable) return false;
  const candidate = value as Partial<BuiltMessage>;
  return (
    typeof candidate.stream === "function" &&
    typeof candidate.envelope === "object" &&
    candidate.envelope !== null &&
    typeof candidate.headers === "object"
  );
}

function isStream(value: unknown): value is AsyncIterable<Buffer | string> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Buffer.isBuffer(value) &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function"
  );
}

/**
 * Prepares any accepted message form.
 * @throws {InvalidArgumentError} for anything else, or headers whose address fields do not parse.
 * @throws {LimitError} (`message-header`) when a header block exceeds {@link MAX_HEADER_BYTES}.
 * @throws the stream's own error when it fails while its header block is read.
 */
export async function prepareMessage(message: SmtpMessage): Promise<PreparedMessage> {
  const inMemory = prepareInMemory(message);
  if (inMemory) return inMemory;
  if (isBuiltMessage(message)) return prepareBuilt(message);
  if (isStream(message)) return prepareStream(message);
  throw new InvalidArgumentError("a message must be a Buffer, a string, a Readable or a built message");
}

/**
 * {@link prepareMessage} for a message given as bytes (a Buffer, a Uint8Array or a string),
 * synchronously: nothing to wait for. `undefined` for the other forms.
 * @throws {InvalidArgumentError} or {@link LimitError} as {@link prepareMessage} does.
 */
export function prepareInMemory(message: SmtpMessage): PreparedMessage | undefined {
  if (typeof message === "string") return prepareBytes(Buffer.from(message, "utf8"));
  if (Buffer.isBuffer(message)) return prepareBytes(message);
  if (message instanceof Uint8Array) {
    return prepareBytes(Buffer.from(message.buffer, message.byteOffset, message.byteLength));
  }
  return undefined;
}

function prepareBytes(bytes: Buffer): PreparedMessage {
  return preparePlainBytes(bytes) ?? prepareAnyBytes(bytes);
}

/**
 * A plain header block (see {@link PLAIN_HEADER}), the empty line, and a body of CRLF-ended lines
 * only: how nearly every message is written, and what {@link preparePlainBytes} takes in one match.
 */
const PLAIN_MESSAGE = /^(?:(?:[\x21-\x39\x3b-\x7e]+[ \t]*:|[ \t])[^\r\n]*\r\n)+\r\n(?:[^\r\n]*\r\n)*$/;

/** A field that may be Bcc or Resent-Bcc (a false alarm only costs {@link stripBcc} its own look). */
const MAYBE_BCC = /bcc[ \t]*:/i;

/**
 * {@link prepareAnyBytes} for a message of the usual shape ({@link PLAIN_MESSAGE}, up to
 * {@link ONE_MATCH_MAX} bytes), with the message decoded once and matched once rather than checked
 * piece by piece; `undefined` for any other message. The two agree wherever this one answers.
 */
export function preparePlainBytes(bytes: Buffer): PreparedMessage | undefined {
  if (bytes.length > ONE_MATCH_MAX) return undefined;
  const text = bytes.toString("latin1");
  if (!PLAIN_MESSAGE.test(text)) return undefined;
  // No bare CR or LF anywhere: the first empty line ends the header block.
  const end = text.indexOf("\r\n\r\n") + 2;
  const head = text.slice(0, end);
  const header = bytes.subarray(0, end);
  const rest = bytes.subarray(end);
  const kept = MAYBE_BCC.test(head) ? stripBcc(header) : header;
  const ascii = isAscii(bytes);
  const size = kept.length + rest.length;
  return {
    kind: "bytes",
    implied: impliedBy(header),
    // The latin1 text serves when the value is ASCII, as a Message-ID nearly always is.
    messageId: ascii ? messageIdIn(head) : messageIdOf(header),
    content: kept.length > 0 ? [kept, rest] : [rest],
    size: () => size,
    crlfOnly: true,
    eightBit: ascii ? false : !(isAscii(kept) && isAscii(rest)),
    utf8Headers: ascii ? false : !isAscii(header),
    discard: ignore,
  };
}

/** {@link prepareInMemory} for any bytes. */
export function prepareAnyBytes(bytes: Buffer): PreparedMessage {
  const split = plainHeaderSplit(bytes) ?? wholeSplit(bytes);
  const header = stripBcc(split.header);
  const parts: Buffer[] = [];
  if (header.length > 0) parts.push(header);
  if (split.rest.length > 0) parts.push(split.rest);
  // Checked once here, for both the SIZE parameter and the data: Bcc removal takes whole lines.
  const crlfOnly = endsWithCrlf(bytes) && onlyCrlfBreaks(bytes);
  const facts = headerFacts(split.header);
  let size: number | undefined;
  return {
    kind: "bytes",
    implied: facts.implied,
    messageId: facts.messageId,
    content: parts,
    size: () => {
      size ??= crlfOnly ? header.length + split.rest.length : normalizedLength(parts);
      return size;
    },
    crlfOnly,
    eightBit: !(isAscii(header) && isAscii(split.rest)),
    utf8Headers: !isAscii(split.header),
    discard: ignore,
  };
}

function ignore(): void {}

/** An empty message, or one whose last two bytes are CRLF. */
function endsWithCrlf(bytes: Buffer): boolean {
  const n = bytes.length;
  return n === 0 || (n >= 2 && bytes[n - 2] === 0x0d && bytes[n - 1] === 0x0a);
}

function prepareBuilt(message: BuiltMessage): PreparedMessage {
  const utf8Headers = message.headers.fields.some((field) => !isAsciiText(`${field.name}${field.value}`));
  let stream: Readable | undefined;
  return {
    kind: "built",
    implied: () => ({ from: message.envelope.from, to: [...message.envelope.to] }),
    messageId: message.headers.get("Message-ID")?.trim(),
    content: (async function* () {
      stream = message.stream();
      for await (const chunk of stream) yield toBuffer(chunk);
    })(),
    size: () => undefined,
    crlfOnly: false,
    eightBit: undefined,
    utf8Headers,
    discard: () => stream?.destroy(),
  };
}

async function prepareStream(source: AsyncIterable<Buffer | string>): Promise<PreparedMessage> {
  const iterator = source[Symbol.asyncIterator]();
  const discard = () => {
    void iterator.return?.()?.catch(() => {});
  };
  const scanner = new HeaderScanner();
  let split: HeaderSplit | undefined;
  let ended = false;
  try {
    while (split === undefined) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        split = scanner.end();
      } else {
        split = scanner.push(toBuffer(next.value));
      }
    }
  } catch (error) {
    discard();
    throw error;
  }
  const head = [stripBcc(split.header), split.rest];
  return {
    kind: "stream",
    ...headerFacts(split.header),
    content: (async function* () {
      for (const part of head) if (part.length > 0) yield part;
      if (ended) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield toBuffer(next.value);
      }
    })(),
    size: () => undefined,
    crlfOnly: false,
    eightBit: undefined,
    utf8Headers: !isAscii(split.header),
    discard,
  };
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new InvalidArgumentError("a message stream must yield Buffers or strings");
}

function isAsciiText(text: string): boolean {
  return /^[\x00-\x7f]*$/.test(text);
}

/**
 * The envelope (parsed only when asked for: a caller who gives the whole envelope does not pay
 * for the address parser) and the Message-ID a raw header block implies.
 */
function headerFacts(header: Buffer): Pick<PreparedMessage, "implied" | "messageId"> {
  if (header.length === 0) return { implied: () => ({ from: undefined, to: [] }), messageId: undefined };
  // The whole block is parsed only when the envelope must come from it; the Message-ID (every
  // result reports it) is found by a scan of its own.
  return { implied: impliedBy(header), messageId: messageIdOf(header) };
}

/** The envelope a header block implies, parsed when first asked for. */
function impliedBy(header: Buffer): PreparedMessage["implied"] {
  return () => envelopeFromHeaders(parseHeaderBlock(header, { maxHeaderBytes: MAX_HEADER_BYTES }).headers);
}

/** `Message-ID:` at the start of a line (case-insensitive), its value up to an unfolded line end. */
const MESSAGE_ID = /(?:^|\n)message-id[ \t]*:((?:[^\r\n]|\r?\n[ \t])*)/i;

/** The first Message-ID field's value, unfolded and trimmed (as the header parser would give it). */
export function messageIdOf(header: Buffer): string | undefined {
  return messageIdIn(header.toString("utf8"));
}

/** {@link messageIdOf} for a header block already decoded. */
function messageIdIn(header: string): string | undefined {
  const match = MESSAGE_ID.exec(header);
  if (match === null) return undefined;
  const value = match[1]!;
  // Unfolded only when folded: most Message-ID fields are one line.
  return (value.includes("\n") ? value.replace(/\r?\n(?=[ \t])/g, "") : value).trim();
}

/** {@link HeaderScanner} over a whole message. */
function wholeSplit(bytes: Buffer): HeaderSplit {
  const scanner = new HeaderScanner();
  return scanner.push(bytes) ?? scanner.end();
}

/**
 * A header block of field lines and continuations, every line ended by CRLF, then an empty line:
 * how nearly every message is written. Anything else (bare CR or LF, an mbox `From ` line, no
 * empty line, a line that is not a field) does not match, and {@link HeaderScanner} decides.
 */
const PLAIN_HEADER = /^(?:(?:[\x21-\x39\x3b-\x7e]+[ \t]*:|[ \t])[^\r\n]*\r\n)+\r\n/;

/**
 * The split {@link HeaderScanner} would give, found by one native match when the header block is
 * plain (see {@link PLAIN_HEADER}); `undefined` when it is not, or is over the size limit.
 */
export function plainHeaderSplit(bytes: Buffer): HeaderSplit | undefined {
  // PLAIN_HEADER can only end at the first empty line, so only the bytes up to the first
  // CRLF CRLF (found natively, within the limit) are decoded and matched, not the whole message.
  const blank = bytes.subarray(0, MAX_HEADER_BYTES + 2).indexOf(BLANK_LINE);
  if (blank < 0) return undefined;
  const head = bytes.toString("latin1", 0, blank + BLANK_LINE.length);
  const match = PLAIN_HEADER.exec(head);
  if (match === null || match[0].length !== head.length) return undefined;
  const end = head.length - 2;
  return { header: bytes.subarray(0, end), rest: bytes.subarray(end) };
}

/** The end of the last header line and the empty line after it. */
const BLANK_LINE = Buffer.from("\r\n\r\n");

/** A message split into its header block and the rest (the blank line, if any, starts the rest). */
export interface HeaderSplit {
  header: Buffer;
  rest: Buffer;
}

/**
 * Finds the end of a message's header block in a stream of chunks, holding only the header block.
 * Lines end at CRLF, LF or a bare CR (the same breaks the wire encoders make CRLF, so a Bcc field
 * cannot hide behind a bare CR). The block ends before the first empty line or the first line
 * that is neither a field (`name:`), a continuation (leading SP/HTAB), nor a leading mbox
 * `From ` line. Pure; input may be split anywhere.
 */
export class HeaderScanner {
  private buffer: Buffer = Buffer.alloc(0);
  /** Start of the first line not yet classified. */
  private position = 0;
  private done = false;

  constructor(private readonly maxBytes: number = MAX_HEADER_BYTES) {}

  /**
   * Adds a chunk. Returns the split once the header block's end is known, else `undefined`.
   * @throws {LimitError} (`message-header`) when the header block outgrows the limit.
   */
  push(chunk: Buffer): HeaderSplit | undefined {
    if (this.done) throw new RangeError("HeaderScanner.push() after the split");
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const split = this.scan(false);
    if (split === undefined && this.buffer.length > this.maxBytes) {
      throw new LimitError("message-header", this.maxBytes);
    }
    return split;
  }

  /** The split at the end of input (a message that is all header). */
  end(): HeaderSplit {
    if (this.done) throw new RangeError("HeaderScanner.end() after the split");
    return this.scan(true) ?? this.finish(this.buffer.length);
  }

  private scan(ended: boolean): HeaderSplit | undefined {
    const buffer = this.buffer;
    for (;;) {
      const start = this.position;
      const brk = lineBreak(buffer, start);
      if (brk === undefined) {
        if (start === buffer.length) return ended ? this.finish(start) : undefined;
        const partial = buffer.subarray(start);
        // The last line has no line break: it belongs to the header only if it looks like one.
        if (ended)
          return isHeaderLine(partial, start === 0) ? this.finish(buffer.length) : this.finish(start);
        // A line can be known not to be a header field before its end: the body starts there.
        return isPartialHeaderLine(partial, start === 0) === false ? this.finish(start) : undefined;
      }
      if (brk.index === buffer.length - 1 && buffer[brk.index] === CR && !ended) return undefined;
      const line = buffer.subarray(start, brk.index);
      if (line.length === 0 || !isHeaderLine(line, start === 0)) return this.finish(start);
      this.position = brk.index + brk.length;
    }
  }

  private finish(at: number): HeaderSplit {
    this.done = true;
    return { header: this.buffer.subarray(0, at), rest: this.buffer.subarray(at) };
  }
}

/** The next line break at or after `from`: its index and length (CRLF 2, bare CR or LF 1). */
function lineBreak(buffer: Buffer, from: number): { index: number; length: number } | undefined {
  for (let i = from; i < buffer.length; i++) {
    const byte = buffer[i];
    if (byte === LF) return { index: i, length: 1 };
    if (byte === CR) return { index: i, length: buffer[i + 1] === LF ? 2 : 1 };
  }
  return undefined;
}

/** A field line (`name:` with an optional obsolete space before the colon), a continuation, or a first mbox `From ` line. */
function isHeaderLine(line: Buffer, first: boolean): boolean {
  const c0 = line[0];
  if (c0 === 0x20 || c0 === 0x09) return true;
  if (first && line.length >= 5 && line.toString("latin1", 0, 5) === "From ") return true;
  return fieldName(line) !== undefined;
}

/**
 * What the start of a line says: `true` when it is a header line whatever follows, `false` when
 * it cannot be one, `undefined` when only more bytes can tell.
 */
function isPartialHeaderLine(partial: Buffer, first: boolean): boolean | undefined {
  const c0 = partial[0];
  if (c0 === 0x20 || c0 === 0x09) return true;
  if (first && "From ".startsWith(partial.toString("latin1", 0, 5)))
    return partial.length >= 5 ? true : undefined;
  let k = 0;
  while (k < partial.length && partial[k]! >= 0x21 && partial[k]! <= 0x7e && partial[k] !== 0x3a) k++;
  // RFC 5322 §2.1.1: no line is longer than 998 octets, so neither is a field name.
  if (k === partial.length) return k > 998 ? false : undefined;
  if (k === 0) return false;
  while (k < partial.length && (partial[k] === 0x20 || partial[k] === 0x09)) k++;
  if (k === partial.length) return k > 998 ? false : undefined;
  return partial[k] === 0x3a;
}

/** The field name of a field line, or `undefined`. */
function fieldName(line: Buffer): string | undefined {
  let k = 0;
  while (k < line.length && line[k]! >= 0x21 && line[k]! <= 0x7e && line[k] !== 0x3a) k++;
  if (k === 0) return undefined;
  const end = k;
  while (k < line.length && (line[k] === 0x20 || line[k] === 0x09)) k++;
  return line[k] === 0x3a ? line.toString("latin1", 0, end) : undefined;
}

const BCC = new Set(["bcc", "resent-bcc"]);

/**
 * The header block without its Bcc and Resent-Bcc fields (continuation lines included), every
 * other byte kept. Returns `header` itself when it has none.
 */
export function stripBcc(header: Buffer): Buffer {
  if (!/bcc[ \t]*:/i.test(header.toString("latin1"))) return header;
  const kept: Buffer[] = [];
  let skipping = false;
  let start = 0;
  while (start < header.length) {
    const brk = lineBreak(header, start);
    const end = brk ? brk.index + brk.length : header.length;
    const line = header.subarray(start, brk ? brk.index : header.length);
    const c0 = line[0];
    if (!(c0 === 0x20 || c0 === 0x09)) skipping = BCC.has(fieldName(line)?.toLowerCase() ?? "");
    if (!skipping) kept.push(header.subarray(start, end));
    start = end;
  }
  return Buffer.concat(kept);
}
