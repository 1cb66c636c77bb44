/**
 * The mirror as library calls (no argv, no printing): {@link planMirror} says what would happen,
 * {@link mirrorDown} and {@link mirrorUp} plan and then carry out exactly that plan (a dry run
 * stops after planning). Progress arrives through `onEvent`.
 */
import { performance } from "node:perf_hooks";
import { InvalidArgumentError, ReplyError } from "../../errors.js";
import { MirrorConnections } from "./connections.js";
import { executeMirrorPlan } from "./execute.js";
import { Glob } from "./glob.js";
import { localRootExists, openLocalRoot, readLocalDirectory } from "./local.js";
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
      connections.control((client) => listRemote(client, options.remote, relative, now, signal)),
  };

  let localSide: TreeSide;
  let targetExists = true;
  let targetTop: Awaited<ReturnType<TreeSide["list"]>> | undefined;
  let localBytes: number;
  if (direction === "down") {
    targetExists = await localRootExists(options.local);
    const root = targetExists ? await openLocalRoot(options.local, platform) : undefined;
    localSide = { list: (relative) => readLocalDirectory(root!, relative) };
    localBytes = Buffer.byteLength(root?.path ?? options.local, "utf8");
  } else {
    const root = await openLocalRoot(options.local, hostNamePlatform());
    localSide = { list: (relative) => readLocalDirectory(root, relative) };
    localBytes = Buffer.byteLength(remotePath(options.remote, ""), "utf8");
    try {
      targetTop = await remoteSide.list("");
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
    maxPathBytes: MAX_PATH_BYTES - localBytes - 1 - (direction === "down" ? PART_SUFFIX_BYTES : 0),
    maxNameBytes: MAX_NAME_BYTES - (direction === "down" ? PART_SUFFIX_BYTES : 0),
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
  return assemble(options, platform, !targetExists, rules.compareTimes, walked.parts, walked.errors);
}

/**
 * Mirrors the remote folder `remote` into the local folder `local` (see {@link MirrorOptions}).
 * Unsafe remote names are refused and the rest goes on; files are written to `NAME.part` and
 * renamed when complete; local modification times follow the remote's, so a second run over an
 * unchanged tree transfers nothing.
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
    return {
      plan,
      transferred: { files: 0, bytes: 0 },
      skipped: [...plan.skipped],
      refused: [...plan.refused],
      created: [],
      deleted: [],
      errors: [...plan.errors],
      seconds: (performance.now() - started) / 1000,
    };
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
  if (typeof options.local !== "string" || options.local.length === 0) {
    throw new InvalidArgumentError("a mirror needs a local folder");
  }
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
