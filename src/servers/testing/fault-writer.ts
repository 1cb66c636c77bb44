/**
 * How the scripted server puts bytes on the wire, with its fault modes: one write, 1-byte writes,
 * a split at an offset, a slow drip, or only the first n bytes and then a destroyed connection.
 * Every write waits until the socket has flushed it, so nothing piles up in memory.
 */
import type { Socket } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";
import { ConnectionClosedError } from "../../errors.js";

/** What the writer needs from its session. */
export interface WriterHost {
  /** The current socket (plain, or TLS after an upgrade). */
  socket(): Socket;
  /** Throws a ConnectionClosedError once the session is closed or closing. */
  assertOpen(): void;
  /** A sleep the session cuts short at teardown. */
  delay(ms: number): Promise<void>;
  destroy(): void;
  /** Marks an error as expected (the script stopping as planned) and returns it. */
  account<T>(error: T): T;
}

const MAX_WRITES_RECORDED = 100_000;

/** The writing half of a scripted session; the session owns it and sets its modes. */
export class FaultWriter {
  /** The size of every socket write, in order (the first 100 000). */
  readonly writes: number[] = [];
  /** The most bytes ever waiting in the socket's write buffer. */
  maxQueuedBytes = 0;
  /** `"bytes"`: 1-byte writes; a number: two writes split there; `"off"`: one write. */
  split: number | "bytes" | "off" = "off";
  /** When set, the next {@link emit} goes out one byte at a time, this many ms apart. */
  dripNext: number | undefined;
  /** When set, how many more bytes may go out before the connection is destroyed. */
  byteBudget: number | undefined;

  constructor(private readonly host: WriterHost) {}

  /**
   * Sends bytes the way the current modes say: dripped, split, or in one write.
   * @throws {ConnectionClosedError} when the connection is gone or the byte budget runs out.
   */
  async emit(bytes: Buffer): Promise<void> {
    const drip = this.dripNext;
    this.dripNext = undefined;
    if (drip !== undefined) {
      for (let i = 0; i < bytes.length; i++) {
        if (i > 0) await this.host.delay(drip);
        await this.write(bytes.subarray(i, i + 1));
      }
      return;
    }
    const split = this.split;
    if (split === "off" || bytes.length < 2) return this.write(bytes);
    const pieces =
      split === "bytes"
        ? Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1))
        : [bytes.subarray(0, split), bytes.subarray(split)].filter((p) => p.length > 0);
    for (const [i, piece] of pieces.entries()) {
      // A turn of the event loop between writes, so each goes out in its own segment.
      if (i > 0) await nextTurn();
      await this.write(piece);
    }
  }

  /**
   * One socket write, awaited until flushed; applies the byte budget.
   * @throws {ConnectionClosedError} when the write fails or the budget is spent (the connection is then destroyed).
   */
  async write(bytes: Buffer): Promise<void> {
    this.host.assertOpen();
    let last = false;
    if (this.byteBudget !== undefined) {
      if (bytes.length >= this.byteBudget) {
        bytes = bytes.subarray(0, this.byteBudget);
        last = true;
      }
      this.byteBudget -= bytes.length;
    }
    if (bytes.length > 0) {
      const socket = this.host.socket();
      if (this.writes.length < MAX_WRITES_RECORDED) this.writes.push(bytes.length);
      const failure = await new Promise<Error | null | undefined>((resolve) => {
        socket.write(bytes, resolve);
        this.maxQueuedBytes = Math.max(this.maxQueuedBytes, socket.writableLength);
      });
      if (failure) throw this.host.account(new ConnectionClosedError("write failed", { cause: failure }));
    }
    if (last) {
      this.host.destroy();
      throw this.host.account(new ConnectionClosedError("closed after the scripted number of bytes"));
    }
  }
}
