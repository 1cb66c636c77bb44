/**
 * Shell commands that move file contents: get, put, mget, mput (globs) and mirror (the library's
 * mirrorDown/mirrorUp). Progress is shown as `progress.ts` does for `inet ftp get`: live on a
 * terminal, one line per file otherwise, nothing with `--quiet`. A failure of one file is
 * reported and the others go on; Ctrl-C (the command's signal) stops the command.
 *
 * Names that come from the server (mget's matches) become local names only when they pass the
 * mirror's name rules; the rest are refused and reported.
 */
import { readdir, stat } from "node:fs/promises";
import { basename, join, posix } from "node:path";
import { AbortError, InvalidArgumentError } from "../../../../errors.js";
import { mirrorDown, mirrorUp } from "../../../../tools/ftp-mirror/mirror.js";
import { hostNamePlatform, unsafeNameReason } from "../../../../tools/ftp-mirror/safe-names.js";
import type { MirrorPlan } from "../../../../tools/ftp-mirror/types.js";
import type { CommandContext } from "../../../command.js";
import { sanitize } from "../../../terminal.js";
import { Progress } from "../progress.js";
import { hasGlob, matchNames, splitPattern, unescapeGlob } from "./globs.js";
import type { ShellSession } from "./session.js";
import { argumentsOf, type ShellCommand } from "./table.js";

/** One planned transfer of a multi-file command. */
interface Job {
  /** What progress lines and errors call it. */
  label: string;
  size?: number | undefined;
  run(progress: Progress): Promise<number>;
}

/** A failure found while planning (no match, a refused name), reported once the display exists. */
type Problem = (progress: Progress) => void;

/**
 * Runs `jobs` one after another with a progress display. A failed job is reported (and counted)
 * and the next one runs; an abort ends them all (rethrown after the display is cleared).
 * `problems` are reported first, and counted as failures too.
 *
 * @returns the exit code the failures give (0 when none).
 */
async function runJobs(
  session: ShellSession,
  context: CommandContext,
  jobs: readonly Job[],
  problems: readonly Problem[] = [],
): Promise<number> {
  const progress = new Progress(context, { quiet: session.quiet });
  for (const problem of problems) problem(progress);
  const known = jobs.every((job) => job.size !== undefined);
  progress.setTotals(jobs.length, known ? jobs.reduce((sum, job) => sum + (job.size ?? 0), 0) : undefined);
  for (const job of jobs) {
    progress.start(job.label, job.size);
    try {
      const bytes = await job.run(progress);
      progress.done(job.label, bytes);
    } catch (error) {
      if (error instanceof AbortError || context.signal.aborted) {
        progress.finish();
        throw error;
      }
      progress.fail(job.label, error, 0);
    }
  }
  return progress.finish();
}

/** Whether a local path is an existing folder (following symlinks, as the user would expect). */
async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}

/** Refuses a name that cannot be written locally as one file name (`..`, control characters…). */
function checkLocalName(name: string): string | undefined {
  return unsafeNameReason(name, { platform: hostNamePlatform() });
}

/** A download job: `remote` (as typed or listed) into the local path `local`. */
function downloadJob(
  session: ShellSession,
  context: CommandContext,
  remote: string,
  local: string,
  options: { size?: number | undefined; resume?: boolean },
): Job {
  return {
    label: remote,
    size: options.size,
    async run(progress) {
      const { client } = session.requireConnection();
      const result = await client.download(remote, local, {
        signal: context.signal,
        resume: options.resume === true,
        onProgress: progress.transferProgress(remote),
      });
      return result.bytes;
    },
  };
}

/** An upload job: the local file `local` to the remote path `remote`. */
function uploadJob(
  session: ShellSession,
  context: CommandContext,
  local: string,
  remote: string,
  size: number,
): Job {
  return {
    label: remote,
    size,
    async run(progress) {
      const { client } = session.requireConnection();
      const result = await client.upload(local, remote, {
        signal: context.signal,
        onProgress: progress.transferProgress(remote),
      });
      return result.bytes;
    },
  };
}

const resumeOption = {
  name: "resume",
  short: "c",
  type: "boolean",
  description: "continue an interrupted download from its .part file",
} as const;

