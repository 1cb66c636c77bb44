/**
 * Carries out a {@link MirrorPlan} exactly: the target top and the planned folders first (in
 * order, parents first), then the transfers (up to the pool's size at once), then — only when
 * nothing failed — the deletions. Every local write goes through the confined helpers of
 * `local.ts`; downloads land as `NAME.part` and are renamed by `FtpClient.download` when complete.
 */
import { mkdir, unlink } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { AbortError, abortErrorFrom, ReplyError } from "../../errors.js";
import type { FtpClient } from "../../ftp/client.js";
import type { FtpPool } from "../../ftp/pool.js";
import type { FtpFeatures } from "../../ftp/types.js";
import type { MirrorBackup, Snapshot } from "./backup.js";
import { MirrorConnections } from "./connections.js";
import { runLanes, type Transfer } from "./lanes.js";
import {
  type LocalRoot,
  localPath,
  makeLocalDirectory,
  openLocalRoot,
  openLocalSource,
  prepareLocalFile,
  removeLocal,
} from "./local.js";
import { saneTime } from "./plan.js";
import { remotePath } from "./remote.js";
import { hostNamePlatform } from "./safe-names.js";
import type { MirrorArchiveOptions, MirrorEvent, MirrorPlan, MirrorResult } from "./types.js";
import { verifyTransfer } from "./verify.js";

export interface ExecuteOptions {
  client?: FtpClient | undefined;
  pool?: FtpPool | undefined;
  resume?: boolean | undefined;
  verify?: boolean | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: ((event: MirrorEvent) => void) | undefined;
  /** `performance.now()` when the run began (planning included); default: now. */
  startedAt?: number | undefined;
  /** For a plan made with `archive`: whether to keep what succeeded after a failure. */
  archive?: Pick<MirrorArchiveOptions, "keepPartial"> | undefined;
  /** Bound on the files listed below a folder about to be deleted, for `backupZip` (default 1 000 000). */
  maxEntries?: number | undefined;
}

/**
 * Runs `plan` (from {@link planMirror}) and reports what happened. Per-file failures are collected
 * in `errors` and the rest goes on; once anything has failed, no deletion is made (each planned
 * one is reported as skipped). A plan with `archive` is written into that archive instead
 * (see `MirrorOptions.archive`); with `backup`, every local file replaced or deleted is saved in
 * that zip first (see `MirrorOptions.backupZip`).
 *
 * @throws AbortError when `signal` fires (what was done stays done; no `.part` is presented as
 *   complete); InvalidArgumentError without a client or pool.
 */
