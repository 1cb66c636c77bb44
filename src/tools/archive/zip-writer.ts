/**
 * A streaming ZIP writer (PKWARE APPNOTE 6.3.x). Each file is deflated as it streams in, with
 * general-purpose bit 3 (CRC and sizes in a data descriptor after the data, so sizes need not be
 * known first), bit 11 (UTF-8 names), an MS-DOS time plus Info-ZIP's extended timestamp (0x5455,
 * UTC seconds), UNIX permission bits in the external attributes, and ZIP64 records wherever a
 * size or offset reaches 4 GiB or the entries number 65 535 or more. Memory stays bounded by one
 * flush buffer plus about 100 bytes (and the name) per entry for the central directory.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createDeflateRaw, deflateRawSync } from "node:zlib";
import { InvalidArgumentError } from "../../errors.js";
import { type ArchiveSummary, ArchiveWriter, compressionLevel } from "./archive-writer.js";
import { crc32 } from "./crc32.js";
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
  centralHeader,
  dataDescriptor,
  dosDateTime,
  endOfCentralDirectory,
  FLAG_DESCRIPTOR,
  FLAG_UTF8,
  localHeader,
  MAX_U16,
  MAX_U32,
  METHOD_DEFLATE,
  METHOD_STORE,
  S_IFDIR,
  S_IFREG,
  timestampExtra,
  VERSION_DEFLATE,
  VERSION_ZIP64,
  zip64End,
  zip64Extra,
} from "./zip-format.js";

/** Buffers up to this size are deflated in one call; larger ones, and streams, stream through zlib. */
const ONE_SHOT_BYTES = 1024 * 1024;

export interface ZipWriterOptions {
  /** zlib compression level, 0–9 (default 6). */
  level?: number;
  /**
   * Sizes and offsets at or above this use ZIP64 fields (default and maximum 0xFFFFFFFF, the
   * format's own limit). Lower values exist so that tests can exercise the ZIP64 records without
   * writing 4 GiB.
   */
  zip64Threshold?: number;
  /** Entry counts at or above this use the ZIP64 end record (default and maximum 0xFFFF). */
  zip64EntryThreshold?: number;
}

// Declared with the shared writer front; re-exported here, where callers have always found it.
export type { ArchiveSummary } from "./archive-writer.js";

interface CentralRecord {
  name: Buffer;
  flags: number;
  method: number;
  dos: { time: number; date: number };
  extra: Buffer;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
  attributes: number;
  zip64Local: boolean;
}

export class ZipWriter extends ArchiveWriter {
  private readonly records: CentralRecord[] = [];
  private readonly level: number;
  private readonly threshold: number;
  private readonly entryThreshold: number;

  private constructor(sink: FileSink, level: number, threshold: number, entryThreshold: number) {
    super(sink);
    this.level = level;
    this.threshold = threshold;
    this.entryThreshold = entryThreshold;
  }

