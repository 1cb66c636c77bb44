/**
 * `parseMessage`: the streaming MIME parser's entry point (RFC 5322, RFC 2045–2047, RFC 2231).
 *
 * One pass over the input, a chunk at a time, never joining the whole message: the synchronous
 * core (message-parser.ts) reads each slice, and between slices this driver runs the caller's
 * `onAttachment` callbacks, waits while an attachment's reader is behind (backpressure: no more
 * input is pulled until it reads), and watches the AbortSignal.
 */
import { Readable } from "node:stream";
import { abortErrorFrom } from "../../errors.js";
import type { MimeDefect, MimeLimits, MimePart, ParsedMessage, StreamedAttachment } from "../types.js";
import type { AttachmentFeed } from "./attachment-feed.js";
import { resolveLimits } from "./limits.js";
import { MessageParser } from "./message-parser.js";
import type { PartNode } from "./part.js";
import { chunksOf, type MessageSource } from "./source.js";
import { readTypedHeaders } from "./typed-headers.js";

/** Options of {@link parseMessage}: the bounds, and where attachments go. */
export type ParseOptions = MimeLimits & {
  /**
   * Called for each attachment of the top message, in document order, when its body starts. Its
   * decoded bytes then arrive through `stream` and are NOT kept (`content()` rejects): the parser
   * pulls no more input while the stream's buffer is full, and goes past the attachment's end
   * only once the returned promise has settled. A stream the callback neither reads, pipes nor
   * listens to by the time its promise settles is drained and discarded. A throw or rejection
   * ends the parse with that error.
   */
  onAttachment?: (attachment: StreamedAttachment) => Promise<void> | void;
  /** Aborts the parse: it rejects with `AbortError`, and attachment streams are destroyed. */
  signal?: AbortSignal;
};

/** Size of the slices big input chunks are cut into, so no single step holds more than this. */
const SLICE = 64 * 1024;

/**
 * Parses a message (RFC 5322 with MIME, RFC 2045–2049) from a stream, an async iterable of byte
 * chunks, a Buffer or a string (taken as UTF-8), in one pass.
 *
 * Line endings may be CRLF or bare LF (a `bare-line-ending` defect). Multiparts nest to any depth
 * within `maxDepth`; message/rfc822 and message/global parts are parsed as messages (even when,
 * against RFC 2045 §6.4, base64 or quoted-printable: decoded first), their part being the child.
 * Bodies are decoded from their transfer encoding and kept, text parts also decoded from their
 * charset into `text` — except attachments streamed to `onAttachment`. The main `text` and `html`
 * are the first text/plain and text/html leaves of the top message not marked as attachments
 * (`Content-Disposition: attachment`); every other leaf of the top message, and every
 * message/rfc822 part, is an attachment (parts inside an encapsulated message belong to it).
 *
 * Malformed input never throws: what was wrong is recorded as a defect of its part. Rejects with
 * `LimitError` when a bound of {@link MimeLimits} is crossed, `InvalidArgumentError` for a bad
 * option or source, `AbortError` when `signal` fires, or whatever the source or `onAttachment`
 * threw.
 */
export async function parseMessage(
  source: MessageSource,
  options: ParseOptions = {},
): Promise<ParsedMessage> {
  return (await parseMessageWithStats(source, options)).message;
}

/**
 * {@link parseMessage}, also returning the most bytes the parser held at once in its own buffers
 * (held lines, header blocks, kept bodies, bytes in flight to nested levels; not the bytes
 * waiting in an attachment stream for its reader). For tests and benchmarks; not exported from
 * the package.
 */
export async function parseMessageWithStats(
  source: MessageSource,
  options: ParseOptions = {},
): Promise<{ message: ParsedMessage; peakBufferedBytes: number }> {
  const parser = new MessageParser(resolveLimits(options), options.onAttachment !== undefined);
  await drive(parser, source, options);
  return { message: assemble(parser), peakBufferedBytes: parser.peakBufferedBytes };
}

/** An attachment handed to the callback, and the callback's progress. */
interface Callback {
  feed: AttachmentFeed;
  /** Settles with the callback (rejections are reported to the guard, never unhandled). */
  done: Promise<void>;
  failed: boolean;
  error: unknown;
}