export async function executeMirrorPlan(plan: MirrorPlan, options: ExecuteOptions): Promise<MirrorResult> {
  // The archive and backup writers (and zlib) load only for runs that use them.
  if (plan.archive) return (await import("./archive-target.js")).executeArchivePlan(plan, options);
  const started = options.startedAt ?? performance.now();
  const connections = new MirrorConnections(options.client, options.pool);
  const { signal } = options;
  const emit = (event: MirrorEvent) => options.onEvent?.(event);
  const result: MirrorResult = {
    plan,
    transferred: { files: 0, bytes: 0 },
    skipped: [...plan.skipped],
    refused: [...plan.refused],
    created: [],
    deleted: [],
    errors: [...plan.errors],
    seconds: 0,
  };
  if (plan.backup) result.backup = { path: plan.backup.path, files: [], written: false };
  const record = (path: string, error: unknown) => {
    result.errors.push({ path, error });
    emit({ type: "error", path, error });
  };
  const fail = (path: string, error: unknown) => {
    if (error instanceof AbortError || signal?.aborted) throw signal ? abortErrorFrom(signal) : error;
    record(path, error);
  };
  const checkAbort = () => {
    if (signal?.aborted) throw abortErrorFrom(signal);
  };

  emit({ type: "start", plan });
  for (const refusal of plan.refused) emit({ type: "refuse", ...refusal });
  for (const skip of plan.skipped) emit({ type: "skip", ...skip });
  for (const error of plan.errors) emit({ type: "error", ...error });

  const features = await connections.control((client) => client.features());
  const down = plan.direction === "down";
  const maxEntries = options.maxEntries ?? 1_000_000;
  let root: LocalRoot;
  try {
    if (down && plan.createTarget) await mkdir(plan.local, { recursive: true });
    root = await openLocalRoot(plan.local, down ? plan.platform : hostNamePlatform());
    if (!down && plan.createTarget) {
      await connections.control((client) =>
        client.mkdir(remotePath(plan.remote, ""), { recursive: true, signal }),
      );
    }
  } catch (error) {
    fail("", error);
    return finish(result, started);
  }

  const backupCode = down && plan.backup ? await import("./backup.js") : undefined;
  const backup: MirrorBackup | undefined =
    backupCode && plan.backup ? new backupCode.MirrorBackup(plan.backup.path) : undefined;
  try {
    await carryOut(root);
  } finally {
    if (backup) {
      let written = false;
      try {
        written = await backup.close();
      } catch (error) {
        record("", error);
      }
      result.backup = { path: backup.path, files: backup.files, written };
    }
  }
  return finish(result, started);

  /** Settles snapshots; a zip that cannot take one is an error of that file (its snapshot is kept). */
  async function settle(snapshots: readonly Snapshot[]): Promise<void> {
    for (const snapshot of snapshots) {
      const error = await backup!.settle(snapshot);
      if (error !== undefined) record(snapshot.relative, error);
    }
  }

  async function carryOut(root: LocalRoot): Promise<void> {
    // Folders, in order; what lies below one that could not be made is skipped.
    const failed: string[] = [];
    const below = (path: string) => failed.some((folder) => path.startsWith(`${folder}/`));
    for (const action of plan.actions) {
      if (action.kind !== "mkdir") continue;
      checkAbort();
      if (below(action.path)) {
        failed.push(action.path);
        result.skipped.push({ path: action.path, reason: "its parent folder could not be created" });
        continue;
      }
      try {
        if (down) await makeLocalDirectory(root, action.path);
        else
          await connections.control((client) =>
            client.mkdir(remotePath(plan.remote, action.path), { signal }),
          );
        result.created.push(action.path);
        emit({ type: "mkdir", path: action.path });
      } catch (error) {
        failed.push(action.path);
        fail(action.path, error);
      }
    }

    const transfers = plan.actions.filter((action): action is Transfer => action.kind === "transfer");
    await runLanes(transfers, connections.lanes, checkAbort, async (action, slot) => {
      if (below(action.path)) {
        result.skipped.push({ path: action.path, reason: "its folder could not be created" });
        return;
      }
      const context = { plan, root, features, connections, options, emit, slot };
      let snapshot: Snapshot | undefined;
      try {
        if (backup) snapshot = await backup.snapshot(root, action.path);
        const bytes = down ? await download(context, action) : await upload(context, action);
        result.transferred.files += 1;
        result.transferred.bytes += bytes;
        emit({ type: "file-done", path: action.path, bytes, slot });
      } catch (error) {
        fail(action.path, error);
      } finally {
        if (snapshot) await settle([snapshot]);
      }
    });

    const deletes = plan.actions.filter((action) => action.kind === "delete");
    for (const [index, action] of deletes.entries()) {
      checkAbort();
      if (result.errors.length > 0) {
        for (const left of deletes.slice(index)) {
          result.skipped.push({
            path: left.path,
            reason: "not deleted: an error occurred during the mirror",
          });
        }
        break;
      }
      const snapshots: Snapshot[] = [];
      try {
        if (down && backup) {
          const files =
            action.type === "file"
              ? [action.path]
              : await backupCode!.filesBelow(root, action.path, maxEntries);
          for (const file of files) {
            const snapshot = await backup.snapshot(root, file);
            if (snapshot) snapshots.push(snapshot);
          }
        }
        if (down) await removeLocal(root, action.path, action.type);
        else {
          const remote = remotePath(plan.remote, action.path);
          await connections.control((client) =>
            action.type === "file"
              ? client.remove(remote, { signal })
              : client.rmdir(remote, { recursive: true, signal }),
          );
        }
        result.deleted.push(action.path);
        emit({ type: "delete", path: action.path });
      } catch (error) {
        fail(action.path, error);
      } finally {
        await settle(snapshots);
      }
    }
  }
}

