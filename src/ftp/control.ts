/**
 * The FTP control connection (RFC 959 §4, §5.4): replies read through the shared numeric-reply
 * parser, commands written through the one `writeLine`, one operation at a time through the
 * transport's command queue (FTP has no pipelining), and a server refusal turned into a
 * {@link ReplyError} that carries the code, every reply line and the (redacted) command.
 */
import { ProtocolError, ReplyError } from "../errors.js";
import { type NumericReply, NumericReplyParser } from "../textproto/numeric-reply.js";
import type { CommandPart } from "../textproto/write-line.js";
import { CommandQueue } from "../transport/command-queue.js";
import type { Connection, OperationOptions } from "../transport/connection.js";

/** Which reply codes a command accepts: exact codes, or a class digit (2 = any 2xx). */
export type Expectation = readonly number[];

/** Largest FTP reply accepted (lines and bytes): FEAT and STAT replies are the long ones. */
const MAX_REPLY_LINES = 10_000;
const MAX_REPLY_BYTES = 1024 * 1024;

export class FtpControl {
  readonly connection: Connection;
  private readonly queue = new CommandQueue();

  constructor(connection: Connection) {
    this.connection = connection;
  }

  /**
   * Runs `operation` when every earlier operation on this connection has finished: calls made
   * without `await` happen in the order they were made.
   */
  serial<T>(operation: () => Promise<T>): Promise<T> {
    return this.queue.run({ send: () => {}, receive: operation });
  }

  /**
   * Reads one complete reply (multi-line replies joined), skipping nothing. Rejects with
   * {@link ProtocolError} for a malformed reply and {@link LimitError} for an oversized one.
   */
  async readReply(options: OperationOptions = {}): Promise<NumericReply> {
    const parser = new NumericReplyParser({
      multiline: true,
      maxLines: MAX_REPLY_LINES,
      maxBytes: MAX_REPLY_BYTES,
    });
    for (;;) {
      const line = await this.connection.readLine({
        phase: options.phase ?? "command",
        signal: options.signal,
      });
      let reply: NumericReply | undefined;
      try {
        reply = parser.pushLine(line);
      } catch (error) {
        // The stream position is lost after a malformed reply: the connection cannot go on.
        const typed =
          error instanceof ProtocolError
            ? new ProtocolError(error.reason, error.message, this.connection.context(error))
            : error;
        if (typed instanceof ProtocolError) this.connection.destroy(typed);
        throw typed;
      }
      if (reply) return reply;
    }
  }

  /** Writes a command line (arguments checked for CR/LF/NUL before any byte is sent). */
  async write(parts: readonly CommandPart[], options: OperationOptions = {}): Promise<void> {
    await this.connection.writeLine(parts, options);
  }

  /** Writes several command lines in one socket write (pipelining); none is sent when one is refused. */
  async writeLines(
    lines: readonly (readonly CommandPart[])[],
    options: OperationOptions = {},
  ): Promise<void> {
    await this.connection.writeLines(lines, options);
  }

  /**
   * Sends a command and reads its reply, skipping 1xx marks only when `skipPreliminary` is set.
   * Rejects with {@link ReplyError} when the reply is not one of `expect`.
   */
  async command(
    parts: readonly CommandPart[],
    expect: Expectation,
    options: OperationOptions = {},
  ): Promise<NumericReply> {
    await this.write(parts, options);
    const reply = await this.readReply(options);
    return this.check(reply, expect);
  }

  /** Returns `reply` when its code is expected, else throws the {@link ReplyError} (or {@link ProtocolError} for 1xx/3xx surprises). */
  check(reply: NumericReply, expect: Expectation): NumericReply {
    if (matches(reply.code, expect)) return reply;
    throw this.replyError(reply);
  }

  /** The error for an unwanted reply: a {@link ReplyError} for 4xx/5xx, a {@link ProtocolError} otherwise. */
  replyError(reply: NumericReply): Error {
    const context = this.connection.context();
    if (reply.code >= 400) {
      return new ReplyError({ status: reply.code, lines: reply.lines, ...context });
    }
    return new ProtocolError(
      "unexpected-reply",
      `unexpected reply ${reply.code}: ${reply.lines.join(" / ")}`,
      context,
    );
  }
}

/** Whether `code` is in `expect` (a single digit stands for its whole class). */
export function matches(code: number, expect: Expectation): boolean {
  return expect.some((wanted) => (wanted < 10 ? Math.floor(code / 100) === wanted : code === wanted));
}

/** The text of a single-line reply (or of the first line of a multi-line one). */
export function replyText(reply: NumericReply): string {
  return reply.lines[0] ?? "";
}
