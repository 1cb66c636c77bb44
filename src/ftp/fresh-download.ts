/**
 * A download to a path from byte 0 (no resume, no offset): the local side of `downloadTo` when
 * nothing on disk has to be read first. Built for throughput over many small files:
 *
 * - the target is checked before anything is sent (a device or FIFO at the path is written in
 *   place; an existing `PATH.part` must be a regular file), with synchronous lookups: a lookup
 *   in the kernel's name cache costs microseconds, a thread-pool round trip many times that;
 * - the first {@link WRITE_BEHIND_BYTES} received wait in memory, so a small file is received
 *   whole before anything is created or written: the exchange with the server never waits for
 *   the disk, and the local work happens in `finish()`, once the server's final reply is in; a
 *   larger file is streamed to disk from there on;
 * - `finish()` writes a small file with synchronous calls (create, write, time, close, rename:
 *   a few microseconds each) unless an fsync was asked for; everything else is asynchronous.
 *
 * Failure leaves no final file, and removes a `.part` this download created.
 */
import {
  close as closeFd,
  closeSync,
  constants,
  fsync as fsyncFd,
  futimes as futimesFd,
  futimesSync,
  lstatSync,
  open as openFd,
  openSync,
  renameSync,
  type Stats,
  statSync,
  writeSync,
} from "node:fs";
import { rename, rm } from "node:fs/promises";
import { InvalidArgumentError } from "../errors.js";
import { WriteQueue } from "./write-queue.js";

/** How much of a download is kept in memory before the file is opened and written to. */
export const WRITE_BEHIND_BYTES = 256 * 1024;

/** What {@link downloadFresh} needs from the download it serves. */
export interface FreshDownload {
  path: string;
  /** The byte count the server (SIZE) or a listing announced; 0 means no transfer at all. */
  total: number | undefined;
  /** The remote time when known (`null`: unknown, don't ask), else asked with {@link modifiedOf}. */
  knownTime: Date | null | undefined;
  /** fsync the `.part` before the rename. */
  sync: boolean;
  /** MDTM (undefined when the server has none). */
  modifiedOf(): Promise<Date | undefined>;
  /** Runs the transfer (RETR) into `sink` and resolves to the byte count. */
  retrieve(sink: (chunk: Buffer) => Promise<void>): Promise<number>;
}

/** What remains once the server's final reply is in: the local side. */
export interface FreshTail {
  finish(): Promise<{ bytes: number; size?: number | undefined }>;
}

/**
 * Runs `job`'s transfer and resolves, once the final reply is in, to the tail that writes,
 * stamps and renames the file (see the file's comment).
 *
 * @throws InvalidArgumentError when `PATH.part` exists and is not a regular file (before anything
 *   is sent); what the transfer threw; Node's file-system errors (the `.part` is then removed).
 */
export async function downloadFresh(job: FreshDownload): Promise<FreshTail> {
  const part = `${job.path}.part`;
  const device = targetIsDevice(job.path);
  if (!device) checkPart(part);
  const file = new LocalFile(device ? job.path : part, device);
  let remoteTime: Date | undefined;
  let bytes = 0;
  const held: Buffer[] = [];
  let heldBytes = 0;
  let streaming = false;
  try {
    if (job.knownTime !== undefined) remoteTime = job.knownTime ?? undefined;
    else if (!file.device) remoteTime = await job.modifiedOf();
    // An empty file needs no data connection when its size is known.
    if (job.total !== 0) {
      // Not async: the receiver may pass the next chunk before this one is written, so the
      // writes are queued here, in order, before anything is awaited.
      bytes = await job.retrieve((chunk) => {
        if (!streaming && heldBytes + chunk.length <= WRITE_BEHIND_BYTES) {
          held.push(Buffer.from(chunk)); // A copy: the read buffer is reused.
          heldBytes += chunk.length;
          return Promise.resolve();
        }
        if (!streaming) {
          streaming = true;
          // A failure here fails the chunk's own write too (the queue rejects all that follow).
          for (const first of held.splice(0)) file.write(first).catch(() => {});
        }
        return file.write(chunk);
      });
    }
  } catch (error) {
    await file.discard();
    throw error;
  }
  return {
    async finish() {
      try {
        if (!streaming && !file.device && !job.sync) {
          file.writeWholeSync(held, remoteTime);
          renameSync(part, job.path);
        } else {
          for (let chunk = held.shift(); chunk !== undefined; chunk = held.shift()) await file.write(chunk);
          await file.close(job.sync, remoteTime);
          if (!file.device) await rename(part, job.path);
        }
      } catch (error) {
        await file.discard();
        throw error;
      }
      return { bytes, size: job.total };
    },
  };
}

