/**
 * Pieces the `inet ftp` transfer commands share: the output and parallelism options, reading the
 * config file (with a warning when others can read it), glob detection, and the exit code rule
 * shown in their help.
 */
import { InvalidArgumentError } from "../../../errors.js";
import { type CommandContext, type OptionSpec, type ParsedArgs, stringOption } from "../../command.js";
import { type InetConfig, loadConfig } from "../../config.js";
import type { ProgressOptions } from "./progress.js";

/** `--quiet` and `--json`. */
export const outputOptions: readonly OptionSpec[] = [
  { name: "quiet", short: "q", type: "boolean", description: "print nothing but errors" },
  {
    name: "json",
    type: "boolean",
    description: "print one JSON summary on stdout at the end (files, bytes, seconds, errors)",
  },
];

/** `--parallel N`. */
export const parallelOption: OptionSpec = {
  name: "parallel",
  short: "P",
  type: "string",
  value: "N",
  description: "transfer N files at once, each over a connection of its own (1 to 16; default 1)",
};

/** The most connections `--parallel` opens. */
export const MAX_PARALLEL = 16;

/**
 * Reads `--parallel` (falling back to the config's default, then 1).
 *
 * @throws {InvalidArgumentError} for anything but a whole number from 1 to {@link MAX_PARALLEL}.
 */
export function parseParallel(args: ParsedArgs, config?: InetConfig): number {
  const text = stringOption(args, "parallel");
  if (text === undefined) return Math.min(config?.defaults.parallel ?? 1, MAX_PARALLEL);
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > MAX_PARALLEL) {
    throw new InvalidArgumentError(
      `--parallel must be a whole number from 1 to ${MAX_PARALLEL}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/** The progress options from `--quiet` and `--json`. */
export function progressOptions(args: ParsedArgs): ProgressOptions {
  return { quiet: args.values.quiet === true, json: args.values.json === true };
}

/**
 * Loads the config file (see `config.ts`), noting on stderr when others may read it.
 *
 * @throws {InvalidArgumentError} for a malformed file.
 */
export async function loadCliConfig(context: CommandContext): Promise<InetConfig> {
  const loaded = await loadConfig();
  if (loaded.looseMode) {
    context.out.note(
      `inet: warning: ${loaded.path} can be read by others; it may hold passwords (chmod 600 it)`,
    );
  }
  return loaded.config;
}

/** Whether `text` holds glob characters (`*`, `?`, `[`). */
export function hasGlob(text: string): boolean {
  return /[*?[]/.test(text);
}

/** The help paragraph on exit codes when some files fail and others do not. */
export const PARTIAL_FAILURE_HELP =
  "When some files fail, the others are still transferred, the failures are listed (and in " +
  "--json under errors), and the exit code is that of the most serious kind among them: 3 " +
  "(connection) before 5 (local) before 4 (remote). A name refused as unsafe counts as a " +
  "remote failure (4). Usage errors exit with 2 before anything is transferred.";

/**
 * Splits a remote path into its folder and last part: `/pub/*.gz` → `/pub` and `*.gz`;
 * `/pub/` → `/pub` and `""`; `/a` → `/` and `a`.
 */
export function splitRemotePath(path: string): { folder: string; name: string } {
  const slash = path.lastIndexOf("/");
  if (slash < 0) return { folder: "", name: path };
  return { folder: slash === 0 ? "/" : path.slice(0, slash), name: path.slice(slash + 1) };
}

/** Joins a remote folder and a name with exactly one `/`. */
export function joinRemote(folder: string, name: string): string {
  if (folder === "") return name;
  return folder.endsWith("/") ? `${folder}${name}` : `${folder}/${name}`;
}

/**
 * Refuses a URL argument whose `?` or `#` would be read as a query or fragment and silently
 * dropped from the path.
 *
 * @throws {InvalidArgumentError} telling to write them as `%3F` and `%23`.
 */
export function checkNoQuery(url: string): void {
  const rest = url.slice(url.indexOf("://") + 3);
  if (/[?#]/.test(rest)) {
    throw new InvalidArgumentError(
      "a URL path cannot hold a bare ? or #: write them as %3F and %23 (a %3F still works as a glob)",
    );
  }
}

/**
 * Runs `task` for every item, at most `lanes` at once, each with a lane number (0 … lanes − 1)
 * that no other running task has, for per-connection progress. Resolves when all are done;
 * rejects with the first error a task throws (the tasks already running are awaited first, and
 * no new one starts).
 */
export async function forEachParallel<T>(
  items: readonly T[],
  lanes: number,
  task: (item: T, lane: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (number: number) => {
    while (failure === undefined && next < items.length) {
      const item = items[next]!;
      next += 1;
      try {
        await task(item, number);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, items.length)) }, (_, i) => lane(i)));
  if (failure) throw failure.error;
}
