/**
 * Splits a TCP byte stream into the messages the timestamp server answers. Pure: the quiet-period
 * timer that decides when unterminated bytes become a message lives in `tcp.ts`.
 *
 * Two kinds of client must both work:
 * - line clients (ours, `nc`, telnet) send `message\n` or `message\r\n` and read one reply line;
 * - the book's Python client sends bare bytes with `send()` and waits in `recv(1024)`, so bytes
 *   left without a LF become a message once the peer falls quiet ({@link MessageFramer.flush}).
 *
 * Memory is bounded: a message is at most `maxMessage` bytes including its LF; once that many
 * bytes are held without a LF among them, exactly `maxMessage` bytes are handed over as an
 * unterminated message. This rule does not depend on how the stream is split into chunks.
 */

/** Default bound on one message, terminator included: 64 KiB. */
export const MAX_MESSAGE_BYTES = 65_536;

/** One message cut from the stream. */
export interface FramedMessage {
  /** The message's bytes; for a line, without its LF and without a CR right before it. */
  bytes: Buffer;
  /** True for a LF-terminated line; false for bytes cut by the quiet period, the bound or the end. */
  terminated: boolean;
}

const LF = 0x0a;
const CR = 0x0d;

export class MessageFramer {
  readonly maxMessage: number;
  private parts: Buffer[] = [];
  private length = 0;

  /** `maxMessage` must be at least 1 (RangeError otherwise: a programming error). */
  constructor(maxMessage = MAX_MESSAGE_BYTES) {
    if (!Number.isSafeInteger(maxMessage) || maxMessage < 1)
      throw new RangeError(`invalid bound ${maxMessage}`);
    this.maxMessage = maxMessage;
  }

  /** Bytes held that do not yet make a message. */
  get pending(): number {
    return this.length;
  }

  /**
   * Feeds a chunk and returns the messages it completed, in order. Held bytes never contain a
   * LF, so only the new chunk is scanned.
   */
  push(chunk: Buffer): FramedMessage[] {
    const out: FramedMessage[] = [];
    let start = 0;
    while (start < chunk.length) {
      const room = this.maxMessage - this.length;
      const windowEnd = Math.min(chunk.length, start + room);
      const lf = chunk.indexOf(LF, start);
      if (lf >= 0 && lf < windowEnd) {
        out.push({ bytes: stripCR(this.take(chunk.subarray(start, lf))), terminated: true });
        start = lf + 1;
      } else if (windowEnd - start === room) {
        out.push({ bytes: this.take(chunk.subarray(start, windowEnd)), terminated: false });
        start = windowEnd;
      } else {
        this.parts.push(chunk.subarray(start));
        this.length += chunk.length - start;
        start = chunk.length;
      }
    }
    return out;
  }

  /** Hands over the held bytes as one unterminated message, or `undefined` when none are held. */
  flush(): FramedMessage | undefined {
    if (this.length === 0) return undefined;
    return { bytes: this.take(EMPTY), terminated: false };
  }

  /** The held bytes followed by `tail`, as one Buffer; empties the holder. */
  private take(tail: Buffer): Buffer {
    if (this.length === 0) return tail;
    const whole = Buffer.concat([...this.parts, tail], this.length + tail.length);
    this.parts = [];
    this.length = 0;
    return whole;
  }
}

function stripCR(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line;
}

const EMPTY = Buffer.alloc(0);
