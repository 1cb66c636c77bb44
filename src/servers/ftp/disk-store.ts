/**
 * A {@link FileStore} over a folder on disk, confined to it.
 *
 * Confinement works in two layers. Virtual paths are normalized before they get here, so no
 * component is `..` and the local path is always under the root by construction. Symlinks are the
 * remaining way out: every path is resolved with `realpath` and refused (`EACCES`) when it lands
 * outside the root, and files are opened by their resolved path with `O_NOFOLLOW`, so a link
 * swapped in at the last component is not followed. (A link swapped into a middle component
 * between the check and the open is not caught: this is a loopback test server, not a hardened
 * multi-tenant one.)
 *
 * Uploads in `replace` mode go to a hidden temporary file in the target's folder
 * (`.NAME.XXXXXXXX.upload`, created with `O_EXCL`) and are renamed over the final name only on
 * commit, so a failed upload never leaves a half file under the final name.
 */
import { randomBytes } from "node:crypto";
import { constants, type Dirent, type Stats } from "node:fs";
import {
  lstat,
  mkdir,
  open,
  opendir,
  readlink,
  realpath,
  rename,
  rmdir,
  stat,
  unlink,
  utimes,
} from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { FileStore, StoreEntry, StoreStat, StoreUpload, WriteMode } from "./store.js";
import { errorCode, storeError } from "./store.js";
import { baseName, parentOf, splitVirtual } from "./virtual-path.js";

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW } = constants;
/** Read-stream buffer: large enough that a loopback transfer is not syscall-bound. */
const READ_CHUNK = 256 * 1024;
/** How many entries of a listing are `lstat`ed at once. */
const STAT_BATCH = 64;

/** Serves the folder `root` (see the file comment for the confinement rules). */
export class DiskStore implements FileStore {
  private constructor(private readonly root: string) {}

  /**
   * Opens a store on `root` (resolved to its real path). Rejects with Node's own error when it
   * does not exist, or with `ENOTDIR` when it is not a folder.
   */
  static async open(root: string): Promise<DiskStore> {
    const real = await realpath(resolve(root));
    if (!(await stat(real)).isDirectory()) throw storeError("ENOTDIR", "not a directory", root);
    return new DiskStore(real);
  }

  async stat(path: string): Promise<StoreStat> {
    return convert(await stat(await this.resolveInside(path)));
  }

  async lstat(path: string): Promise<StoreStat> {
    if (path === "/") return this.stat(path);
    const local = join(await this.resolveInside(parentOf(path)), baseName(path));
    const info = await lstat(local);
    return info.isSymbolicLink() ? { ...convert(info), target: await readlink(local) } : convert(info);
  }

  async list(path: string, limit: number): Promise<{ entries: StoreEntry[]; truncated: boolean }> {
    const directory = await this.resolveInside(path);
    const names: Dirent[] = [];
    let truncated = false;
    const handle = await opendir(directory, { bufferSize: 256 });
    try {
      for await (const dirent of handle) {
        if (names.length >= limit) {
          truncated = true;
          break;
        }
        names.push(dirent);
      }
    } finally {
      // Breaking out of the loop closes the handle already; closing twice throws.
      await handle.close().catch(() => {});
    }
    const entries: StoreEntry[] = [];
    for (let index = 0; index < names.length; index += STAT_BATCH) {
      const batch = names.slice(index, index + STAT_BATCH);
      const stats = await Promise.all(
        batch.map(async (dirent) => {
          const local = join(directory, dirent.name);
          try {
            const info = await lstat(local);
            const converted = convert(info);
            if (info.isSymbolicLink()) converted.target = await readlink(local);
            return { name: dirent.name, stat: converted };
          } catch {
            // Removed while we listed: leave it out.
            return undefined;
          }
        }),
      );
      for (const entry of stats) if (entry) entries.push(entry);
    }
    return { entries, truncated };
  }

