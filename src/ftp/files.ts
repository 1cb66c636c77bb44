/**
 * Downloads and uploads: the file-level rules on top of one transfer.
 *
 * A download to a path goes to `PATH.part` and is renamed to `PATH` only when complete: the data
 * connection ended, the final 2xx arrived, and the byte count equals SIZE when the server gave
 * one. The `.part` file's modification time is set to the remote file's, so a later resume can
 * tell whether the remote changed meanwhile. Resuming uses REST (RFC 3659 §5) and is refused
 * clearly when the server will not restart or the remote file changed.
 */
import { once } from "node:events";
import { constants, createReadStream } from "node:fs";
import { lstat, open, rename, rm, stat, utimes } from "node:fs/promises";
import type { Readable } from "node:stream";
import { InvalidArgumentError, ProtocolError, ReplyError } from "../errors.js";
import { CrlfToLf, LfToCrlf } from "./ascii.js";
import type { FtpControl } from "./control.js";
import type { DataConnector } from "./data.js";
import { downloadFresh } from "./fresh-download.js";
import { receiveInto, send, type TransferProgress } from "./transfer.js";
import type { TransferType } from "./types.js";
import { WriteQueue } from "./write-queue.js";

export interface DownloadOptions {
  /** Start at this byte of the remote file (REST). For a path destination, prefer `resume`. */
  offset?: number;
  /** Continue an earlier, interrupted download to the same path from its `.part` file. */
  resume?: boolean;
  /** `binary` (default) or `ascii` (CRLF on the wire becomes LF). */
  type?: TransferType;
  signal?: AbortSignal;
  onProgress?: (progress: TransferProgress) => void;
  /** End a `Writable` destination when done (default true). */
  end?: boolean;
  /**
   * What the caller already knows of the remote file, from a listing (an MLSD entry is exact; a
   * LIST time may be rounded to the minute or the day). A field given here replaces the SIZE or
   * MDTM round trip the download would make: `size` is the byte count the download must reach,
   * `modifiedAt` the time set on the file and compared by `resume` (`null`: unknown, don't ask).
   * Tools that download many small files save two round trips per file this way.
   */
  known?: { size?: number; modifiedAt?: Date | null };
  /**
   * Flush a path destination's `.part` to the disk (fsync) before renaming it (default true), so
   * a crash right after cannot leave a complete-looking file with missing data. Tools that
   * compare sizes on their next run anyway (a mirror) may turn it off: one journal commit per
   * file is most of the local cost of thousands of small files.
   */
  sync?: boolean;
}

export interface UploadOptions {
  /** Append to the remote file (APPE). */
  append?: boolean;
  /** Restart the upload at this byte (REST + STOR): the first `offset` bytes of the source are skipped. */
  offset?: number;
  type?: TransferType;
  signal?: AbortSignal;
  onProgress?: (progress: TransferProgress) => void;
}

/** What can be uploaded. A string is a local path when it names a file, so pass text as a Buffer. */
export type UploadSource = string | Buffer | Readable | AsyncIterable<Buffer | string>;

/** What the client gives the file operations. */
export interface TransferContext {
  control: FtpControl;
  data: DataConnector;
  features: ReadonlyMap<string, string>;
  setType(type: TransferType, signal?: AbortSignal): Promise<void>;
  sizeOf(path: string, signal?: AbortSignal): Promise<number>;
  modifiedOf(path: string, signal?: AbortSignal): Promise<Date | undefined>;
}

/** Result of a download or upload. */
export interface TransferResult {
  /** Bytes moved by this call (not counting a resumed part). */
  bytes: number;
  /** Total size of the file when known. */
  size?: number | undefined;
}

/** Downloads `remote` into `destination` (see `FtpClient.download`). */
export async function downloadTo(
  context: TransferContext,
  remote: string,
  destination: string | NodeJS.WritableStream,
  options: DownloadOptions,
): Promise<TransferResult> {
  const type = options.type ?? "binary";
  // SIZE counts the bytes as stored, which an ASCII transfer changes: binary only.
  const known = options.known?.size;
  const total =
    type !== "binary"
      ? undefined
      : known !== undefined
        ? known
        : context.features.has("SIZE")
          ? await trySize(context, remote, options.signal)
          : undefined;
  if (typeof destination !== "string") {
    const offset = options.offset ?? 0;
    const bytes = await retrieve(context, remote, (chunk) => writeTo(destination, chunk), {
      ...options,
      type,
      offset,
      total,
    });
    if (options.end !== false && destination !== process.stdout && destination !== process.stderr) {
      destination.end();
    }
    return { bytes, size: total };
  }
  return downloadToPath(context, remote, destination, { ...options, type, total });
}

