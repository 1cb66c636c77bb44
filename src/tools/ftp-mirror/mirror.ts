/**
 * The mirror as library calls (no argv, no printing): {@link planMirror} says what would happen,
 * {@link mirrorDown} and {@link mirrorUp} plan and then carry out exactly that plan (a dry run
 * stops after planning). Progress arrives through `onEvent`.
 */
import { resolve, sep } from "node:path";
import { performance } from "node:perf_hooks";
import { InvalidArgumentError, ReplyError } from "../../errors.js";
import type { FtpClient } from "../../ftp/client.js";
import { MirrorConnections } from "./connections.js";
import { executeMirrorPlan } from "./execute.js";
import { Glob } from "./glob.js";
import { type LocalRoot, localRootExists, openLocalRoot, readLocalDirectory } from "./local.js";
import { byPath, type DirectoryPlan, type MirrorFilters, type PlanRules } from "./plan.js";
import { listRemote, remotePath } from "./remote.js";
import { hostIgnoresCase, hostNamePlatform, MAX_NAME_BYTES } from "./safe-names.js";
import type {
  MirrorAction,
  MirrorDirection,
  MirrorError,
  MirrorOptions,
  MirrorPlan,
  MirrorResult,
  MirrorSkip,
} from "./types.js";
import { type TreeSide, walkTrees } from "./walk.js";

/** Longest local path the plan allows, in bytes (PATH_MAX less the terminating NUL). */
const MAX_PATH_BYTES = 4095;
const PART_SUFFIX_BYTES = ".part".length;

/**
 * Lists both sides and decides, without changing anything anywhere: the folders to create, the
 * files to transfer and why, the entries to delete, what is skipped and which names are refused.
 *
 * @throws InvalidArgumentError for bad options or a local top that is not a folder (Node's
 *   `ENOENT` when an upload's local top is missing); the client's error when the source top
 *   cannot be listed; AbortError.
 */
export async function planMirror(
  options: MirrorOptions & { direction: MirrorDirection },
): Promise<MirrorPlan> {
  checkOptions(options);
  const { direction, signal } = options;
  const connections = new MirrorConnections(options.client, options.pool);
  const features = await connections.control((client) => client.features());
  const now = new Date();
  const platform = options.platform ?? (direction === "down" ? hostNamePlatform() : "posix");
  const remoteSide: TreeSide = {
    list: (relative) =>
      connections.list((client) => listRemote(client, options.remote, relative, now, signal)),
  };

  let localSide: TreeSide;
  let targetExists = true;
  let targetTop: Awaited<ReturnType<TreeSide["list"]>> | undefined;
  let localBytes: number;
  let localRoot: LocalRoot | undefined;
  const archive = direction === "down" ? options.archive : undefined;
  if (archive) {
    // The archive starts empty: every selected file goes in.
    targetExists = false;
    localSide = { list: async () => [] };
    localBytes = 0;
  } else if (direction === "down") {
    targetExists = await localRootExists(options.local);
    const root = targetExists ? await openLocalRoot(options.local, platform) : undefined;
    localRoot = root;
    localSide = { list: (relative) => readLocalDirectory(root!, relative) };
    localBytes = Buffer.byteLength(root?.path ?? options.local, "utf8");
  } else {
    const root = await openLocalRoot(options.local, hostNamePlatform());
    localSide = { list: (relative) => readLocalDirectory(root, relative) };
    localBytes = Buffer.byteLength(remotePath(options.remote, ""), "utf8");
    try {
      targetTop = await remoteSide.list("");
      // Some servers (vsftpd) list a missing folder as empty instead of answering 550: an empty
      // top is checked with CWD, and the working directory put back.
      if (targetTop.length === 0) {
        targetExists = await connections.control((client) =>
          remoteFolderExists(client, options.remote, signal),
        );
      }
    } catch (error) {
      // 550 for the top: it does not exist yet, and is created first.
      if (!(error instanceof ReplyError && error.isPermanent)) throw error;
      targetExists = false;
    }
  }

  const rules: PlanRules = {
    recursive: options.recursive ?? false,
    onlyNewer: options.onlyNewer ?? false,
    onlyMissing: options.onlyMissing ?? false,
    delete: options.delete ?? false,
    allowEmptySource: options.allowEmptySource ?? false,
    // Without MFMT an upload's remote time is the upload's own: only sizes say anything.
    compareTimes: direction === "down" || features.has("MFMT"),
    newerThan: options.newerThan,
    platform,
    caseInsensitive: options.caseInsensitive ?? (direction === "down" && hostIgnoresCase()),
    filters: compileFilters(options),
    maxPathBytes:
      MAX_PATH_BYTES - localBytes - 1 - (direction === "down" && !archive ? PART_SUFFIX_BYTES : 0),
    maxNameBytes: MAX_NAME_BYTES - (direction === "down" && !archive ? PART_SUFFIX_BYTES : 0),
  };
  const [source, target] = direction === "down" ? [remoteSide, localSide] : [localSide, remoteSide];
  const walked = await walkTrees(source, target, {
    rules,
    concurrency: connections.listLanes,
    maxDepth: options.maxDepth ?? 64,
    maxEntries: options.maxEntries ?? 1_000_000,
    targetExists,
    targetTop,
    signal,
  });
  const plan = assemble(options, platform, !targetExists, rules.compareTimes, walked.parts, walked.errors);
  if (archive) {
    plan.local = archive.path;
    plan.createTarget = false;
    plan.archive = { format: archive.format, path: archive.path };
  }
  if (options.backupZip !== undefined) {
    plan.backup = { path: options.backupZip, files: await backupFiles(plan, localRoot, options.maxEntries) };
  }
  return plan;
}

