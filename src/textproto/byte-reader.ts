/**
 * A bounded, pull-style reader over a stream of byte chunks: CRLF lines for the command channel,
 * and a raw mode that hands over the next N bytes (IMAP literals) or the rest of the stream.
 *
 * It knows nothing of sockets: the transport `push()`es chunks into it and `end()`s it, and it asks
 * its {@link ByteSource} to pause when more than `highWaterMark` bytes are waiting, so a peer that
 * sends faster than we read (or never sends a line ending) cannot make memory grow without bound.
 */
import { ConnectionClosedError, LimitError, ProtocolError } from "../errors.js";

/** The flow control a reader needs from whatever feeds it. */
export interface ByteSource {
  pause(): void;
  resume(): void;
}

export interface ByteReaderOptions {
  /** Longest line accepted, terminator excluded. Default 8 KiB. */
  maxLineLength?: number;
  /**
   * `"crlf"` (default): a line must end in CRLF; a bare LF is a {@link ProtocolError}.
   * `"lenient"`: LF alone also ends a line (a trailing CR is dropped).
   */
  lineEnding?: "crlf" | "lenient";
  /** Bytes held before the source is paused. Default: the larger of 256 KiB and `maxLineLength`. */
  highWaterMark?: number;
  source?: ByteSource;
}

const LF = 0x0a;
const CR = 0x0d;

export class ByteReader {
  maxLineLength: number;
  lineEnding: "crlf" | "lenient";
  readonly highWaterMark: number;
  private source: ByteSource | undefined;
  private queue: Buffer[] = [];
  /** Offset into chunks[0] of the first unread byte. */
  private head = 0;
  private length = 0;
  /** Bytes at the front already known to hold no LF (so a long line is scanned once, not once per chunk). */
  private scanned = 0;
  private paused = false;
  private ended = false;
  private failure: Error | undefined;
  private waiters: Array<() => void> = [];
  /** How the last line read was terminated (in `"lenient"` mode a bare LF is accepted, and shown here). */
  lastLineEnding: "crlf" | "lf" = "crlf";
  /** While a line read waits: bytes it must be able to see before it can decide (limit + CRLF). */
  private lineWindow = 0;

  constructor(options: ByteReaderOptions = {}) {
    this.maxLineLength = options.maxLineLength ?? 8192;
    this.lineEnding = options.lineEnding ?? "crlf";
    this.highWaterMark = options.highWaterMark ?? Math.max(256 * 1024, this.maxLineLength);
    this.source = options.source;
  }

  /** Bytes received and not yet read. */
  get buffered(): number {
    return this.length;
  }

  /** True once the stream has ended (cleanly or not). */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Replaces the flow-control source (after a TLS upgrade the TLS socket feeds the reader). */
  setSource(source: ByteSource | undefined): void {
    this.source = source;
    this.paused = false;
    this.updateFlow();
  }

  /** Feeds a chunk. Ignored after `end()`. */
  push(chunk: Buffer): void {
    if (this.ended || chunk.length === 0) return;
    this.queue.push(chunk);
    this.length += chunk.length;
    this.updateFlow();
    this.wake();
  }

  /**
   * Ends the stream. Without an error, reads drain what is buffered and then see the end; with an
   * error, every pending and later read rejects with it at once.
   */
  end(error?: Error): void {
    if (this.ended) {
      if (error && !this.failure) this.failure = error;
      this.wake();
      return;
    }
    this.ended = true;
    this.failure = error;
    this.wake();
  }

