/**
 * `inet ftp mirror URL LOCALDIR` (download) and `inet ftp mirror --reverse LOCALDIR URL`
 * (upload): the mirror library (`src/tools/ftp-mirror`) on the command line, in the manner of
 * lftp's `mirror`, with a dry run that prints the plan, archives (`--zip`, `--tgz`) and a backup
 * zip of what a run replaces or deletes.
 */
import { stat } from "node:fs/promises";
import { InvalidArgumentError } from "../../../errors.js";
import { mirrorDown, mirrorUp } from "../../../tools/ftp-mirror/mirror.js";
import type {
  MirrorAction,
  MirrorOptions,
  MirrorPlan,
  MirrorResult,
} from "../../../tools/ftp-mirror/types.js";
import {
  type CommandContext,
  type CommandSpec,
  type ParsedArgs,
  stringOption,
  stringsOption,
} from "../../command.js";
import { sanitize } from "../../terminal.js";
import {
  checkNoQuery,
  loadCliConfig,
  outputOptions,
  PARTIAL_FAILURE_HELP,
  parallelOption,
  parseParallel,
  progressOptions,
} from "./common.js";
import { connectOptionsFrom, ftpConnectOptions, type OpenedFtp, openFtp } from "./connect.js";
import { formatBytes, Progress } from "./progress.js";

/** Whether the mirror library writes archives yet (`archive`, `backupZip` in MirrorOptions). */
const ARCHIVES_AVAILABLE = true;

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * Reads `--newer-than`: an ISO 8601 date (`2024-05-01`, midnight UTC) or date-time
 * (`2024-05-01T12:00`, local time unless it names a zone: `Z`, `+02:00`), or an age — a whole
 * number and a unit: `30m`, `12h`, `7d`, `2w` (before `now`).
 *
 * @throws {InvalidArgumentError} for anything else.
 */
export function parseNewerThan(text: string, now = new Date()): Date {
  const age = /^(\d{1,9})([smhdw])$/.exec(text);
  if (age) return new Date(now.getTime() - Number(age[1]) * UNITS[age[2]!]! * 1000);
  const iso = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
  const date = iso.test(text) ? new Date(text.replace(" ", "T")) : undefined;
  if (date === undefined || !Number.isFinite(date.getTime())) {
    throw new InvalidArgumentError(
      `--newer-than takes a date (2024-05-01), a date and time (2024-05-01T12:00, 2024-05-01T12:00Z) or an age (30m, 12h, 7d, 2w), got ${JSON.stringify(text)}`,
    );
  }
  return date;
}

/** One line of a dry run's plan (remote names sanitized). */
export function formatAction(action: MirrorAction, direction: "down" | "up", archive: boolean): string {
  const path = sanitize(action.path);
  switch (action.kind) {
    case "mkdir":
      return archive ? `add     ${path}/` : `mkdir   ${path}/`;
    case "transfer": {
      const verb = archive ? "add" : direction === "down" ? "get" : "put";
      const size = action.size !== undefined ? `, ${formatBytes(action.size)}` : "";
      return `${verb.padEnd(7)} ${path}  (${action.reason}${size})`;
    }
    case "delete":
      return `delete  ${path}${action.type === "directory" ? "/" : ""}`;
  }
}

/** The summary line of a plan. */
export function planSummary(plan: MirrorPlan): string {
  const count = (kind: MirrorAction["kind"]) => plan.actions.filter((action) => action.kind === kind).length;
  const parts = [
    `${plan.totals.files} to transfer (${formatBytes(plan.totals.bytes)})`,
    `${count("mkdir")} ${count("mkdir") === 1 ? "folder" : "folders"} to create`,
    `${count("delete")} to delete`,
    `${plan.unchanged} unchanged`,
    `${plan.skipped.length} skipped`,
    `${plan.refused.length} refused`,
  ];
  if (plan.errors.length > 0) parts.push(`${plan.errors.length} listing errors`);
  return `plan: ${parts.join(", ")}`;
}

