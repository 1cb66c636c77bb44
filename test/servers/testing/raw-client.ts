// A bare test client for the scripted server: it keeps every 'data' event as it came, so tests
// can see how the server's bytes were grouped, and reads lines without interpreting them.
import { connect, type Socket } from "node:net";
import type { TLSSocket } from "node:tls";

export class RawClient {
  /** Every 'data' chunk, in order. */
  readonly events: Buffer[] = [];
  ended = false;
  error: Error | undefined;
  readonly closed: Promise<void>;
  private buffer = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private readonly onData = (chunk: Buffer) => {
    this.events.push(chunk);
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.notify();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.notify();
  };
  private readonly onError = (error: Error) => {
    this.error = error;
    this.onEnd();
  };

  constructor(readonly socket: Socket | TLSSocket) {
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("close", this.onEnd);
    socket.on("error", this.onError);
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
  }

  /**
   * Connects; resolves once connected or failed (a failure, even one that races the connect,
   * like a server's immediate RST, lands in `error`).
   */
  static async connect(port: number, host = "127.0.0.1"): Promise<RawClient> {
    const socket = connect({ port, host });
    const client = new RawClient(socket);
    await new Promise<void>((resolve) => {
      socket.once("connect", resolve);
      socket.once("close", resolve);
    });
    return client;
  }

  /** Everything received and not yet read. */
  get pending(): Buffer {
    return this.buffer;
  }

  write(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** The next line with its terminator, or null when the connection ends first. */
  async readRawLine(): Promise<Buffer | null> {
    for (;;) {
      const lf = this.buffer.indexOf(0x0a);
      if (lf >= 0) {
        const line = this.buffer.subarray(0, lf + 1);
        this.buffer = this.buffer.subarray(lf + 1);
        return line;
      }
      if (this.ended) return null;
      await this.more();
    }
  }

  /** The next line as text without CRLF, or null at the end. */
  async readLine(): Promise<string | null> {
    const raw = await this.readRawLine();
    return raw === null ? null : raw.toString("utf8").replace(/\r?\n$/, "");
  }

  /** Waits until `count` bytes are pending (or the end) and takes them. */
  async readBytes(count: number): Promise<Buffer> {
    while (this.buffer.length < count && !this.ended) await this.more();
    const out = this.buffer.subarray(0, count);
    this.buffer = this.buffer.subarray(out.length);
    return out;
  }

  /** Everything until the connection ends. */
  async readAll(): Promise<Buffer> {
    while (!this.ended) await this.more();
    const out = this.buffer;
    this.buffer = Buffer.alloc(0);
    return out;
  }

  /** Stops listening to the socket (before handing it to tls.connect) and returns unread bytes. */
  detach(): Buffer {
    this.socket.off("data", this.onData);
    this.socket.off("end", this.onEnd);
    this.socket.off("close", this.onEnd);
    this.socket.off("error", this.onError);
    return this.buffer;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private more(): Promise<void> {
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
