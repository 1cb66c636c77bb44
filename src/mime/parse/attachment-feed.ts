/**
 * The Readable an `onAttachment` callback receives, with the parser's side of its backpressure:
 * the parser pushes decoded bytes, and stops pulling input while the stream's buffer is full,
 * until the consumer reads (Node's `_read`), destroys the stream, or walks away.
 */
import { Readable } from "node:stream";

/** Buffer of an attachment stream before the parser waits for its reader. */
export const ATTACHMENT_HIGH_WATER_MARK = 64 * 1024;

/** One attachment's stream, as the parser drives it. */
export class AttachmentFeed {
  readonly stream: Readable;
  readonly #onEnd: () => void;
  #ended = false;
  #waiters: (() => void)[] = [];

  /** `onEnd` runs when the body is complete (after the stream's last push). */
  constructor(onEnd: () => void, highWaterMark = ATTACHMENT_HIGH_WATER_MARK) {
    this.#onEnd = onEnd;
    this.stream = new Readable({
      highWaterMark,
      read: () => this.#wake(),
    });
    // A consumer that destroys the stream (it read enough) must not leave the parser waiting.
    this.stream.once("close", () => this.#wake());
  }

  /** Bytes waiting in the stream for its reader. */
  get bufferedBytes(): number {
    return this.stream.readableLength;
  }

  /** True while the reader is behind: the parser should wait for {@link room}. */
  get full(): boolean {
    const s = this.stream;
    return !s.destroyed && !s.readableEnded && s.readableLength >= s.readableHighWaterMark;
  }

  /** Decoded bytes for the reader; dropped when the reader destroyed the stream. */
  push(bytes: Buffer): void {
    if (!this.stream.destroyed) this.stream.push(bytes);
  }

  /** No more bytes. */
  end(): void {
    if (!this.stream.destroyed) this.stream.push(null);
    this.#ended = true;
    this.#onEnd();
  }

  /** True once the whole body was pushed. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Resolves when the reader asks for more, the stream closes, or the callback settles. */
  room(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * The callback has settled. A stream nobody ever read, piped or listened to is abandoned: it is
   * put in flowing mode so its bytes drain away and the parse goes on (rather than waiting forever).
   */
  callbackSettled(): void {
    const s = this.stream;
    if (!s.destroyed && s.readableFlowing === null) s.resume();
    this.#wake();
  }

  /**
   * The parse failed: a reader listening for errors sees this one. A stream nobody listens to
   * for errors must not crash the process with it: parseMessage rejects with the same error.
   */
  fail(error: unknown): void {
    const s = this.stream;
    if (s.destroyed) return;
    if (s.listenerCount("error") === 0) s.on("error", () => {});
    s.destroy(error as Error);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