/** The plan's actions as JSON. */
function actionJson(action: MirrorAction): Record<string, unknown> {
  if (action.kind !== "transfer") return { ...action };
  const { modifiedAt, ...rest } = action;
  return { ...rest, ...(modifiedAt ? { modifiedAt: modifiedAt.toISOString() } : {}) };
}

/** Which positional is the URL and which the local folder (or archive). */
function sides(args: ParsedArgs, archive: boolean): { url: string; local: string } {
  const [first, second] = args.positionals as [string, string | undefined];
  const reverse = args.values.reverse === true;
  if (archive) {
    if (reverse)
      throw new InvalidArgumentError("--zip and --tgz only apply to downloads (not with --reverse)");
    if (second !== undefined)
      throw new InvalidArgumentError("with --zip or --tgz give only the URL: the archive replaces LOCALDIR");
    return { url: first, local: "" };
  }
  if (second === undefined) {
    throw new InvalidArgumentError(
      reverse ? "usage: inet ftp mirror --reverse LOCALDIR URL" : "usage: inet ftp mirror URL LOCALDIR",
    );
  }
  return reverse ? { url: second, local: first } : { url: first, local: second };
}

/** The library options the command line asks for (apart from connections and local/remote). */
function mirrorOptions(args: ParsedArgs): Omit<MirrorOptions, "remote" | "local"> {
  const options: Omit<MirrorOptions, "remote" | "local"> = {
    recursive: args.values.recursive === true,
    include: stringsOption(args, "include"),
    exclude: stringsOption(args, "exclude"),
    onlyNewer: args.values["only-newer"] === true,
    onlyMissing: args.values["only-missing"] === true,
    delete: args.values.delete === true,
    dryRun: args.values["dry-run"] === true,
    resume: args.values.resume === true,
    verify: args.values.verify === true,
  };
  if (options.onlyNewer && options.onlyMissing) {
    throw new InvalidArgumentError("--only-newer and --only-missing cannot be combined");
  }
  const newer = stringOption(args, "newer-than");
  if (newer !== undefined) options.newerThan = parseNewerThan(newer);
  const zip = stringOption(args, "zip");
  const tgz = stringOption(args, "tgz");
  const backup = stringOption(args, "backup-zip");
  if (zip !== undefined && tgz !== undefined) throw new InvalidArgumentError("give --zip or --tgz, not both");
  const archivePath = zip ?? tgz;
  if (!ARCHIVES_AVAILABLE && (archivePath !== undefined || backup !== undefined)) {
    throw new InvalidArgumentError(
      `${zip !== undefined ? "--zip" : tgz !== undefined ? "--tgz" : "--backup-zip"} is not available yet`,
    );
  }
  if (archivePath !== undefined) {
    for (const [flag, set] of [
      ["--delete", options.delete],
      ["--only-newer", options.onlyNewer],
      ["--only-missing", options.onlyMissing],
      ["--resume", options.resume],
      ["--backup-zip", backup !== undefined],
    ] as const) {
      if (set)
        throw new InvalidArgumentError(
          `${flag} cannot be combined with --zip or --tgz (there is no folder to compare with)`,
        );
    }
    options.archive = { format: zip !== undefined ? "zip" : "tgz", path: archivePath };
  }
  if (backup !== undefined) {
    if (args.values.reverse === true)
      throw new InvalidArgumentError("--backup-zip only applies to downloads (not with --reverse)");
    options.backupZip = backup;
  }
  return options;
}

/** Prints a dry run: the plan's lines and summary on stdout, or the JSON. */
function printPlan(plan: MirrorPlan, progress: Progress, context: CommandContext, json: boolean): number {
  for (const error of plan.errors) progress.fail(error.path, error.error);
  if (json) {
    return progress.finish({
      dryRun: true,
      direction: plan.direction,
      files: plan.totals.files,
      bytes: plan.totals.bytes,
      actions: plan.actions.map(actionJson),
      unchanged: plan.unchanged,
      skipped: plan.skipped,
      ...(plan.archive ? { archive: plan.archive } : {}),
      ...(plan.backup ? { backup: plan.backup } : {}),
    });
  }
  const archive = plan.archive !== undefined;
  for (const action of plan.actions) context.out.line(formatAction(action, plan.direction, archive));
  if (plan.backup && plan.backup.files.length > 0) {
    context.out.line(`backup  ${plan.backup.files.length} files to ${sanitize(plan.backup.path)}`);
  }
  context.out.line(planSummary(plan));
  progress.abandon();
  return progress.exitCode();
}

