/**
 * Bulk receive into a small pool of reused read buffers (`net.connect`'s `onread`), instead of the
 * fresh 64 KiB allocation Node makes for every read. On a fast link those allocations, the copies
 * and the garbage they leave cost more CPU than the data itself; with a fixed pool, memory stays at
 * `buffers × bufferSize` whatever the size of the transfer.
 *
 * Only for plain TCP, and only for a consumer that is finished with each chunk when its promise
 * resolves (a file write): the buffer is reused right after. The socket stops reading when every
 * buffer is waiting on the consumer, which is the backpressure.
 */
import type { Socket } from "node:net";
import {
  abortErrorFrom,
  ConnectionClosedError,
  type InetError,
  TimeoutError,
  type TimeoutPhase,
} from "../errors.js";
import { type DialOptions, dial } from "./dial.js";
import { isLimited } from "./timeouts.js";

/** A buffer with less room than this left goes to the consumer (a loopback read is 64 KiB or more). */
const MIN_READ = 64 * 1024;
/** Bytes are handed to the consumer at the first read after they have waited this long. */
const MAX_HOLD_MS = 100;

export interface PooledOptions {
  /** Size of each read buffer. Default 1 MiB. */
  bufferSize?: number;
  /** How many buffers: reads stop while all are with the consumer. Default 4. */
  buffers?: number;
}

/** A connected plain socket that reads into reused buffers. Nothing is read until {@link receive}. */
export class PooledReceiver {
  private socket!: Socket;
  private readonly label: string;
  private readonly free: Buffer[];
  /** The buffer reads go into, filled up to {@link filled}. */
  private current: Buffer;
  private filled = 0;
  /** When the first byte of the current buffer arrived. */
  private firstByteAt = 0;
  private starved = false;
  private readonly ready: Array<{ chunk: Buffer; buffer: Buffer }> = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private failure: InetError | undefined;
  private onActivity: (() => void) | undefined;

  private constructor(label: string, bufferSize: number, buffers: number) {
    this.label = label;
    this.free = Array.from({ length: Math.max(1, buffers - 1) }, () => Buffer.allocUnsafe(bufferSize));
    this.current = Buffer.allocUnsafe(bufferSize);
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    socket.on("end", () => {
      this.queueCurrent();
      this.ended = true;
      this.wake?.();
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      const reason = error.code ? `${error.code}: ${error.message}` : error.message;
      this.fail(new ConnectionClosedError(reason, { host: this.label, cause: error }));
    });
    socket.on("close", () => {
      if (!this.failure) this.queueCurrent();
      this.ended = true;
      this.wake?.();
    });
  }

  /**
   * Dials like {@link dial} (plain TCP only) with a buffer pool, and pauses the socket until
   * {@link receive} is called.
   */
  static async connect(
    options: Omit<DialOptions, "tls"> & PooledOptions & { label: string },
  ): Promise<PooledReceiver> {
    const receiver = new PooledReceiver(
      options.label,
      options.bufferSize ?? 1024 * 1024,
      options.buffers ?? 4,
    );
    const socket = await dial({
      ...options,
      tls: false,
      onread: {
        buffer: () => receiver.target(),
        callback: (length: number) => receiver.take(length),
      },
    });
    // Bytes that arrive before receive() wait in the pool (reading stops when it is full).
    receiver.attach(socket);
    socket.pause();
    return receiver;
  }

