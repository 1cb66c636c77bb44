/**
 * The exit codes of `inet`, and which error gives which. Documented in `inet --help`; scripts
 * may rely on them.
 */
import {
  AbortError,
  ConnectionClosedError,
  InvalidArgumentError,
  ProtocolError,
  ReplyError,
  TimeoutError,
  TlsError,
} from "../errors.js";

export const EXIT = Object.freeze({
  /** Everything worked. */
  ok: 0,
  /** A bug or an error nobody anticipated. */
  unexpected: 1,
  /** The command line was wrong: unknown command or option, bad target, bad value. */
  usage: 2,
  /** Could not connect, TLS failed, the login was refused, or the connection dropped or timed out. */
  connection: 3,
  /** The remote side said no, or said something that is not the protocol. */
  remote: 4,
  /** A local error: a file could not be read or written, an address could not be listened on. */
  local: 5,
  /** Interrupted (Ctrl-C, or the signal of a caller). */
  interrupted: 130,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The table shown in help texts. */
export const EXIT_CODE_HELP: ReadonlyArray<readonly [number, string]> = [
  [EXIT.ok, "success"],
  [EXIT.unexpected, "unexpected error"],
  [EXIT.usage, "usage error (unknown command or option, bad target)"],
  [EXIT.connection, "connection, TLS or login failure (also a timeout or dropped connection)"],
  [EXIT.remote, "the remote side said no, or broke the protocol"],
  [EXIT.local, "local error (files, an address already in use)"],
  [EXIT.interrupted, "interrupted (Ctrl-C)"],
];

/** Commands whose refusal means "you are not logged in": a login failure, not a refused request. */
const LOGIN_COMMANDS = /^(?:USER|PASS|AUTH|APOP|AUTHINFO|\S+ LOGIN|\S+ AUTHENTICATE)\b/i;

/** Maps an error to the exit code `inet` ends with. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof AbortError) return EXIT.interrupted;
  if (error instanceof InvalidArgumentError) return EXIT.usage;
  if (error instanceof TlsError || error instanceof ConnectionClosedError || error instanceof TimeoutError) {
    return EXIT.connection;
  }
  if (error instanceof ReplyError) {
    return error.command && LOGIN_COMMANDS.test(error.command) ? EXIT.connection : EXIT.remote;
  }
  if (error instanceof ProtocolError) return EXIT.remote;
  if (isSystemError(error)) return EXIT.local;
  return EXIT.unexpected;
}

/** A Node system error (`ENOENT`, `EACCES`, `EADDRINUSE`…) raised by a local operation. */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  if (!(error instanceof Error)) return false;
  const { code, syscall } = error as NodeJS.ErrnoException;
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code) && typeof syscall === "string";
}