/** Whether `path` is a device or FIFO (`/dev/null`, a pipe): written in place, nothing renamed. */
function targetIsDevice(path: string): boolean {
  const info = lookup(() => statSync(path, { throwIfNoEntry: false }));
  return info !== undefined && !info.isFile() && !info.isDirectory();
}

/** @throws InvalidArgumentError when `part` exists as something else than a regular file. */
function checkPart(part: string): void {
  const existing = lookup(() => lstatSync(part, { throwIfNoEntry: false }));
  if (existing && !existing.isFile())
    throw new InvalidArgumentError(`${part} exists and is not a regular file`);
}

/** A lookup whose failure (other than a missing name) counts as "nothing there". */
function lookup(stat: () => Stats | undefined): Stats | undefined {
  try {
    return stat();
  } catch {
    return undefined;
  }
}

/**
 * Never write through a symlink someone placed at the temporary name; create or truncate. With
 * `O_NONBLOCK`, a FIFO swapped in after the check makes the open fail instead of hang (it has no
 * effect on a regular file).
 */
const PART_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_TRUNC | constants.O_NONBLOCK;

/** The file a download writes, opened on first use; closed at most once. */
class LocalFile {
  private opening: Promise<number> | undefined;
  private closed = false;
  private readonly writes = new WriteQueue(() => this.open());

  constructor(
    readonly path: string,
    readonly device: boolean,
  ) {}

  /** Opens (once) and resolves to the descriptor. */
  private open(): Promise<number> {
    this.opening ??= fdCall<number>((done) =>
      this.device ? openFd(this.path, constants.O_WRONLY, done) : openFd(this.path, PART_FLAGS, 0o644, done),
    );
    return this.opening;
  }

  /** Appends all of `chunk` (queued at once, in call order; see {@link WriteQueue}). */
  write(chunk: Buffer): Promise<void> {
    return this.writes.write(chunk);
  }

  /** fsync (when asked) and stamp a `.part`, then close. */
  async close(sync: boolean, time: Date | undefined): Promise<void> {
    const fd = await this.open();
    if (!this.device) {
      if (sync) await fdCall((done) => fsyncFd(fd, done));
      if (time) await fdCall((done) => futimesFd(fd, time, time, done)).catch(() => {});
    }
    this.closed = true; // Even when close fails, the descriptor is gone: never close it twice.
    await fdCall((done) => closeFd(fd, done));
  }

  /** Creates the `.part`, writes `chunks`, stamps and closes it, all synchronously. */
  writeWholeSync(chunks: readonly Buffer[], time: Date | undefined): void {
    const fd = openSync(this.path, PART_FLAGS, 0o644);
    this.opening = Promise.resolve(fd);
    try {
      for (const chunk of chunks) {
        for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done, chunk.length - done);
      }
      if (time) {
        try {
          futimesSync(fd, time, time);
        } catch {
          // A file system without settable times keeps the download's own.
        }
      }
    } finally {
      this.closed = true;
      closeSync(fd);
    }
  }

  /** After a failure: closes what was opened and removes a `.part` that was created. */
  async discard(): Promise<void> {
    if (this.opening === undefined) return;
    const fd = await this.opening.catch(() => undefined);
    if (fd === undefined) return;
    if (!this.closed) {
      this.closed = true;
      await fdCall((done) => closeFd(fd, done)).catch(() => {});
    }
    if (!this.device) await rm(this.path, { force: true });
  }
}

/** One callback-style call as a promise: lighter than `FileHandle` (no object or finalizer per file). */
function fdCall<T = void>(call: (done: (error: Error | null, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    call((error, value) => (error ? reject(error) : resolve(value as T)));
  });
}
