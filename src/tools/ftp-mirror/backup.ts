/**
 * `backupZip`: local files a download mirror replaces or deletes are saved in a ZIP first.
 *
 * Before a file may be replaced or deleted, a snapshot of it is taken — a hard link beside the
 * zip (a copy when the file system refuses links) — so its bytes survive whatever happens next.
 * After the action, the snapshot is added to the zip only when the file really changed (its
 * path no longer names the same inode); otherwise it is dropped. The zip thus holds exactly the
 * files that were lost, even when a transfer fails. It is opened on the first snapshot: no file
 * replaced, no zip.
 */
import { randomBytes } from "node:crypto";
import { constants, createReadStream } from "node:fs";
import { copyFile, link, lstat, unlink } from "node:fs/promises";
import { LimitError } from "../../errors.js";
import { ZipWriter } from "../archive/zip-writer.js";
import { type LocalRoot, prepareLocalFile, readLocalDirectory } from "./local.js";
import { childPath } from "./plan.js";

/** A file's bytes held aside until its fate is known. */
export interface Snapshot {
  relative: string;
  local: string;
  copy: string;
  dev: number;
  ino: number;
  size: number;
  modifiedAt: Date;
  mode: number;
}

export class MirrorBackup {
  readonly path: string;
  /** Files added to the zip, in order. */
  readonly files: string[] = [];
  private writer: Promise<ZipWriter> | undefined;
  private readonly prefix: string;
  private count = 0;

  constructor(path: string) {
    this.path = path;
    this.prefix = `${path}.${randomBytes(6).toString("hex")}`;
  }

  /**
   * Holds aside the regular file at `relative` (absent or not a regular file: undefined, nothing
   * to save). Opens the zip on first use.
   *
   * @throws InvalidArgumentError for a path that leaves the top or names a symlink or another
   *   kind of file (as a download would); Node's file system error when the zip or the snapshot
   *   cannot be made — the caller must then leave the file alone.
   */
  async snapshot(root: LocalRoot, relative: string): Promise<Snapshot | undefined> {
    // Confined like a download's target: a symlink on the way (or at the name) is refused.
    const local = await prepareLocalFile(root, relative);
    const info = await lstat(local).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (!info?.isFile()) return undefined;
    this.writer ??= ZipWriter.open(this.path);
    await this.writer;
    const copy = `${this.prefix}.${(this.count += 1)}.snapshot`;
    try {
      await link(local, copy);
    } catch {
      // Another file system, or one without hard links: a copy does.
      await copyFile(local, copy, constants.COPYFILE_EXCL);
    }
    return {
      relative,
      local,
      copy,
      dev: info.dev,
      ino: info.ino,
      size: info.size,
      modifiedAt: info.mtime,
      mode: info.mode & 0o7777,
    };
  }

  /**
   * Adds the snapshot to the zip when its file was replaced or removed, else drops it.
   *
   * @returns the error when the zip could not take it (the snapshot is then kept on disk beside
   *   the zip as `ZIP.<random>.<n>.snapshot` rather than lost); undefined otherwise.
   */
  async settle(snapshot: Snapshot): Promise<unknown> {
    const now = await lstat(snapshot.local).catch(() => undefined);
    if (now !== undefined && now.dev === snapshot.dev && now.ino === snapshot.ino) {
      await unlink(snapshot.copy).catch(() => {});
      return undefined;
    }
    try {
      const writer = await this.writer!;
      await writer.addFile(snapshot.relative, createReadStream(snapshot.copy), {
        modifiedAt: snapshot.modifiedAt,
        mode: snapshot.mode,
        size: snapshot.size,
      });
      this.files.push(snapshot.relative);
      await unlink(snapshot.copy).catch(() => {});
      return undefined;
    } catch (error) {
      return error;
    }
  }

  /** Finishes the zip when it holds anything, else removes it. @returns whether a zip was written. */
  async close(): Promise<boolean> {
    if (this.writer === undefined) return false;
    const writer = await this.writer.catch(() => undefined);
    if (writer === undefined) return false;
    if (this.files.length === 0) {
      await writer.abort();
      return false;
    }
    try {
      await writer.finish();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    return true;
  }
}

/**
 * The regular files below the local folder `relative` (paths below the top, symlinks not
 * followed), for a folder that is about to be deleted.
 *
 * @throws LimitError past `maxEntries`; what reading a folder throws.
 */
export async function filesBelow(root: LocalRoot, relative: string, maxEntries: number): Promise<string[]> {
  const files: string[] = [];
  const folders = [relative];
  let seen = 0;
  while (folders.length > 0) {
    const folder = folders.shift()!;
    for (const entry of await readLocalDirectory(root, folder)) {
      if ((seen += 1) > maxEntries) throw new LimitError("mirror-entries", maxEntries);
      const path = childPath(folder, entry.name);
      if (entry.type === "file") files.push(path);
      else if (entry.type === "directory") folders.push(path);
    }
  }
  return files.sort();
}