export const get: ShellCommand = {
  name: "get",
  aliases: ["recv"],
  usage: "get [-c] REMOTE [LOCAL]",
  summary: "download a file (LOCAL: a file name or a folder; default: the same name here)",
  options: [resumeOption],
  args: { min: 1, max: 2 },
  argument: argumentsOf("remote", "local", "none"),
  async run({ session, context, values, positionals }) {
    session.requireConnection();
    const remote = positionals[0]!;
    const name = posix.basename(remote);
    let local = positionals[1] === undefined ? undefined : session.localPath(positionals[1]);
    if (local === undefined || (await isFolder(local))) {
      const reason = checkLocalName(name);
      if (reason)
        throw new InvalidArgumentError(`get: cannot name a local file ${JSON.stringify(name)}: ${reason}`);
      local = join(local ?? session.localCwd, name);
    }
    return runJobs(session, context, [
      downloadJob(session, context, remote, local, { resume: values.resume === true }),
    ]);
  },
};

export const put: ShellCommand = {
  name: "put",
  aliases: ["send"],
  usage: "put LOCAL [REMOTE]",
  summary: "upload a file (REMOTE ending in / is a folder; default: the same name here)",
  args: { min: 1, max: 2 },
  argument: argumentsOf("local", "remote", "none"),
  changesRemote: true,
  async run({ session, context, positionals }) {
    session.requireConnection();
    const local = session.localPath(positionals[0]!);
    const info = await stat(local);
    if (!info.isFile()) throw new InvalidArgumentError(`put: ${sanitize(positionals[0]!)} is not a file`);
    const target = positionals[1];
    const remote =
      target === undefined ? basename(local) : target.endsWith("/") ? target + basename(local) : target;
    return runJobs(session, context, [uploadJob(session, context, local, remote, info.size)]);
  },
};

export const mget: ShellCommand = {
  name: "mget",
  usage: "mget [-c] PATTERN...",
  summary: "download the files a pattern matches (*.txt, pub/doc*.pdf) into the local folder",
  options: [resumeOption],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  argument: argumentsOf("remote"),
  async run({ session, context, values, positionals }) {
    session.requireConnection();
    const jobs: Job[] = [];
    const problems: Problem[] = [];
    const resume = values.resume === true;
    for (const pattern of positionals) {
      if (!hasGlob(pattern)) {
        const remote = unescapeGlob(pattern);
        const name = posix.basename(remote);
        const reason = checkLocalName(name);
        if (reason) problems.push((progress) => progress.refuse(name, "", reason));
        else jobs.push(downloadJob(session, context, remote, join(session.localCwd, name), { resume }));
        continue;
      }
      const { folder, base } = splitPattern(pattern);
      const listing = await session.list(folder === "" ? "." : folder, context.signal);
      const sizes = new Map(listing.map((entry) => [entry.name, entry.size]));
      const names = matchNames(
        base,
        listing.map((entry) => ({ name: entry.name, isFile: entry.type === "file" })),
      );
      if (names.length === 0) {
        problems.push((progress) =>
          progress.fail(pattern, new InvalidArgumentError("no remote file matches")),
        );
      }
      for (const name of names) {
        const reason = checkLocalName(name);
        if (reason) {
          problems.push((progress) => progress.refuse(name, folder, reason));
          continue;
        }
        jobs.push(
          downloadJob(session, context, folder + name, join(session.localCwd, name), {
            size: sizes.get(name),
            resume,
          }),
        );
      }
    }
    return runJobs(session, context, jobs, problems);
  },
};

