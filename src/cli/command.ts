/**
 * How a command is described once and then parsed, helped and run: every `inet` command is a
 * {@link CommandSpec}; groups (`inet tcp …`) are {@link GroupSpec}s holding them.
 */
import { InvalidArgumentError } from "../errors.js";
import type { CliIo, Output } from "./output.js";

/** One option, for `node:util` parseArgs and for the help text. */
export interface OptionSpec {
  name: string;
  short?: string;
  type: "string" | "boolean";
  /** Placeholder shown in help (`HOST`, `PORT`, `SECONDS`). */
  value?: string;
  description: string;
  /** May be given more than once (`--user a:1 --user b:2`): the value is then a list. */
  multiple?: boolean;
}

/** What a parsed command line holds. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** What a running command may use. */
export interface CommandContext {
  io: CliIo;
  out: Output;
  /** Aborts on Ctrl-C (SIGINT) or SIGTERM. */
  signal: AbortSignal;
  /** Aborts `signal` (used where the terminal, not the process, sees Ctrl-C: readline on a TTY). */
  interrupt(): void;
}

export interface CommandSpec {
  /** `serve`, `connect`… (the word after the group), or the command itself for `demo`. */
  name: string;
  /** One line, shown in the group's list. */
  summary: string;
  /** The usage line without `Usage: `. */
  usage: string;
  /** What it does, in paragraphs (blank-line separated). */
  description: string;
  options: OptionSpec[];
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number };
  /** `[command line, what it does]`. */
  examples: ReadonlyArray<readonly [string, string]>;
  /** Runs the command; resolves to the exit code. Throws InetErrors (mapped by `exit-codes.ts`). */
  run(args: ParsedArgs, context: CommandContext): Promise<number>;
}

export interface GroupSpec {
  name: string;
  summary: string;
  description: string;
  commands: CommandSpec[];
}

/** Options every command accepts. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: "trace", type: "boolean", description: "print the wire trace (secrets masked) on stderr" },
  { name: "help", short: "h", type: "boolean", description: "show this help" },
];

/**
 * Reads a port number. `allowZero` lets the system choose (servers). Throws
 * {@link InvalidArgumentError} for anything but an integer in range.
 */
export function parsePort(text: string, option: string, allowZero = false): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535 || (port === 0 && !allowZero)) {
    const range = allowZero ? "0 to 65535 (0: any free port)" : "1 to 65535";
    throw new InvalidArgumentError(`--${option} must be a number from ${range}, got ${JSON.stringify(text)}`);
  }
  return port;
}

/** Reads `--timeout SECONDS` into milliseconds. Throws {@link InvalidArgumentError} for a bad value. */
export function parseSeconds(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback * 1000;
  const seconds = Number(text);
  if (text.trim() === "" || !Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError(
      `--${option} must be a positive number of seconds, got ${JSON.stringify(text)}`,
    );
  }
  return Math.round(seconds * 1000);
}

/** Every value of a repeatable (`multiple`) string option, in order; `[]` when not given. */
export function stringsOption(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  if (Array.isArray(value)) return value;
  return typeof value === "string" ? [value] : [];
}

/** The string value of an option, if given. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === "string" ? value : undefined;
}
