/**
 * One message on its way into the mail store while it is still being received: the session
 * writes chunks as they arrive (DATA or BDAT, across several BDAT commands), and the store reads
 * them at its own pace, so memory holds at most a few chunks whatever the message's size.
 * `commit()` ends the message and waits for the store; `abort()` makes the store drop it (nothing
 * of it stays visible).
 */
import { ConnectionClosedError } from "../../errors.js";
import type { MailStore } from "../mail/store.js";

/** Bytes queued before `write()` waits for the store to catch up. */
const HIGH_WATER = 256 * 1024;

/** A bounded one-way queue of Buffers: pushed by the session, iterated by the store. */
class ChunkChannel implements AsyncIterable<Buffer> {
  #queue: Buffer[] = [];
  #queued = 0;
  #ended = false;
  #error: Error | undefined;
  /** The consumer stopped (the store failed): pushes are dropped. */
  #closed = false;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducer: (() => void) | undefined;

  /** Queues a chunk; resolves once the queue is below its mark again. */
  async push(chunk: Buffer): Promise<void> {
    if (this.#closed || this.#ended || chunk.length === 0) return;
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    this.#wake();
    while (this.#queued > HIGH_WATER && !this.#closed) {
      await new Promise<void>((resolve) => {
        this.#wakeProducer = resolve;
      });
    }
  }

  /** No more chunks. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** The consumer's next read fails with `error`. */
  fail(error: Error): void {
    this.#error ??= error;
    this.#ended = true;
    this.#wake();
  }

  /** The consumer is gone: release a waiting producer and drop what is queued. */
  close(): void {
    this.#closed = true;
    this.#queue = [];
    this.#queued = 0;
    this.#releaseProducer();
  }

  #wake(): void {
    const wake = this.#wakeConsumer;
    this.#wakeConsumer = undefined;
    wake?.();
  }

  #releaseProducer(): void {
    const wake = this.#wakeProducer;
    this.#wakeProducer = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        if (this.#error) throw this.#error;
        const chunk = this.#queue.shift();
        if (chunk) {
          this.#queued -= chunk.length;
          if (this.#queued <= HIGH_WATER) this.#releaseProducer();
          yield chunk;
          continue;
        }
        if (this.#ended) return;
        await new Promise<void>((resolve) => {
          this.#wakeConsumer = resolve;
        });
      }
    } finally {
      this.close();
    }
  }
}

/** The outcome of a delivery: the id in each user's mailbox, or why it failed. */
export type DeliveryOutcome = { ok: true; ids: Map<string, string> } | { ok: false; error: unknown };

/** A message being written into the store (see the module comment). */
export class Delivery {
  readonly #channel = new ChunkChannel();
  readonly #outcome: Promise<DeliveryOutcome>;
  #settled = false;

  /** Starts the store's delivery to `users`; `head` (the trace fields) goes first. */
  constructor(store: MailStore, users: readonly string[], head: Buffer) {
    void this.#channel.push(head);
    this.#outcome = store.deliver(users, this.#channel).then(
      (ids): DeliveryOutcome => ({ ok: true, ids }),
      (error: unknown): DeliveryOutcome => {
        this.#channel.close();
        return { ok: false, error };
      },
    );
  }

  /** Writes content; waits while the store is behind. Never rejects (a store failure shows in commit). */
  async write(chunk: Buffer): Promise<void> {
    if (this.#settled) return;
    await this.#channel.push(chunk);
  }

  /** Ends the message and resolves to the store's outcome. */
  commit(): Promise<DeliveryOutcome> {
    this.#settled = true;
    this.#channel.end();
    return this.#outcome;
  }

  /** Drops the message: the store removes what it wrote. Resolves when it has. */
  async abort(reason: Error = new ConnectionClosedError("the message was abandoned")): Promise<void> {
    if (this.#settled) {
      await this.#outcome;
      return;
    }
    this.#settled = true;
    this.#channel.fail(reason);
    await this.#outcome;
  }
}
