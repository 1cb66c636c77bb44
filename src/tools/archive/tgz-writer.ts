/**
 * A streaming tar.gz writer: POSIX ustar headers, with a PAX extended header (pax format) in
 * front of an entry whose name is longer than 100 bytes or not ASCII, whose size passes 8 GiB, or
 * whose time has milliseconds or lies outside the ustar field — then gzip (RFC 1952) through
 * Node's zlib. tar needs each size before the data: a stream given without `size` is first
 * spooled to a temporary file beside the archive, so memory stays bounded either way.
 */
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { stat, unlink } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip, type Gzip } from "node:zlib";
import { InvalidArgumentError } from "../../errors.js";
import { type ArchiveSummary, ArchiveWriter, compressionLevel } from "./archive-writer.js";
import {
  asBuffer,
  chunksOf,
  type DirectoryEntryOptions,
  type EntryFacts,
  type EntrySource,
  type FileEntryOptions,
} from "./entry-options.js";
import { FileSink } from "./file-sink.js";
import {
  BLOCK,
  MAX_OCTAL_11,
  paxRecord,
  paxTime,
  TYPE_DIRECTORY,
  TYPE_FILE,
  TYPE_PAX,
  ustarHeader,
} from "./tar-format.js";

export interface TarGzWriterOptions {
  /** gzip compression level, 0–9 (default 6). */
  level?: number;
}

const ZEROS = Buffer.alloc(BLOCK * 2);

/** An ASCII stand-in for the ustar name field when the real name is in a PAX header. */
function fallbackName(path: string, folder: boolean): string {
  const ascii = path.replace(/[^\x20-\x7e]/g, "_");
  return folder ? `${ascii.slice(0, 99)}/` : ascii.slice(0, 100);
}

export class TarGzWriter extends ArchiveWriter {
  private readonly gzip: Gzip;
  private readonly drained: Promise<void>;
  private count = 0;
  private spools = 0;

  private constructor(sink: FileSink, level: number) {
    super(sink);
    this.gzip = createGzip({ level });
    this.drained = pipeline(this.gzip, async (compressed: AsyncIterable<Buffer>) => {
      for await (const chunk of compressed) await this.sink.write(chunk);
    });
    this.drained.catch((error: unknown) => this.serial.broke(error));
  }

  /**
   * Starts an archive at `path` (written as `PATH.<random>.part`, renamed by {@link finish}).
   *
   * @throws InvalidArgumentError for a bad level; Node's file system error.
   */
  static async open(path: string, options: TarGzWriterOptions = {}): Promise<TarGzWriter> {
    const level = compressionLevel(options.level, "gzip");
    return new TarGzWriter(await FileSink.create(path), level);
  }

  /**
   * Adds a file. Calls made without waiting are written one after another in call order. A stream
   * with a `size` that fails or delivers another number of bytes breaks the writer (gzip cannot
   * be rewound: only {@link abort} remains); one without `size` is spooled first, so its failure
   * only fails this call.
   *
   * @throws InvalidArgumentError for an unsafe or duplicate name, bad options, a finished writer,
   *   a wrong size; AbortError after {@link abort}; Node's file system error.
   */
  addFile(name: string, source: EntrySource, options?: FileEntryOptions): Promise<void> {
    return this.queueFile(name, source, options);
  }

  /** Adds a folder entry (`name/`). @throws as {@link addFile}. */
  addDirectory(name: string, options?: DirectoryEntryOptions): Promise<void> {
    return this.queueDirectory(name, options);
  }

  /**
   * Waits for queued entries, writes the two zero blocks that end a tar, ends gzip and renames the
   * file into place. On failure the temporary file is removed.
   *
   * @throws as {@link addFile}.
   */
  finish(): Promise<ArchiveSummary> {
    return this.seal(async () => {
      await this.push(ZEROS);
      this.gzip.end();
      await this.drained;
      return this.count;
    });
  }

  /** Stops, rejects queued calls with AbortError and removes the temporary file. Never throws. */
  async abort(): Promise<void> {
    if (!(await this.serial.abort())) return;
    this.gzip.destroy();
    await this.drained.catch(() => {});
    await this.sink.abort();
  }

