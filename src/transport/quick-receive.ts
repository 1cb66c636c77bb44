/**
 * The data connection of a small plain passive download (a few KiB, the common case when
 * mirroring a tree): a bare socket to the address the server just announced, read with
 * ordinary `'data'` events. It skips what bulk transfers need and small ones pay for per file —
 * name resolution, the reused-buffer pool of `PooledReceiver`, Nagle's setting on a socket that
 * never sends — while keeping the same limits: a connect and a silence timeout, the caller's
 * abort signal, and typed errors.
 */
import { createConnection, type Socket } from "node:net";
import {
  abortErrorFrom,
  ConnectionClosedError,
  InetError,
  TimeoutError,
  type TimeoutPhase,
} from "../errors.js";
import { isLimited } from "./timeouts.js";

export interface QuickReceiverOptions {
  /** An IP address (the control connection's peer): nothing is resolved. */
  host: string;
  port: number;
  /** Connect timeout, in ms. */
  timeout: number;
  signal?: AbortSignal | undefined;
  /** For error messages: `host:port (data)`. */
  label: string;
}

/** A data connection being made; reads nothing until {@link receive}. */
export class QuickReceiver {
  /** Settles once connected, or with the typed error that ended the attempt. */
  readonly connected: Promise<void>;
  private readonly socket: Socket;
  private readonly label: string;
  private failure: InetError | undefined;
  private readonly signal: AbortSignal | undefined;
  /** What the socket's idle timer guards now, and for how long (one listener for both phases). */
  private phase: TimeoutPhase = "connect";
  private limit: number;
  private readonly onAbort = () => this.fail(abortErrorFrom(this.signal!, { host: this.label }));

  /** Starts connecting at once (see {@link connected}). */
  constructor(options: QuickReceiverOptions) {
    this.label = options.label;
    this.signal = options.signal;
    this.limit = options.timeout;
    this.socket = createConnection({ host: options.host, port: options.port });
    this.socket.pause();
    this.socket.on("timeout", () =>
      this.fail(new TimeoutError(this.phase, this.limit, { host: this.label })),
    );
    this.socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error instanceof InetError) return; // Our own, passed to destroy() by fail().
      this.fail(
        new ConnectionClosedError(error.code ? `${error.code}: ${error.message}` : error.message, {
          host: this.label,
          cause: error,
        }),
      );
    });
    if (isLimited(options.timeout)) this.socket.setTimeout(options.timeout);
    if (this.signal?.aborted) this.onAbort();
    else this.signal?.addEventListener("abort", this.onAbort, { once: true });
    this.connected = new Promise<void>((resolve, reject) => {
      const settle = (error?: InetError) => {
        this.socket.off("connect", onConnect);
        this.socket.off("close", onClose);
        this.socket.setTimeout(0);
        if (error) reject(error);
        else resolve();
      };
      const onConnect = () => settle();
      const onClose = () =>
        settle(this.failure ?? new ConnectionClosedError("closed while connecting", { host: this.label }));
      this.socket.once("connect", onConnect);
      this.socket.once("close", onClose);
    });
    this.connected.catch(() => {});
  }

  /**
   * Hands every byte until the peer ends the stream to `sink`, one chunk at a time, and resolves
   * to the byte count. Rejects with {@link TimeoutError} after `timeout` ms of silence (in
   * `phase`), {@link AbortError} when the signal fires, {@link ConnectionClosedError} when the
   * connection fails, or what `sink` threw; the socket is gone afterwards in every case.
   */
  async receive(
    sink: (chunk: Buffer) => Promise<void>,
    options: { timeout: number; phase?: TimeoutPhase; signal?: AbortSignal | undefined },
  ): Promise<number> {
    const extra = options.signal !== this.signal ? options.signal : undefined;
    const onAbort = () => this.fail(abortErrorFrom(extra!, { host: this.label }));
    if (extra?.aborted) onAbort();
    extra?.addEventListener("abort", onAbort, { once: true });
    try {
      return await this.read(sink, options);
    } finally {
      extra?.removeEventListener("abort", onAbort);
    }
  }

  private async read(
    sink: (chunk: Buffer) => Promise<void>,
    options: { timeout: number; phase?: TimeoutPhase },
  ): Promise<number> {
    await this.connected;
    this.phase = options.phase ?? "data";
    this.limit = options.timeout;
    if (isLimited(options.timeout)) this.socket.setTimeout(options.timeout);
    const socket = this.socket;
    return new Promise<number>((resolve, reject) => {
      const queue: Buffer[] = [];
      let total = 0;
      let ended = false;
      let busy = false;
      let settled = false;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        socket.off("data", onData);
        socket.off("end", onEnd);
        socket.off("close", onClose);
        this.destroy();
        if (error !== undefined) reject(error);
        else resolve(total);
      };
      // One chunk at a time: the socket is paused while `sink` runs (the backpressure).
      const drain = (): void => {
        if (busy || settled) return;
        const chunk = queue.shift();
        if (chunk === undefined) {
          if (ended) finish();
          else socket.resume();
          return;
        }
        busy = true;
        sink(chunk).then(
          () => {
            busy = false;
            total += chunk.length;
            drain();
          },
          (error: unknown) => {
            busy = false;
            finish(error);
          },
        );
      };
      const onData = (chunk: Buffer) => {
        queue.push(chunk);
        socket.pause();
        drain();
      };
      const onEnd = () => {
        ended = true;
        drain();
      };
      const onClose = () => {
        if (this.failure) finish(this.failure);
        else if (!ended) {
          finish(
            new ConnectionClosedError("the data connection closed before the end of the file", {
              host: this.label,
            }),
          );
        }
      };
      if (this.failure || socket.destroyed) {
        onClose();
        return;
      }
      socket.on("data", onData);
      socket.on("end", onEnd);
      socket.on("close", onClose);
      socket.resume();
    });
  }

  /** Drops the connection (idempotent). */
  destroy(): void {
    this.signal?.removeEventListener("abort", this.onAbort);
    this.socket.setTimeout(0);
    this.socket.destroy();
  }

  private fail(error: InetError): void {
    if (this.failure) return;
    this.failure = error;
    this.signal?.removeEventListener("abort", this.onAbort);
    this.socket.destroy(error);
  }
}
