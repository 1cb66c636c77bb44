/**
 * The closed set of errors every layer of inetkit throws.
 *
 * Each class has a stable `code` string that callers may switch on, and a message that names the
 * host and the command involved (with secrets already redacted by the transport) together with
 * the server's own words where there are any. A password never appears in a message: commands
 * reach these constructors only after `redactCommand()` in `transport/trace.ts`.
 *
 * - {@link ReplyError}: the server understood and said no.
 * - {@link ProtocolError}: the server said something that is not the protocol
 *   ({@link LimitError} when it said too much of it).
 * - {@link ConnectionClosedError}: the connection ended, with the reason.
 * - {@link TimeoutError}: a phase took too long, naming the phase.
 * - {@link TlsError}: TLS could not be set up, or a secret would have gone out without it.
 * - {@link AbortError}: the caller's `AbortSignal` fired.
 * - {@link InvalidArgumentError}: the caller passed something that must not reach the wire.
 */

/** Where an error happened: both optional, both safe to print. */
export interface ErrorContext {
  /** Host (and port) of the peer. */
  host?: string | undefined;
  /** The command line involved, secrets already redacted. */
  command?: string | undefined;
  /** The underlying error, if any. */
  cause?: unknown;
}

/** The base of every inetkit error. Use `instanceof` on the subclasses, or switch on `code`. */
export abstract class InetError extends Error {
  /** A stable, machine-readable code (`EREPLY`, `EPROTOCOL`, …). */
  abstract readonly code: string;
  readonly host: string | undefined;
  readonly command: string | undefined;

  constructor(message: string, context: ErrorContext = {}) {
    super(decorate(message, context), context.cause === undefined ? undefined : { cause: context.cause });
    this.host = context.host;
    this.command = context.command;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

function decorate(message: string, { host, command }: ErrorContext): string {
  const where = [host && `host ${host}`, command && `command ${JSON.stringify(command)}`].filter(Boolean);
  return where.length > 0 ? `${message} (${where.join(", ")})` : message;
}

/** Whether a server's status says "try again later" or "don't try again". */
export type ReplySeverity = "transient" | "permanent" | "unknown";

export interface ReplyErrorInit extends ErrorContext {
  /**
   * The reply's status: a number for numeric protocols (FTP, SMTP, NNTP), or the status word for
   * POP3 (`-ERR`) and IMAP (`NO`, `BAD`, `BYE`).
   */
  status: number | string;
  /** Every line of the reply, as the server sent them (decoded as UTF-8, without CRLF). */
  lines: readonly string[];
  /** RFC 3463 enhanced status code (`5.1.1`) when the server sent one. */
  enhancedCode?: string | undefined;
  /** IMAP/POP3 bracketed response code (`TRYCREATE`, `AUTH`, `IN-USE`…), when there was one. */
  responseCode?: string | undefined;
  /** Overrides the classification derived from `status`. */
  severity?: ReplySeverity | undefined;
}

/** The server understood the command and refused it. */
export class ReplyError extends InetError {
  readonly code = "EREPLY";
  readonly status: number | string;
  readonly lines: readonly string[];
  readonly enhancedCode: string | undefined;
  readonly responseCode: string | undefined;
  readonly severity: ReplySeverity;

  constructor(init: ReplyErrorInit) {
    const text = init.lines.join(" / ") || "(no text)";
    super(`server replied ${init.status}: ${text}`, init);
    this.status = init.status;
    this.lines = init.lines;
    this.enhancedCode = init.enhancedCode;
    this.responseCode = init.responseCode;
    this.severity = init.severity ?? classify(init.status, init.enhancedCode);
  }

  /** The numeric reply code, when the protocol has one. */
  get replyCode(): number | undefined {
    return typeof this.status === "number" ? this.status : undefined;
  }

  /** True when the same command may succeed later (4xx, enhanced class 4, IMAP `[UNAVAILABLE]`…). */
  get isTransient(): boolean {
    return this.severity === "transient";
  }

  /** True when repeating the command will not help (5xx, enhanced class 5). */
  get isPermanent(): boolean {
    return this.severity === "permanent";
  }
}

function classify(status: number | string, enhanced: string | undefined): ReplySeverity {
  if (enhanced?.startsWith("4.")) return "transient";
  if (enhanced?.startsWith("5.")) return "permanent";
  if (typeof status === "number") {
    if (status >= 400 && status < 500) return "transient";
    if (status >= 500 && status < 600) return "permanent";
  }
  return "unknown";
}

/** The server sent something that is not the protocol (or the connection is in a state that forbids going on). */
export class ProtocolError extends InetError {
  readonly code: string = "EPROTOCOL";
  /** A short machine-readable reason: `malformed-reply`, `data-after-starttls`, `unexpected-reply`… */
  readonly reason: string;

  constructor(reason: string, message: string, context: ErrorContext = {}) {
    super(message, context);
    this.reason = reason;
  }
}

/** A bound was crossed: a line, a reply, a listing, a literal, a count of rounds or parts. */
export class LimitError extends ProtocolError {
  override readonly code = "ELIMIT";
  /** What was bounded (`line`, `reply`, `sasl-rounds`…). */
  readonly what: string;
  /** The bound that was crossed. */
  readonly limit: number;

  constructor(what: string, limit: number, context: ErrorContext = {}) {
    super(`${what}-too-large`, `${what} exceeds the limit of ${limit}`, context);
    this.what = what;
    this.limit = limit;
  }
}

/** The connection ended before the work was done. `reason` says why. */
export class ConnectionClosedError extends InetError {
  readonly code = "ECLOSED";
  readonly reason: string;

  constructor(reason: string, context: ErrorContext = {}) {
    super(`connection closed: ${reason}`, context);
    this.reason = reason;
  }
}

/** The phases a time limit applies to. */
export type TimeoutPhase = "connect" | "greeting" | "command" | "data" | "idle";

/** A phase ran out of time. The connection has been destroyed. */
export class TimeoutError extends InetError {
  readonly code = "ETIMEDOUT";
  readonly phase: TimeoutPhase;
  readonly timeout: number;

  constructor(phase: TimeoutPhase, timeout: number, context: ErrorContext = {}) {
    super(`${phase} timed out after ${timeout} ms`, context);
    this.phase = phase;
    this.timeout = timeout;
  }
}

/**
 * TLS could not be set up as required: a handshake failure, a certificate that does not verify,
 * STARTTLS missing or refused, or a secret that would have gone out over plain text.
 */
export class TlsError extends InetError {
  readonly code = "ETLS";
  /** `certificate`, `handshake`, `starttls-unavailable`, `starttls-refused`, `insecure-auth`. */
  readonly reason: string;

  constructor(reason: string, message: string, context: ErrorContext = {}) {
    super(message, context);
    this.reason = reason;
  }
}

/** The caller's `AbortSignal` fired. The connection has been destroyed (or, where the protocol allows, the command aborted). */
export class AbortError extends InetError {
  readonly code = "EABORT";

  constructor(context: ErrorContext = {}) {
    super("operation aborted", context);
  }
}

/** The caller passed a value that must not be used: CR/LF/NUL in a command argument, a bad URL, a bad option. */
export class InvalidArgumentError extends InetError {
  readonly code = "EINVAL";
}

/** Turns whatever a signal was aborted with into an {@link AbortError} (keeping it as the cause). */
export function abortErrorFrom(signal: AbortSignal, context: ErrorContext = {}): AbortError {
  const reason: unknown = signal.reason;
  if (reason instanceof AbortError) return reason;
  return new AbortError({ ...context, cause: reason });
}