/**
 * The local files a run of `plan` would save in its backup zip: targets of `size`/`newer`
 * transfers, deleted files and the regular files inside deleted folders. A folder that cannot be
 * listed is an error of the plan, which then deletes nothing.
 */
async function backupFiles(
  plan: MirrorPlan,
  root: LocalRoot | undefined,
  maxEntries = 1_000_000,
): Promise<string[]> {
  const files: string[] = [];
  const deletes: Extract<MirrorAction, { kind: "delete" }>[] = [];
  for (const action of plan.actions) {
    if (action.kind === "transfer" && action.reason !== "missing") files.push(action.path);
    else if (action.kind === "delete") deletes.push(action);
  }
  const deleted: string[] = [];
  // Loaded only for runs with a backup zip (it brings the zip writer).
  const { filesBelow } = await import("./backup.js");
  try {
    for (const action of deletes) {
      if (action.type === "file") deleted.push(action.path);
      else if (root) deleted.push(...(await filesBelow(root, action.path, maxEntries)));
    }
  } catch (error) {
    plan.errors.push({ path: "", error });
    for (const action of deletes) {
      plan.skipped.push({
        path: action.path,
        reason: "not deleted: a listing failed or was cut short by a limit",
      });
    }
    plan.actions = plan.actions.filter((action) => action.kind !== "delete");
    plan.skipped.sort(byPath);
    return files.sort();
  }
  files.push(...deleted);
  return files.sort();
}

/**
 * Mirrors the remote folder `remote` into the local folder `local` (see {@link MirrorOptions}).
 * Unsafe remote names are refused and the rest goes on; files are written to `NAME.part` and
 * renamed when complete; local modification times follow the remote's, so a second run over an
 * unchanged tree transfers nothing. Sizes and times come from the listing, not from SIZE and MDTM
 * per file: a LIST time rounded to the minute (or the day) is the time the file gets, which is
 * what the next listing shows (see `knownFacts` in execute.ts); with `resume` such a coarse time
 * is asked with MDTM. Downloads are not fsynced: a file a crash cut short differs in size and is
 * fetched again by the next run.
 *
 * Failures of single files are collected in `errors`; the call itself rejects only as
 * {@link planMirror} does, and with AbortError.
 */
export async function mirrorDown(options: MirrorOptions): Promise<MirrorResult> {
  return mirror({ ...options, direction: "down" });
}

/**
 * Mirrors the local folder `local` into the remote folder `remote`. Local symlinks are not
 * followed; modification times are copied with MFMT when the server offers it — without MFMT the
 * comparison is by size only (a remote time is then just the upload's). `resume` does not apply.
 */
export async function mirrorUp(options: MirrorOptions): Promise<MirrorResult> {
  return mirror({ ...options, direction: "up" });
}

async function mirror(options: MirrorOptions & { direction: MirrorDirection }): Promise<MirrorResult> {
  const started = performance.now();
  const plan = await planMirror(options);
  if (options.dryRun) {
    options.onEvent?.({ type: "start", plan });
    for (const refusal of plan.refused) options.onEvent?.({ type: "refuse", ...refusal });
    for (const skip of plan.skipped) options.onEvent?.({ type: "skip", ...skip });
    const result: MirrorResult = {
      plan,
      transferred: { files: 0, bytes: 0 },
      skipped: [...plan.skipped],
      refused: [...plan.refused],
      created: [],
      deleted: [],
      errors: [...plan.errors],
      seconds: (performance.now() - started) / 1000,
    };
    if (plan.archive) result.archive = { ...plan.archive, written: false, files: 0, directories: 0 };
    if (plan.backup) result.backup = { path: plan.backup.path, files: [], written: false };
    return result;
  }
  return executeMirrorPlan(plan, { ...options, startedAt: started });
}

function checkOptions(options: MirrorOptions & { direction: MirrorDirection }): void {
  if (options.direction !== "down" && options.direction !== "up") {
    throw new InvalidArgumentError('a mirror direction is "down" or "up"');
  }
  if (typeof options.remote !== "string" || options.remote.length === 0) {
    throw new InvalidArgumentError("a mirror needs a remote folder");
  }
  if (typeof options.local !== "string" || (options.local.length === 0 && options.archive === undefined)) {
    throw new InvalidArgumentError("a mirror needs a local folder");
  }
  checkArchiveOptions(options);
  if (options.onlyNewer && options.onlyMissing) {
    throw new InvalidArgumentError("onlyNewer and onlyMissing cannot be combined");
  }
  if (options.newerThan !== undefined && !Number.isFinite(options.newerThan.getTime())) {
    throw new InvalidArgumentError("newerThan is not a valid date");
  }
  for (const [name, value] of [
    ["maxDepth", options.maxDepth],
    ["maxEntries", options.maxEntries],
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new InvalidArgumentError(`${name} must be a whole number of 0 or more`);
    }
  }
}

