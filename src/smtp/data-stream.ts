/**
 * The message on the wire: line endings normalised to CRLF and, for DATA, dot-stuffing (RFC 5321
 * §4.5.2), both streamed with backpressure. A bare CR or bare LF never reaches the server, so no
 * `\n.\n`-style sequence (SMTP smuggling, CVE-2023-51764) can be formed from any input.
 *
 * Nothing here holds a whole message: sources are read chunk by chunk, and each write waits for
 * the socket to drain.
 */
import { abortErrorFrom } from "../errors.js";
import { CrlfNormalizer, crlfContentUnstuffed, DotEncoder } from "../textproto/dot-codec.js";
import type { Connection } from "../transport/connection.js";

export { CrlfNormalizer };

/** Pieces smaller than this are gathered into one socket write. */
const WRITE_BATCH = 64 * 1024;

/**
 * The size of `chunks` once normalised (what RFC 1870's SIZE parameter counts: CRLF line
 * endings, no dot-stuffing).
 */
export function normalizedLength(chunks: readonly Buffer[]): number {
  const normalizer = new CrlfNormalizer();
  let total = 0;
  for (const chunk of chunks) for (const piece of normalizer.push(chunk)) total += piece.length;
  for (const piece of normalizer.end()) total += piece.length;
  return total;
}

/** Gathers small pieces into larger socket writes; each write waits for the socket to drain. */
export class WriteBatcher {
  private pending: Buffer[] = [];
  private size = 0;

  constructor(private readonly sink: (bytes: Buffer) => Promise<void>) {}

  /** Queues pieces, writing once a batch is full. */
  async add(pieces: readonly Buffer[]): Promise<void> {
    for (const piece of pieces) {
      if (piece.length === 0) continue;
      this.pending.push(piece);
      this.size += piece.length;
    }
    if (this.size >= WRITE_BATCH) await this.flush();
  }

  /** Writes whatever is queued. */
  async flush(): Promise<void> {
    if (this.size === 0) return;
    const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.size);
    this.pending = [];
    this.size = 0;
    await this.sink(bytes);
  }
}

/** Raised (never thrown to callers) when the message's own source failed while being sent. */
export class SourceFailure extends Error {
  constructor(readonly error: unknown) {
    super("the message source failed", { cause: error });
  }
}

/**
 * Pulls the next chunk from a message source, turning its failure into a {@link SourceFailure}
 * so callers can tell "the caller's stream broke" from "the connection broke".
 */
export async function nextChunk(iterator: AsyncIterator<Buffer>): Promise<IteratorResult<Buffer, unknown>> {
  try {
    return await iterator.next();
  } catch (error) {
    throw new SourceFailure(error);
  }
}

/**
 * Writes a message after a `354`: dot-stuffed, CRLF-normalised, terminated with `.` CRLF, in
 * batches that wait for drain. Checks `signal` between chunks.
 *
 * @returns once the terminator has been handed to the socket.
 * @throws {SourceFailure} wrapping the source's error when the source fails (the caller must then
 *   drop the connection: ending the data now would deliver a truncated message).
 * @throws the connection's errors (ConnectionClosedError, TimeoutError phase `data`, AbortError).
 */
export function writeDotStuffed(
  connection: Connection,
  source: readonly Buffer[] | AsyncIterable<Buffer>,
  signal: AbortSignal | undefined,
  crlfOnly = false,
): Promise<void> {
  if (Array.isArray(source) && inMemorySize(source) <= ONE_WRITE) {
    // A message already in memory, and small: encoded at once and written in one piece (the
    // encoder hands back slices of the input, so this copies it once, as the socket would).
    return connection.write(encodeWhole(source as readonly Buffer[], crlfOnly), { phase: "data", signal });
  }
  return writeInBatches(connection, contentIterator(source), signal);
}

/**
 * The whole dot-stuffed content, terminator included, as one Buffer. `crlfOnly`: the parts are
 * known to hold CRLF line breaks only and to end with one, so only a dot at a line start could
 * need work.
 */
function encodeWhole(parts: readonly Buffer[], crlfOnly: boolean): Buffer {
  const asIs = crlfOnly ? crlfContentUnstuffed(parts) : undefined;
  if (asIs !== undefined) return asIs;
  const encoder = new DotEncoder();
  const pieces: Buffer[] = [];
  for (const part of parts) for (const piece of encoder.push(part)) pieces.push(piece);
  for (const piece of encoder.end()) pieces.push(piece);
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
}

async function writeInBatches(
  connection: Connection,
  iterator: AsyncIterator<Buffer>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const encoder = new DotEncoder();
  const batch = new WriteBatcher((bytes) => connection.write(bytes, { phase: "data", signal }));
  for (;;) {
    const next = await nextChunk(iterator);
    if (next.done) break;
    if (signal?.aborted) {
      const error = abortErrorFrom(signal, connection.context());
      connection.destroy(error);
      throw error;
    }
    await batch.add(encoder.push(next.value));
  }
  await batch.add(encoder.end());
  await batch.flush();
}

/** In-memory messages up to this size go out in one write; larger ones in batches. */
const ONE_WRITE = 1024 * 1024;

function inMemorySize(parts: readonly Buffer[]): number {
  let size = 0;
  for (const part of parts) size += part.length;
  return size;
}

/** An async iterator over content given as parts or as a stream. */
export function contentIterator(source: readonly Buffer[] | AsyncIterable<Buffer>): AsyncIterator<Buffer> {
  if (!Array.isArray(source)) return (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let index = 0;
  const parts = source as readonly Buffer[];
  return {
    next: async () =>
      index < parts.length ? { done: false, value: parts[index++]! } : { done: true, value: undefined },
  };
}