  async openRead(path: string, offset: number): Promise<Readable> {
    const real = await this.resolveInside(path);
    const handle = await open(real, O_RDONLY | O_NOFOLLOW);
    try {
      const info = await handle.stat();
      if (info.isDirectory()) throw storeError("EISDIR", "is a directory", path);
      if (!info.isFile()) throw storeError("EACCES", "not a regular file", path);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return handle.createReadStream({ start: offset, highWaterMark: READ_CHUNK });
  }

  async openWrite(path: string, mode: WriteMode): Promise<StoreUpload> {
    const name = baseName(path);
    if (name === "") throw storeError("EISDIR", "is a directory", path);
    const folder = await this.resolveInside(parentOf(path));
    if (!(await stat(folder)).isDirectory()) throw storeError("ENOTDIR", "not a directory", path);
    const local = join(folder, name);
    const existing = await lstat(local).catch((error: unknown) => {
      if (errorCode(error) === "ENOENT") return undefined;
      throw error;
    });
    if (existing?.isDirectory()) throw storeError("EISDIR", "is a directory", path);

    switch (mode.kind) {
      case "replace": {
        // The name part is cut so the temporary name stays under NAME_MAX (255 bytes).
        const stem = Buffer.from(name)
          .subarray(0, 200)
          .toString("utf8")
          .replace(/\uFFFD+$/, "");
        const temporary = join(folder, `.${stem}.${randomBytes(4).toString("hex")}.upload`);
        const handle = await open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
        return upload(handle.createWriteStream(), {
          commit: () => rename(temporary, local),
          discard: () => unlink(temporary),
        });
      }
      case "create": {
        const handle = await open(local, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
        return upload(handle.createWriteStream(), { discard: () => unlink(local) });
      }
      case "append": {
        const target = existing ? await this.resolveInside(path) : local;
        const handle = await open(target, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0o644);
        return upload(handle.createWriteStream(), {});
      }
      case "offset": {
        if (!existing) throw storeError("ENOENT", "no such file", path);
        const handle = await open(await this.resolveInside(path), O_WRONLY | O_NOFOLLOW);
        try {
          const { size } = await handle.stat();
          if (mode.offset > size) throw storeError("EINVAL", "offset beyond the end of the file", path);
          await handle.truncate(mode.offset);
        } catch (error) {
          await handle.close();
          throw error;
        }
        return upload(handle.createWriteStream({ start: mode.offset }), {});
      }
    }
  }

  async remove(path: string): Promise<void> {
    await unlink(await this.localOf(path));
  }

  async makeDirectory(path: string): Promise<void> {
    await mkdir(await this.localOf(path), { mode: 0o755 });
  }

  async removeDirectory(path: string): Promise<void> {
    await rmdir(await this.localOf(path));
  }

  async rename(from: string, to: string): Promise<void> {
    await rename(await this.localOf(from), await this.localOf(to));
  }

  async setModifiedAt(path: string, date: Date): Promise<void> {
    const real = await this.resolveInside(path);
    const info = await stat(real);
    await utimes(real, info.atime, date);
  }

  /** The real path of `path`, or `EACCES` when it (through a symlink) lies outside the root. */
  private async resolveInside(path: string): Promise<string> {
    const real = await realpath(join(this.root, ...splitVirtual(path)));
    if (real !== this.root && !real.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep)) {
      throw storeError("EACCES", "outside the served folder", path);
    }
    return real;
  }

  /** The local path of the entry itself (its folder resolved and checked; the name not followed). */
  private async localOf(path: string): Promise<string> {
    const name = baseName(path);
    if (name === "") throw storeError("EBUSY", "the root cannot be changed", path);
    return join(await this.resolveInside(parentOf(path)), name);
  }
}

function convert(info: Stats): StoreStat {
  return {
    type: info.isDirectory() ? "directory" : info.isSymbolicLink() ? "symlink" : "file",
    size: info.isDirectory() ? 0 : info.size,
    modifiedAt: info.mtime,
    mode: info.mode & 0o7777,
  };
}

/** Wraps a write stream (which closes its file handle itself) with commit/abort. */
function upload(
  stream: Writable & { closed?: boolean },
  steps: { commit?: () => Promise<void>; discard?: () => Promise<void> },
): StoreUpload {
  const closed = new Promise<void>((resolve) => {
    if (stream.closed) resolve();
    else stream.once("close", () => resolve());
  });
  // Errors reach whoever pipes into the stream; this only keeps an unpiped one from crashing us.
  stream.on("error", () => {});
  let settled = false;
  return {
    stream,
    async commit() {
      if (settled) return;
      settled = true;
      try {
        await closed;
        await steps.commit?.();
      } catch (error) {
        // The rename failed (a folder took the name meanwhile…): the temporary file must go.
        await steps.discard?.().catch(() => {});
        throw error;
      }
    },
    async abort() {
      if (settled) return;
      settled = true;
      stream.destroy();
      await closed;
      await steps.discard?.().catch(() => {});
    },
  };
}
