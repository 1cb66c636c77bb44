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
  private spare: Buffer;
  private starved = false;
  private readonly ready: Array<{ chunk: Buffer; buffer: Buffer }> = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private failure: InetError | undefined;
  private onActivity: (() => void) | undefined;

  private constructor(label: string, bufferSize: number, buffers: number) {
    this.label = label;
    this.free = Array.from({ length: Math.max(1, buffers - 1) }, () => Buffer.allocUnsafe(bufferSize));
    this.spare = Buffer.allocUnsafe(bufferSize);
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    socket.on("end", () => {
      this.ended = true;
      this.wake?.();
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      const reason = error.code ? `${error.code}: ${error.message}` : error.message;
      this.fail(new ConnectionClosedError(reason, { host: this.label, cause: error }));
    });
    socket.on("close", () => {
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
        buffer: () => receiver.spare,
        callback: (length: number, buffer: Buffer) => receiver.take(length, buffer),
      },
    });
    // Bytes that arrive before receive() wait in the pool (reading stops when it is full).
    receiver.attach(socket);
    socket.pause();
    return receiver;
  }

  /**
   * Hands every byte until the peer ends the stream to `sink`, one chunk at a time, and resolves to
   * the byte count. `sink` must be done with a chunk when its promise resolves. Rejects with
   * {@link TimeoutError} after `timeout` ms of silence (in `phase`), {@link AbortError} when
   * `signal` fires, {@link ConnectionClosedError} when the connection fails, or what `sink` threw;
   * the socket is destroyed on any failure.
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
    try {
      this.socket.resume();
      for (;;) {
        if (this.failure) throw this.failure;
        const next = this.ready.shift();
        if (next) {
          await sink(next.chunk);
          total += next.chunk.length;
          this.release(next.buffer);
          continue;
        }
        if (this.ended) return total;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
      }
    } catch (error) {
      this.socket.destroy();
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
   * The onread callback: queue the filled buffer and make a free one the next read target. Node
   * asks for that target right after this returns, even when it returns `false`, so the target
   * must never be a queued buffer: reading stops (returns `false`) while the target is the last
   * free buffer, and resumes when the consumer gives one back.
   */
  private take(length: number, buffer: Buffer): boolean {
    this.onActivity?.();
    this.ready.push({ chunk: buffer.subarray(0, length), buffer });
    this.wake?.();
    this.spare = this.free.pop() ?? Buffer.allocUnsafe(buffer.length);
    if (this.free.length === 0) {
      this.starved = true;
      return false;
    }
    return true;
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
