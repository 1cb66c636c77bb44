/**
 * Emitting a flattened message: as a Readable that reads each source only as fast as its
 * consumer reads (the next chunk is asked for only when the stream's buffer is below the
 * high-water mark, and `for await` on a source pulls one chunk at a time), or as one Buffer.
 */
import { Readable } from "node:stream";
import { InvalidArgumentError } from "../../errors.js";
import { Base64Encoder } from "../codec/index.js";
import { CrlfNormalizer } from "./body.js";
import type { StreamSource } from "./parts.js";
import type { Piece } from "./tree.js";

/** Chunks of a source stream as Buffers (strings are taken as UTF-8). */
function chunkBytes(chunk: unknown, label: string): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new InvalidArgumentError(`${label}: the stream gave a chunk that is not bytes`);
}

/** What a run of the writer has open: the source being read, so a stop can destroy it. */
interface Run {
  current: Readable | undefined;
}

/** Reads one source, encoded on the way. The source is destroyed if the reading stops early. */
async function* readSource(source: StreamSource, run: Run): AsyncGenerator<Buffer> {
  const encoder = source.transform === "base64" ? new Base64Encoder() : new CrlfNormalizer();
  const stream = source.open();
  run.current = stream;
  try {
    for await (const chunk of stream) {
      const out = encoder.push(chunkBytes(chunk, source.label));
      if (out.length > 0) yield out;
    }
  } finally {
    run.current = undefined;
  }
  const tail = encoder.end();
  if (tail.length > 0) yield tail;
}

async function* generate(pieces: readonly Piece[], run: Run): AsyncGenerator<Buffer> {
  for (const piece of pieces) {
    if (Buffer.isBuffer(piece)) yield piece;
    else yield* readSource(piece, run);
  }
}

/**
 * A Readable over the writer's generator: it asks for the next chunk only when Node asks it to
 * read (its buffer is below the high-water mark), so sources are read no faster than the
 * consumer reads. Destroying it destroys the source being read first: a generator waiting on a
 * source that never sends could not otherwise run its cleanup (Readable.from would wait forever).
 */
class MessageStream extends Readable {
  readonly #iterator: AsyncGenerator<Buffer>;
  readonly #run: Run;
  #pulling = false;

  constructor(iterator: AsyncGenerator<Buffer>, run: Run) {
    super();
    this.#iterator = iterator;
    this.#run = run;
  }

  override _read(): void {
    if (!this.#pulling) void this.#pull();
  }

  async #pull(): Promise<void> {
    this.#pulling = true;
    try {
      for (;;) {
        const { value, done } = await this.#iterator.next();
        if (this.destroyed) return;
        if (done) {
          this.push(null);
          return;
        }
        if (!this.push(value)) return;
      }
    } catch (error) {
      this.destroy(error as Error);
    } finally {
      this.#pulling = false;
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#run.current?.destroy();
    this.#iterator.return(undefined).then(
      () => callback(error),
      (failure: unknown) => callback(error ?? (failure as Error)),
    );
  }
}

/**
 * The bytes of a flattened message, on demand. Holds the one-shot rule: caller streams can be
 * read once, so a message with one can be emitted once.
 */
export class MessageWriter {
  readonly #pieces: readonly Piece[];
  readonly #oneShot: boolean;
  #used = false;

  constructor(pieces: readonly Piece[]) {
    this.#pieces = pieces;
    this.#oneShot = pieces.some((p) => !Buffer.isBuffer(p) && p.once);
  }

  #claim(): void {
    if (this.#oneShot && this.#used) {
      throw new InvalidArgumentError(
        "this message reads a caller's stream and has already been emitted once",
      );
    }
    this.#used = true;
  }

  /** A new Readable of the message bytes. Throws `InvalidArgumentError` when a one-shot message is emitted twice. */
  stream(): Readable {
    this.#claim();
    if (this.#pieces.every((p) => Buffer.isBuffer(p)))
      return Readable.from(this.#pieces as Buffer[], { objectMode: false });
    const run: Run = { current: undefined };
    return new MessageStream(generate(this.#pieces, run), run);
  }

  /** The message bytes in one Buffer. Rejects like {@link stream}, or with a source's error. */
  async toBuffer(): Promise<Buffer> {
    this.#claim();
    const chunks: Buffer[] = [];
    for (const piece of this.#pieces) {
      if (Buffer.isBuffer(piece)) chunks.push(piece);
      else for await (const chunk of readSource(piece, { current: undefined })) chunks.push(chunk);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }
}
