/**
 * The streams a command talks through, and the ways it prints: plain lines, remote text
 * (always sanitized), errors (`inet: …` on stderr) and the wire trace.
 */
import type { Readable, Writable } from "node:stream";
import type { TraceEvent, TraceHook } from "../transport/trace.js";
import { sanitize } from "./terminal.js";

/** What `main()` runs against: the process's streams by default, in-memory ones in tests. */
export interface CliIo {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  /**
   * Fires when the user interrupts (Ctrl-C). When given, `main()` installs no signal handlers of
   * its own (tests, embedding); otherwise SIGINT and SIGTERM abort it.
   */
  signal?: AbortSignal;
}

export class Output {
  readonly io: CliIo;
  private readonly tracing: boolean;

  constructor(io: CliIo, options: { trace?: boolean } = {}) {
    this.io = io;
    this.tracing = options.trace ?? false;
  }

  /** Prints a line of our own text on stdout. */
  line(text = ""): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** Prints a line holding remote text on stdout, sanitized (see `terminal.ts`). */
  remote(text: string): void {
    this.line(sanitize(text));
  }

  /** Prints a note on stderr (progress, warnings: things a script piping stdout must not get). */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** Prints `inet: <message>` on stderr. The message is sanitized: errors quote the server. */
  error(message: string): void {
    this.io.stderr.write(`inet: ${sanitize(message)}\n`);
  }

  /** The `onTrace` hook for `--trace`, or undefined when tracing is off. */
  get onTrace(): TraceHook | undefined {
    if (!this.tracing) return undefined;
    return (event: TraceEvent) => {
      const arrow = event.direction === "send" ? ">" : event.direction === "receive" ? "<" : "*";
      this.io.stderr.write(`[${sanitize(event.host)}] ${arrow} ${sanitize(event.text)}\n`);
    };
  }
}
