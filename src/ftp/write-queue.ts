/**
 * Ordered, coalescing writes to a file descriptor, for downloads. A download's receiver hands
 * over each filled read buffer without waiting for the previous write to finish; the chunks that
 * pile up while one write is with the thread pool go out together in the next `writev`. One
 * write at a time keeps the order (a FIFO or a device has no offsets to sort them by), and a
 * receiver reading 4 GB/s over loopback is not held back by one thread-pool round trip per
 * buffer: with one `write` per buffer, the reads stopped for want of a free buffer on more than
 * half of the buffers of a 1 GiB download.
 */
import { writev } from "node:fs";

/** Most buffers in one `writev` (Linux's IOV_MAX is 1024). */
const MAX_BATCH = 1024;

interface Pending {
  chunk: Buffer;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes chunks to a descriptor in the order {@link write} was called, at most one system call
 * in flight, each taking every chunk queued so far. After a failure, every queued and later write
 * rejects with the same error.
 */
export class WriteQueue {
  private readonly queue: Pending[] = [];
  private busy = false;
  private failure: { error: unknown } | undefined;

  /** `descriptor` resolves to the fd to write to (it may open the file on first use). */
  constructor(private readonly descriptor: () => Promise<number>) {}

  /**
   * Queues `chunk` (synchronously: calls made one after another are written in that order) and
   * resolves once all of it has been written; the caller may reuse its memory then, not before.
   * Rejects with the file system's error (or what opening the descriptor threw).
   */
  write(chunk: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure.error);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ chunk, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.busy || this.queue.length === 0) return;
    this.busy = true;
    const batch = this.queue.splice(0, MAX_BATCH);
    this.writeAll(batch.map((entry) => entry.chunk)).then(
      () => {
        for (const entry of batch) entry.resolve();
        this.busy = false;
        this.pump();
      },
      (error: unknown) => {
        this.failure = { error };
        for (const entry of batch) entry.reject(error);
        for (const entry of this.queue.splice(0)) entry.reject(error);
        this.busy = false;
      },
    );
  }

  /** `writev` until every byte of `chunks` is written (a call may write only part of them). */
  private async writeAll(chunks: Buffer[]): Promise<void> {
    const fd = await this.descriptor();
    let rest = chunks;
    while (rest.length > 0) {
      let written = await writevOnce(fd, rest);
      const left: Buffer[] = [];
      for (const chunk of rest) {
        if (written >= chunk.length) written -= chunk.length;
        else {
          left.push(written > 0 ? chunk.subarray(written) : chunk);
          written = 0;
        }
      }
      rest = left;
    }
  }
}

function writevOnce(fd: number, chunks: Buffer[]): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    writev(fd, chunks, null, (error, written) => (error ? reject(error) : resolve(written)));
  });
}
