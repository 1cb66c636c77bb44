/**
 * Numeric replies: a three-digit code and text, on one line or several.
 *
 * Grammar (RFC 959 §4.2, RFC 5321 §4.2, RFC 3977 §3.2), applied strictly because a lax parser is
 * how clients get confused by hostile servers (curl CVE-2019-3823: `25`, `2500 x` and `250x` were
 * misread): a reply line starts with exactly three digits, the first 1–5, followed by a space, a
 * hyphen (more lines follow) or the end of the line.
 *
 * - Multi-line replies start with `NNN-` and end with a line `NNN ` (or a bare `NNN`) carrying the
 *   same code. RFC 959 allows any text in between (lines that do not start with the code, or start
 *   with another code); `strictContinuation` demands `NNN-`/`NNN ` with the same code on every line,
 *   as RFC 5321 §4.2.1 does.
 * - Single-line mode (`multiline: false`, RFC 3977 §3.2) refuses `NNN-`.
 *
 * {@link NumericReplyParser} is pure (one line in, maybe one reply out); {@link readNumericReply}
 * drives it from a {@link ByteReader}.
 */
import { ConnectionClosedError, LimitError, ProtocolError } from "../errors.js";
import type { ByteReader } from "./byte-reader.js";
import { excerpt } from "./excerpt.js";

/** One complete numeric reply. */
export interface NumericReply {
  /** The three-digit code (100–599). */
  code: number;
  /**
   * The text of each line: what follows the code and its separator (the whole line for an RFC 959
   * continuation line that does not start with the code), decoded as UTF-8 with invalid bytes
   * replaced by U+FFFD.
   */
  lines: string[];
  /** Each full line as received, without CRLF. */
  raw: Buffer[];
}

export interface NumericReplyOptions {
  /** `true` for FTP and SMTP (`NNN-` continues the reply); `false` for NNTP (one line only). */
  multiline: boolean;
  /**
   * Every line of a multi-line reply must be `NNN-text` or `NNN text` with the reply's code
   * (RFC 5321 §4.2.1); otherwise such lines are taken as text (RFC 959 §4.2). Default `false`.
   */
  strictContinuation?: boolean;
  /** Most lines in one reply. Default 10 000. */
  maxLines?: number;
  /** Most bytes in one reply, counting each line with its CRLF. Default 1 MiB. */
  maxBytes?: number;
}

const DEFAULT_MAX_LINES = 10_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;

const DIGIT_0 = 0x30;
const SPACE = 0x20;
const HYPHEN = 0x2d;

/** How a line begins: a valid code and its separator, or nothing usable. */
interface LineHead {
  code: number;
  /** True for `NNN ` or a bare `NNN` (the reply ends here), false for `NNN-` (more lines follow). */
  last: boolean;
}

/**
 * Reads the head of a reply line: `NNN` + SP, `NNN` + `-`, or `NNN` alone, first digit 1–5.
 * Returns `undefined` when the line does not have that shape.
 */
function parseHead(line: Buffer): LineHead | undefined {
  if (line.length < 3) return undefined;
  const a = line[0]! - DIGIT_0;
  const b = line[1]! - DIGIT_0;
  const c = line[2]! - DIGIT_0;
  if (a < 1 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) return undefined;
  const code = a * 100 + b * 10 + c;
  if (line.length === 3) return { code, last: true };
  const separator = line[3];
  if (separator === SPACE) return { code, last: true };
  if (separator === HYPHEN) return { code, last: false };
  return undefined;
}

function textAfterHead(line: Buffer): string {
  return line.length > 4 ? line.toString("utf8", 4) : "";
}

function malformed(line: Buffer, why: string): ProtocolError {
  return new ProtocolError("malformed-reply", `malformed reply line (${why}): "${excerpt(line)}"`);
}

/**
 * A pure, incremental parser of numeric replies: feed it lines (without CRLF) with
 * {@link NumericReplyParser.pushLine}; it returns each reply when its last line arrives.
 *
 * After it has thrown, the stream is out of step with the grammar: every later call throws the
 * same error (drop the connection).
 */
export class NumericReplyParser {
  private readonly multiline: boolean;
  private readonly strict: boolean;
  private readonly maxLines: number;
  private readonly maxBytes: number;
  /** The code of the multi-line reply in progress, if any. */
  private code: number | undefined;
  private lines: string[] = [];
  private raw: Buffer[] = [];
  private bytes = 0;
  private failure: Error | undefined;