async function downloadToPath(
  context: TransferContext,
  remote: string,
  path: string,
  options: DownloadOptions & { type: TransferType; total: number | undefined },
): Promise<TransferResult> {
  if (!options.resume && !options.offset) {
    const fresh = await downloadFresh({
      path,
      total: options.total,
      knownTime: options.known?.modifiedAt,
      sync: options.sync !== false,
      modifiedOf: () => context.modifiedOf(remote, options.signal),
      // A file write is finished with the chunk when it resolves: reused read buffers are safe.
      retrieve: (sink) => retrieve(context, remote, sink, { ...options, offset: 0, reusable: true }),
    });
    return fresh.finish();
  }
  const existingTarget = await stat(path).catch(() => undefined);
  if (existingTarget && !existingTarget.isFile() && !existingTarget.isDirectory()) {
    // A device or a FIFO (/dev/null, a pipe): there is nothing to rename, write in place.
    return downloadInPlace(context, remote, path, options);
  }
  const part = `${path}.part`;
  const knownTime = options.known?.modifiedAt;
  const remoteTime =
    knownTime === undefined ? await context.modifiedOf(remote, options.signal) : (knownTime ?? undefined);
  let offset = options.offset ?? 0;
  const existing = await lstat(part).catch(() => undefined);
  if (existing && !existing.isFile())
    throw new InvalidArgumentError(`${part} exists and is not a regular file`);
  if (options.resume && existing) {
    offset = existing.size;
    if (options.type !== "binary") throw new InvalidArgumentError("resume needs a binary transfer");
    const changed =
      (options.total !== undefined && offset > options.total) ||
      (remoteTime !== undefined && Math.abs(existing.mtime.getTime() - remoteTime.getTime()) >= 1000);
    if (changed) {
      throw new InvalidArgumentError(
        `cannot resume ${remote}: the remote file changed since ${part} was written (size or time differ); delete ${part} to start over`,
      );
    }
  }
  const file = await open(part, partFlags(offset), 0o644);
  const writes = new WriteQueue(() => Promise.resolve(file.fd));
  let bytes = 0;
  try {
    if (!(options.total !== undefined && offset === options.total)) {
      bytes = await retrieve(
        context,
        remote,
        (chunk) => writes.write(chunk),
        // A file write is finished with the chunk when it resolves: reused read buffers are safe.
        { ...options, offset, reusable: true },
      );
    }
    if (options.sync !== false) await file.sync();
    await file.close();
  } catch (error) {
    await file.close().catch(() => {});
    if (options.resume && remoteTime) await utimes(part, remoteTime, remoteTime).catch(() => {});
    else if (!options.resume) await rm(part, { force: true });
    throw error;
  }
  if (remoteTime) await utimes(part, remoteTime, remoteTime).catch(() => {});
  await rename(part, path);
  return { bytes, size: options.total };
}

/** Never write through a symlink someone placed at the temporary name; append when resuming. */
function partFlags(offset: number): number {
  return (
    constants.O_WRONLY |
    constants.O_CREAT |
    constants.O_NOFOLLOW |
    (offset > 0 ? constants.O_APPEND : constants.O_TRUNC)
  );
}

async function downloadInPlace(
  context: TransferContext,
  remote: string,
  path: string,
  options: DownloadOptions & { type: TransferType; total: number | undefined },
): Promise<TransferResult> {
  const file = await open(path, constants.O_WRONLY);
  const writes = new WriteQueue(() => Promise.resolve(file.fd));
  try {
    const bytes = await retrieve(context, remote, (chunk) => writes.write(chunk), {
      ...options,
      offset: options.offset ?? 0,
      reusable: true,
    });
    return { bytes, size: options.total };
  } finally {
    await file.close();
  }
}