  /** Feeds gzip, waiting when it is full; a failure here breaks the writer. */
  private async push(chunk: Buffer): Promise<void> {
    try {
      if (this.gzip.destroyed) throw new InvalidArgumentError("the archive's compressor is closed");
      if (!this.gzip.write(chunk)) {
        await once(this.gzip, "drain", { signal: this.serial.controller.signal });
      }
    } catch (error) {
      this.serial.broke(error);
      throw error;
    }
  }

  /** The PAX header (when needed) and the ustar header of one entry. */
  private async header(path: string, folder: boolean, facts: EntryFacts, size: number): Promise<void> {
    const fullName = folder ? `${path}/` : path;
    const records: string[] = [];
    let name = fullName;
    if (!/^[\x20-\x7e]*$/.test(fullName) || fullName.length > 100) {
      records.push(paxRecord("path", fullName));
      name = fallbackName(path, folder);
    }
    if (size > MAX_OCTAL_11) records.push(paxRecord("size", String(size)));
    const ms = facts.modifiedAt.getTime();
    const seconds = Math.floor(ms / 1000);
    if (ms % 1000 !== 0 || seconds < 0 || seconds > MAX_OCTAL_11) {
      records.push(paxRecord("mtime", paxTime(facts.modifiedAt)));
    }
    const mtime = Math.min(Math.max(seconds, 0), MAX_OCTAL_11);
    if (records.length > 0) {
      const data = Buffer.from(records.join(""), "utf8");
      const paxName = `PaxHeaders/${fallbackName(path, false)}`.slice(0, 100);
      await this.push(ustarHeader({ name: paxName, mode: 0o644, size: data.length, mtime, type: TYPE_PAX }));
      await this.push(data);
      await this.pad(data.length);
    }
    await this.push(
      ustarHeader({ name, mode: facts.mode, size, mtime, type: folder ? TYPE_DIRECTORY : TYPE_FILE }),
    );
  }

  private async pad(size: number): Promise<void> {
    const rest = size % BLOCK;
    if (rest !== 0) await this.push(ZEROS.subarray(0, BLOCK - rest));
  }

  protected async writeDirectory(path: string, facts: EntryFacts): Promise<void> {
    await this.header(path, true, facts, 0);
    this.count += 1;
  }

  protected async writeFile(path: string, source: EntrySource, facts: EntryFacts): Promise<void> {
    if (source instanceof Uint8Array) {
      const data = asBuffer(source);
      await this.header(path, false, facts, data.length);
      await this.push(data);
      await this.pad(data.length);
    } else if (facts.size === undefined) {
      const spool = `${this.sink.tempPath}.${(this.spools += 1)}.spool`;
      try {
        const signal = this.serial.controller.signal;
        await pipeline(source, chunksOf, createWriteStream(spool, { flags: "wx" }), { signal }).catch(
          (error: unknown) => {
            throw signal.aborted ? signal.reason : error;
          },
        );
        const { size } = await stat(spool);
        await this.streamEntry(path, createReadStream(spool), { ...facts, size });
      } finally {
        await unlink(spool).catch(() => {});
      }
    } else {
      await this.streamEntry(path, source, facts);
    }
    this.count += 1;
  }

  /** Header, then exactly `facts.size` bytes of `source`, then padding. */
  private async streamEntry(path: string, source: Readable, facts: EntryFacts): Promise<void> {
    const size = facts.size!;
    await this.header(path, false, facts, size);
    let written = 0;
    const signal = this.serial.controller.signal;
    const stop = () => source.destroy(signal.reason as Error);
    signal.addEventListener("abort", stop);
    try {
      for await (const chunk of chunksOf(source)) {
        written += chunk.length;
        if (written > size) break;
        await this.push(chunk);
      }
      if (written !== size) {
        throw new InvalidArgumentError(
          `the source delivered ${written > size ? "more" : "fewer"} bytes than the ${size} announced`,
        );
      }
    } catch (error) {
      // The header promised `size` bytes: the archive cannot be made whole again.
      this.serial.broke(error);
      source.destroy();
      throw signal.aborted ? signal.reason : error;
    } finally {
      signal.removeEventListener("abort", stop);
    }
    await this.pad(size);
  }
}
