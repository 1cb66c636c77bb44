/**
 * Shell commands that look at or change the remote tree without moving file contents: ls, mkdir,
 * rmdir, rm, rename. Listings are printed with every name sanitized.
 */
import type { FileInfo } from "../../../../ftp/types.js";
import { sanitize } from "../../../terminal.js";
import type { ShellConnection } from "./session.js";
import { argumentsOf, type ShellCommand, type ShellRun } from "./table.js";

/**
 * The `run` of a command that makes one client call per argument, in the order typed. The first
 * failure ends the command (what came before it stays done), as a shell user expects of `rm a b`.
 */
function forEachArgument(
  call: (client: ShellConnection["client"], path: string, run: ShellRun) => Promise<unknown>,
): ShellCommand["run"] {
  return async (run) => {
    const { client } = run.session.requireConnection();
    for (const path of run.positionals) await call(client, path, run);
    return undefined;
  };
}

/** `2024-05-01 13:45` (UTC), or blanks when the listing gave no time. */
function formatTime(date: Date | undefined): string {
  if (date === undefined || !Number.isFinite(date.getTime())) return "".padEnd(16);
  return date.toISOString().slice(0, 16).replace("T", " ");
}

const TYPE_LETTERS: Record<FileInfo["type"], string> = {
  file: "-",
  directory: "d",
  symlink: "l",
  unknown: "?",
};

/** One `ls -l` line: type and permissions, size, time (UTC), name (and a symlink's target). */
export function longLine(entry: FileInfo, sizeWidth: number): string {
  if (entry.type === "unknown") return sanitize(entry.raw);
  const mode = `${TYPE_LETTERS[entry.type]}${entry.permissions ?? "---------"}`;
  const size = (entry.size === undefined ? "" : String(entry.size)).padStart(sizeWidth);
  const link = entry.target !== undefined ? ` -> ${entry.target}` : "";
  return sanitize(`${mode}  ${size}  ${formatTime(entry.modifiedAt)}  ${entry.name}${link}`);
}

/** One short `ls` line: the name, with `/` after a folder and `@` after a symlink. */
export function shortLine(entry: FileInfo): string {
  const mark = entry.type === "directory" ? "/" : entry.type === "symlink" ? "@" : "";
  return sanitize(entry.name + mark);
}

export const ls: ShellCommand = {
  name: "ls",
  aliases: ["dir"],
  usage: "ls [-l] [FOLDER]",
  summary: "list a remote folder (-l: type, permissions, size, time in UTC)",
  options: [{ name: "long", short: "l", type: "boolean", description: "the long format" }],
  args: { min: 0, max: 1 },
  argument: argumentsOf("remote", "none"),
  async run({ session, context, values, positionals }) {
    session.requireConnection();
    // `ls` always asks the server (someone else may have changed the folder); the answer
    // refreshes the cache that completion and globs use.
    session.invalidateListing(positionals[0] ?? ".");
    const entries = [...(await session.list(positionals[0] ?? ".", context.signal))].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    if (values.long === true) {
      const width = Math.max(1, ...entries.map((entry) => String(entry.size ?? "").length));
      for (const entry of entries) session.out.line(longLine(entry, width));
    } else {
      for (const entry of entries) session.out.line(shortLine(entry));
    }
    return undefined;
  },
};

export const mkdir: ShellCommand = {
  name: "mkdir",
  usage: "mkdir [-p] FOLDER...",
  summary: "create remote folders (-p: with their parents, no error if they exist)",
  options: [{ name: "parents", short: "p", type: "boolean", description: "create missing parents" }],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  argument: argumentsOf("remote-dir"),
  changesRemote: true,
  run: forEachArgument((client, path, { context, values }) =>
    client.mkdir(path, { recursive: values.parents === true, signal: context.signal }),
  ),
};

export const rmdir: ShellCommand = {
  name: "rmdir",
  usage: "rmdir [-r] FOLDER...",
  summary: "remove empty remote folders (-r: with everything in them; symlinks are not followed)",
  options: [{ name: "recursive", short: "r", type: "boolean", description: "remove the contents first" }],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  argument: argumentsOf("remote-dir"),
  changesRemote: true,
  run: forEachArgument((client, path, { context, values }) =>
    client.rmdir(path, { recursive: values.recursive === true, signal: context.signal }),
  ),
};

export const rm: ShellCommand = {
  name: "rm",
  aliases: ["delete"],
  usage: "rm FILE...",
  summary: "delete remote files",
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  argument: argumentsOf("remote"),
  changesRemote: true,
  run: forEachArgument((client, path, { context }) => client.remove(path, { signal: context.signal })),
};

export const rename: ShellCommand = {
  name: "rename",
  aliases: ["mv"],
  usage: "rename FROM TO",
  summary: "rename or move a remote file or folder",
  args: { min: 2, max: 2 },
  argument: argumentsOf("remote", "remote"),
  changesRemote: true,
  async run({ session, context, positionals }) {
    const { client } = session.requireConnection();
    await client.rename(positionals[0]!, positionals[1]!, { signal: context.signal });
    return undefined;
  },
};