  /**
   * Starts an archive at `path`: bytes go to `PATH.<random>.part` in the same folder until
   * {@link finish} renames it (an existing file at `path` is then replaced).
   *
   * @throws InvalidArgumentError for bad options; Node's file system error when the temporary file
   *   cannot be created.
   */
  static async open(path: string, options: ZipWriterOptions = {}): Promise<ZipWriter> {
    const level = compressionLevel(options.level, "zip");
    const threshold = options.zip64Threshold ?? MAX_U32;
    const entryThreshold = options.zip64EntryThreshold ?? MAX_U16;
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > MAX_U32) {
      throw new InvalidArgumentError("zip64Threshold must be a whole number from 1 to 0xFFFFFFFF");
    }
    if (!Number.isInteger(entryThreshold) || entryThreshold < 1 || entryThreshold > MAX_U16) {
      throw new InvalidArgumentError("zip64EntryThreshold must be a whole number from 1 to 0xFFFF");
    }
    return new ZipWriter(await FileSink.create(path), level, threshold, entryThreshold);
  }

  /**
   * Adds a file named `name` (a relative `/`-separated path) with the bytes of `source`, deflated.
   * Calls made without waiting are written one after another in call order. When `source` fails,
   * the entry is cut off the archive again and the call rejects with the source's error; the
   * writer stays usable.
   *
   * @throws InvalidArgumentError for an unsafe or duplicate name, bad options, a finished writer,
   *   a stream delivering text; AbortError after {@link abort}; Node's error when the file cannot
   *   be written (the writer is then broken: only {@link abort} remains).
   */
  addFile(name: string, source: EntrySource, options?: FileEntryOptions): Promise<void> {
    return this.queueFile(name, source, options);
  }

  /**
   * Adds a folder entry (`name/`, stored, empty). Parents are not added by themselves.
   *
   * @throws as {@link addFile}.
   */
  addDirectory(name: string, options?: DirectoryEntryOptions): Promise<void> {
    return this.queueDirectory(name, options);
  }

  /**
   * Waits for queued entries, writes the central directory and renames the file into place.
   * On failure the temporary file is removed.
   *
   * @throws InvalidArgumentError when already finished; AbortError after {@link abort}; the error
   *   that broke the writer; Node's file system error.
   */
  finish(): Promise<ArchiveSummary> {
    return this.seal(() => this.writeCentralDirectory());
  }

  /**
   * Stops: the entry being written is cut short, queued calls reject with AbortError, and the
   * temporary file is removed. Does nothing after a successful {@link finish}. Never throws.
   */
  async abort(): Promise<void> {
    if (await this.serial.abort()) await this.sink.abort();
  }

  /** Writes to the file; a failure there breaks the writer. */
  private async output(chunk: Buffer): Promise<void> {
    try {
      await this.sink.write(chunk);
    } catch (error) {
      this.serial.broke(error);
      throw error;
    }
  }

  /** The central directory and its end records (ZIP64 ones when needed). @returns the entry count. */
  private async writeCentralDirectory(): Promise<number> {
    const directoryOffset = this.sink.position;
    for (const record of this.records) await this.output(this.centralRecord(record));
    const directorySize = this.sink.position - directoryOffset;
    const count = this.records.length;
    const needs64 =
      count >= this.entryThreshold || directorySize >= this.threshold || directoryOffset >= this.threshold;
    if (needs64) await this.output(zip64End(count, directorySize, directoryOffset));
    await this.output(
      endOfCentralDirectory(
        count >= this.entryThreshold ? MAX_U16 : count,
        directorySize >= this.threshold ? MAX_U32 : directorySize,
        directoryOffset >= this.threshold ? MAX_U32 : directoryOffset,
      ),
    );
    return count;
  }

  /** A folder entry: stored, empty, no data descriptor. */
  protected async writeDirectory(path: string, facts: EntryFacts): Promise<void> {
    const fields = {
      flags: FLAG_UTF8,
      method: METHOD_STORE,
      versionNeeded: VERSION_DEFLATE,
      dos: dosDateTime(facts.modifiedAt),
      crc: 0,
      compressedSize: 0,
      size: 0,
      name: Buffer.from(`${path}/`, "utf8"),
      extra: timestampExtra(facts.modifiedAt),
    };
    const offset = this.sink.position;
    await this.output(localHeader(fields));
    this.records.push({
      ...fields,
      offset,
      attributes: (((S_IFDIR | facts.mode) << 16) | 0x10) >>> 0,
      zip64Local: false,
    });
  }

  protected async writeFile(path: string, source: EntrySource, facts: EntryFacts): Promise<void> {
    const known = source instanceof Uint8Array ? source.length : facts.size;
    // Deflate may grow incompressible data a little: leave room before deciding ZIP64 is not needed.
    const zip64Local = known === undefined || known + (known >>> 7) + 1024 >= this.threshold;
    const name = Buffer.from(path, "utf8");
    const dos = dosDateTime(facts.modifiedAt);
    const timestamp = timestampExtra(facts.modifiedAt);
    const flags = FLAG_DESCRIPTOR | FLAG_UTF8;
    const offset = this.sink.position;
    const localExtra = zip64Local ? Buffer.concat([zip64Extra([0, 0]), timestamp]) : timestamp;
    await this.output(
      localHeader({
        flags,
        method: METHOD_DEFLATE,
        versionNeeded: zip64Local ? VERSION_ZIP64 : VERSION_DEFLATE,
        dos,
        crc: 0,
        // With ZIP64 in the local header its 32-bit sizes say "see the extra field" (4.5.3).
        compressedSize: zip64Local ? MAX_U32 : 0,
        size: zip64Local ? MAX_U32 : 0,
        name,
        extra: localExtra,
      }),
    );
    let crc = 0;
    let size = 0;
    let compressedSize = 0;
    try {
      if (source instanceof Uint8Array && source.length <= ONE_SHOT_BYTES) {
        const data = asBuffer(source);
        crc = crc32(data);
        size = data.length;
        const deflated = deflateRawSync(data, { level: this.level });
        compressedSize = deflated.length;
        await this.output(deflated);
      } else {
        const input = source instanceof Uint8Array ? Readable.from([asBuffer(source)]) : source;
        await pipeline(
          input,
          async function* measure(chunks: AsyncIterable<unknown>) {
            for await (const chunk of chunksOf(chunks)) {
              crc = crc32(chunk, crc);
              size += chunk.length;
              yield chunk;
            }
          },
          createDeflateRaw({ level: this.level }),
          async (deflated: AsyncIterable<Buffer>) => {
            for await (const chunk of deflated) {
              compressedSize += chunk.length;
              await this.output(chunk);
            }
          },
          { signal: this.serial.controller.signal },
        );
      }
      if (facts.size !== undefined && size !== facts.size) {
        throw new InvalidArgumentError(`the source delivered ${size} bytes, not the ${facts.size} announced`);
      }
      await this.output(
        dataDescriptor(crc, compressedSize, size, zip64Local || this.over(size, compressedSize)),
      );
    } catch (error) {
      if (!this.serial.isBroken) {
        // The source failed: cut the partial entry off so that the archive stays whole.
        try {
          await this.sink.truncate(offset);
        } catch (truncateError) {
          this.serial.broke(truncateError);
        }
      }
      throw this.serial.controller.signal.aborted ? this.serial.controller.signal.reason : error;
    }
    this.records.push({
      name,
      flags,
      method: METHOD_DEFLATE,
      dos,
      extra: timestamp,
      crc,
      compressedSize,
      size,
      offset,
      attributes: ((S_IFREG | facts.mode) << 16) >>> 0,
      zip64Local,
    });
  }

  private over(...values: number[]): boolean {
    return values.some((value) => value >= this.threshold);
  }

  /** The central directory header of one entry, with a ZIP64 extra field for what does not fit. */
  private centralRecord(record: CentralRecord): Buffer {
    const wide: number[] = [];
    if (record.size >= this.threshold) wide.push(record.size);
    if (record.compressedSize >= this.threshold) wide.push(record.compressedSize);
    if (record.offset >= this.threshold) wide.push(record.offset);
    const extra = wide.length > 0 ? Buffer.concat([zip64Extra(wide), record.extra]) : record.extra;
    return centralHeader({
      flags: record.flags,
      method: record.method,
      versionNeeded: wide.length > 0 || record.zip64Local ? VERSION_ZIP64 : VERSION_DEFLATE,
      dos: record.dos,
      crc: record.crc,
      compressedSize: record.compressedSize >= this.threshold ? MAX_U32 : record.compressedSize,
      size: record.size >= this.threshold ? MAX_U32 : record.size,
      name: record.name,
      extra,
      externalAttributes: record.attributes,
      localHeaderOffset: record.offset >= this.threshold ? MAX_U32 : record.offset,
    });
  }
}