  /**
   * Puts bytes back at the front: they are read before anything else, even after `end()`. For a
   * decoder that read past the end of its block (the bytes after a dot-terminator belong to the
   * next reply).
   */
  unshift(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.head > 0) {
      this.queue[0] = this.queue[0]!.subarray(this.head);
      this.head = 0;
    }
    this.queue.unshift(chunk);
    this.length += chunk.length;
    this.scanned = 0;
    this.updateFlow();
    this.wake();
  }

  /** Drops everything buffered (after a fatal error, or when a protocol discards pre-TLS input). */
  discard(): void {
    this.queue = [];
    this.head = 0;
    this.length = 0;
    this.scanned = 0;
    this.updateFlow();
  }

  /**
   * Returns the next complete line without its terminator, or `undefined` when no full line is
   * buffered yet. Throws {@link LimitError} when the line is longer than `maxLineLength`, and
   * {@link ProtocolError} for a bare LF in `"crlf"` mode.
   */
  tryReadLine(limit = this.maxLineLength): Buffer | undefined {
    const quick = this.lineInFirstChunk(limit);
    if (quick !== undefined) return quick;
    const lf = this.findLineFeed(limit);
    if (lf < 0) {
      if (this.length > limit + 1) throw new LimitError("line", limit);
      return undefined;
    }
    let end = lf;
    const hasCR = lf > 0 && this.byteAt(lf - 1) === CR;
    if (hasCR) end = lf - 1;
    if (!hasCR && this.lineEnding === "crlf") {
      throw new ProtocolError("bare-lf", "line ended with a bare LF instead of CRLF");
    }
    if (end > limit) throw new LimitError("line", limit);
    const line = this.take(end);
    this.skip(lf + 1 - end);
    this.lastLineEnding = hasCR ? "crlf" : "lf";
    return line;
  }

  /**
   * {@link tryReadLine} for the usual case, a line whose LF is in the first buffered chunk: one
   * search and one slice. `undefined` when that is not the case (the general path decides).
   */
  private lineInFirstChunk(limit: number): Buffer | undefined {
    const first = this.queue[0];
    if (first === undefined) return undefined;
    const start = this.head;
    if (this.scanned >= first.length - start) return undefined;
    const lf = first.indexOf(LF, start + this.scanned);
    const at = lf - start;
    if (lf < 0 || at > limit + 1) return undefined;
    const hasCR = at > 0 && first[lf - 1] === CR;
    if (!hasCR && this.lineEnding === "crlf") {
      throw new ProtocolError("bare-lf", "line ended with a bare LF instead of CRLF");
    }
    const end = hasCR ? at - 1 : at;
    if (end > limit) throw new LimitError("line", limit);
    const line = first.subarray(start, start + end);
    if (lf + 1 === first.length) {
      this.queue.shift();
      this.head = 0;
    } else {
      this.head = lf + 1;
    }
    this.length -= at + 1;
    this.scanned = 0;
    this.lastLineEnding = hasCR ? "crlf" : "lf";
    if (this.paused) this.updateFlow();
    return line;
  }

  /**
   * The next line if it is complete in the buffer; `null` when the stream ended cleanly with
   * nothing buffered; `undefined` when the line has not arrived yet. Throws the stream's error
   * when it failed, {@link ConnectionClosedError} when it ended in the middle of a line, and what
   * {@link tryReadLine} throws. Synchronous: the callback-driven waits of `Connection` are built
   * on it and on {@link whenReadable}, and {@link readLine} is its waiting form.
   */
  nextLine(limit = this.maxLineLength): Buffer | null | undefined {
    if (this.failure) throw this.failure;
    const line = this.tryReadLine(limit);
    if (line) return line;
    if (!this.ended) return undefined;
    if (this.length === 0) return null;
    throw new ConnectionClosedError("the peer closed the connection in the middle of a line");
  }

  /**
   * Waits for the next line (see {@link tryReadLine}). Resolves to `null` when the stream ended
   * cleanly with nothing buffered; rejects with {@link ConnectionClosedError} when it ended in the
   * middle of a line, and with the stream's error when it failed.
   */
  async readLine(limit = this.maxLineLength): Promise<Buffer | null> {
    for (;;) {
      const line = this.nextLine(limit);
      if (line !== undefined) return line;
      // The source must not stay paused below what this line may need, or a long (but legal)
      // line would wait forever; memory stays within limit + one chunk.
      this.lineWindow = limit + 2;
      this.updateFlow();
      try {
        await this.waitForData();
      } finally {
        this.lineWindow = 0;
      }
    }
  }

  /**
   * Calls `callback` once, synchronously, the next time bytes arrive or the stream ends or fails
   * (no promise: the caller polls {@link nextLine} again from it). Meanwhile the source is not
   * paused below what a line of `limit` bytes needs, as in {@link readLine}.
   */
  whenReadable(callback: () => void, limit = this.maxLineLength): void {
    this.lineWindow = limit + 2;
    this.updateFlow();
    this.waiters.push(callback);
  }

  /** Reads exactly `n` bytes into one Buffer (the caller bounds `n`). Rejects if the stream ends first. */
  async readExactly(n: number): Promise<Buffer> {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`invalid byte count ${n}`);
    const parts: Buffer[] = [];
    let missing = n;
    while (missing > 0) {
      const chunk = await this.readChunk(missing);
      if (chunk === null) {
        throw new ConnectionClosedError(`the peer closed the connection ${missing} bytes short of ${n}`);
      }
      parts.push(chunk);
      missing -= chunk.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
  }

  /**
   * Raw mode: resolves to the next buffered bytes (at most `max`), waiting for some if none are
   * buffered, or `null` at a clean end of stream. Chunks are handed over without copying.
   */
  async readChunk(max = Number.POSITIVE_INFINITY): Promise<Buffer | null> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.length > 0) return this.takeChunk(max);
      if (this.ended) return null;
      await this.waitForData();
    }
  }

  /** Raw mode: the next `n` bytes as chunks, without gathering them. Rejects if the stream ends first. */
  async *chunks(n: number): AsyncGenerator<Buffer, void, undefined> {
    let missing = n;
    while (missing > 0) {
      const chunk = await this.readChunk(missing);
      if (chunk === null)
        throw new ConnectionClosedError(`the peer closed the connection ${missing} bytes short`);
      missing -= chunk.length;
      yield chunk;
    }
  }

  /** Raw mode: everything until the end of the stream. */
  async *rest(): AsyncGenerator<Buffer, void, undefined> {
    for (;;) {
      const chunk = await this.readChunk();
      if (chunk === null) return;
      yield chunk;
    }
  }

  private takeChunk(max: number): Buffer {
    const first = this.queue[0]!;
    const available = first.length - this.head;
    let out: Buffer;
    if (available <= max) {
      out = this.head === 0 ? first : first.subarray(this.head);
      this.queue.shift();
      this.head = 0;
      this.length -= available;
    } else {
      out = first.subarray(this.head, this.head + max);
      this.head += max;
      this.length -= max;
    }
    this.scanned = Math.max(0, this.scanned - out.length);
    this.updateFlow();
    return out;
  }

  /** Index (from the read position) of the first LF, or -1. Looks no further than `limit` + 2 bytes. */
  private findLineFeed(limit: number): number {
    const stop = Math.min(this.length, limit + 2);
    let pos = 0;
    let index = 0;
    let offset = this.head;
    while (index < this.queue.length && pos < stop) {
      const chunk = this.queue[index]!;
      const size = chunk.length - offset;
      if (pos + size > this.scanned) {
        const from = offset + Math.max(0, this.scanned - pos);
        const to = Math.min(chunk.length, offset + (stop - pos));
        const found = chunk.indexOf(LF, from);
        if (found >= 0 && found < to) return pos + (found - offset);
      }
      pos += size;
      index += 1;
      offset = 0;
    }
    this.scanned = Math.max(this.scanned, Math.min(pos, stop));
    return -1;
  }

  private byteAt(index: number): number {
    let offset = this.head + index;
    for (const chunk of this.queue) {
      if (offset < chunk.length) return chunk[offset]!;
      offset -= chunk.length;
    }
    return -1;
  }

  /** Removes and returns the first `n` bytes as one Buffer. */
  private take(n: number): Buffer {
    const first = this.queue[0];
    if (n === 0) return Buffer.alloc(0);
    if (first && first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.skip(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let copied = 0;
    while (copied < n) {
      const chunk = this.queue[0]!;
      const count = Math.min(n - copied, chunk.length - this.head);
      chunk.copy(out, copied, this.head, this.head + count);
      copied += count;
      this.skip(count);
    }
    return out;
  }

  private skip(n: number): void {
    let left = n;
    while (left > 0) {
      const chunk = this.queue[0]!;
      const available = chunk.length - this.head;
      if (available <= left) {
        this.queue.shift();
        this.head = 0;
        left -= available;
      } else {
        this.head += left;
        left = 0;
      }
    }
    this.length -= n;
    this.scanned = Math.max(0, this.scanned - n);
    this.updateFlow();
  }

  private updateFlow(): void {
    if (!this.source) return;
    const mark = Math.max(this.highWaterMark, this.lineWindow);
    if (!this.paused && this.length >= mark) {
      this.paused = true;
      this.source.pause();
    } else if (this.paused && this.length < mark) {
      this.paused = false;
      this.source.resume();
    }
  }

  private waitForData(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    // Whoever waited for a line asks again, with its window, if the line is still incomplete.
    this.lineWindow = 0;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
