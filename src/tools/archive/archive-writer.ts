/**
 * The front both archive writers share, whatever their format: an entry's name and options are
 * checked at the call (so a bad call fails at once, before anything is queued), a name already in
 * the archive is refused, entries are queued one after another ({@link SerialWriter}), and
 * `finish()` writes the format's end, renames the file into place and reports. Each format only
 * says how an entry and the end are written.
 */
import { InvalidArgumentError } from "../../errors.js";
import {
  checkSource,
  type DirectoryEntryOptions,
  type EntryFacts,
  type EntrySource,
  entryFacts,
  type FileEntryOptions,
} from "./entry-options.js";
import type { FileSink } from "./file-sink.js";
import { checkEntryName } from "./names.js";
import { SerialWriter } from "./serial.js";

/** What `finish()` reports. */
export interface ArchiveSummary {
  path: string;
  /** Entries written (files and folders). */
  entries: number;
  /** Size of the archive file. */
  bytes: number;
}

/**
 * Checks a compression level option; `format` names the compressor in the message.
 *
 * @returns the level, 6 when `level` is undefined.
 * @throws InvalidArgumentError unless it is a whole number from 0 to 9.
 */
export function compressionLevel(level: number | undefined, format: "zip" | "gzip"): number {
  const checked = level ?? 6;
  if (!Number.isInteger(checked) || checked < 0 || checked > 9) {
    throw new InvalidArgumentError(`a ${format} compression level is a whole number from 0 to 9`);
  }
  return checked;
}

/**
 * The part of ZipWriter and TarGzWriter that does not depend on the format. Subclasses keep their
 * own public `addFile`/`addDirectory`/`finish` (each format documents its own failure modes) and
 * call {@link queueFile}, {@link queueDirectory} and {@link seal} from them.
 */
export abstract class ArchiveWriter {
  /** The archive's final path. */
  readonly path: string;
  protected readonly sink: FileSink;
  protected readonly serial = new SerialWriter();
  private readonly names = new Set<string>();

  protected constructor(sink: FileSink) {
    this.path = sink.path;
    this.sink = sink;
  }

  /** Entries written or queued so far. */
  get entries(): number {
    return this.names.size;
  }

  /** Writes one file entry; runs queued, after every earlier entry has settled. */
  protected abstract writeFile(path: string, source: EntrySource, facts: EntryFacts): Promise<void>;

  /** Writes one folder entry; `path` comes without its trailing `/`. Runs queued. */
  protected abstract writeDirectory(path: string, facts: EntryFacts): Promise<void>;

  /**
   * Checks and queues a file entry. A failed entry gives its name back, so that the caller may
   * try it again (the format has already cut it off, or the writer is broken).
   *
   * @returns a promise that never throws synchronously: every failure is a rejection.
   */
  protected queueFile(name: string, source: EntrySource, options?: FileEntryOptions): Promise<void> {
    try {
      const path = checkEntryName(name, "file");
      const facts = entryFacts(options, 0o644);
      checkSource(source);
      this.claim(path);
      return this.serial
        .entry(() => this.writeFile(path, source, facts))
        .catch((error: unknown) => {
          this.names.delete(path);
          throw error;
        });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Checks and queues a folder entry (claimed as `name/`). @returns as {@link queueFile}. */
  protected queueDirectory(name: string, options?: DirectoryEntryOptions): Promise<void> {
    try {
      const path = checkEntryName(name, "directory");
      const facts = entryFacts(options, 0o755);
      this.claim(`${path}/`);
      return this.serial.entry(() => this.writeDirectory(path, facts));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Queues the end: `writeEnd` writes the format's closing records and resolves to the number of
   * entries written; then the file is renamed into place. On failure the temporary file is removed.
   */
  protected seal(writeEnd: () => Promise<number>): Promise<ArchiveSummary> {
    return this.serial.close(async () => {
      try {
        const entries = await writeEnd();
        const bytes = this.sink.position;
        await this.sink.finish();
        return { path: this.path, entries, bytes };
      } catch (error) {
        await this.sink.abort();
        throw error;
      }
    });
  }

  /** @throws InvalidArgumentError for a name already in the archive. */
  private claim(path: string): void {
    if (this.names.has(path))
      throw new InvalidArgumentError("the archive already holds an entry of that name");
    this.names.add(path);
  }
}
