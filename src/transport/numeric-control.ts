/**
 * The command channel of the protocols with numeric replies (FTP, SMTP, NNTP): replies read
 * through the shared numeric-reply parser, commands written through the one `writeLine` /
 * `writeLines`, operations run one at a time through the command queue, and an unwanted reply
 * turned into the protocol's error by {@link NumericControl.replyError}.
 */
import { LimitError, ProtocolError } from "../errors.js";
import {
  type NumericReply,
  type NumericReplyOptions,
  NumericReplyParser,
} from "../textproto/numeric-reply.js";
import type { CommandGroup, CommandPart } from "../textproto/write-line.js";
import { CommandQueue } from "./command-queue.js";
import type { Connection, OperationOptions } from "./connection.js";

/** Which reply codes a command accepts: exact codes, or a class digit (2 = any 2xx). */
export type Expectation = readonly number[];

/** Whether `code` is in `expect` (a single digit stands for its whole class). */
export function matches(code: number, expect: Expectation): boolean {
  for (const wanted of expect) {
    if (wanted < 10 ? Math.floor(code / 100) === wanted : code === wanted) return true;
  }
  return false;
}

/** One command channel over a {@link Connection}; the protocol supplies its reply bounds and errors. */
export abstract class NumericControl {
  readonly connection: Connection;
  private readonly queue = new CommandQueue();

  /** `replies`: how each reply is parsed and bounded (lines, bytes, strict continuation lines). */
  constructor(
    connection: Connection,
    private readonly replies: NumericReplyOptions,
  ) {
    this.connection = connection;
  }

  /**
   * Runs `operation` when every earlier operation on this connection has finished: calls made
   * without `await` happen in the order they were made.
   */
  serial<T>(operation: () => Promise<T>): Promise<T> {
    return this.queue.run({ send: nothingToSend, receive: operation });
  }

  /**
   * Reads one complete reply (multi-line replies joined) and hands it to {@link onReply}. Rejects
   * with {@link ProtocolError} for a malformed reply and {@link LimitError} for an oversized one
   * (both end the connection: the stream position is lost), or what `onReply` throws.
   */
  readReply(options: OperationOptions = {}): Promise<NumericReply> {
    const parser = new NumericReplyParser(this.replies);
    return this.connection.readLines((line) => {
      const reply = this.pushLine(parser, line);
      return reply === undefined ? undefined : this.onReply(reply);
    }, readOptions(options));
  }

  /**
   * Reads `count` replies in order (the answers to pipelined commands), each handed to
   * {@link onReply}; fails as {@link readReply} does, at the first reply that fails. Lines
   * already buffered are taken without waiting, so replies that arrived together cost no timer
   * and no promise each; the whole group is one wait (see `Connection.readLines`).
   */
  readReplies(count: number, options: OperationOptions = {}): Promise<NumericReply[]> {
    const replies: NumericReply[] = [];
    if (count <= 0) return Promise.resolve(replies);
    // One parser for the group: it starts afresh after each complete reply.
    const parser = new NumericReplyParser(this.replies);
    return this.connection.readLines((line) => {
      const reply = this.pushLine(parser, line);
      if (reply === undefined) return undefined;
      replies.push(this.onReply(reply));
      return replies.length === count ? replies : undefined;
    }, readOptions(options));
  }

  /** One line into the parser; a malformed or oversized reply ends the connection. */
  private pushLine(parser: NumericReplyParser, line: Buffer): NumericReply | undefined {
    try {
      return parser.pushLine(line);
    } catch (error) {
      const typed =
        error instanceof ProtocolError ? withContext(error, this.connection.context(error)) : error;
      if (typed instanceof ProtocolError) this.connection.destroy(typed);
      throw typed;
    }
  }

  /** Each complete reply passes here; a protocol may act on it (SMTP's 421 closes the channel). */
  protected onReply(reply: NumericReply): NumericReply {
    return reply;
  }

  /** Writes a command line (arguments checked for CR/LF/NUL before any byte is sent). */
  async write(parts: readonly CommandPart[], options: OperationOptions = {}): Promise<void> {
    await this.connection.writeLine(parts, { phase: "command", ...options });
  }

  /** Writes several command lines in one socket write (pipelining); none is sent when one is refused. */
  writeLines(lines: readonly (readonly CommandPart[])[], options: OperationOptions = {}): Promise<void> {
    return this.connection.writeLines(lines, { phase: options.phase ?? "command", signal: options.signal });
  }

  /** Writes command lines encoded beforehand (see `encodeCommandGroup`) in one socket write. */
  writeGroup(group: CommandGroup, options: OperationOptions = {}): Promise<void> {
    return this.connection.writeGroup(group, { phase: options.phase ?? "command", signal: options.signal });
  }

  /** Sends a command and reads its reply; rejects with {@link replyError}'s error when the code is not in `expect`. */
  async command(
    parts: readonly CommandPart[],
    expect: Expectation,
    options: OperationOptions = {},
  ): Promise<NumericReply> {
    await this.write(parts, options);
    return this.check(await this.readReply(options), expect);
  }

  /**
   * Says goodbye (QUIT, after every queued operation; any 2xx) and ends the connection, whatever
   * the answer. Never rejects; does nothing on a connection already closed.
   */
  async quit(options: OperationOptions = {}): Promise<void> {
    const connection = this.connection;
    if (!connection.isOpen) return;
    try {
      await this.serial(() => this.command(["QUIT"], [2], options));
    } catch {
      // Closing anyway.
    }
    await connection.end();
  }

  /** Returns `reply` when its code is expected, else throws {@link replyError}'s error. */
  check(reply: NumericReply, expect: Expectation): NumericReply {
    if (matches(reply.code, expect)) return reply;
    throw this.replyError(reply);
  }

  /** The error for an unwanted reply: the server's refusal, or a protocol surprise. */
  abstract replyError(reply: NumericReply): Error;
}

/** The send step of {@link NumericControl.serial}: the operation writes its own commands. */
function nothingToSend(): void {}

/** A reply wait's options: the `command` phase unless told otherwise. */
function readOptions(options: OperationOptions): OperationOptions {
  return { phase: options.phase ?? "command", signal: options.signal };
}

/** The parser's error, relabelled with the connection's host and last command. */
function withContext(error: ProtocolError, context: ReturnType<Connection["context"]>): ProtocolError {
  if (error.host !== undefined) return error;
  if (error instanceof LimitError) return new LimitError(error.what, error.limit, context);
  return new ProtocolError(error.reason, error.message, context);
}
