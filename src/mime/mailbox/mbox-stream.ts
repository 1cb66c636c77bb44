/**
 * Reading an mbox file (RFC 4155) message by message, each message's bytes as a stream of chunks:
 * memory stays constant whatever the size of the messages. The splitting and unquoting rules are
 * those of `MboxScanner` (mbox-scanner.ts).
 */
import { Readable } from "node:stream";
import { InvalidArgumentError } from "../../errors.js";
import type { MboxEvent } from "./mbox-scanner.js";
import {
  type Batch,
  envelopeOf,
  type MboxEnvelope,
  type MboxReadOptions,
  type MboxReadStats,
  type MboxSource,
  note,
  scanBatches,
} from "./mbox-source.js";

/** One message of an mbox, as a stream: read its body before asking for the next message. */
export interface MboxStreamedMessage extends MboxEnvelope {
  /** Bytes of the body delivered so far (the message's full size once the body has ended). */
  readonly size: number;
  /** Set once the body has been read to its end: see `MboxMessage.end` (mbox-reader.ts). */
  readonly end: number | undefined;
  /**
   * The message bytes, unquoted, as an async iterable of chunks (views into the reader's chunks,
   * never reused). Call once. Moving on to the next message skips what was not read.
   *
   * @throws InvalidArgumentError when called a second time.
   */
  body(): AsyncIterable<Buffer>;
  /** {@link body} as a byte `Readable` (for `parseMessage`, `pipeline`, …). */
  stream(): Readable;
}

/**
 * Reads an mbox message by message, each message's bytes as a stream: memory stays constant
 * whatever the size of the messages (one chunk and a few bytes). Read a message's
 * {@link MboxStreamedMessage.body} (or `stream()`) before asking for the next message; what was
 * not read is skipped. `maxMessageBytes` and `oversized` do not apply.
 *
 * @throws AbortError when `signal` fires; InvalidArgumentError for a source yielding strings; Node's
 *   file errors for a path. Errors surface in whichever read (next message or body chunk) meets them.
 */
export async function* streamMbox(
  source: MboxSource,
  options: Omit<MboxReadOptions, "maxMessageBytes" | "oversized" | "onSkipped"> = {},
): AsyncGenerator<MboxStreamedMessage> {
  const queue = new EventQueue(scanBatches(source, options), options.stats);
  let current: StreamedMessage | undefined;
  let index = 0;
  try {
    for (;;) {
      if (current) await current.skipRest();
      let event = await queue.next();
      while (event && event.type !== "start") event = await queue.next(); // never: ends follow bodies
      if (!event) return;
      if (options.stats) options.stats.messages += 1;
      current = new StreamedMessage(envelopeOf(index++, event.offset, event.fromLine), queue);
      yield current;
    }
  } finally {
    await queue.close();
  }
}

/**
 * The scanner's events one at a time, pulled from the batches on demand. Pulls are serialized
 * (a message's body and the next-message loop share it); a guard checked inside the turn lets a
 * pull give up when it is no longer wanted.
 */
class EventQueue {
  #batches: AsyncGenerator<Batch>;
  #stats: MboxReadStats | undefined;
  #events: MboxEvent[] = [];
  #at = 0;
  #done = false;
  #failure: Error | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(batches: AsyncGenerator<Batch>, stats: MboxReadStats | undefined) {
    this.#batches = batches;
    this.#stats = stats;
  }

  /**
   * The next event, or undefined at the end of the file. In its turn (after every earlier pull),
   * `wanted` decides whether to pull at all, and `apply` sees the event before anyone else can
   * pull: state that guards later pulls is updated without a gap.
   */
  next(wanted?: () => boolean, apply?: (event: MboxEvent) => void): Promise<MboxEvent | undefined> {
    const turn = this.#tail.then(async () => {
      if (wanted && !wanted()) return undefined;
      const event = await this.#pull();
      if (event && apply) apply(event);
      return event;
    });
    this.#tail = turn.catch(() => undefined);
    return turn;
  }

  async #pull(): Promise<MboxEvent | undefined> {
    while (this.#at >= this.#events.length) {
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#done) return undefined;
      let result: IteratorResult<Batch>;
      try {
        result = await this.#batches.next();
      } catch (error) {
        // Every later pull (the body's or the next message's) meets the same error, never a silent end.
        this.#failure = error instanceof Error ? error : new Error(String(error));
        throw this.#failure;
      }
      if (result.done) {
        this.#done = true;
        return undefined;
      }
      this.#events = result.value.events;
      this.#at = 0;
      if (this.#stats) note(this.#stats, result.value.held);
    }
    const event = this.#events[this.#at]!;
    this.#events[this.#at++] = undefined as unknown as MboxEvent; // let the chunk go
    return event;
  }

  async close(): Promise<void> {
    this.#done = true;
    await this.#tail;
    await this.#batches.return(undefined);
  }
}

class StreamedMessage implements MboxStreamedMessage {
  readonly index: number;
  readonly offset: number;
  readonly fromLine: string;
  readonly sender: string | undefined;
  readonly date: string | undefined;
  #queue: EventQueue;
  #size = 0;
  #end: number | undefined;
  #taken = false;
  #skipped = false;

  constructor(envelope: MboxEnvelope, queue: EventQueue) {
    this.index = envelope.index;
    this.offset = envelope.offset;
    this.fromLine = envelope.fromLine;
    this.sender = envelope.sender;
    this.date = envelope.date;
    this.#queue = queue;
  }

  get size(): number {
    return this.#size;
  }

  get end(): number | undefined {
    return this.#end;
  }

  body(): AsyncIterable<Buffer> {
    if (this.#taken) throw new InvalidArgumentError("the body of an mbox message can be read only once");
    this.#taken = true;
    return this.#chunks();
  }

  stream(): Readable {
    return Readable.from(this.body(), { objectMode: false });
  }

  async *#chunks(): AsyncGenerator<Buffer> {
    for (;;) {
      const bytes = await this.#take();
      if (bytes === undefined) return;
      yield bytes;
    }
  }

  /** The next chunk of this message's body, or undefined at its end (or once skipped). */
  async #take(): Promise<Buffer | undefined> {
    const event = await this.#queue.next(
      () => this.#end === undefined && !this.#skipped,
      (e) => this.#apply(e),
    );
    return event?.type === "data" ? event.bytes : undefined;
  }

  /** Called when the reader moves on: reads the rest of the body to nothing. */
  async skipRest(): Promise<void> {
    this.#skipped = true;
    while (this.#end === undefined) {
      const event = await this.#queue.next(
        () => this.#end === undefined,
        (e) => this.#apply(e),
      );
      if (event === undefined) return;
    }
  }

  /** Runs inside the queue's turn, so the guards of later pulls see it. */
  #apply(event: MboxEvent): void {
    if (event.type === "data") this.#size += event.bytes.length;
    else if (event.type === "end") this.#end = event.end;
  }
}