  constructor(options: NumericReplyOptions) {
    this.multiline = options.multiline;
    this.strict = options.strictContinuation ?? false;
    this.maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  /** True while a multi-line reply has started and not ended. */
  get inReply(): boolean {
    return this.code !== undefined;
  }

  /**
   * Feeds one line (without its CRLF). Returns the reply when this line completes one, else
   * `undefined`. Throws {@link ProtocolError} (`malformed-reply`) for a line that breaks the
   * grammar and {@link LimitError} (`reply`) when the reply exceeds `maxLines` or `maxBytes`.
   */
  pushLine(line: Buffer): NumericReply | undefined {
    if (this.failure) throw this.failure;
    try {
      return this.accept(line);
    } catch (error) {
      this.failure = error as Error;
      throw error;
    }
  }

  private accept(line: Buffer): NumericReply | undefined {
    this.bytes += line.length + 2;
    if (this.lines.length + 1 > this.maxLines) throw new LimitError("reply", this.maxLines);
    if (this.bytes > this.maxBytes) throw new LimitError("reply", this.maxBytes);

    const head = parseHead(line);
    if (this.code === undefined) {
      // The first line of a reply must have the strict shape.
      if (!head)
        throw malformed(line, "expected a three-digit code followed by a space, '-' or the end of the line");
      if (!head.last && !this.multiline)
        throw malformed(line, "a multi-line reply where only one line is allowed");
      this.lines.push(textAfterHead(line));
      this.raw.push(line);
      if (head.last) return this.finish(head.code);
      this.code = head.code;
      return undefined;
    }

    if (head && head.code === this.code) {
      this.lines.push(textAfterHead(line));
      this.raw.push(line);
      return head.last ? this.finish(head.code) : undefined;
    }
    if (this.strict) {
      throw malformed(
        line,
        `expected "${this.code}-" or "${this.code} " inside a multi-line ${this.code} reply`,
      );
    }
    // RFC 959 §4.2: any other line inside a multi-line reply is text, kept whole.
    this.lines.push(line.toString("utf8"));
    this.raw.push(line);
    return undefined;
  }

  private finish(code: number): NumericReply {
    const reply: NumericReply = { code, lines: this.lines, raw: this.raw };
    this.code = undefined;
    this.lines = [];
    this.raw = [];
    this.bytes = 0;
    return reply;
  }
}

/**
 * Reads one complete reply from `reader` (each line bounded by the reader's `maxLineLength`).
 * Rejects with {@link ConnectionClosedError} when the stream ends before or during the reply, with
 * {@link ProtocolError}/{@link LimitError} as {@link NumericReplyParser.pushLine} and
 * {@link ByteReader.readLine} do, and with the stream's own error when it failed.
 */
export async function readNumericReply(
  reader: ByteReader,
  options: NumericReplyOptions,
): Promise<NumericReply> {
  const parser = new NumericReplyParser(options);
  for (;;) {
    const line = await reader.readLine();
    if (line === null) {
      throw new ConnectionClosedError(
        parser.inReply
          ? "the peer closed the connection in the middle of a multi-line reply"
          : "the peer closed the connection before sending a reply",
      );
    }
    const reply = parser.pushLine(line);
    if (reply) return reply;
  }
}

/** RFC 959 §4.2.1 / RFC 5321 §4.2.1: what the first digit of a reply code says. */
export type ReplyClass = "preliminary" | "completion" | "intermediate" | "transient" | "permanent";

const CLASSES: readonly ReplyClass[] = [
  "preliminary",
  "completion",
  "intermediate",
  "transient",
  "permanent",
];

/**
 * The class of a reply code: 1yz `preliminary`, 2yz `completion`, 3yz `intermediate`,
 * 4yz `transient` (failure, try again later), 5yz `permanent` (failure). Throws `RangeError` for a
 * number outside 100–599 (the parser never produces one).
 */
export function replyClass(code: number): ReplyClass {
  if (!Number.isInteger(code) || code < 100 || code > 599) throw new RangeError(`not a reply code: ${code}`);
  return CLASSES[Math.floor(code / 100) - 1]!;
}

/** `class.subject.detail`, class 2/4/5, then 1–3 digits twice, then a space or the end (RFC 3463 §2). */
const ENHANCED = /^([245]\.\d{1,3}\.\d{1,3})(?: |$)/;

/**
 * The RFC 3463 enhanced status code (`5.1.1`) at the start of the first line's text, as RFC 2034
 * §4 places it, or `undefined` when there is none (only classes 2, 4 and 5 exist).
 */
export function enhancedCode(reply: Pick<NumericReply, "lines">): string | undefined {
  const first = reply.lines[0];
  if (first === undefined) return undefined;
  return ENHANCED.exec(first)?.[1];
}
