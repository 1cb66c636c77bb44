/**
 * How a shell command is described — name, aliases, usage, options, what each argument names (for
 * completion) — and how its words are parsed (node:util parseArgs, strict, like the `inet`
 * commands themselves). The commands live in the `commands-*.ts` files; {@link SHELL_COMMANDS}
 * gathers them.
 */
import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../../../../errors.js";
import type { CommandContext } from "../../../command.js";
import type { ArgumentKind } from "./completion.js";
import type { ShellSession } from "./session.js";

/** One option of a shell command. */
export interface ShellOption {
  name: string;
  short?: string;
  type: "boolean" | "string";
  description: string;
}

/** What a shell command's `run` gets. */
export interface ShellRun {
  session: ShellSession;
  /** This command's own context: its signal fires on Ctrl-C during it (and when the shell is stopped). */
  context: CommandContext;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export interface ShellCommand {
  name: string;
  aliases?: readonly string[];
  /** The usage line (`get [-c] REMOTE [LOCAL]`). */
  usage: string;
  summary: string;
  options?: readonly ShellOption[];
  /** How many arguments (not counting options). */
  args: { min: number; max: number };
  /**
   * What argument `index` names, for completion (default: nothing to complete), given the
   * arguments before it and the option words typed so far (`-r`, `--reverse`).
   */
  argument?(index: number, previous: readonly string[], options: readonly string[]): ArgumentKind;
  /** The command changes the remote side: cached listings are dropped after it runs (even when it fails). */
  changesRemote?: boolean;
  /**
   * Runs it. Resolves to an exit code (a command that went on past some failures returns the
   * code they give) or to nothing for success; throws InetErrors or Node's system errors.
   */
  run(run: ShellRun): Promise<number | undefined>;
}

/** Argument kinds for fixed positions, the last one repeating. */
export function argumentsOf(...kinds: ArgumentKind[]): (index: number) => ArgumentKind {
  return (index) => kinds[Math.min(index, kinds.length - 1)] ?? "none";
}

/**
 * Parses the words after the command name against its options.
 *
 * @throws {InvalidArgumentError} for an unknown option, a missing option value, or too few or too
 *   many arguments (the message quotes the usage).
 */
export function parseCommandWords(
  command: ShellCommand,
  words: readonly string[],
): { values: ShellRun["values"]; positionals: string[] } {
  const options: Record<string, { type: "boolean" | "string"; short?: string }> = {};
  for (const option of command.options ?? []) {
    options[option.name] = { type: option.type, ...(option.short ? { short: option.short } : {}) };
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...words], options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    throw new InvalidArgumentError(
      `${command.name}: ${unknown ? `unknown option '${unknown[1]}'` : message.split(/\. /)[0]} (usage: ${command.usage})`,
    );
  }
  const count = parsed.positionals.length;
  if (count < command.args.min || count > command.args.max) {
    throw new InvalidArgumentError(`usage: ${command.usage}`);
  }
  return { values: parsed.values as ShellRun["values"], positionals: parsed.positionals };
}

/** Finds a command by name or alias in `commands`. */
export function findShellCommand(commands: readonly ShellCommand[], name: string): ShellCommand | undefined {
  return commands.find((command) => command.name === name || command.aliases?.includes(name));
}

/** `help` with no argument: every command with its summary. */
export function commandList(commands: readonly ShellCommand[]): string[] {
  const rows = commands.map((command) => {
    const names = [command.name, ...(command.aliases ?? [])].join(", ");
    return [names, command.summary] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

/** `help CMD`: the usage, the summary and the options. */
export function commandUsage(command: ShellCommand): string[] {
  const lines = [`usage: ${command.usage}`, `  ${command.summary}`];
  if (command.aliases?.length) lines.push(`  also: ${command.aliases.join(", ")}`);
  for (const option of command.options ?? []) {
    const label = `${option.short ? `-${option.short}, ` : ""}--${option.name}${option.type === "string" ? " VALUE" : ""}`;
    lines.push(`  ${label}  ${option.description}`);
  }
  return lines;
}
