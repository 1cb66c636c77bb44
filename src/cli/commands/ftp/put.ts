/**
 * `inet ftp put FILE... URL`: upload local files into the URL's folder. Globs in the files'
 * last path part are expanded here (so `'*.py'` works quoted, and the same on every shell).
 */
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { AbortError, InvalidArgumentError, ReplyError } from "../../../errors.js";
import type { FtpClient } from "../../../ftp/client.js";
import { Glob } from "../../../tools/ftp-mirror/glob.js";
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
} from "./common.js";
import { connectOptionsFrom, ftpConnectOptions, type OpenedFtp, openFtp } from "./connect.js";
import { Progress } from "./progress.js";

/** A local file to upload. */
export interface LocalFile {
  path: string;
  size: number;
}

/**
 * Expands the FILE arguments: a path that exists is taken as it is; otherwise a glob in its last
 * part (`*.py`, `doc*.pdf`, `src/[a-c]*.ts`) is matched against that folder — like a shell, `*`
 * and `?` do not match a leading dot unless the pattern starts with one. Folders are reported and
 * skipped; an argument matching nothing is a failure (reported through `fail`).
 *
 * @throws {InvalidArgumentError} for a glob in a folder part (only the last part may hold one).
 */
export async function expandLocalFiles(
  patterns: readonly string[],
  fail: (path: string, message: string) => void,
  note: (text: string) => void,
): Promise<LocalFile[]> {
  const files: LocalFile[] = [];
  const add = async (path: string, explicit: boolean) => {
    const info = await stat(path);
    if (info.isFile()) files.push({ path, size: info.size });
    else if (explicit) fail(path, "not a regular file (upload folders with inet ftp mirror --reverse)");
    else note(`skipped ${path}: not a regular file`);
  };
  for (const pattern of patterns) {
    const exists = await stat(pattern).then(
      () => true,
      () => false,
    );
    const name = basename(pattern);
    if (exists || !hasGlob(name)) {
      try {
        await add(pattern, true);
      } catch (error) {
        fail(pattern, error instanceof Error ? error.message : String(error));
      }
      continue;
    }
    const folder = dirname(pattern);
    if (hasGlob(folder)) {
      throw new InvalidArgumentError(`${pattern}: only the last part of a path may hold a glob`);
    }
    const glob = new Glob(name);
    const names = (await readdir(folder).catch(() => [] as string[]))
      .filter((entry) => (name.startsWith(".") || !entry.startsWith(".")) && glob.match(entry))
      .sort();
    if (names.length === 0) {
      fail(pattern, "no file matches");
      continue;
    }
    for (const entry of names) {
      const path = folder === "." && !pattern.startsWith("./") ? entry : join(folder, entry);
      await add(path, false).catch((error: unknown) =>
        fail(path, error instanceof Error ? error.message : String(error)),
      );
    }
  }
  return files;
}

/** Whether `path` is a remote folder (CWD succeeds). */
async function isRemoteFolder(client: FtpClient, path: string, signal: AbortSignal): Promise<boolean> {
  try {
    await client.cd(path, { signal });
    return true;
  } catch (error) {
    if (error instanceof ReplyError && error.isPermanent) return false;
    throw error;
  }
}

/** How far the remote copy already is, for --resume: its size, or 0 when it is missing. */
async function remoteSize(client: FtpClient, path: string, signal: AbortSignal): Promise<number> {
  try {
    return await client.size(path, { signal });
  } catch (error) {
    if (error instanceof ReplyError && error.isPermanent) return 0;
    throw error;
  }
}

async function upload(
  session: OpenedFtp,
  file: LocalFile,
  remote: string,
  lane: number,
  options: { resume: boolean; progress: Progress; context: CommandContext },
): Promise<{ ok: boolean; bytes: number }> {
  const { progress, context } = options;
  const signal = context.signal;
  const run = async (client: FtpClient) => {
    const offset = options.resume ? await remoteSize(client, remote, signal) : 0;
    if (options.resume && offset === file.size) return { bytes: 0 };
    return client.upload(file.path, remote, {
      ...(offset > 0 && offset < file.size ? { offset } : {}),
      signal,
      onProgress: progress.transferProgress(remote, lane),
    });
  };
  progress.start(remote, file.size, lane);
  try {
    const result = await (session.pool ? session.pool.run(run) : run(session.client));
    progress.done(remote, result.bytes, lane);
    return { ok: true, bytes: result.bytes };
  } catch (error) {
    if (error instanceof AbortError || signal.aborted) throw error;
    progress.fail(remote, error, lane);
    return { ok: false, bytes: 0 };
  }
}

