/**
 * Help texts, built from the command specs so they cannot drift from what is parsed: a usage
 * line, what the command does, its options, examples, and the exit codes.
 */
import { COMMON_OPTIONS, type CommandSpec, type GroupSpec, type OptionSpec } from "./command.js";
import { EXIT_CODE_HELP } from "./exit-codes.js";

/** `inet --help`. */
export function topHelp(entries: ReadonlyArray<GroupSpec | CommandSpec>, version: string): string {
  const rows: Array<[string, string]> = [];
  for (const entry of entries) {
    if ("commands" in entry) {
      for (const command of entry.commands) rows.push([`${entry.name} ${command.name}`, command.summary]);
    } else {
      rows.push([entry.name, entry.summary]);
    }
  }
  return [
    `inet ${version} — the Internet client programming toolkit on the command line`,
    "",
    "Usage: inet [--trace] <group> <command> [options] [arguments]",
    "       inet <group> <command> --help",
    "",
    paragraph(
      "inet speaks the classic Internet protocols the way the socket and Internet client chapters of " +
        "Core Python Programming teach them: connect, make requests, print what the server said. " +
        "Everything a server sends is shown with its control characters escaped.",
    ),
    "",
    "Commands:",
    ...table(rows),
    "",
    "Global options:",
    ...table([
      ["--trace", "print the wire trace (secrets masked) on stderr"],
      ["-h, --help", "show help (for a group or command: inet tcp --help, inet tcp serve --help)"],
      ["-V, --version", "print the version"],
    ]),
    "",
    "Examples:",
    ...examples([
      ["inet demo", "start every loopback server and talk to each, step by step"],
      ["inet tcp serve --port 0", "run the TCP timestamp server on a free port"],
      ["inet tcp connect 127.0.0.1:21567", "talk to it: each line you type comes back time-stamped"],
    ]),
    "",
    ...exitCodes(),
  ].join("\n");
}

/** `inet <group> --help`. */
export function groupHelp(group: GroupSpec): string {
  return [
    `Usage: inet ${group.name} <command> [options] [arguments]`,
    "",
    paragraph(group.description),
    "",
    "Commands:",
    ...table(group.commands.map((command) => [command.name, command.summary])),
    "",
    `Run 'inet ${group.name} <command> --help' for a command's options and examples.`,
    "",
    ...exitCodes(),
  ].join("\n");
}

/** `inet <group> <command> --help` (or `inet demo --help`). */
export function commandHelp(command: CommandSpec): string {
  const options = [...command.options, ...COMMON_OPTIONS];
  return [
    `Usage: ${command.usage}`,
    "",
    command.description
      .split("\n\n")
      .map((text) => paragraph(text))
      .join("\n\n"),
    "",
    "Options:",
    ...table(options.map((option) => [optionLabel(option), option.description])),
    "",
    "Examples:",
    ...examples(command.examples),
    "",
    ...exitCodes(),
  ].join("\n");
}

function optionLabel(option: OptionSpec): string {
  const long = `--${option.name}${option.value ? ` ${option.value}` : ""}`;
  return option.short ? `-${option.short}, ${long}` : long;
}

function exitCodes(): string[] {
  return ["Exit codes:", ...table(EXIT_CODE_HELP.map(([code, text]) => [String(code), text]))];
}

function table(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

function examples(rows: ReadonlyArray<readonly [string, string]>): string[] {
  return rows.flatMap(([command, text]) => [`  ${command}`, `      ${text}`]);
}

/** Wraps text at 78 columns; a paragraph whose lines start with two spaces is kept as it is. */
function paragraph(text: string, width = 78): string {
  if (text.startsWith("  ")) return text;
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join("\n");
}
