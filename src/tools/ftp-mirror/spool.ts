/**
 * Where an archive mirror downloads one file before appending it to the archive: memory up to a
 * bound, then a private temporary file beside the archive. Transfers may run in parallel while
 * the archive takes whole entries one at a time; each lane holds at most one spool, so memory
 * stays below lanes × `memoryLimit`.
 */
import { createReadStream } from "node:fs";
import { type FileHandle, open, unlink } from "node:fs/promises";
import type { Readable } from "node:stream";
import { Writable } from "node:stream";
import { finished } from "node:stream/promises";

export class Spool extends Writable {
  private readonly path: string;
  private readonly memoryLimit: number;
  private chunks: Buffer[] = [];
  private handle: FileHandle | undefined;
  private opened = false;
  /** Bytes received. */
  bytes = 0;

  /** `path` is used only when more than `memoryLimit` bytes arrive (0: always a file). */
  constructor(path: string, memoryLimit: number) {
    super();
    this.path = path;
    this.memoryLimit = memoryLimit;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.take(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.close().then(() => callback(), callback);
  }

  private async close(): Promise<void> {
    if (!this.opened && this.memoryLimit === 0) {
      // Always a file when asked (an empty download included).
      this.opened = true;
      this.handle = await open(this.path, "wx", 0o600);
    }
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private async take(chunk: Buffer): Promise<void> {
    this.bytes += chunk.length;
    if (!this.opened && this.bytes <= this.memoryLimit) {
      // The client may reuse its read buffers once a write completes: keep a copy.
      this.chunks.push(Buffer.from(chunk));
      return;
    }
    if (!this.opened) {
      this.opened = true;
      this.handle = await open(this.path, "wx", 0o600);
      for (const held of this.chunks) await this.writeAll(held);
      this.chunks = [];
    }
    await this.writeAll(chunk);
  }

  private async writeAll(data: Buffer): Promise<void> {
    for (let done = 0; done < data.length; ) {
      done += (await this.handle!.write(data, done, data.length - done)).bytesWritten;
    }
  }

  /** Resolves once everything written has landed (the client ends the stream but does not wait for it). */
  async settled(): Promise<void> {
    await finished(this);
  }

  /** Whether the bytes went to the file (`path`) rather than memory. */
  get onDisk(): boolean {
    return this.opened;
  }

  /** The file's path, for checks that need one (only when {@link onDisk}). */
  get filePath(): string {
    return this.path;
  }

  /** The content: one Buffer when in memory, else a stream of the file. */
  content(): Buffer | Readable {
    return this.opened ? createReadStream(this.path) : Buffer.concat(this.chunks, this.bytes);
  }

  /** Forgets the content and removes the file (never throws). */
  async dispose(): Promise<void> {
    this.chunks = [];
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => {});
    if (this.opened) await unlink(this.path).catch(() => {});
  }
}