/** RETR into `sink`; checks the byte count against SIZE. Resolves to the bytes received. */
async function retrieve(
  context: TransferContext,
  remote: string,
  sink: (chunk: Buffer) => Promise<void>,
  options: DownloadOptions & {
    type: TransferType;
    offset: number;
    total: number | undefined;
    reusable?: boolean;
  },
): Promise<number> {
  const { offset, total, onProgress } = options;
  if (total !== undefined && offset > total) {
    throw new InvalidArgumentError(`cannot start at byte ${offset} of ${remote}: it has only ${total} bytes`);
  }
  await context.setType(options.type, options.signal);
  const convert = options.type === "ascii" ? new CrlfToLf() : undefined;
  let received = 0;
  await receiveInto(
    {
      control: context.control,
      data: context.data,
      command: ["RETR", remote],
      restAt: offset,
      signal: options.signal,
    },
    async (chunk) => {
      received += chunk.length;
      const out = convert ? convert.push(chunk) : chunk;
      if (out.length > 0) await sink(out);
      onProgress?.({ bytes: offset + received, total });
    },
    {
      reusable: options.reusable === true && !convert,
      expectedBytes: total === undefined ? undefined : Math.max(0, total - offset),
    },
  ).catch((error: unknown) => {
    if (error instanceof ReplyError && offset > 0 && error.command?.startsWith("REST")) {
      throw new ProtocolError(
        "rest-refused",
        `the server refused to restart ${remote} at byte ${offset}: ${error.message}`,
        {
          cause: error,
        },
      );
    }
    throw error;
  });
  const tail = convert?.end();
  if (tail && tail.length > 0) await sink(tail);
  if (total !== undefined && options.type === "binary" && offset + received !== total) {
    // A server that ignored REST sends the whole file again; one that dropped data sends less.
    throw new ProtocolError(
      "size-mismatch",
      `${remote}: received ${offset + received} bytes, but SIZE said ${total}${offset > 0 ? " (the server may have ignored REST)" : ""}`,
      context.control.connection.context(),
    );
  }
  return received;
}

export async function uploadFrom(
  context: TransferContext,
  source: UploadSource,
  remote: string,
  options: UploadOptions,
): Promise<TransferResult> {
  const type = options.type ?? "binary";
  const offset = options.offset ?? 0;
  if (offset > 0 && options.append) throw new InvalidArgumentError("offset and append cannot be combined");
  await context.setType(type, options.signal);
  const convert = type === "ascii" ? new LfToCrlf() : undefined;
  let sent = 0;
  const command = options.append ? "APPE" : "STOR";
  await send(
    {
      control: context.control,
      data: context.data,
      command: [command, remote],
      restAt: offset,
      signal: options.signal,
    },
    async (write) => {
      for await (const chunk of readSource(source, offset)) {
        await write(convert ? convert.push(chunk) : chunk);
        sent += chunk.length;
        options.onProgress?.({ bytes: offset + sent });
      }
    },
  );
  return { bytes: sent };
}

/** The source as Buffers, skipping its first `offset` bytes. */
async function* readSource(source: UploadSource, offset: number): AsyncGenerator<Buffer> {
  let skip = offset;
  const chunks: AsyncIterable<Buffer | string> =
    typeof source === "string"
      ? createReadStream(source, { start: offset, highWaterMark: 256 * 1024 })
      : Buffer.isBuffer(source)
        ? slices(source)
        : source;
  if (typeof source === "string") skip = 0;
  for await (const piece of chunks) {
    let chunk = typeof piece === "string" ? Buffer.from(piece) : piece;
    if (skip > 0) {
      const dropped = Math.min(skip, chunk.length);
      chunk = chunk.subarray(dropped);
      skip -= dropped;
    }
    if (chunk.length > 0) yield chunk;
  }
}

async function* slices(buffer: Buffer): AsyncGenerator<Buffer> {
  for (let start = 0; start < buffer.length; start += 256 * 1024)
    yield buffer.subarray(start, start + 256 * 1024);
}

async function trySize(
  context: TransferContext,
  remote: string,
  signal?: AbortSignal,
): Promise<number | undefined> {
  try {
    return await context.sizeOf(remote, signal);
  } catch (error) {
    if (error instanceof ReplyError) return undefined;
    throw error;
  }
}

/** Writes to a stream, waiting for 'drain' when its buffer is full. */
async function writeTo(sink: NodeJS.WritableStream, chunk: Buffer): Promise<void> {
  if (chunk.length === 0) return;
  if (!sink.write(chunk)) await once(sink as NodeJS.EventEmitter, "drain");
}
