/**
 * The synchronous core of {@link parseMessage}: bytes in (in any split), the part tree out. It
 * owns the chain of message levels (the top message, and one level per encapsulated message
 * below it), the count of parts, and the choice of where each body goes: the main text and HTML,
 * the attachments, and — with `onAttachment` — the attachment streams and their events, which the
 * asynchronous driver (parse-message.ts) acts on between calls.
 */
import { AttachmentFeed } from "./attachment-feed.js";
import type { BodyForward, BodyTargets } from "./body-reader.js";
import { limitError, type ResolvedLimits } from "./limits.js";
import { type LevelContext, MessageLevel } from "./message-level.js";
import { PartNode } from "./part.js";

/** Something the driver must do before the parser goes on. */
export type AttachmentEvent =
  /** An attachment's body starts: call `onAttachment` with its stream. */
  | { kind: "start"; part: PartNode; feed: AttachmentFeed }
  /** Its body is complete: wait for the callback to settle. */
  | { kind: "end"; part: PartNode; feed: AttachmentFeed };

/** Bytes on their way to an encapsulated message's level (undefined: its end). */
interface LevelOp {
  level: MessageLevel;
  bytes: Buffer | undefined;
}

/** The parser's state for one message. */
export class MessageParser implements LevelContext {
  readonly limits: ResolvedLimits;
  readonly root: PartNode;
  /** The main text/plain part, once found. */
  textPart: PartNode | undefined;
  /** The main text/html part, once found. */
  htmlPart: PartNode | undefined;
  /** Every attachment of the top message, in document order. */
  readonly attachments: PartNode[] = [];
  /**
   * The most bytes the parser held at once in its own buffers (held lines, header blocks, kept
   * bodies, bytes queued for nested levels), sampled after every call. For tests and benchmarks.
   */
  peakBufferedBytes = 0;
  readonly #streaming: boolean;
  readonly #top: MessageLevel;
  /** The live level at each depth of the chain (index 0: the top message). */
  readonly #levels: MessageLevel[] = [];
  /** Ops for each level below the top, in the order their bytes came. */
  #queues: LevelOp[][] = [];
  #queuedBytes = 0;
  #parts = 0;
  #events: AttachmentEvent[] = [];

  /** `streaming`: attachments go to streams (`onAttachment`) instead of memory. */
  constructor(limits: ResolvedLimits, streaming: boolean) {
    this.limits = limits;
    this.#streaming = streaming;
    this.root = new PartNode(0);
    this.countPart();
    this.#top = new MessageLevel(this, this.root, 0);
    this.#levels.push(this.#top);
  }

  /**
   * Parses `chunk` from `start`. Returns where it stopped: `chunk.length`, or earlier when an
   * attachment event is due ({@link takeEvents}); call again with the rest. Throws `LimitError`.
   */
  write(chunk: Buffer, start = 0): number {
    const stopped = this.#top.push(chunk, start);
    this.#drain();
    return stopped;
  }

  /** The end of the input: every open part and level is closed. Throws `LimitError`. */
  end(): void {
    this.#top.end();
    this.#drain();
  }

  /** The attachment events due, in order (and forgets them). */
  takeEvents(): AttachmentEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  // LevelContext

  get paused(): boolean {
    return this.#events.length > 0;
  }

  countPart(): void {
    this.#parts += 1;
    if (this.#parts > this.limits.maxParts) throw limitError(this.limits, "maxParts");
  }

  targetsFor(part: PartNode, level: number): BodyTargets {
    // Inside an encapsulated message nothing is main text or an attachment of the top message;
    // with onAttachment its bytes reach the caller through that message's own stream.
    if (level > 0) return { keep: !this.#streaming };
    if (!part.isMessage && part.disposition !== "attachment") {
      if (part.contentType === "text/plain" && this.textPart === undefined) {
        this.textPart = part;
        return { keep: true };
      }
      if (part.contentType === "text/html" && this.htmlPart === undefined) {
        this.htmlPart = part;
        return { keep: true };
      }
    }
    this.attachments.push(part);
    if (!this.#streaming) return { keep: true };
    const feed: AttachmentFeed = new AttachmentFeed(() => this.#events.push({ kind: "end", part, feed }));
    this.#events.push({ kind: "start", part, feed });
    return { keep: false, feed };
  }

  openMessage(root: PartNode, level: number): BodyForward {
    const below = level + 1;
    const child = new MessageLevel(this, root, below);
    this.#levels[below] = child;
    this.#levels.length = below + 1;
    const queue = (bytes: Buffer | undefined): void => {
      let ops = this.#queues[below];
      if (ops === undefined) ops = this.#queues[below] = [];
      ops.push({ level: child, bytes });
      if (bytes) this.#queuedBytes += bytes.length;
    };
    return { write: (bytes) => queue(bytes), end: () => queue(undefined) };
  }

  // Internals

  /**
   * Feeds the queued bytes down the chain, level by level: a level's ops only ever add to the
   * next level's queue, so one pass from the top settles everything, without recursion.
   */
  #drain(): void {
    this.#sample();
    for (let i = 1; i < this.#queues.length; i += 1) {
      const ops = this.#queues[i];
      if (ops === undefined || ops.length === 0) continue;
      this.#queues[i] = [];
      for (const op of ops) {
        if (op.bytes === undefined) {
          op.level.end();
        } else {
          this.#queuedBytes -= op.bytes.length;
          op.level.push(op.bytes);
        }
      }
    }
    this.#sample();
  }

  #sample(): void {
    let held = this.#queuedBytes;
    for (const level of this.#levels) held += level.bufferedBytes;
    if (held > this.peakBufferedBytes) this.peakBufferedBytes = held;
  }
}
