/**
 * Where an archive writer's bytes go: a temporary file beside the final path
 * (`PATH.<random>.part`, created exclusively), written through a bounded buffer, renamed to the
 * final path by {@link FileSink.finish} and removed by {@link FileSink.abort}. Nobody ever sees a
 * half-written archive under its real name.
 */
import { randomBytes } from "node:crypto";
import { type FileHandle, open, rename, unlink } from "node:fs/promises";
import { InvalidArgumentError } from "../../errors.js";

/** Bytes gathered before one write to the file. */
const FLUSH_BYTES = 256 * 1024;

/** The temporary name used for `path`: same folder, so that the final rename stays on one file system. */
export function temporaryPath(path: string): string {
  return `${path}.${randomBytes(6).toString("hex")}.part`;
}

export class FileSink {
  /** The final path. */
  readonly path: string;
  /** The temporary file written until {@link finish}. */
  readonly tempPath: string;
  private readonly handle: FileHandle;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes already in the file. */
  private flushed = 0;
  private closed = false;

  private constructor(path: string, tempPath: string, handle: FileHandle) {
    this.path = path;
    this.tempPath = tempPath;
    this.handle = handle;
  }

  /**
   * Creates the temporary file for `path` (its folder must exist).
   *
   * @throws InvalidArgumentError for an empty path; Node's file system error (`ENOENT`, `EACCES`…).
   */
  static async create(path: string): Promise<FileSink> {
    if (typeof path !== "string" || path.length === 0 || path.includes("\0")) {
      throw new InvalidArgumentError("an archive needs a file path");
    }
    const tempPath = temporaryPath(path);
    const handle = await open(tempPath, "wx");
    return new FileSink(path, tempPath, handle);
  }

  /** Bytes written so far (buffered ones included): the offset the next byte lands at. */
  get position(): number {
    return this.flushed + this.pendingBytes;
  }

  /** Appends `chunk` (kept by reference until flushed: the caller must not change it afterwards). */
  async write(chunk: Buffer): Promise<void> {
    if (this.closed) throw new InvalidArgumentError("the archive file is already closed");
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  /** Cuts the file back to `position` bytes (to drop an entry whose source failed). */
  async truncate(position: number): Promise<void> {
    await this.flush();
    await this.handle.truncate(position);
    this.flushed = position;
  }

  /** Writes what is buffered, closes the file and renames it to the final path. */
  async finish(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      await this.abort();
      throw error;
    }
    this.closed = true;
    await this.handle.close();
    await rename(this.tempPath, this.path).catch(async (error: unknown) => {
      await unlink(this.tempPath).catch(() => {});
      throw error;
    });
  }

  /** Closes and removes the temporary file (never throws). */
  async abort(): Promise<void> {
    const wasClosed = this.closed;
    this.closed = true;
    this.pending = [];
    this.pendingBytes = 0;
    if (!wasClosed) await this.handle.close().catch(() => {});
    await unlink(this.tempPath).catch(() => {});
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const data =
      this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.handle.write(data, done, data.length - done, this.flushed + done);
      done += bytesWritten;
    }
    this.flushed += data.length;
  }
}
