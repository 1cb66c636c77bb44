/**
 * The file store an FTP server serves: a small virtual file system addressed by normalized
 * virtual paths (`/`, `/pub/a.txt`, see `virtual-path.ts`). Two implementations: a folder on disk
 * (`disk-store.ts`) and an in-memory tree (`memory-store.ts`); both keep every operation inside
 * their root.
 *
 * Failures are reported the way Node's `fs` reports them: the promise rejects with an error whose
 * `code` is a POSIX name (`ENOENT`, `EEXIST`, `ENOTDIR`, `EISDIR`, `ENOTEMPTY`, `EACCES`, `ENOSPC`,
 * `EINVAL`). The disk store passes Node's own errors through; the memory store makes the same
 * kind. The session maps those codes to FTP replies (`replies-for-errors` in `session.ts`).
 */
import type { Readable, Writable } from "node:stream";

/** What the store knows about one entry. */
export interface StoreStat {
  type: "file" | "directory" | "symlink";
  /** Bytes (0 for directories). */
  size: number;
  modifiedAt: Date;
  /** Permission bits (`0o644`). */
  mode: number;
  /** For a symlink: what it points to, as stored. */
  target?: string;
}

/** One directory entry. */
export interface StoreEntry {
  name: string;
  stat: StoreStat;
}

/** How an upload lands. */
export type WriteMode =
  /** Into a temporary name, renamed over the final name on commit (STOR). */
  | { kind: "replace" }
  /** Appended to the file, created if missing (APPE). */
  | { kind: "append" }
  /** Written from `offset` on, the file cut there first (REST + STOR). */
  | { kind: "offset"; offset: number }
  /** A new file that must not exist yet (STOU). */
  | { kind: "create" };

/** An upload in progress: write into `stream`, then `commit()` or `abort()` exactly once. */
export interface StoreUpload {
  readonly stream: Writable;
  /** Makes the upload visible under its final name (after `stream` finished). */
  commit(): Promise<void>;
  /** Drops the upload: a `replace` or `create` upload leaves nothing behind. Never rejects. */
  abort(): Promise<void>;
}

/** The virtual file system a server session works on. Paths are normalized virtual paths. */
export interface FileStore {
  /** The entry at `path`, following symlinks that stay inside the root (an escaping one is `EACCES`). */
  stat(path: string): Promise<StoreStat>;
  /** The entry itself (a symlink is reported as one). */
  lstat(path: string): Promise<StoreStat>;
  /** At most `limit` entries of a directory (`.` and `..` excluded), in no particular order. */
  list(path: string, limit: number): Promise<{ entries: StoreEntry[]; truncated: boolean }>;
  /** A stream of the file's bytes from `offset` on. */
  openRead(path: string, offset: number): Promise<Readable>;
  /** Starts an upload (see {@link WriteMode}). */
  openWrite(path: string, mode: WriteMode): Promise<StoreUpload>;
  remove(path: string): Promise<void>;
  makeDirectory(path: string): Promise<void>;
  removeDirectory(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  setModifiedAt(path: string, date: Date): Promise<void>;
}

/**
 * An `fs`-style error with a POSIX `code`, for stores that are not backed by `fs` (the memory
 * store) so the session maps every store the same way.
 */
export function storeError(code: string, message: string, path: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: ${message}, '${path}'`);
  error.code = code;
  error.path = path;
  return error;
}

/** The POSIX code of a store failure, or `undefined` for anything else. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}