  /**
   * Hands every byte until the peer ends the stream to `sink`, one chunk at a time and in order,
   * and resolves to the byte count. `sink` is called again as soon as the next chunk is ready,
   * before the previous call's promise has settled (up to one call per buffer of the pool), so
   * it must take each chunk in call order before it awaits anything, and be done with a chunk's
   * memory when that chunk's promise resolves (the buffer is read into again then). Rejects with
   * {@link TimeoutError} after `timeout` ms of silence (in `phase`), {@link AbortError} when
   * `signal` fires, {@link ConnectionClosedError} when the connection fails, or what `sink`
   * threw — only once every call of `sink` has settled, so nothing still writes from a buffer
   * when it returns; the socket is destroyed on any failure.
   */
  async receive(
    sink: (chunk: Buffer) => Promise<void>,
    options: { timeout: number; phase?: TimeoutPhase; signal?: AbortSignal | undefined },
  ): Promise<number> {
    const phase = options.phase ?? "data";
    const { signal, timeout } = options;
    let timer: NodeJS.Timeout | undefined;
    if (isLimited(timeout)) {
      timer = setTimeout(() => this.fail(new TimeoutError(phase, timeout, { host: this.label })), timeout);
      timer.unref();
      this.onActivity = () => timer?.refresh();
    }
    const onAbort = () => this.fail(abortErrorFrom(signal!, { host: this.label }));
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    let total = 0;
    const inFlight = new Set<Promise<void>>();
    let sinkFailure: { error: unknown } | undefined;
    try {
      this.socket.resume();
      for (;;) {
        if (sinkFailure) throw sinkFailure.error;
        if (this.failure) throw this.failure;
        const next = this.ready.shift();
        if (next) {
          const done = sink(next.chunk).then(
            () => {
              total += next.chunk.length;
              this.release(next.buffer);
            },
            (error: unknown) => {
              sinkFailure ??= { error };
            },
          );
          inFlight.add(done);
          void done.then(() => {
            inFlight.delete(done);
            this.wake?.();
          });
          continue;
        }
        if (this.ended && inFlight.size === 0) return total;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
      }
    } catch (error) {
      this.socket.destroy();
      await Promise.all(inFlight);
      throw error;
    } finally {
      if (timer) clearTimeout(timer);
      this.onActivity = undefined;
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Drops the connection. */
  destroy(): void {
    this.socket.destroy();
  }

  /**
   * The onread callback. Reads fill the current buffer from where the last one stopped (Node reads
   * into whatever target {@link target} returns next), so a loopback read of a few hundred KiB
   * does not cost a whole write of its own: the buffer goes to the consumer when less than
   * {@link MIN_READ} is left in it, at the first read after its first bytes waited
   * {@link MAX_HOLD_MS}, or when the stream ends. Node asks for the next target right
   * after this returns, even when it returns `false`, so the target must never be a queued buffer:
   * reading stops (returns `false`) while the target is the last free buffer, and resumes when the
   * consumer gives one back.
   */
  private take(length: number): boolean {
    this.onActivity?.();
    if (this.filled === 0) this.firstByteAt = performance.now();
    this.filled += length;
    const room = this.current.length - this.filled;
    // On a slow link, don't sit on bytes: a consumer reporting progress would look stalled.
    if (room >= MIN_READ && performance.now() - this.firstByteAt < MAX_HOLD_MS) return true;
    this.queueCurrent();
    // The pool always holds a free buffer here: a buffer came back before reading resumed.
    this.current = this.free.pop() ?? Buffer.allocUnsafe(this.current.length);
    if (this.free.length === 0) {
      this.starved = true;
      return false;
    }
    return true;
  }

  /** The next read target: what is left of the current buffer. */
  private target(): Buffer {
    return this.current.subarray(this.filled);
  }

  /** Hands the filled part of the current buffer to the consumer. */
  private queueCurrent(): void {
    if (this.filled === 0) return;
    this.ready.push({ chunk: this.current.subarray(0, this.filled), buffer: this.current });
    this.filled = 0;
    this.wake?.();
  }

  private release(buffer: Buffer): void {
    this.free.push(buffer);
    if (this.starved) {
      this.starved = false;
      this.socket.resume();
    }
  }

  private fail(error: InetError): void {
    if (this.failure) return;
    this.failure = error;
    this.socket.destroy();
    this.wake?.();
  }
}