interface TransferContext {
  plan: MirrorPlan;
  root: LocalRoot;
  features: FtpFeatures;
  connections: MirrorConnections;
  options: ExecuteOptions;
  emit: (event: MirrorEvent) => void;
  slot: number;
}

/** One download: confined path, `.part` + rename by the client, the remote time kept, verified. */
async function download(context: TransferContext, action: Transfer): Promise<number> {
  const { plan, root, features, options, emit, slot } = context;
  const remote = remotePath(plan.remote, action.path);
  const file = await prepareLocalFile(root, action.path);
  emit({ type: "file-start", path: action.path, size: action.size, slot });
  return context.connections.transfer(async (client) => {
    const { bytes } = await client.download(remote, file, {
      known: knownFacts(action, features, options.resume === true),
      // The next run compares sizes, so a file a crash cut short is fetched again: no fsync.
      sync: false,
      resume: options.resume ?? false,
      signal: options.signal,
      onProgress: ({ bytes, total }) =>
        emit({ type: "file-progress", path: action.path, bytes, total, slot }),
    });
    if (options.verify) {
      try {
        await verifyTransfer(client, remote, file, {
          features,
          expectedSize: action.size,
          signal: options.signal,
        });
      } catch (error) {
        await unlink(file).catch(() => {}); // Never leave a file that failed its check as if complete.
        throw error;
      }
    }
    return bytes;
  });
}

/**
 * What the listing already said about a file, passed to `download` so it asks neither SIZE nor
 * MDTM. The size always (the listing's byte count is what the download must reach). The time:
 * the listed one whenever it is known, even a LIST time rounded to the minute or the day — the
 * file is stamped with exactly what the next run's listing will show, so the planner's
 * comparison (within the coarser precision) finds it unchanged, and a change in a later minute
 * shows as newer; an exact MDTM time would be up to 59 s after the listed minute and could hide
 * such a change, and would be hours off on servers that list in local time. Two exceptions ask
 * MDTM: a time the listing did not give, and — with `resume` — a time coarser than a second,
 * because a resumed `.part` is only appended to when its time matches the remote's to the
 * second (a rewrite within the same listed minute must not be taken for the same file).
 */
export function knownFacts(
  action: Transfer,
  features: FtpFeatures,
  resume: boolean,
): { size?: number; modifiedAt?: Date | null } {
  const known: { size?: number; modifiedAt?: Date | null } = {};
  if (action.size !== undefined) known.size = action.size;
  const exact = (action.precision ?? Number.POSITIVE_INFINITY) <= 1000;
  const ask = features.has("MDTM") && (action.modifiedAt === undefined || (resume && !exact));
  if (!ask) known.modifiedAt = action.modifiedAt ?? null;
  return known;
}

/** One upload: read without following symlinks, the local time copied with MFMT when offered, verified. */
async function upload(context: TransferContext, action: Transfer): Promise<number> {
  const { plan, root, features, options, emit, slot } = context;
  const remote = remotePath(plan.remote, action.path);
  const source = await openLocalSource(root, action.path);
  try {
    emit({ type: "file-start", path: action.path, size: source.size, slot });
    return await context.connections.transfer(async (client) => {
      const { bytes } = await client.upload(
        source.handle.createReadStream({ autoClose: false, start: 0 }),
        remote,
        {
          signal: options.signal,
          onProgress: ({ bytes }) =>
            emit({ type: "file-progress", path: action.path, bytes, total: source.size, slot }),
        },
      );
      const time = saneTime(source.modifiedAt, new Date());
      if (features.has("MFMT") && time) {
        try {
          await client.setModifiedAt(remote, time, { signal: options.signal });
        } catch (error) {
          // A server that refuses MFMT for one file keeps the upload time: later runs see it as newer.
          if (!(error instanceof ReplyError)) throw error;
        }
      }
      if (options.verify) {
        await verifyTransfer(client, remote, localPath(root, action.path), {
          features,
          expectedSize: source.size,
          signal: options.signal,
        });
      }
      return bytes;
    });
  } finally {
    await source.handle.close();
  }
}

function finish(result: MirrorResult, started: number): MirrorResult {
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
