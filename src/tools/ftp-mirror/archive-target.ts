/**
 * `archive`: carries out a download plan into one ZIP or tar.gz file instead of a folder. Folders
 * become directory entries first (in plan order), then files are downloaded — in parallel when
 * there is a pool — each into a {@link Spool} of its own (memory up to 1 MiB, else a private
 * temporary file beside the archive) and appended whole, one entry at a time, in the order the
 * downloads complete. Each entry gets the remote modification time (MDTM when offered, else the
 * listing's). The archive is renamed into place only when nothing failed, unless `keepPartial`.
 */
import { performance } from "node:perf_hooks";
import { AbortError, abortErrorFrom, ReplyError } from "../../errors.js";
import type { FtpFeatures } from "../../ftp/types.js";
import { temporaryPath } from "../archive/file-sink.js";
import { TarGzWriter } from "../archive/tgz-writer.js";
import { ZipWriter } from "../archive/zip-writer.js";
import { MirrorConnections } from "./connections.js";
import type { ExecuteOptions } from "./execute.js";
import { runLanes, type Transfer } from "./lanes.js";
import { saneTime } from "./plan.js";
import { remotePath } from "./remote.js";
import { Spool } from "./spool.js";
import type { MirrorEvent, MirrorPlan, MirrorResult } from "./types.js";
import { verifyTransfer } from "./verify.js";

/** Files up to this size are held in memory between download and archive. */
const MEMORY_SPOOL_BYTES = 1024 * 1024;

/**
 * Runs a plan made with `archive` (see `MirrorOptions.archive`). Per-file failures are collected
 * in `errors`; the archive is then removed (or, with `keepPartial`, finished with what succeeded).
 *
 * @throws AbortError when `signal` fires (the archive's temporary file is removed unless
 *   `keepPartial`, in which case what was complete is kept).
 */
export async function executeArchivePlan(plan: MirrorPlan, options: ExecuteOptions): Promise<MirrorResult> {
  const target = plan.archive!;
  const started = options.startedAt ?? performance.now();
  const connections = new MirrorConnections(options.client, options.pool);
  const { signal } = options;
  const keepPartial = options.archive?.keepPartial ?? false;
  const emit = (event: MirrorEvent) => options.onEvent?.(event);
  const summary = { format: target.format, path: target.path, written: false, files: 0, directories: 0 };
  const result: MirrorResult = {
    plan,
    transferred: { files: 0, bytes: 0 },
    skipped: [...plan.skipped],
    refused: [...plan.refused],
    created: [],
    deleted: [],
    errors: [...plan.errors],
    archive: summary,
    seconds: 0,
  };
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
  const finish = () => {
    result.seconds = (performance.now() - started) / 1000;
    return result;
  };

  emit({ type: "start", plan });
  for (const refusal of plan.refused) emit({ type: "refuse", ...refusal });
  for (const skip of plan.skipped) emit({ type: "skip", ...skip });
  for (const error of plan.errors) emit({ type: "error", ...error });

  let writer: ZipWriter | TarGzWriter;
  let features: FtpFeatures;
  try {
    checkAbort();
    features = await connections.control((client) => client.features());
    writer =
      target.format === "zip" ? await ZipWriter.open(target.path) : await TarGzWriter.open(target.path);
  } catch (error) {
    fail("", error);
    return finish();
  }
  const spoolBase = temporaryPath(target.path);
  let spools = 0;
  let broken = false;

  // Whether the archive is finished (true) or removed (false) once everything has settled.
  const close = async (keep: boolean): Promise<void> => {
    if (keep && !broken) {
      try {
        await writer.finish();
        summary.written = true;
        return;
      } catch (error) {
        record("", error);
      }
    }
    await writer.abort();
  };

  try {
    const folderTime = new Date();
    for (const action of plan.actions) {
      if (action.kind !== "mkdir") continue;
      checkAbort();
      try {
        await writer.addDirectory(action.path, { modifiedAt: folderTime });
        summary.directories += 1;
        result.created.push(action.path);
        emit({ type: "mkdir", path: action.path });
      } catch (error) {
        broken = true;
        fail(action.path, error);
        break;
      }
    }

    const transfers = plan.actions.filter((action): action is Transfer => action.kind === "transfer");
    await runLanes(transfers, connections.lanes, checkAbort, async (action, slot) => {
      if (broken) {
        result.skipped.push({ path: action.path, reason: "the archive could not be written" });
        return;
      }
      const remote = remotePath(plan.remote, action.path);
      const spool = new Spool(`${spoolBase}.${(spools += 1)}.spool`, options.verify ? 0 : MEMORY_SPOOL_BYTES);
      try {
        emit({ type: "file-start", path: action.path, size: action.size, slot });
        const modifiedAt = await connections.transfer(async (client) => {
          await client.download(remote, spool, {
            signal,
            onProgress: ({ bytes, total }) =>
              emit({ type: "file-progress", path: action.path, bytes, total, slot }),
          });
          await spool.settled();
          let time = action.modifiedAt;
          if (features.has("MDTM")) {
            try {
              time = await client.modifiedAt(remote, { signal });
            } catch (error) {
              if (!(error instanceof ReplyError)) throw error;
            }
          }
          if (options.verify) {
            await verifyTransfer(client, remote, spool.filePath, {
              features,
              expectedSize: action.size,
              signal,
            });
          }
          return saneTime(time, new Date()) ?? new Date();
        });
        try {
          await writer.addFile(action.path, spool.content(), {
            modifiedAt: modifiedAt,
            size: spool.bytes,
          });
        } catch (error) {
          broken ||= !(error instanceof AbortError);
          throw error;
        }
        summary.files += 1;
        result.transferred.files += 1;
        result.transferred.bytes += spool.bytes;
        emit({ type: "file-done", path: action.path, bytes: spool.bytes, slot });
      } catch (error) {
        fail(action.path, error);
      } finally {
        await spool.dispose();
      }
    });
  } catch (error) {
    await close(keepPartial);
    throw error;
  }
  await close(result.errors.length === 0 || keepPartial);
  return finish();
}
