/**
 * The line reader under the servers' bare test clients (ftp/ftp-client.ts, smtp/smtp-client.ts;
 * not a test file): buffers what a socket receives and hands it back line by line, untouched
 * apart from the line break, so the tests see exactly what the server sent. It deliberately does
 * not use the library's own transport, which is what those servers are tested against.
 */
import type { Socket } from "node:net";

export class RawLineReader {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;
  private readonly onData = (chunk: Buffer) => {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.notify();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.notify();
  };

  /**
   * @param lineBreak `crlf`: a line ends only at CRLF (a bare LF stays in the line);
   *   `lf`: at LF, with one CR before it removed.
   * @param closedMessage the error `line()` rejects with when the peer closed first.
   */
  constructor(
    private socket: Socket,
    private readonly lineBreak: "crlf" | "lf",
    private readonly closedMessage: (unread: Buffer) => string,
  ) {
    this.attach(socket);
  }

  /** Whether the peer closed (or the socket failed). */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Bytes received and not read yet. */
  get unread(): number {
    return this.buffer.length;
  }

  /** Reads from `socket` from now on (after a TLS upgrade); with `discard`, unread bytes are dropped. */
  switchTo(socket: Socket, options: { discard?: boolean } = {}): void {
    this.detach();
    this.socket = socket;
    if (options.discard) this.buffer = Buffer.alloc(0);
    this.attach(socket);
  }

  /** Stops listening to the current socket (before it is handed to `tls.connect`). */
  detach(): void {
    this.socket.off("data", this.onData);
    this.socket.off("end", this.onEnd);
    this.socket.off("close", this.onEnd);
    this.socket.off("error", this.onEnd);
  }

  /** The next line, without its line break. Rejects when the peer closed first. */
  async line(): Promise<string> {
    for (;;) {
      const lf = this.lineBreak === "crlf" ? this.buffer.indexOf("\r\n") : this.buffer.indexOf(0x0a);
      if (lf >= 0) {
        let line = this.buffer.subarray(0, lf).toString("utf8");
        if (this.lineBreak === "lf") line = line.replace(/\r$/, "");
        this.buffer = this.buffer.subarray(lf + (this.lineBreak === "crlf" ? 2 : 1));
        return line;
      }
      if (this.ended) throw new Error(this.closedMessage(this.buffer));
      await this.next();
    }
  }

  /** Waits until the peer closed. */
  async waitEnd(): Promise<void> {
    while (!this.ended) await this.next();
  }

  private next(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }

  private attach(socket: Socket): void {
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("close", this.onEnd);
    socket.on("error", this.onEnd);
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
