/**
 * The scripted server's reader of client input: LF-terminated lines (a CR before the LF is
 * dropped, and its absence noted) and exact byte counts, over whichever socket the session is
 * currently on (plain, then TLS after an upgrade).
 *
 * Memory stays bounded: the socket is paused once more than a line's worth of bytes waits, and a
 * line longer than the limit fails instead of growing.
 */
import type { Duplex } from "node:stream";
import { ConnectionClosedError, LimitError } from "../../errors.js";

/** One client line, decoded as UTF-8, without its terminator. */
export interface ClientLine {
  text: string;
  /** True when the line ended in LF alone rather than CRLF. */
  bareLF: boolean;
}

const LF = 0x0a;
const CR = 0x0d;

/** Reads client lines and byte counts off the session's current socket, within a fixed bound. */
export class LineReader {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes at the front of `buffer` already known to hold no LF. */
  private scanned = 0;
  private ended = false;
  private socket: Duplex | undefined;
  private wake: (() => void) | undefined;
  private readonly highWaterMark: number;
  private readonly onData = (chunk: Buffer) => {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.buffer.length >= this.highWaterMark) this.socket?.pause();
    this.notify();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.notify();
  };

  /** @param maxLineLength longest line accepted, terminator excluded. */
  constructor(readonly maxLineLength: number) {
    this.highWaterMark = Math.max(maxLineLength + 2, 64 * 1024);
  }

  /** Starts reading from `socket` (once at a time; {@link detach} first to move to another). */
  attach(socket: Duplex): void {
    this.socket = socket;
    this.ended = false;
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("close", this.onEnd);
  }

  /**
   * Stops reading from the current socket and hands back whatever was received but not read —
   * bytes that arrived before a TLS handshake should have started.
   */
  detach(): Buffer {
    const socket = this.socket;
    if (socket) {
      socket.off("data", this.onData);
      socket.off("end", this.onEnd);
      socket.off("close", this.onEnd);
      // A paused socket would starve whatever takes it over (the TLS layer of an upgrade).
      socket.resume();
    }
    this.socket = undefined;
    const left = this.buffer;
    this.buffer = Buffer.alloc(0);
    this.scanned = 0;
    return left;
  }

  /** Marks the input as finished (the session is going away): pending and later reads fail. */
  end(): void {
    this.onEnd();
  }

  /** What was received and not yet read, as a short preview; undefined when nothing is. */
  pending(): string | undefined {
    return this.buffer.length > 0 ? preview(this.buffer) : undefined;
  }

  /** Resolves once at least one unread byte is waiting, or the input has ended. */
  async waitForData(): Promise<void> {
    while (this.buffer.length === 0 && !this.ended) await this.more();
  }

  /**
   * The next line.
   * @throws {LimitError} (`what: "line"`) when a line exceeds the limit.
   * @throws {ConnectionClosedError} when the input ends first; its `reason` quotes any partial line.
   */
  async readLine(): Promise<ClientLine> {
    for (;;) {
      const lf = this.buffer.indexOf(LF, this.scanned);
      if (lf >= 0) {
        const bareLF = lf === 0 || this.buffer[lf - 1] !== CR;
        const line = this.buffer.subarray(0, bareLF ? lf : lf - 1);
        if (line.length > this.maxLineLength) throw new LimitError("line", this.maxLineLength);
        this.consume(lf + 1);
        return { text: line.toString("utf8"), bareLF };
      }
      this.scanned = this.buffer.length;
      if (this.buffer.length > this.maxLineLength + 1) throw new LimitError("line", this.maxLineLength);
      if (this.ended) {
        const partial =
          this.buffer.length > 0 ? `: ${JSON.stringify(preview(this.buffer))} without a line ending` : "";
        throw new ConnectionClosedError(`the client closed the connection${partial}`);
      }
      await this.more();
    }
  }

  /**
   * Exactly `count` bytes.
   * @throws {ConnectionClosedError} when the input ends first.
   */
  async readBytes(count: number): Promise<Buffer> {
    while (this.buffer.length < count) {
      if (this.ended)
        throw new ConnectionClosedError(`the client closed the connection before ${count} bytes`);
      await this.more();
    }
    const out = Buffer.from(this.buffer.subarray(0, count));
    this.consume(count);
    return out;
  }

  private consume(count: number): void {
    this.buffer = this.buffer.subarray(count);
    this.scanned = 0;
    if (this.buffer.length < this.highWaterMark) this.socket?.resume();
  }

  private more(): Promise<void> {
    // Whoever waits for more input needs the socket flowing, whatever the high-water mark says.
    this.socket?.resume();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** The first bytes of some input, for a message: at most 80 characters. */
export function preview(bytes: Buffer): string {
  const text = bytes.subarray(0, 80).toString("utf8");
  return bytes.length > 80 ? `${text}…` : text;
}
