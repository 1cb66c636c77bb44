/**
 * The tree the `ftp-mirror` workload serves, and the checks every contender's copy must pass:
 * the same relative paths (nothing missing, nothing extra, no `.part` left) and the same bytes.
 * Only Node built-ins; runs in the harness (setup) and in the contenders' children (checks).
 */
import { randomFillSync } from "node:crypto";
import { lstat, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";

/** Folders the files are spread over, and the size of each file. */
export const FOLDERS = 20;
export const FILE_BYTES = 4096;

/** Writes `files` files of {@link FILE_BYTES} random bytes into {@link FOLDERS} folders below `top`. */
export async function makeTree(top: string, files: number): Promise<void> {
  await mkdir(top, { mode: 0o755 });
  const perFolder = Math.ceil(files / FOLDERS);
  for (let folder = 0; folder < FOLDERS; folder += 1) {
    const dir = join(top, `d${String(folder).padStart(2, "0")}`);
    await mkdir(dir, { mode: 0o755 });
    const count = Math.min(perFolder, files - folder * perFolder);
    const writes: Promise<void>[] = [];
    for (let file = 0; file < count; file += 1) {
      const name = `f${String(file).padStart(4, "0")}.bin`;
      writes.push(
        writeFile(join(dir, name), randomFillSync(Buffer.allocUnsafe(FILE_BYTES)), { mode: 0o644 }),
      );
    }
    await Promise.all(writes);
  }
}

/** Every regular file below `top`, by relative path (`/`-separated); anything else is an error. */
async function filesBelow(top: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(top, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory()) continue;
    if (!entry.isFile()) throw new Error(`not a regular file in the copy: ${relative(top, path)}`);
    files.push(relative(top, path).split("\\").join("/"));
  }
  return files.sort();
}

/**
 * Checks that `copy` holds exactly the files of `source`, byte for byte, and resolves to their
 * count and total size.
 *
 * @throws Error naming the first difference.
 */
export async function compareTrees(source: string, copy: string): Promise<{ files: number; bytes: number }> {
  const [expected, actual] = await Promise.all([filesBelow(source), filesBelow(copy)]);
  const missing = expected.filter((path) => !actual.includes(path));
  const extra = actual.filter((path) => !expected.includes(path));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `the copy differs: ${missing.length} missing (${missing.slice(0, 3).join(", ")}), ` +
        `${extra.length} extra (${extra.slice(0, 3).join(", ")})`,
    );
  }
  let bytes = 0;
  for (let start = 0; start < expected.length; start += 100) {
    await Promise.all(
      expected.slice(start, start + 100).map(async (path) => {
        const [want, got] = await Promise.all([readFile(join(source, path)), readFile(join(copy, path))]);
        if (!want.equals(got)) throw new Error(`the copy of ${path} differs from the served file`);
        bytes += got.length;
      }),
    );
  }
  return { files: expected.length, bytes };
}

/** Identity of every file below `top` (inode, size, mtime): a file rewritten since gets a new one. */
export async function snapshot(top: string): Promise<Map<string, string>> {
  const shot = new Map<string, string>();
  for (const path of await filesBelow(top)) {
    const info = await lstat(join(top, path));
    shot.set(path, `${info.ino}:${info.size}:${info.mtimeMs}`);
  }
  return shot;
}

/** @throws Error when a file of `before` was replaced, changed or removed, or one was added. */
export function assertUntouched(before: Map<string, string>, after: Map<string, string>): void {
  if (before.size !== after.size) throw new Error(`${after.size} files now, ${before.size} before`);
  for (const [path, identity] of before) {
    if (after.get(path) !== identity) throw new Error(`${path} was rewritten by the second run`);
  }
}
