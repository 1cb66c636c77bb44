/**
 * A {@link FileStore} held in memory: a tree of folders and files (no symlinks), built from a
 * `{ "path/name": content }` record. Files are kept as the list of chunks they arrived in (never
 * copied into one buffer), and the total size is bounded (`ENOSPC` past it).
 *
 * Uploads are staged and applied on commit, so an aborted upload changes nothing.
 */
import { Readable, Writable } from "node:stream";
import { InvalidArgumentError } from "../../errors.js";
import {
  type FileStore,
  type StoreEntry,
  type StoreStat,
  type StoreUpload,
  storeError,
  type WriteMode,
} from "./store.js";
import { baseName, parentOf, resolveVirtualPath, splitVirtual } from "./virtual-path.js";

/** Default bound on the bytes a memory store holds. */
export const DEFAULT_MEMORY_LIMIT = 256 * 1024 * 1024;
/** Size of the pieces a read stream hands out. */
const READ_CHUNK = 64 * 1024;

interface FileNode {
  kind: "file";
  chunks: Buffer[];
  size: number;
  modifiedAt: Date;
}

interface DirectoryNode {
  kind: "directory";
  children: Map<string, MemoryNode>;
  modifiedAt: Date;
}

type MemoryNode = FileNode | DirectoryNode;

/** The in-memory tree. */
export class MemoryStore implements FileStore {
  private readonly root: DirectoryNode = { kind: "directory", children: new Map(), modifiedAt: new Date() };
  private used = 0;

  /**
   * Builds the tree. Keys are paths relative to the root (`"pub/a.txt"`); a key ending in `/`
   * makes an empty folder (its value is ignored); folders on the way are made as needed.
   * Throws {@link InvalidArgumentError} for a key with `..`, NUL, CR or LF, or one that names
   * both a file and a folder.
   */
  constructor(
    tree: Readonly<Record<string, string | Buffer>> = {},
    readonly limit = DEFAULT_MEMORY_LIMIT,
  ) {
    for (const [key, value] of Object.entries(tree)) {
      if (key.split("/").includes(".."))
        throw new InvalidArgumentError(`tree key ${JSON.stringify(key)} contains ".."`);
      const path = resolveVirtualPath("/", key);
      if (typeof path !== "string")
        throw new InvalidArgumentError(`tree key ${JSON.stringify(key)}: ${path.why}`);
      const parts = splitVirtual(path);
      const isFolder = key.endsWith("/");
      let directory = this.root;
      const folders = isFolder ? parts : parts.slice(0, -1);
      for (const part of folders) {
        let next = directory.children.get(part);
        if (!next) {
          next = { kind: "directory", children: new Map(), modifiedAt: new Date() };
          directory.children.set(part, next);
        }
        if (next.kind !== "directory")
          throw new InvalidArgumentError(`tree key ${JSON.stringify(key)}: ${part} is a file`);
        directory = next;
      }
      if (isFolder || parts.length === 0) continue;
      const name = parts[parts.length - 1]!;
      if (directory.children.get(name)?.kind === "directory") {
        throw new InvalidArgumentError(`tree key ${JSON.stringify(key)} names a folder`);
      }
      const content = typeof value === "string" ? Buffer.from(value, "utf8") : value;
      this.used += content.length;
      directory.children.set(name, {
        kind: "file",
        chunks: [content],
        size: content.length,
        modifiedAt: new Date(),
      });
    }
  }

  async stat(path: string): Promise<StoreStat> {
    return describe(this.find(path));
  }

  async lstat(path: string): Promise<StoreStat> {
    return describe(this.find(path));
  }

  async list(path: string, limit: number): Promise<{ entries: StoreEntry[]; truncated: boolean }> {
    const directory = this.findDirectory(path);
    const entries: StoreEntry[] = [];
    for (const [name, node] of directory.children) {
      if (entries.length >= limit) return { entries, truncated: true };
      entries.push({ name, stat: describe(node) });
    }
    return { entries, truncated: false };
  }

  async openRead(path: string, offset: number): Promise<Readable> {
    const node = this.find(path);
    if (node.kind !== "file") throw storeError("EISDIR", "is a directory", path);
    const chunks = node.chunks;
    return Readable.from(pieces(chunks, offset), { objectMode: false });
  }

