/**
 * `inet ftp get URL... [DEST]`: download files. The last part of a URL may be a glob
 * (`ftp://host/pub/*.tar.gz`); the names a listing returns are checked before any is used as a
 * local name (unsafe ones are refused and reported, the rest goes on); a local symlink is never
 * written through; each file is written as `NAME.part` and renamed when complete.
 */
import { lstat, mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { AbortError, InvalidArgumentError } from "../../../errors.js";
import type { FtpClient } from "../../../ftp/client.js";
import { Glob } from "../../../tools/ftp-mirror/glob.js";
import {
  collisionKey,
  hostIgnoresCase,
  hostNamePlatform,
  unsafeNameReason,
} from "../../../tools/ftp-mirror/safe-names.js";
import type { CommandContext, CommandSpec } from "../../command.js";
import { EXIT } from "../../exit-codes.js";
import {
  checkNoQuery,
  forEachParallel,
  hasGlob,
  joinRemote,
  loadCliConfig,
  outputOptions,
  PARTIAL_FAILURE_HELP,
  parallelOption,
  parseParallel,
  progressOptions,
  splitRemotePath,
} from "./common.js";
import {
  connectOptionsFrom,
  ftpConnectOptions,
  type OpenedFtp,
  openFtp,
  resolveFtpTarget,
} from "./connect.js";
import { Progress } from "./progress.js";

/** One file to download. */
interface Wanted {
  session: OpenedFtp;
  remote: string;
  /** The local name (checked). */
  name: string;
  size?: number | undefined;
}

/**
 * Splits `get`'s arguments: the URLs, and DEST when the last argument is not a URL.
 *
 * @throws {InvalidArgumentError} when an argument before the last is not a URL, or no URL is given.
 */
export function splitGetArguments(positionals: readonly string[]): { urls: string[]; dest?: string } {
  const isUrl = (text: string) => text.includes("://");
  const last = positionals[positionals.length - 1];
  const hasDest = positionals.length >= 2 && last !== undefined && !isUrl(last);
  const urls = hasDest ? positionals.slice(0, -1) : [...positionals];
  for (const url of urls) {
    if (!isUrl(url)) {
      throw new InvalidArgumentError(
        `${JSON.stringify(url)} is not a URL (write ftp://host/path, ftpes://… or ftps://…)`,
      );
    }
    checkNoQuery(url);
  }
  if (urls.length === 0) throw new InvalidArgumentError("'inet ftp get' needs at least one URL");
  return hasDest ? { urls, dest: last } : { urls };
}

/** The server a URL talks to, with the user: URLs with the same key share a connection. */
function originKey(url: string): string {
  const { target } = resolveFtpTarget(url);
  return `${target.scheme}://${target.user ?? ""}@${target.host}:${target.port}`;
}

/**
 * Expands one URL into the files it names: the file itself, or the folder's files matching a glob.
 * Unsafe, duplicate and colliding names are refused; folders and symlinks matching a glob are noted
 * and left alone. Returns nothing (having reported why) when nothing matches.
 */
async function expand(
  session: OpenedFtp,
  path: string,
  progress: Progress,
  signal: AbortSignal,
): Promise<Wanted[]> {
  const platform = hostNamePlatform();
  const { folder, name } = splitRemotePath(path);
  if (!hasGlob(name)) {
    const reason = unsafeNameReason(name, { platform });
    if (reason !== undefined) {
      progress.fail(
        path,
        new InvalidArgumentError(`cannot save it locally: its name ${reason}`),
        undefined,
        EXIT.usage,
      );
      return [];
    }
    return [{ session, remote: path, name }];
  }
  const glob = new Glob(name);
  // A name holding a path (`../../x.gz`, `/etc/x.gz`) is matched by its last part too, so that it
  // is refused and reported rather than silently passed over.
  const lastPart = (text: string) => text.slice(Math.max(text.lastIndexOf("/"), text.lastIndexOf("\\")) + 1);
  const entries = (await session.client.list(folder, { signal })).filter(
    (entry) => glob.match(entry.name) || glob.match(lastPart(entry.name)),
  );
  const listed = new Map<string, number>();
  for (const entry of entries) listed.set(entry.name, (listed.get(entry.name) ?? 0) + 1);
  const wanted: Wanted[] = [];
  for (const entry of entries) {
    const reason =
      unsafeNameReason(entry.name, { platform }) ??
      ((listed.get(entry.name) ?? 0) > 1
        ? "listed more than once (for example as a symlink and as a file)"
        : undefined);
    if (reason !== undefined) {
      progress.refuse(entry.name, folder, reason);
      continue;
    }
    if (entry.type === "directory")
      progress.info(`skipped ${joinRemote(folder, entry.name)}: a folder (use inet ftp mirror)`);
    else if (entry.type === "symlink")
      progress.info(`skipped ${joinRemote(folder, entry.name)}: a symlink (never followed)`);
    else if (entry.type !== "file")
      progress.info(`skipped ${joinRemote(folder, entry.name)}: not understood as a file`);
    else wanted.push({ session, remote: joinRemote(folder, entry.name), name: entry.name, size: entry.size });
  }
  if (wanted.length === 0 && entries.length === 0) {
    progress.fail(path, `no file matches ${name} in ${folder}`, undefined, EXIT.remote);
  }
  return wanted;
}

/**
 * Where the files go: DEST as a file name when one URL without a glob was given and DEST is not a
 * folder; otherwise DEST as a folder (created when missing).
 *
 * @throws {InvalidArgumentError} when several files would go to something that is not a folder.
 */
async function destination(
  dest: string | undefined,
  single: boolean,
): Promise<{ folder?: string; file?: string }> {
  const target = dest ?? ".";
  const info = await stat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (info?.isDirectory()) return { folder: target };
  if (single && !target.endsWith("/") && dest !== undefined) return { file: target };
  if (info !== undefined)
    throw new InvalidArgumentError(`${target} is not a folder (several files go there)`);
  await mkdir(target, { recursive: true });
  return { folder: target };
}

/**
 * The local path for a download, refused (as a local failure) when it is a symlink or anything
 * but a regular file.
 */
async function checkLocal(path: string): Promise<string | undefined> {
  const info = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (info?.isSymbolicLink()) return "refusing to write through a local symlink";
  if (info && !info.isFile()) return "refusing to replace something that is not a regular file";
  return undefined;
}

async function download(
  wanted: Wanted,
  local: string,
  lane: number,
  options: { resume: boolean; progress: Progress; context: CommandContext },
): Promise<{ ok: boolean; bytes: number }> {
  const { progress, context } = options;
  const problem = await checkLocal(local);
  if (problem !== undefined) {
    progress.fail(wanted.remote, new InvalidArgumentError(`${local}: ${problem}`), lane, EXIT.local);
    return { ok: false, bytes: 0 };
  }
  const run = (client: FtpClient) =>
    client.download(wanted.remote, local, {
      resume: options.resume,
      signal: context.signal,
      onProgress: progress.transferProgress(wanted.remote, lane),
    });
  progress.start(wanted.remote, wanted.size, lane);
  try {
    const { session } = wanted;
    const result = await (session.pool ? session.pool.run(run) : run(session.client));
    progress.done(wanted.remote, result.bytes, lane);
    return { ok: true, bytes: result.bytes };
  } catch (error) {
    if (error instanceof AbortError || context.signal.aborted) throw error;
    progress.fail(wanted.remote, error, lane);
    return { ok: false, bytes: 0 };
  }
}

export const getCommand: CommandSpec = {
  name: "get",
  summary: "download files (globs, parallel, resume)",
  usage:
    "inet ftp get URL... [DEST] [--resume] [--parallel N] [--quiet | --json] [--insecure] [--active] [--timeout SECONDS] [--ca FILE]",
  description: [
    "Downloads the files the URLs name into DEST: a folder (created when missing; the current " +
      "folder when DEST is left out), or a new file name when one URL without a glob is given. The " +
      "last part of a URL may be a glob — *, ?, [abc], [!x] — matched against the folder's " +
      "listing: ftp://host/pub/*.tar.gz. Quote it so that your shell leaves it alone, and write " +
      "? as %3F in a URL. Folders and symlinks matching a glob are skipped (see inet ftp mirror).",
    "Names from the server are checked before they become local names: names with / or \\, " +
      "'..', control characters, drive letters, or listed twice are refused and reported, and the " +
      "other files are still downloaded. A local symlink is never written through. Each file is " +
      "written as NAME.part and renamed when complete; --resume continues a NAME.part left by an " +
      "interrupted run (REST), refusing when the remote file changed meanwhile.",
    "--parallel N downloads N files at once over N connections. Progress: a live display on a " +
      "terminal, one line per file otherwise (on stderr); --quiet prints only errors; --json " +
      "prints a summary object on stdout: files, bytes, seconds, errors [{path, message}], refused " +
      "and downloaded [{remote, local, bytes}].",
    PARTIAL_FAILURE_HELP,
  ].join("\n\n"),
  options: [
    {
      name: "resume",
      short: "c",
      type: "boolean",
      description: "continue NAME.part files from an interrupted run",
    },
    parallelOption,
    ...outputOptions,
    ...ftpConnectOptions,
  ],
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  examples: [
    ["inet ftp get ftp://ftp.example.org/pub/README", "download one file into the current folder"],
    ["inet ftp get 'ftp://ftp.example.org/pub/*.tar.gz' downloads/", "every .tar.gz of /pub into downloads/"],
    ["inet ftp get -P 4 'ftpes://alice@files.example.org/data/*.csv' .", "four at a time, over TLS"],
    ["inet ftp get --resume ftp://ftp.example.org/iso/big.iso", "continue big.iso.part after a cut"],
  ],
  async run(args, context) {
    const { urls, dest } = splitGetArguments(args.positionals);
    const config = await loadCliConfig(context);
    const connect = await connectOptionsFrom(args, config);
    const parallel = parseParallel(args, config);
    const resume = args.values.resume === true;
    for (const url of urls) {
      if (resolveFtpTarget(url).path.endsWith("/")) {
        throw new InvalidArgumentError(
          `${url} names a folder: add a glob (…/*) to download its files, or use inet ftp mirror`,
        );
      }
    }
    const progress = new Progress(context, progressOptions(args));
    const sessions = new Map<string, OpenedFtp>();
    const downloaded: Array<{ remote: string; local: string; bytes: number }> = [];
    try {
      const wanted: Wanted[] = [];
      for (const url of urls) {
        const key = originKey(url);
        let session = sessions.get(key);
        if (session === undefined) {
          session = await openFtp(url, { context, config, ...connect, parallel });
          sessions.set(key, session);
        }
        const path = resolveFtpTarget(url).path;
        try {
          wanted.push(...(await expand(session, path, progress, context.signal)));
        } catch (error) {
          if (error instanceof AbortError || context.signal.aborted) throw error;
          progress.fail(path, error);
        }
      }
      const single = urls.length === 1 && !hasGlob(splitRemotePath(resolveFtpTarget(urls[0]!).path).name);
      const place = wanted.length > 0 ? await destination(dest, single) : {};
      // Two files of one name (from two URLs) would overwrite each other: keep the first.
      const taken = new Set<string>();
      const jobs: Array<{ wanted: Wanted; local: string }> = [];
      for (const item of wanted) {
        const key = collisionKey(item.name, hostIgnoresCase());
        if (place.folder !== undefined && taken.has(key)) {
          progress.fail(
            item.remote,
            `another file named ${item.name} is downloaded too`,
            undefined,
            EXIT.usage,
          );
          continue;
        }
        taken.add(key);
        jobs.push({ wanted: item, local: place.file ?? join(place.folder!, item.name) });
      }
      progress.setTotals(
        jobs.length,
        jobs.reduce((sum, job) => sum + (job.wanted.size ?? 0), 0),
      );
      await forEachParallel(jobs, parallel, async (job, lane) => {
        const { ok, bytes } = await download(job.wanted, job.local, lane, { resume, progress, context });
        if (ok) downloaded.push({ remote: job.wanted.remote, local: job.local, bytes });
      });
    } catch (error) {
      progress.abandon(error);
      throw error;
    } finally {
      for (const session of sessions.values()) await session.close();
    }
    return progress.finish({ downloaded });
  },
};
