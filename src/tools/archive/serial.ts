/**
 * The one-entry-at-a-time discipline both archive writers share: calls made without waiting are
 * queued and run in the order they were made (entries never interleave), a writer that broke
 * (its file could not be written) refuses everything after, and `abort()` stops the entry being
 * written and everything still queued.
 */
import { AbortError, InvalidArgumentError } from "../../errors.js";

type State = "open" | "finishing" | "finished" | "aborted";

export class SerialWriter {
  private tail: Promise<void> = Promise.resolve();
  private state: State = "open";
  private failure: unknown;
  /** Fires on `abort()`: the running entry's streams listen to it. */
  readonly controller = new AbortController();

  /**
   * Queues `task` as an entry. The checks run now, so a call on a finished or aborted writer fails
   * at once; `task` runs after every earlier call has settled.
   *
   * @throws InvalidArgumentError once `finish()` was called; AbortError once aborted; the error
   *   that broke the writer.
   */
  entry<T>(task: () => Promise<T>): Promise<T> {
    if (this.state === "aborted") return Promise.reject(new AbortError());
    if (this.state !== "open") {
      return Promise.reject(new InvalidArgumentError("the archive is already finished"));
    }
    return this.queue(task);
  }

  /** Queues the closing `task`; later entries are refused. */
  close<T>(task: () => Promise<T>): Promise<T> {
    if (this.state === "aborted") return Promise.reject(new AbortError());
    if (this.state !== "open") {
      return Promise.reject(new InvalidArgumentError("the archive is already finished"));
    }
    this.state = "finishing";
    return this.queue(async () => {
      const result = await task();
      this.state = "finished";
      return result;
    });
  }

  /**
   * Marks the writer aborted, stops the running entry, and waits for the queue to settle. Returns
   * false when it had already finished (nothing to abort).
   */
  async abort(): Promise<boolean> {
    if (this.state === "finished") return false;
    this.state = "aborted";
    this.controller.abort(new AbortError());
    await this.tail;
    return true;
  }

  /** Records that the file itself failed: every later call fails with `error`. */
  broke(error: unknown): void {
    this.failure ??= error;
  }

  get isBroken(): boolean {
    return this.failure !== undefined;
  }

  private queue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(() => {
      if (this.controller.signal.aborted) throw new AbortError();
      if (this.failure !== undefined) throw this.failure;
      return task();
    });
    this.tail = run.then(
      () => {},
      () => {},
    );
    return run;
  }
}
