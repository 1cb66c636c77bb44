/**
 * The local side of a mirror, confined to its top folder (W2): every path is the top joined with
 * names that pass the name rules again here, directories are read with `lstat` so symlinks are
 * seen and never followed, and after each folder is created (or before one is read, written into
 * or deleted from) its real path must lie inside the top's real path — which also catches a
 * symlink planted in the tree beforehand.
 */
import { constants, lstatSync } from "node:fs";
import { type FileHandle, lstat, mkdir, open, readdir, realpath, rm, unlink } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { InvalidArgumentError } from "../../errors.js";
import type { TreeEntry } from "./plan.js";
import { type NamePlatform, unsafeNameReason } from "./safe-names.js";

/** The local top folder: the path as given (resolved) and its real path. */
export interface LocalRoot {
  path: string;
  real: string;
  platform: NamePlatform;
  /**
   * Folders already found to lie inside the top during this run (created by it, or checked
   * before a first file was written into them): files written into them later skip the
   * `realpath` (one per folder rather than one per file).
   */
  checked?: Set<string>;
}

/** Entries read at once while listing a folder. */
const STAT_BATCH = 64;

/**
 * Opens an existing local top folder.
 *
 * @throws InvalidArgumentError when `path` exists but is not a folder; Node's `ENOENT` when missing.
 */
export async function openLocalRoot(path: string, platform: NamePlatform): Promise<LocalRoot> {
  const absolute = resolve(path);
  const real = await realpath(absolute);
  const info = await lstat(real);
  if (!info.isDirectory()) throw new InvalidArgumentError(`${path} is not a folder`);
  return { path: absolute, real, platform, checked: new Set([absolute]) };
}

/** Whether the local top exists (as anything at all). */
export async function localRootExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/**
 * The local path of `relative` below the top. Each segment is checked again with the name rules.
 *
 * @throws InvalidArgumentError for an unsafe segment.
 */
export function localPath(root: LocalRoot, relative: string): string {
  if (relative === "") return root.path;
  const segments = relative.split("/");
  for (const segment of segments) {
    const reason = unsafeNameReason(segment, { platform: root.platform });
    if (reason !== undefined) throw new InvalidArgumentError(`refusing a local path: a name ${reason}`);
  }
  return join(root.path, ...segments);
}

/**
 * Checks that the real path of the existing `path` is the top or inside it.
 *
 * @throws InvalidArgumentError when it resolves outside (a symlink somewhere on the way).
 */
export async function assertInside(root: LocalRoot, path: string): Promise<void> {
  const real = await realpath(path);
  if (real !== root.real && !real.startsWith(root.real.endsWith(sep) ? root.real : root.real + sep)) {
    throw new InvalidArgumentError("refusing a local path that resolves outside the target folder");
  }
}

/** Reads one folder below the top: names with `lstat` facts (symlinks reported as symlinks). */
export async function readLocalDirectory(root: LocalRoot, relative: string): Promise<TreeEntry[]> {
  const directory = localPath(root, relative);
  const info = await lstat(directory);
  if (!info.isDirectory()) throw new InvalidArgumentError(`refusing to read a local folder that is not one`);
  await assertInside(root, directory);
  const names = await readdir(directory);
  const entries: TreeEntry[] = [];
  for (let start = 0; start < names.length; start += STAT_BATCH) {
    const batch = names.slice(start, start + STAT_BATCH);
    const stats = await Promise.all(
      batch.map((name) =>
        lstat(join(directory, name)).catch((error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT") return undefined; // Gone since readdir.
          throw error;
        }),
      ),
    );
    stats.forEach((stat, index) => {
      if (stat === undefined) return;
      entries.push({
        name: batch[index]!,
        type: stat.isSymbolicLink()
          ? "symlink"
          : stat.isDirectory()
            ? "directory"
            : stat.isFile()
              ? "file"
              : "other",
        size: stat.isFile() ? stat.size : undefined,
        modifiedAt: stat.mtime,
        precision: 1,
      });
    });
  }
  return entries;
}

/**
 * Creates the folder `relative` (its parent must exist) and checks it landed inside the top. An
 * existing folder is accepted; anything else there (a symlink included) is refused.
 */
export async function makeLocalDirectory(root: LocalRoot, relative: string): Promise<void> {
  const path = localPath(root, relative);
  await assertInside(root, join(path, ".."));
  try {
    await mkdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const info = await lstat(path);
    if (!info.isDirectory()) throw new InvalidArgumentError("refusing to use something else than a folder");
  }
  await assertInside(root, path);
  root.checked?.add(path);
}

/**
 * The path a download of `relative` may be written to: its folder lies inside the top (checked
 * once per folder and run, see {@link LocalRoot.checked}), and the name is absent or a regular
 * file (never a symlink, which would be written through). The `lstat` is synchronous: a name
 * lookup costs microseconds, a thread-pool round trip many times that in CPU per file.
 */
export async function prepareLocalFile(root: LocalRoot, relative: string): Promise<string> {
  const path = localPath(root, relative);
  const folder = dirname(path);
  if (!root.checked?.has(folder)) {
    await assertInside(root, folder);
    root.checked?.add(folder);
  }
  const info = lstatSync(path, { throwIfNoEntry: false });
  if (info?.isSymbolicLink()) throw new InvalidArgumentError("refusing to write through a local symlink");
  if (info && !info.isFile())
    throw new InvalidArgumentError("refusing to replace something else than a file");
  return path;
}

/** Sets a local file's times without following a symlink (W8: the caller passes a sane date). */
export async function setLocalTime(path: string, date: Date): Promise<void> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    await handle.utimes(date, date);
  } finally {
    await handle.close();
  }
}

/**
 * Opens a file below the top for reading an upload, refusing a symlink at the last step
 * (O_NOFOLLOW) and anything that is not a regular file. The caller closes the handle.
 */
export async function openLocalSource(
  root: LocalRoot,
  relative: string,
): Promise<{ handle: FileHandle; size: number; modifiedAt: Date }> {
  const path = localPath(root, relative);
  await assertInside(root, join(path, ".."));
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new InvalidArgumentError("refusing to upload something else than a file");
    return { handle, size: info.size, modifiedAt: info.mtime };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Deletes the file or folder `relative` below the top (never the top itself, never a symlink,
 * never something of another type than planned). A folder goes with its contents; symlinks inside
 * it are removed, not followed.
 */
export async function removeLocal(
  root: LocalRoot,
  relative: string,
  type: "file" | "directory",
): Promise<void> {
  if (relative === "") throw new InvalidArgumentError("refusing to delete the target folder itself");
  const path = localPath(root, relative);
  await assertInside(root, join(path, ".."));
  const info = await lstat(path);
  if (info.isSymbolicLink()) throw new InvalidArgumentError("refusing to delete through a symlink");
  if (type === "file") {
    if (!info.isFile()) throw new InvalidArgumentError("refusing to delete: no longer a file");
    await unlink(path);
  } else {
    if (!info.isDirectory()) throw new InvalidArgumentError("refusing to delete: no longer a folder");
    await rm(path, { recursive: true });
  }
}
