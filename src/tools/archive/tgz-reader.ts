/**
 * Lists a tar.gz file (ustar, pax extended headers, GNU long names, base-256 numbers) and reads
 * entries back. Archives may come from anyone: headers must carry a right checksum, PAX and
 * long-name headers are bounded, entries are capped, names are checked against `..`, absolute
 * paths and NUL, and symlinks and devices are listed as such, never followed.
 */
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { LimitError } from "../../errors.js";
import {
  type ArchiveEntry,
  type ArchiveReadOptions,
  checkReadName,
  collect,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_READ_BYTES,
  malformed,
} from "./entry.js";
import {
  BLOCK,
  checksumMatches,
  parsePaxRecords,
  parsePaxTime,
  readField,
  readNumber,
  TYPE_GNU_LONG_NAME,
  TYPE_PAX,
  TYPE_PAX_GLOBAL,
} from "./tar-format.js";

/** A tar entry: the common facts plus where its bytes start in the uncompressed stream. */
export interface TarEntry extends ArchiveEntry {
  dataOffset: number;
}

/** Typeflags whose entries carry no data blocks (hard link, symlink, devices, folder, FIFO). */
const NO_DATA = new Set(["1", "2", "3", "4", "5", "6"]);

/** Sequential reads of exact lengths over a stream of chunks. */
class ByteCursor {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly iterator: AsyncIterator<Buffer>;
  /** Bytes consumed so far. */
  position = 0;