/** Feeds the input to the parser, acting on attachment events between slices. */
async function drive(parser: MessageParser, source: MessageSource, options: ParseOptions): Promise<void> {
  const iterator = chunksOf(source);
  const guard = new Guard(options.signal);
  /** Callbacks whose attachment has not ended yet. */
  const callbacks = new Map<AttachmentFeed, Callback>();
  let current: Callback | undefined;
  let sourceDone = false;

  const handleEvents = async (): Promise<void> => {
    for (const event of parser.takeEvents()) {
      if (event.kind === "start") {
        current = startCallback(options.onAttachment!, event.part, event.feed, guard);
        callbacks.set(event.feed, current);
      } else {
        const callback = callbacks.get(event.feed)!;
        callbacks.delete(event.feed);
        await guard.race(callback.done);
        if (callback.failed) throw callback.error;
        if (current === callback) current = undefined;
      }
    }
  };

  const waitForReader = async (): Promise<void> => {
    while (current?.feed.full) {
      guard.check();
      const callback = current;
      // The callback settling wakes this wait too (it may free the stream: see callbackSettled).
      await guard.race(callback.feed.room());
      if (callback.failed) throw callback.error;
    }
  };

  try {
    guard.check();
    for (;;) {
      const next = await guard.race(iterator.next());
      if (next.done) break;
      const chunk = next.value;
      for (let offset = 0; offset < chunk.length; offset += SLICE) {
        const slice = chunk.subarray(offset, Math.min(chunk.length, offset + SLICE));
        let at = 0;
        while (at < slice.length) {
          guard.check();
          at = parser.write(slice, at);
          // Awaited only when there is something to wait for: most slices go straight through.
          if (parser.paused) await handleEvents();
          if (current?.feed.full) await waitForReader();
        }
      }
    }
    sourceDone = true;
    parser.end();
    await handleEvents();
  } catch (error) {
    for (const { feed } of callbacks.values()) if (!feed.ended) feed.fail(error);
    if (!sourceDone) release(source, iterator);
    throw error;
  } finally {
    guard.dispose();
  }
}

/**
 * Lets go of a source the parse stopped reading: its iterator is told (not awaited: a source
 * stuck waiting for data would keep the rejection waiting too) and a stream is destroyed.
 */
function release(source: MessageSource, iterator: AsyncIterator<Buffer>): void {
  // The source failing to close adds nothing to the error already on its way.
  iterator.return?.().catch(() => {});
  if (source instanceof Readable) source.destroy();
}

function startCallback(
  onAttachment: NonNullable<ParseOptions["onAttachment"]>,
  part: PartNode,
  feed: AttachmentFeed,
  guard: Guard,
): Callback {
  const attachment: StreamedAttachment = {
    filename: part.filename,
    contentType: part.contentType,
    disposition: part.disposition,
    contentId: part.contentId,
    part,
    stream: feed.stream,
  };
  let result: Promise<void>;
  try {
    result = Promise.resolve(onAttachment(attachment));
  } catch (error) {
    result = Promise.reject(error);
  }
  const callback: Callback = { feed, done: Promise.resolve(), failed: false, error: undefined };
  callback.done = result.then(
    () => feed.callbackSettled(),
    (error: unknown) => {
      callback.failed = true;
      callback.error = error;
      guard.fail(error);
    },
  );
  return callback;
}

/**
 * The abort signal and a failed callback, as something every wait can race. (Not with
 * `Promise.race` against one long-lived promise: every call would leave a reaction on it holding
 * the value it raced — a chunk of the input each time, never freed.)
 */
class Guard {
  readonly #signal: AbortSignal | undefined;
  readonly #waiters = new Set<(error: unknown) => void>();
  #failed = false;
  #error: unknown;
  readonly #onAbort = (): void => this.fail(abortErrorFrom(this.#signal!));

  constructor(signal: AbortSignal | undefined) {
    this.#signal = signal;
    if (signal?.aborted) this.fail(abortErrorFrom(signal));
    else signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#error = error;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const reject of waiters) reject(error);
  }

  check(): void {
    if (this.#failed) throw this.#error;
  }

  /** `promise`, or the failure if it comes first. */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.#failed) return Promise.reject(this.#error);
    return new Promise<T>((resolve, reject) => {
      this.#waiters.add(reject);
      promise.then(
        (value) => {
          this.#waiters.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.#waiters.delete(reject);
          reject(error);
        },
      );
    });
  }

  dispose(): void {
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }
}

/** The parsed message: typed headers, main bodies, attachments, the tree and its defects. */
function assemble(parser: MessageParser): ParsedMessage {
  const root = parser.root;
  const typed = readTypedHeaders(root.headers, root.defects);
  return {
    headers: root.headers,
    ...typed,
    text: parser.textPart?.text,
    html: parser.htmlPart?.text,
    attachments: parser.attachments.map((part) => ({
      filename: part.filename,
      contentType: part.contentType,
      disposition: part.disposition,
      contentId: part.contentId,
      size: part.size ?? 0,
      part,
      content: () => part.content(),
    })),
    root,
    defects: allDefects(root),
  };
}

/** Every part's defects in document order (a pre-order walk, with an explicit stack). */
function allDefects(root: MimePart): MimeDefect[] {
  const out: MimeDefect[] = [];
  const stack: MimePart[] = [root];
  while (stack.length > 0) {
    const part = stack.pop()!;
    for (const defect of part.defects) out.push(defect);
    for (let i = part.children.length - 1; i >= 0; i -= 1) stack.push(part.children[i]!);
  }
  return out;
}