/** @throws InvalidArgumentError for `archive` and `backupZip` where they cannot apply. */
function checkArchiveOptions(options: MirrorOptions & { direction: MirrorDirection }): void {
  const { archive, backupZip } = options;
  if (archive !== undefined) {
    if (options.direction !== "down")
      throw new InvalidArgumentError("an archive can only be the target of a download mirror");
    if (
      typeof archive !== "object" ||
      archive === null ||
      (archive.format !== "zip" && archive.format !== "tgz")
    ) {
      throw new InvalidArgumentError('an archive\'s format is "zip" or "tgz"');
    }
    if (typeof archive.path !== "string" || archive.path.length === 0 || archive.path.includes("\0")) {
      throw new InvalidArgumentError("an archive needs a file path");
    }
    const clash = (
      [
        ["delete", options.delete],
        ["onlyNewer", options.onlyNewer],
        ["onlyMissing", options.onlyMissing],
        ["resume", options.resume],
        ["backupZip", backupZip !== undefined],
      ] as const
    ).find(([, value]) => value);
    if (clash) {
      throw new InvalidArgumentError(
        `${clash[0]} compares with or changes a folder: it does not apply to an archive`,
      );
    }
  }
  if (backupZip !== undefined) {
    if (options.direction !== "down") {
      throw new InvalidArgumentError(
        "backupZip applies to download mirrors only (local files replaced or deleted)",
      );
    }
    if (typeof backupZip !== "string" || backupZip.length === 0 || backupZip.includes("\0")) {
      throw new InvalidArgumentError("backupZip needs a file path");
    }
    const top = resolve(options.local);
    if (resolve(backupZip).startsWith(top.endsWith(sep) ? top : top + sep)) {
      throw new InvalidArgumentError("the backup zip must not lie inside the folder being mirrored");
    }
  }
}

/** @throws InvalidArgumentError for a pattern that is too long. */
function compileFilters(options: MirrorOptions): MirrorFilters {
  const nocase = options.nocase ?? false;
  return {
    include: (options.include ?? []).map((pattern) => new Glob(pattern, { nocase })),
    exclude: (options.exclude ?? []).map((pattern) => {
      const foldersOnly = pattern.length > 1 && pattern.endsWith("/");
      return { glob: new Glob(foldersOnly ? pattern.slice(0, -1) : pattern, { nocase }), foldersOnly };
    }),
  };
}

/** Puts the folders' decisions in one deterministic order, and withholds deletions after errors. */
function assemble(
  options: MirrorOptions & { direction: MirrorDirection },
  platform: MirrorPlan["platform"],
  createTarget: boolean,
  compareTimes: boolean,
  parts: readonly DirectoryPlan[],
  errors: MirrorError[],
): MirrorPlan {
  const of = <K extends MirrorAction["kind"]>(kind: K) =>
    parts
      .flatMap((part) => part.actions)
      .filter((action): action is Extract<MirrorAction, { kind: K }> => action.kind === kind)
      .sort(byPath);
  const skipped: MirrorSkip[] = parts.flatMap((part) => part.skipped);
  let deletes = of("delete");
  if (errors.length > 0) {
    for (const action of deletes) {
      skipped.push({
        path: action.path,
        reason: "not deleted: a listing failed or was cut short by a limit",
      });
    }
    deletes = [];
  }
  const transfers = of("transfer");
  return {
    direction: options.direction,
    remote: options.remote,
    local: options.local,
    platform,
    createTarget,
    actions: [...of("mkdir"), ...transfers, ...deletes],
    unchanged: parts.reduce((sum, part) => sum + part.unchanged, 0),
    skipped: skipped.sort(byPath),
    refused: parts
      .flatMap((part) => part.refused)
      .sort(
        (a, b) =>
          byPath({ path: a.directory }, { path: b.directory }) ||
          (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
      ),
    errors: errors.sort(byPath),
    compareTimes,
    totals: {
      files: transfers.length,
      bytes: transfers.reduce((sum, action) => sum + (action.size ?? 0), 0),
    },
  };
}

/** Whether `path` is a folder the server lets us enter (CWD, then back to where the client was). */
async function remoteFolderExists(client: FtpClient, path: string, signal?: AbortSignal): Promise<boolean> {
  if (path === "" || path === ".") return true;
  const home = await client.pwd({ signal });
  try {
    await client.cd(path, { signal });
  } catch (error) {
    if (error instanceof ReplyError && error.isPermanent) return false;
    throw error;
  }
  await client.cd(home, { signal });
  return true;
}
