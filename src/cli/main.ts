/**
 * The `inet` command line: global options, the group/command table, help, and the mapping of
 * errors to messages and exit codes. `bin/inet` calls {@link main}; tests call it in-process with
 * their own streams.
 */
import { readFileSync } from "node:fs";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { AbortError, InetError, InvalidArgumentError } from "../errors.js";
import {
  COMMON_OPTIONS,
  type CommandContext,
  type CommandSpec,
  type GroupSpec,
  type ParsedArgs,
} from "./command.js";
import { demoCommand } from "./commands/demo.js";
import { ftpGroup } from "./commands/ftp/index.js";
import { mailGroup } from "./commands/mail/index.js";
import { serveGroup } from "./commands/serve.js";
import { tcpGroup } from "./commands/tcp.js";
import { udpGroup } from "./commands/udp.js";
import { EXIT, exitCodeFor } from "./exit-codes.js";
import { commandHelp, groupHelp, topHelp } from "./help.js";
import { type CliIo, Output } from "./output.js";

/** Every group and top-level command, in the order `inet --help` lists them. */
export const ENTRIES: ReadonlyArray<GroupSpec | CommandSpec> = [
  tcpGroup,
  udpGroup,
  ftpGroup,
  mailGroup,
  serveGroup,
  demoCommand,
];

/** The package version, read from package.json (the same path from src/cli/ and dist/cli/). */
export function version(): string {
  try {
    const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    return (JSON.parse(text) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Runs `inet` with `argv` (the arguments after the program name) and resolves to the exit code
 * (see `exit-codes.ts`). Never rejects: errors are printed as `inet: <message>` on stderr.
 * Without `io.signal`, SIGINT and SIGTERM are handled while it runs.
 */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = {
    stdin: io.stdin ?? process.stdin,
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    signal: io.signal,
  };
  const controller = new AbortController();
  const interrupt = () => controller.abort(new AbortError());
  const cleanups: Array<() => void> = [];
  if (io.signal) {
    if (io.signal.aborted) interrupt();
    io.signal.addEventListener("abort", interrupt, { once: true });
    cleanups.push(() => io.signal!.removeEventListener("abort", interrupt));
  } else {
    for (const name of ["SIGINT", "SIGTERM"] as const) {
      process.on(name, interrupt);
      cleanups.push(() => process.off(name, interrupt));
    }
  }
  let out = new Output(full);
  let usageHint: string | undefined;
  try {
    const { trace, rest } = globalOptions(argv, full);
    if (typeof rest === "number") return rest;
    out = new Output(full, { trace });
    const found = findCommand(rest, out);
    if (typeof found === "number") return found;
    const { command, path, args } = found;
    usageHint = `Run 'inet ${path} --help' for usage.`;
    const parsed = parseCommandLine(command, args);
    if (parsed.values.help) {
      out.line(commandHelp(command));
      return EXIT.ok;
    }
    if (parsed.values.trace) out = new Output(full, { trace: true });
    const { min, max } = command.positionals;
    if (parsed.positionals.length < min) {
      throw new InvalidArgumentError(
        `'inet ${path}' needs ${min === 1 ? "an argument" : `${min} arguments`}`,
      );
    }
    if (parsed.positionals.length > max) {
      throw new InvalidArgumentError(`unexpected argument ${JSON.stringify(parsed.positionals[max])}`);
    }
    const context: CommandContext = { io: full, out, signal: controller.signal, interrupt };
    return await command.run(parsed, context);
  } catch (error) {
    return report(error, out, usageHint);
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
}

/** Global options before the group name. Returns an exit code when they settle everything. */
function globalOptions(argv: readonly string[], io: CliIo): { trace: boolean; rest: string[] | number } {
  const out = new Output(io);
  let trace = false;
  let index = 0;
  for (; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === "--trace") trace = true;
    else if (arg === "--help" || arg === "-h") {
      out.line(topHelp(ENTRIES, version()));
      return { trace, rest: EXIT.ok };
    } else if (arg === "--version" || arg === "-V") {
      out.line(`inet ${version()}`);
      return { trace, rest: EXIT.ok };
    } else if (arg === "--") {
      index += 1;
      break;
    } else if (arg.startsWith("-")) {
      throw new InvalidArgumentError(`unknown option ${JSON.stringify(arg)} (see 'inet --help')`);
    } else break;
  }
  const rest = argv.slice(index);
  if (rest.length === 0) {
    io.stderr.write(`${topHelp(ENTRIES, version())}\n`);
    return { trace, rest: EXIT.usage };
  }
  return { trace, rest };
}

/** Finds the command `rest` names, or prints help and returns an exit code. */
function findCommand(
  rest: string[],
  out: Output,
): { command: CommandSpec; path: string; args: string[] } | number {
  let [name, ...args] = rest as [string, ...string[]];
  if (name === "help") {
    // `inet help tcp serve` is `inet tcp serve --help`.
    if (args.length === 0) {
      out.line(topHelp(ENTRIES, version()));
      return EXIT.ok;
    }
    const words = [...args, "--help"];
    name = words[0]!;
    args = words.slice(1);
  }
  const entry = ENTRIES.find((candidate) => candidate.name === name);
  if (!entry) {
    throw new InvalidArgumentError(`unknown command ${JSON.stringify(name)} (see 'inet --help')`);
  }
  if (!("commands" in entry)) return { command: entry, path: entry.name, args };
  const [sub, ...subArgs] = args;
  if (sub === undefined || sub === "--help" || sub === "-h") {
    const help = groupHelp(entry);
    if (sub === undefined) {
      out.io.stderr.write(`${help}\n`);
      return EXIT.usage;
    }
    out.line(help);
    return EXIT.ok;
  }
  const command = entry.commands.find((candidate) => candidate.name === sub);
  if (!command) {
    const known = entry.commands.map((candidate) => candidate.name).join(", ");
    throw new InvalidArgumentError(`unknown command 'inet ${entry.name} ${sub}' (commands: ${known})`);
  }
  return { command, path: `${entry.name} ${command.name}`, args: subArgs };
}

/** Parses a command's arguments; parseArgs' own errors become {@link InvalidArgumentError}. */
function parseCommandLine(command: CommandSpec, args: string[]): ParsedArgs {
  const options: NonNullable<ParseArgsConfig["options"]> = {};
  for (const option of [...command.options, ...COMMON_OPTIONS]) {
    options[option.name] = {
      type: option.type,
      ...(option.short ? { short: option.short } : {}),
      ...(option.multiple ? { multiple: true } : {}),
    };
  }
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs["values"], positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    throw new InvalidArgumentError(unknown ? `unknown option '${unknown[1]}'` : message, { cause: error });
  }
}

/** Prints an error as `inet: <message>` and returns its exit code. */
function report(error: unknown, out: Output, usageHint: string | undefined): number {
  const code = exitCodeFor(error);
  if (code === EXIT.interrupted) {
    out.error("interrupted");
    return code;
  }
  const message = error instanceof Error ? error.message : String(error);
  out.error(message);
  if (code === EXIT.usage && usageHint) out.note(usageHint);
  if (code === EXIT.unexpected && !(error instanceof InetError) && error instanceof Error && error.stack) {
    // An unanticipated error is a bug: the stack helps whoever reports it.
    out.note(error.stack);
  }
  return code;
}