  constructor(source: AsyncIterable<Buffer>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Makes `length` bytes available; false at the end of the stream. */
  private async fill(length: number): Promise<boolean> {
    while (this.buffer.length < length) {
      const next = await this.iterator.next();
      if (next.done) return false;
      this.buffer = this.buffer.length === 0 ? next.value : Buffer.concat([this.buffer, next.value]);
    }
    return true;
  }

  /** Exactly `length` bytes, or undefined at a clean end; a partial read is malformed. */
  async read(length: number): Promise<Buffer | undefined> {
    if (!(await this.fill(length))) {
      if (this.buffer.length === 0) return undefined;
      throw malformed("the tar stream ends inside a block");
    }
    const out = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    this.position += length;
    return out;
  }

  /** Up to `length` bytes as they arrive. @throws ProtocolError when the stream ends first. */
  async *take(length: number): AsyncGenerator<Buffer> {
    let left = length;
    while (left > 0) {
      if (this.buffer.length === 0 && !(await this.fill(1)))
        throw malformed("the tar stream ends inside an entry");
      const out = this.buffer.subarray(0, Math.min(left, this.buffer.length));
      this.buffer = this.buffer.subarray(out.length);
      this.position += out.length;
      left -= out.length;
      yield out;
    }
  }

  async skip(length: number): Promise<void> {
    for await (const _ of this.take(length)) {
      // Only the position matters.
    }
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function gunzipped(path: string): Readable {
  const file = createReadStream(path);
  const gunzip = createGunzip();
  file.on("error", (error) => gunzip.destroy(error));
  return file.pipe(gunzip);
}

function wrapZlib(error: unknown): unknown {
  if (error instanceof Error && "code" in error && String(error.code).startsWith("Z_")) {
    return malformed(`the gzip data is corrupt (${error.message})`);
  }
  return error;
}

/**
 * Lists the entries of the tar.gz file at `path` (decompressing it once). An entry's `open()` and
 * `read()` decompress the archive again up to that entry.
 *
 * @throws ProtocolError (`malformed-archive`, `unsafe-entry-name`) for what is not a readable
 *   tar.gz or holds an unsafe name; LimitError past `maxEntries` or `maxHeaderBytes`; Node's file
 *   system error.
 */
export async function readTarGzEntries(path: string, options: ArchiveReadOptions = {}): Promise<TarEntry[]> {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const maxHeader = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const stream = gunzipped(path);
  const cursor = new ByteCursor(stream);
  const entries: TarEntry[] = [];
  let pax = new Map<string, string>();
  let longName: string | undefined;
  const extended = async (size: number): Promise<Buffer> => {
    if (size > maxHeader) throw new LimitError("tar-extended-header", maxHeader);
    const data = await cursor.read(padded(size));
    if (data === undefined) throw malformed("the tar stream ends inside an extended header");
    return data.subarray(0, size);
  };
  try {
    for (;;) {
      const header = await cursor.read(BLOCK);
      if (header === undefined || header.every((byte) => byte === 0)) break;
      if (!checksumMatches(header)) throw malformed("a tar header's checksum is wrong");
      const type = String.fromCharCode(header[156]!);
      const headerSize = readNumber(header, 124, 12);
      if (headerSize === undefined) throw malformed("a tar header's size is not a number");
      if (type === TYPE_PAX || type === TYPE_PAX_GLOBAL) {
        const records = parsePaxRecords(await extended(headerSize));
        if (typeof records === "string") throw malformed(records);
        if (type === TYPE_PAX) pax = records; // global headers carry nothing this reader uses
        continue;
      }
      if (type === TYPE_GNU_LONG_NAME || type === "K") {
        const data = await extended(headerSize);
        if (type === TYPE_GNU_LONG_NAME) longName = readField(data, 0, data.length).toString("utf8");
        continue;
      }
      let name = longName ?? pax.get("path");
      if (name === undefined) {
        const base = readField(header, 0, 100).toString("utf8");
        const ustar = header.toString("ascii", 257, 262) === "ustar";
        const prefix = ustar ? readField(header, 345, 155).toString("utf8") : "";
        name = prefix === "" ? base : `${prefix}/${base}`;
      }
      const paxSize = pax.get("size");
      const size = paxSize !== undefined ? Number(paxSize) : headerSize;
      if (!Number.isSafeInteger(size) || size < 0) throw malformed("a tar entry's size is not a number");
      const paxTimeValue = pax.get("mtime");
      const headerTime = readNumber(header, 136, 12);
      const ms =
        paxTimeValue !== undefined
          ? parsePaxTime(paxTimeValue)
          : headerTime === undefined
            ? undefined
            : headerTime * 1000;
      const mode = readNumber(header, 100, 8);
      pax = new Map();
      longName = undefined;

      const hasData = !NO_DATA.has(type);
      const dataOffset = cursor.position;
      if (hasData) await cursor.skip(padded(size));
      const folder = type === "5" || (name.endsWith("/") && (type === "0" || type === "\0"));
      const trimmed = name.replace(/^(\.\/)+/, "").replace(/\/$/, "");
      if (trimmed === "" || trimmed === ".") continue; // the top folder itself ("./")
      if (entries.length >= maxEntries) throw new LimitError("archive-entries", maxEntries);
      const entry: TarEntry = {
        name: checkReadName(trimmed),
        type: folder
          ? "directory"
          : type === "0" || type === "\0" || type === "7"
            ? "file"
            : type === "2"
              ? "symlink"
              : "other",
        size: hasData && !folder ? size : 0,
        modifiedAt: ms === undefined ? undefined : validDate(new Date(ms)),
        mode: mode === undefined ? undefined : mode & 0o7777,
        dataOffset,
        open: () => Readable.from(entryBytes(path, dataOffset, entry.size)),
        read: async (readOptions = {}) => {
          const maxBytes = readOptions.maxBytes ?? DEFAULT_MAX_READ_BYTES;
          if (entry.size > maxBytes) throw new LimitError("archive-entry", maxBytes);
          return collect(entry.open(), maxBytes);
        },
      };
      entries.push(entry);
    }
    return entries;
  } catch (error) {
    throw wrapZlib(error);
  } finally {
    await cursor.close();
    stream.destroy();
  }
}

function validDate(date: Date): Date | undefined {
  return Number.isFinite(date.getTime()) ? date : undefined;
}

/** `size` bytes from `offset` of the decompressed stream. */
async function* entryBytes(path: string, offset: number, size: number): AsyncGenerator<Buffer> {
  const stream = gunzipped(path);
  const cursor = new ByteCursor(stream);
  try {
    await cursor.skip(offset);
    yield* cursor.take(size);
  } catch (error) {
    throw wrapZlib(error);
  } finally {
    await cursor.close();
    stream.destroy();
  }
}
