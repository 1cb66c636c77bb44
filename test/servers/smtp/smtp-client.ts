/**
 * A bare SMTP client for the server's tests (not a test file): writes exactly the bytes a test
 * gives, reads replies as they come (multi-line ones whole), upgrades with STARTTLS. It interprets
 * as little as possible, so the tests see exactly what the server sent.
 */
import { connect as netConnect, type Socket } from "node:net";
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from "node:tls";
import { RawLineReader } from "../raw-line-reader.js";

export interface Reply {
  code: number;
  /** Every line, without CRLF. */
  lines: string[];
  /** The text of the last line after `NNN `. */
  text: string;
}

export class SmtpTestClient {
  socket: Socket | TLSSocket;
  private readonly reader: RawLineReader;

  private constructor(socket: Socket | TLSSocket) {
    this.socket = socket;
    this.reader = new RawLineReader(
      socket,
      "crlf",
      (unread) => `connection closed (unread: ${JSON.stringify(unread.toString())})`,
    );
  }

  /** Connects (with `tls`: implicit TLS) and reads the greeting. */
  static async connect(
    port: number,
    options: { tls?: ConnectionOptions } = {},
  ): Promise<{ client: SmtpTestClient; greeting: Reply }> {
    const socket = options.tls
      ? tlsConnect({ host: "127.0.0.1", port, servername: "localhost", ...options.tls })
      : netConnect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.tls ? "secureConnect" : "connect", () => resolve());
      socket.once("error", reject);
    });
    socket.on("error", () => {});
    const client = new SmtpTestClient(socket);
    return { client, greeting: await client.reply() };
  }

  /** Connects, reads the greeting and says EHLO; resolves to the client and the EHLO reply. */
  static async ready(
    port: number,
    options: { tls?: ConnectionOptions } = {},
  ): Promise<{ client: SmtpTestClient; ehlo: Reply }> {
    const { client } = await SmtpTestClient.connect(port, options);
    const ehlo = await client.command("EHLO client.test");
    return { client, ehlo };
  }

  /** Writes raw bytes. */
  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends one line (CRLF added) and reads one reply. */
  async command(line: string): Promise<Reply> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  /** Sends a command and checks the reply code; resolves to the reply. */
  async expect(line: string, code: number): Promise<Reply> {
    const reply = await this.command(line);
    if (reply.code !== code) {
      throw new Error(`${line} → expected ${code}, got ${reply.lines.join(" / ")}`);
    }
    return reply;
  }

  /** Reads one whole reply (all its lines). Rejects when the connection ends first. */
  async reply(): Promise<Reply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line();
      lines.push(line);
      if (!/^\d{3}-/.test(line)) {
        return { code: Number(line.slice(0, 3)), lines, text: line.slice(4) };
      }
    }
  }

  /** Reads `count` replies (a pipelined group's). */
  async replies(count: number): Promise<Reply[]> {
    const out: Reply[] = [];
    for (let index = 0; index < count; index += 1) out.push(await this.reply());
    return out;
  }

  private line(): Promise<string> {
    return this.reader.line();
  }

  /** True once the server closed the connection (after what was buffered is read). */
  async closed(): Promise<boolean> {
    await this.reader.waitEnd();
    return this.reader.unread === 0;
  }

  /** STARTTLS: sends it, expects 220, upgrades the socket (verifying with `tls`). */
  async starttls(tls: ConnectionOptions): Promise<void> {
    await this.expect("STARTTLS", 220);
    await this.upgrade(tls);
  }

  /** Starts TLS on the connection now (after a 220 to STARTTLS); drops unread plain-text bytes. */
  async upgrade(tls: ConnectionOptions): Promise<void> {
    this.reader.detach();
    const secured = tlsConnect({ socket: this.socket, servername: "localhost", ...tls });
    await new Promise<void>((resolve, reject) => {
      secured.once("secureConnect", () => resolve());
      secured.once("error", reject);
    });
    secured.on("error", () => {});
    this.socket = secured;
    this.reader.switchTo(secured, { discard: true });
  }

  /** QUIT (221) and wait for the close. */
  async quit(): Promise<void> {
    await this.expect("QUIT", 221);
    await this.closed();
    this.socket.destroy();
  }

  /** Drops the connection. */
  destroy(): void {
    this.socket.destroy();
  }
}

/** `AUTH PLAIN` initial response for `user` and `password`. */
export function plainResponse(user: string, password: string, authzid = ""): string {
  return Buffer.from(`${authzid}\0${user}\0${password}`, "utf8").toString("base64");
}

/** Base64 of a UTF-8 string. */
export function b64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}