export const putCommand: CommandSpec = {
  name: "put",
  summary: "upload files (local globs, parallel, resume)",
  usage:
    "inet ftp put FILE... URL [--resume] [--parallel N] [--quiet | --json] [--insecure] [--active] [--timeout SECONDS] [--ca FILE]",
  description: [
    "Uploads the FILEs into the folder the URL (or bookmark) names, under their own names. With " +
      "one FILE, a URL that does not name an existing folder names the remote file instead. " +
      "Globs in a FILE's last part are expanded by inet itself — *.py, 'doc*.pdf', data/[0-9]*.csv " +
      "— so they work quoted and on every shell; like a shell's, they do not match names " +
      "starting with a dot unless the pattern does. Folders are skipped (see inet ftp mirror " +
      "--reverse).",
    "--resume continues uploads that were cut: the remote file's size (SIZE) says where, and " +
      "the rest is sent with REST + STOR; a file already complete is left alone. --parallel N " +
      "uploads N files at once over N connections.",
    "Progress: a live display on a terminal, one line per file otherwise (on stderr); --quiet " +
      "prints only errors; --json prints a summary object on stdout: files, bytes, seconds, " +
      "errors [{path, message}] and uploaded [{local, remote, bytes}].",
    PARTIAL_FAILURE_HELP,
  ].join("\n\n"),
  options: [
    {
      name: "resume",
      short: "c",
      type: "boolean",
      description: "continue uploads that were cut (REST + STOR)",
    },
    parallelOption,
    ...outputOptions,
    ...ftpConnectOptions,
  ],
  positionals: { min: 2, max: Number.POSITIVE_INFINITY },
  examples: [
    ["inet ftp put report.pdf ftpes://alice@files.example.org/reports/", "upload one file over TLS"],
    ["inet ftp put '*.py' ftpes://alice@files.example.org/src/", "every .py file of this folder"],
    ["inet ftp put -P 4 'data/*.csv' mysite", "four at a time, to the folder of a bookmark"],
  ],
  async run(args, context) {
    const positionals = args.positionals;
    const url = positionals[positionals.length - 1]!;
    if (url.includes("://")) checkNoQuery(url);
    const config = await loadCliConfig(context);
    const connect = await connectOptionsFrom(args, config);
    const parallel = parseParallel(args, config);
    const progress = new Progress(context, progressOptions(args));
    const files = await expandLocalFiles(
      positionals.slice(0, -1),
      (path, message) => progress.fail(path, message, undefined, EXIT.local),
      (text) => progress.info(text),
    );
    const uploaded: Array<{ local: string; remote: string; bytes: number }> = [];
    if (files.length === 0) return progress.finish({ uploaded });
    let session: OpenedFtp | undefined;
    try {
      session = await openFtp(url, { context, config, ...connect, parallel });
      const opened = session;
      const path = session.path;
      let folder = path;
      let single: string | undefined;
      if (!path.endsWith("/") && !(await isRemoteFolder(session.client, path, context.signal))) {
        if (files.length !== 1) {
          throw new InvalidArgumentError(`${session.url} is not a remote folder (several files go there)`);
        }
        single = path;
        folder = "";
      }
      progress.setTotals(
        files.length,
        files.reduce((sum, file) => sum + file.size, 0),
      );
      await forEachParallel(files, parallel, async (file, lane) => {
        const remote = single ?? joinRemote(folder, basename(file.path));
        const { ok, bytes } = await upload(opened, file, remote, lane, {
          resume: args.values.resume === true,
          progress,
          context,
        });
        if (ok) uploaded.push({ local: file.path, remote, bytes });
      });
    } catch (error) {
      progress.abandon(error);
      throw error;
    } finally {
      await session?.close();
    }
    return progress.finish({ uploaded });
  },
};