/** The JSON of a real run. */
function resultJson(result: MirrorResult, transferred: string[]): Record<string, unknown> {
  return {
    direction: result.plan.direction,
    files: result.transferred.files,
    bytes: result.transferred.bytes,
    transferred: transferred.sort(),
    created: result.created,
    deleted: result.deleted,
    unchanged: result.plan.unchanged,
    skipped: result.skipped,
    ...(result.archive ? { archive: result.archive } : {}),
    ...(result.backup ? { backup: result.backup } : {}),
  };
}

export const mirrorCommand: CommandSpec = {
  name: "mirror",
  summary: "mirror a remote folder here, or a local folder there (--reverse)",
  usage:
    "inet ftp mirror [options] URL LOCALDIR | --reverse LOCALDIR URL | URL --zip FILE.zip | URL --tgz FILE.tar.gz",
  description: [
    "Makes LOCALDIR a copy of the remote folder the URL names (or, with --reverse, the remote " +
      "folder a copy of LOCALDIR): files missing on the target, or different in size, or newer " +
      "on the source, are transferred; the rest is left alone, so a second run over an unchanged " +
      "tree transfers nothing. Only the top folder's files unless -r descends into folders.",
    "Filters: --include GLOB (a file must match one of them) and --exclude GLOB, or -s GLOB (files " +
      "and folders to leave alone; a trailing / matches folders only), both repeatable. A pattern " +
      "with a / is matched against the path below the top (docs/*.pdf, build/**), one without " +
      "against the name. --newer-than takes a date, date-time or age (2024-05-01, " +
      "2024-05-01T12:00Z, 7d). --only-newer skips target files that are not older; --only-missing " +
      "transfers only files the target lacks.",
    "--delete removes what is gone from the source — never outside the target, never excluded or " +
      "unsafe names, never symlinks, and nothing at all when a listing failed or was cut short or " +
      "a transfer failed. --dry-run prints the plan (one line per action: mkdir, get/put/add, " +
      "delete, then a summary) and changes nothing; a real run does exactly that plan.",
    "Safety: names from the server that would escape the target (.., /, \\, drive letters, " +
      "control characters) are refused and reported, the rest goes on; symlinks are not followed; " +
      "a local symlink is never written through; files are written as NAME.part and renamed when " +
      "complete. --resume continues NAME.part files left by a cut; --verify compares sizes, and a " +
      "hash when the server offers HASH, XSHA256, XSHA1 or XMD5.",
    "--zip FILE.zip or --tgz FILE.tar.gz writes the mirrored tree into an archive instead of a " +
      "folder (give only the URL). --backup-zip FILE.zip saves every local file the run replaces " +
      "or deletes into that zip first. --parallel N transfers N files at once over N connections.",
    "Progress: a live display on a terminal (one line per connection), one line per file " +
      "otherwise (on stderr); --quiet prints only errors; --json prints a summary object on " +
      "stdout: files, bytes, seconds, errors [{path, message}], refused, transferred, created, " +
      "deleted, unchanged, skipped (with --dry-run: dryRun and the planned actions).",
    PARTIAL_FAILURE_HELP,
  ].join("\n\n"),
  options: [
    { name: "reverse", short: "R", type: "boolean", description: "upload: mirror LOCALDIR to the URL" },
    { name: "recursive", short: "r", type: "boolean", description: "descend into folders" },
    {
      name: "include",
      short: "i",
      type: "string",
      value: "GLOB",
      multiple: true,
      description: "mirror only files matching GLOB (repeatable)",
    },
    {
      name: "exclude",
      short: "s",
      type: "string",
      value: "GLOB",
      multiple: true,
      description: "skip files and folders matching GLOB (repeatable; -s: skip)",
    },
    {
      name: "newer-than",
      type: "string",
      value: "DATE",
      description: "only source files modified after DATE (2024-05-01, 7d)",
    },
    {
      name: "only-newer",
      type: "boolean",
      description: "replace a target file only when the source is newer",
    },
    { name: "only-missing", type: "boolean", description: "transfer only files the target lacks" },
    { name: "delete", type: "boolean", description: "remove target files and folders gone from the source" },
    { name: "dry-run", short: "n", type: "boolean", description: "print the plan and change nothing" },
    parallelOption,
    { name: "resume", short: "c", type: "boolean", description: "continue NAME.part files left by a cut" },
    { name: "verify", type: "boolean", description: "check each transfer: size, and a hash when offered" },
    {
      name: "zip",
      short: "z",
      type: "string",
      value: "FILE",
      description: "write the tree into this zip instead of a folder",
    },
    {
      name: "tgz",
      type: "string",
      value: "FILE",
      description: "write the tree into this .tar.gz instead of a folder",
    },
    {
      name: "backup-zip",
      type: "string",
      value: "FILE",
      description: "save files the run replaces or deletes into this zip first",
    },
    ...outputOptions,
    ...ftpConnectOptions,
  ],
  positionals: { min: 1, max: 2 },
  examples: [
    ["inet ftp mirror -r ftp://ftp.example.org/pub/docs docs", "copy /pub/docs and below into ./docs"],
    ["inet ftp mirror -r --dry-run --delete ftp://ftp.example.org/pub/docs docs", "show what a run would do"],
    [
      "inet ftp mirror -r -s '*.tmp' -s 'cache/' --reverse site ftpes://alice@www.example.org/htdocs",
      "publish ./site, skipping temp files and cache folders",
    ],
    [
      "inet ftp mirror -r -P 4 --newer-than 7d ftp://ftp.example.org/logs logs",
      "the last week's logs, four at a time",
    ],
    ["inet ftp mirror -r ftp://ftp.example.org/pub/docs --zip docs.zip", "the tree into a zip"],
    [
      "inet ftp mirror -r --delete --backup-zip before.zip ftp://ftp.example.org/pub/docs docs",
      "keep what gets replaced",
    ],
  ],
  async run(args, context) {
    const options = mirrorOptions(args);
    const { url, local } = sides(args, options.archive !== undefined);
    if (url.includes("://")) checkNoQuery(url);
    // An upload's local folder must exist: find out before dialing (ENOENT is a local error).
    if (args.values.reverse === true) {
      const info = await stat(local);
      if (!info.isDirectory()) throw new InvalidArgumentError(`${local} is not a folder`);
    }
    const config = await loadCliConfig(context);
    const connect = await connectOptionsFrom(args, config);
    const parallel = parseParallel(args, config);
    const json = args.values.json === true;
    const progress = new Progress(context, progressOptions(args));
    const transferred: string[] = [];
    let session: OpenedFtp | undefined;
    try {
      session = await openFtp(url, { context, config, ...connect, parallel });
      const full: MirrorOptions = {
        ...options,
        client: session.client,
        ...(session.pool ? { pool: session.pool } : {}),
        remote: session.path,
        local: options.archive ? options.archive.path : local,
        signal: context.signal,
        onEvent: (event) => {
          if (event.type === "file-done") transferred.push(event.path);
          if (event.type === "skip" && options.dryRun) return;
          progress.onMirrorEvent(event);
        },
      };
      const result = args.values.reverse === true ? await mirrorUp(full) : await mirrorDown(full);
      if (options.dryRun) return printPlan(result.plan, progress, context, json);
      if (result.archive && !result.archive.written) {
        progress.info(`no archive written to ${result.archive.path}: something failed`);
      }
      if (result.backup?.written) {
        progress.info(
          `saved ${result.backup.files.length} replaced or deleted files to ${result.backup.path}`,
        );
      }
      return progress.finish(resultJson(result, transferred));
    } catch (error) {
      progress.abandon(error);
      throw error;
    } finally {
      await session?.close();
    }
  },
};
