/**
 * `inet ftp ls URL [--long] [--json]`: list a remote folder (MLSD when the server has it, else a
 * parsed LIST). The last part of the URL may be a glob to list only the matching names.
 */
import { ReplyError } from "../../../errors.js";
import type { FileInfo } from "../../../ftp/types.js";
import { Glob } from "../../../tools/ftp-mirror/glob.js";
import type { CommandSpec } from "../../command.js";
import { EXIT } from "../../exit-codes.js";
import { sanitize } from "../../terminal.js";
import { checkNoQuery, hasGlob, loadCliConfig, splitRemotePath } from "./common.js";
import { connectOptionsFrom, ftpConnectOptions, openFtp } from "./connect.js";
import { safeJson } from "./progress.js";

/** `2024-01-05 13:04` in UTC, or `-` when unknown. */
export function formatDate(date: Date | undefined): string {
  if (date === undefined || !Number.isFinite(date.getTime())) return "-";
  return date.toISOString().slice(0, 16).replace("T", " ");
}

const TYPE_WORDS: Readonly<Record<FileInfo["type"], string>> = {
  file: "file",
  directory: "dir",
  symlink: "link",
  unknown: "?",
};

/**
 * The `--long` lines: type, size, date (UTC), name (and `-> target` for a symlink), columns
 * aligned. Every remote string is sanitized.
 */
export function formatLong(entries: readonly FileInfo[]): string[] {
  const sizes = entries.map((entry) => (entry.size === undefined ? "-" : String(entry.size)));
  const width = Math.max(1, ...sizes.map((size) => size.length));
  return entries.map((entry, index) => {
    const target = entry.type === "symlink" && entry.target !== undefined ? ` -> ${entry.target}` : "";
    const name = sanitize(`${entry.name}${target}`);
    return `${TYPE_WORDS[entry.type].padEnd(4)}  ${sizes[index]!.padStart(width)}  ${formatDate(entry.modifiedAt)}  ${name}`;
  });
}

/** A listing entry as JSON: the same fields, dates as ISO 8601 strings. */
export function entryJson(entry: FileInfo): Record<string, unknown> {
  const { modifiedAt, ...rest } = entry;
  return {
    ...rest,
    ...(modifiedAt !== undefined && Number.isFinite(modifiedAt.getTime())
      ? { modifiedAt: modifiedAt.toISOString() }
      : {}),
  };
}

export const lsCommand: CommandSpec = {
  name: "ls",
  summary: "list a remote folder (names, --long, or --json)",
  usage: "inet ftp ls URL|BOOKMARK [--long] [--json] [--insecure] [--active] [--timeout SECONDS] [--ca FILE]",
  description: [
    "Lists the folder the URL names: the names alone, one per line, or with --long the type " +
      "(file, dir, link), the size in bytes, the modification time in UTC and the name. --json " +
      "prints the entries as a JSON array (name, type, size, modifiedAt as an ISO 8601 string, " +
      "permissions, target, owner, group, facts, raw) for scripts. MLSD is used when the server " +
      "offers it, otherwise LIST is parsed (Unix, DOS and EPLF formats).",
    "A URL naming a file lists that file alone. The last part of the path may be a glob " +
      "(ftp://host/pub/*.tar.gz): the folder is listed " +
      "and only the matching names are shown. Write ? as %3F in a URL (a bare ? starts a query).",
    "Credentials come from the URL, ~/.netrc, INET_FTP_PASSWORD or INET_PASSWORD, or a prompt " +
      "on a terminal; without a user name the login is anonymous. Names the server sends are " +
      "shown with their control characters escaped.",
  ].join("\n\n"),
  options: [
    { name: "long", short: "l", type: "boolean", description: "type, size, date and name" },
    { name: "json", type: "boolean", description: "the entries as a JSON array" },
    ...ftpConnectOptions,
  ],
  positionals: { min: 1, max: 1 },
  examples: [
    ["inet ftp ls ftp://ftp.example.org/pub/", "the names in /pub, anonymously"],
    ["inet ftp ls -l ftpes://alice@files.example.org/reports/*.pdf", "the PDFs, with sizes and dates"],
    ["inet ftp ls --json ftp://127.0.0.1:2121/ | jq '.[].name'", "for scripts"],
  ],
  async run(args, context) {
    const text = args.positionals[0]!;
    if (text.includes("://")) checkNoQuery(text);
    const config = await loadCliConfig(context);
    const session = await openFtp(text, { context, config, ...(await connectOptionsFrom(args, config)) });
    try {
      let folder = session.path;
      let glob: Glob | undefined;
      const split = splitRemotePath(session.path);
      if (hasGlob(split.name)) {
        folder = split.folder;
        glob = new Glob(split.name);
      }
      let entries: FileInfo[];
      try {
        entries = await session.client.list(folder, { signal: context.signal });
        if (glob) entries = entries.filter((entry) => glob.match(entry.name));
      } catch (error) {
        // `ls` of a file shows that file (as ls(1) does): MLSD refuses files, so list its folder.
        if (glob || !(error instanceof ReplyError && error.isPermanent) || split.name === "") throw error;
        const parent = await session.client.list(split.folder, { signal: context.signal }).catch(() => []);
        entries = parent.filter((entry) => entry.name === split.name && entry.type !== "directory");
        if (entries.length === 0) throw error;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      if (args.values.json === true) context.out.line(safeJson(entries.map(entryJson)));
      else if (args.values.long === true) for (const line of formatLong(entries)) context.out.line(line);
      else for (const entry of entries) context.out.remote(entry.name);
    } finally {
      await session.close();
    }
    return EXIT.ok;
  },
};