export const mput: ShellCommand = {
  name: "mput",
  usage: "mput PATTERN...",
  summary: "upload the local files a pattern matches (*.py, docs/*.pdf) into the remote folder",
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  argument: argumentsOf("local"),
  changesRemote: true,
  async run({ session, context, positionals }) {
    session.requireConnection();
    const jobs: Job[] = [];
    const problems: Problem[] = [];
    for (const pattern of positionals) {
      const { folder, base } = splitPattern(pattern);
      const localFolder = session.localPath(folder === "" ? "." : folder);
      let names: string[];
      if (hasGlob(base)) {
        const dirents = await readdir(localFolder, { withFileTypes: true });
        const entries = await Promise.all(
          dirents.map(async (entry) => ({
            name: entry.name,
            // A symlink to a file is uploaded as that file (reading through it writes nothing here).
            isFile:
              entry.isFile() ||
              (entry.isSymbolicLink() &&
                (await stat(join(localFolder, entry.name)).catch(() => undefined))?.isFile() === true),
          })),
        );
        names = matchNames(base, entries);
      } else {
        names = [unescapeGlob(base)];
      }
      if (names.length === 0) {
        problems.push((progress) =>
          progress.fail(pattern, new InvalidArgumentError("no local file matches")),
        );
      }
      for (const name of names) {
        const local = join(localFolder, name);
        const info = await stat(local).catch((error: unknown) => error as Error);
        if (info instanceof Error || !info.isFile()) {
          const error = info instanceof Error ? info : new InvalidArgumentError("not a file");
          problems.push((progress) => progress.fail(name, error));
          continue;
        }
        jobs.push(uploadJob(session, context, local, name, info.size));
      }
    }
    return runJobs(session, context, jobs, problems);
  },
};

/** The plan of a dry run, one line per action (names sanitized). */
function planLines(plan: MirrorPlan): string[] {
  const verb = plan.direction === "down" ? "get" : "put";
  const lines: string[] = [];
  if (plan.createTarget)
    lines.push(`mkdir (the target folder) ${plan.direction === "down" ? plan.local : plan.remote}`);
  for (const action of plan.actions) {
    if (action.kind === "mkdir") lines.push(`mkdir ${action.path}`);
    else if (action.kind === "transfer") lines.push(`${verb} ${action.path} (${action.reason})`);
    else lines.push(`delete ${action.path}`);
  }
  lines.push(`${plan.totals.files} to transfer, ${plan.unchanged} unchanged`);
  return lines.map((line) => sanitize(line));
}

export const mirror: ShellCommand = {
  name: "mirror",
  usage: "mirror [-r] [-R|--reverse] [--dry-run] [--delete] [SOURCE [TARGET]]",
  summary:
    "mirror a remote folder here (with -R, a local folder there); TARGET defaults to SOURCE's name, or the working folder",
  options: [
    { name: "recursive", short: "r", type: "boolean", description: "descend into folders" },
    { name: "reverse", short: "R", type: "boolean", description: "upload: SOURCE is local, TARGET remote" },
    { name: "dry-run", type: "boolean", description: "print the plan and change nothing" },
    {
      name: "delete",
      type: "boolean",
      description: "remove what is gone from the source (never after an error)",
    },
  ],
  args: { min: 0, max: 2 },
  argument(index, _previous, options) {
    const reverse = options.includes("-R") || options.includes("--reverse");
    const kinds = reverse ? (["local-dir", "remote-dir"] as const) : (["remote-dir", "local-dir"] as const);
    return kinds[index] ?? "none";
  },
  changesRemote: true,
  async run({ session, context, values, positionals }) {
    const { client } = session.requireConnection();
    const reverse = values.reverse === true;
    const [source, target] = positionals;
    let remote: string;
    let local: string;
    if (!reverse) {
      remote = session.remotePath(source ?? ".");
      const name = posix.basename(remote);
      local = session.localPath(target ?? (source !== undefined && name !== "" ? name : "."));
    } else {
      local = session.localPath(source ?? ".");
      remote = session.remotePath(target ?? (source !== undefined ? basename(local) : "."));
    }
    const progress = new Progress(context, { quiet: session.quiet });
    const options = {
      client,
      remote,
      local,
      recursive: values.recursive === true,
      delete: values.delete === true,
      dryRun: values["dry-run"] === true,
      signal: context.signal,
      onEvent: (event: Parameters<Progress["onMirrorEvent"]>[0]) => progress.onMirrorEvent(event),
    };
    let result: Awaited<ReturnType<typeof mirrorDown>>;
    try {
      result = reverse ? await mirrorUp(options) : await mirrorDown(options);
    } catch (error) {
      progress.finish();
      throw error;
    }
    if (options.dryRun) {
      for (const error of result.errors) progress.fail(error.path, error.error);
      for (const line of planLines(result.plan)) session.out.line(line);
    }
    return progress.finish({ files: result.transferred.files, bytes: result.transferred.bytes });
  },
};
