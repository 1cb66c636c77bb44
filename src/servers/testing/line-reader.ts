/**
 * The scripted server's view of client input: a thin adapter that feeds the session's current
 * socket (plain, then TLS after an upgrade) into one {@link ByteReader}. The ByteReader does all
 * the line scanning, buffering and flow control; this file only wires sockets to it, decodes
 * UTF-8 at the edge and words the errors from the client's side.
 *
 * Lines are read in the reader's `"lenient"` mode (LF alone also ends a line), because the test
 * server must be able to record a client's bare LF rather than fail on it.
 */
import type { Duplex } from "node:stream";
import { ConnectionClosedError } from "../../errors.js";
import { ByteReader } from "../../textproto/byte-reader.js";

/** One client line, decoded as UTF-8, without its terminator. */
export interface ClientLine {
  text: string;
  /** True when the line ended in LF alone rather than CRLF. */
  bareLF: boolean;
}

/** Bytes held before the socket is paused (raised by the ByteReader while a long line is read). */
const HIGH_WATER_MARK = 64 * 1024;
/** A preview shows 80 bytes; one more tells whether there was more to show. */
const PREVIEW_BYTES = 81;

/** Reads client lines and byte counts off the session's current socket, within a fixed bound. */
export class LineReader {
  private readonly reader: ByteReader;
  private socket: Duplex | undefined;
  private readonly onData = (chunk: Buffer) => this.reader.push(chunk);
  private readonly onEnd = () => this.reader.end();

  /** @param maxLineLength longest line accepted, terminator excluded. */
  constructor(maxLineLength: number) {
    this.reader = new ByteReader({
      maxLineLength,
      lineEnding: "lenient",
      highWaterMark: Math.max(HIGH_WATER_MARK, maxLineLength + 2),
    });
  }

  /** Starts reading from `socket` (one at a time; {@link detach} first to move to another). */
  attach(socket: Duplex): void {
    this.socket = socket;
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("close", this.onEnd);
    this.reader.setSource(socket);
    // A socket that already finished will send no 'end' or 'close' for a read to wait on.
    if (socket.readableEnded || socket.closed) this.reader.end();
  }

  /**
   * Stops reading from the current socket and resolves to whatever was received but not read —
   * bytes that arrived before a TLS handshake should have started. Reads wait until the next
   * {@link attach}.
   */
  async detach(): Promise<Buffer> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      // Bytes Node already took off the wire but has not emitted yet belong to us too: while
      // paused, read() hands them over (as 'data' events, since our listener is attached).
      socket.pause();
      while (socket.read() !== null) {}
      socket.off("data", this.onData);
      socket.off("end", this.onEnd);
      socket.off("close", this.onEnd);
      this.reader.setSource(undefined);
      // A paused socket would starve whatever takes it over (the TLS layer of an upgrade).
      socket.resume();
    }
    const parts: Buffer[] = [];
    while (this.reader.buffered > 0) {
      const chunk = await this.reader.readChunk();
      if (chunk === null) break;
      parts.push(chunk);
    }
    return Buffer.concat(parts);
  }

  /** Marks the input as finished (the session is going away): once drained, reads fail. */
  end(): void {
    this.reader.end();
  }

  /** What was received and not yet read, as a short preview; undefined when nothing is. */
  async pending(): Promise<string | undefined> {
    return this.reader.buffered > 0 ? preview(await this.peek(PREVIEW_BYTES)) : undefined;
  }

  /** Resolves once at least one unread byte is waiting, or the input has ended. */
  async waitForData(): Promise<void> {
    const byte = await this.reader.readChunk(1);
    if (byte !== null) this.reader.unshift(byte);
  }

  /**
   * The next line.
   * @throws {LimitError} (`what: "line"`) when a line exceeds the limit.
   * @throws {ConnectionClosedError} when the input ends first; its `reason` quotes any partial line.
   */
  async readLine(): Promise<ClientLine> {
    let line: Buffer | null;
    try {
      line = await this.reader.readLine();
    } catch (error) {
      // Our reader never ends with an error, so this is the input ending in the middle of a line.
      if (!(error instanceof ConnectionClosedError) || this.reader.buffered === 0) throw error;
      const partial = JSON.stringify(preview(await this.peek(PREVIEW_BYTES)));
      throw new ConnectionClosedError(`the client closed the connection: ${partial} without a line ending`);
    }
    if (line === null) throw new ConnectionClosedError("the client closed the connection");
    return { text: line.toString("utf8"), bareLF: this.reader.lastLineEnding === "lf" };
  }

  /**
   * Exactly `count` bytes.
   * @throws {ConnectionClosedError} when the input ends first.
   */
  async readBytes(count: number): Promise<Buffer> {
    try {
      return await this.reader.readExactly(count);
    } catch (error) {
      if (!(error instanceof ConnectionClosedError)) throw error;
      throw new ConnectionClosedError(`the client closed the connection before ${count} bytes`);
    }
  }

  /** Up to `max` unread bytes, left unread (taken off the reader and put back in front). */
  private async peek(max: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let size = 0;
    while (size < max && this.reader.buffered > 0) {
      const chunk = await this.reader.readChunk(max - size);
      if (chunk === null) break;
      parts.push(chunk);
      size += chunk.length;
    }
    const head = Buffer.concat(parts, size);
    this.reader.unshift(head);
    return head;
  }
}

/** The first bytes of some input, for a message: at most 80 characters. */
export function preview(bytes: Buffer): string {
  const text = bytes.subarray(0, 80).toString("utf8");
  return bytes.length > 80 ? `${text}…` : text;
}