  async openWrite(path: string, mode: WriteMode): Promise<StoreUpload> {
    const name = baseName(path);
    if (name === "") throw storeError("EISDIR", "is a directory", path);
    const folder = this.findDirectory(parentOf(path));
    const existing = folder.children.get(name);
    if (existing?.kind === "directory") throw storeError("EISDIR", "is a directory", path);
    if (mode.kind === "create" && existing) throw storeError("EEXIST", "file exists", path);
    if (mode.kind === "offset") {
      if (!existing) throw storeError("ENOENT", "no such file", path);
      if (mode.offset > existing.size) throw storeError("EINVAL", "offset beyond the end of the file", path);
    }
    const staged: Buffer[] = [];
    let stagedSize = 0;
    const stream = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (this.used + stagedSize + chunk.length > this.limit) {
          callback(storeError("ENOSPC", "the memory store is full", path));
          return;
        }
        staged.push(chunk);
        stagedSize += chunk.length;
        callback();
      },
    });
    // Errors reach whoever pipes into the stream; this only keeps an unpiped one from crashing us.
    stream.on("error", () => {});
    if (mode.kind === "create") {
      // Reserve the name now so a second STOU cannot pick it.
      folder.children.set(name, { kind: "file", chunks: [], size: 0, modifiedAt: new Date() });
    }
    let settled = false;
    return {
      stream,
      commit: async () => {
        if (settled) return;
        settled = true;
        const current = folder.children.get(name);
        let chunks: Buffer[] = staged;
        if (current?.kind === "file" && mode.kind === "append") chunks = [...current.chunks, ...staged];
        if (current?.kind === "file" && mode.kind === "offset")
          chunks = [...cut(current.chunks, mode.offset), ...staged];
        const size = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
        if (current?.kind === "directory") throw storeError("EISDIR", "is a directory", path);
        this.used += size - (current?.kind === "file" ? current.size : 0);
        folder.children.set(name, { kind: "file", chunks, size, modifiedAt: new Date() });
        folder.modifiedAt = new Date();
      },
      abort: async () => {
        if (settled) return;
        settled = true;
        stream.destroy();
        if (mode.kind === "create") folder.children.delete(name);
      },
    };
  }

  async remove(path: string): Promise<void> {
    const { folder, name, node } = this.entry(path);
    if (node.kind === "directory") throw storeError("EISDIR", "is a directory", path);
    folder.children.delete(name);
    this.used -= node.size;
    folder.modifiedAt = new Date();
  }

  async makeDirectory(path: string): Promise<void> {
    const name = baseName(path);
    if (name === "") throw storeError("EEXIST", "file exists", path);
    const folder = this.findDirectory(parentOf(path));
    if (folder.children.has(name)) throw storeError("EEXIST", "file exists", path);
    folder.children.set(name, { kind: "directory", children: new Map(), modifiedAt: new Date() });
    folder.modifiedAt = new Date();
  }

  async removeDirectory(path: string): Promise<void> {
    const { folder, name, node } = this.entry(path);
    if (node.kind !== "directory") throw storeError("ENOTDIR", "not a directory", path);
    if (node.children.size > 0) throw storeError("ENOTEMPTY", "directory not empty", path);
    folder.children.delete(name);
    folder.modifiedAt = new Date();
  }

  async rename(from: string, to: string): Promise<void> {
    const source = this.entry(from);
    const name = baseName(to);
    if (name === "") throw storeError("EBUSY", "the root cannot be replaced", to);
    if (source.node.kind === "directory" && (to === from || to.startsWith(`${from}/`))) {
      throw storeError("EINVAL", "cannot move a folder into itself", to);
    }
    const folder = this.findDirectory(parentOf(to));
    const target = folder.children.get(name);
    if (target === source.node) return;
    if (target?.kind === "directory") throw storeError("EISDIR", "is a directory", to);
    if (target && source.node.kind === "directory") throw storeError("ENOTDIR", "not a directory", to);
    if (target) this.used -= target.size;
    source.folder.children.delete(source.name);
    folder.children.set(name, source.node);
    source.folder.modifiedAt = folder.modifiedAt = new Date();
  }

  async setModifiedAt(path: string, date: Date): Promise<void> {
    this.find(path).modifiedAt = date;
  }

  private find(path: string): MemoryNode {
    let node: MemoryNode = this.root;
    for (const part of splitVirtual(path)) {
      if (node.kind !== "directory") throw storeError("ENOTDIR", "not a directory", path);
      const next: MemoryNode | undefined = node.children.get(part);
      if (!next) throw storeError("ENOENT", "no such file or directory", path);
      node = next;
    }
    return node;
  }

  private findDirectory(path: string): DirectoryNode {
    const node = this.find(path);
    if (node.kind !== "directory") throw storeError("ENOTDIR", "not a directory", path);
    return node;
  }

  /** An entry with its folder: the root itself is not one (`EBUSY`: it cannot be removed or moved). */
  private entry(path: string): { folder: DirectoryNode; name: string; node: MemoryNode } {
    const name = baseName(path);
    if (name === "") throw storeError("EBUSY", "the root cannot be changed", path);
    const folder = this.findDirectory(parentOf(path));
    const node = folder.children.get(name);
    if (!node) throw storeError("ENOENT", "no such file or directory", path);
    return { folder, name, node };
  }
}

function describe(node: MemoryNode): StoreStat {
  return node.kind === "directory"
    ? { type: "directory", size: 0, modifiedAt: node.modifiedAt, mode: 0o755 }
    : { type: "file", size: node.size, modifiedAt: node.modifiedAt, mode: 0o644 };
}

/** The stored chunks from `offset` on, in pieces of at most {@link READ_CHUNK} bytes. */
function* pieces(chunks: readonly Buffer[], offset: number): Generator<Buffer> {
  let skip = offset;
  for (const chunk of chunks) {
    if (skip >= chunk.length) {
      skip -= chunk.length;
      continue;
    }
    for (let at = skip; at < chunk.length; at += READ_CHUNK) yield chunk.subarray(at, at + READ_CHUNK);
    skip = 0;
  }
}

/** The first `length` bytes of `chunks`, as chunks (no copy). */
function cut(chunks: readonly Buffer[], length: number): Buffer[] {
  const out: Buffer[] = [];
  let left = length;
  for (const chunk of chunks) {
    if (left <= 0) break;
    out.push(chunk.length <= left ? chunk : chunk.subarray(0, left));
    left -= chunk.length;
  }
  return out;
}
