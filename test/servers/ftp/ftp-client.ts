/**
 * A bare FTP client for the server's tests (not a test file): raw replies, hand-made data
 * connections in every mode, TLS upgrades with and without session resumption. It interprets as
 * little as possible, so the tests see exactly what the server sent.
 */
import { once } from "node:events";
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from "node:tls";
import { RawLineReader } from "../raw-line-reader.js";

export interface Reply {
  code: number;
  /** Every line, without CRLF. */
  lines: string[];
  /** The text of the last line after the code. */
  text: string;
}

export type DataMode = "PASV" | "EPSV" | "PORT" | "EPRT";

/** Reads everything until the peer ends (or the socket closes). */
export async function readAll(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve) => {
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        resolve();
      }
    };
    socket.once("end", finish);
    socket.once("close", finish);
    socket.once("error", finish);
  });
  return Buffer.concat(chunks);
}

/** Writes `data` and ends the socket; resolves once it closed. */
export async function writeAll(socket: Socket, data: Buffer | string): Promise<void> {
  // Not events.once: a reset (the server refusing the upload) must not reject here.
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", () => {});
  socket.end(data);
  // A TLS peer answers our close_notify; read (and drop) whatever comes so the close completes.
  socket.resume();
  await closed;
}

export class FtpTestClient {
  socket: Socket | TLSSocket;
  /** The TLS session of the control connection (updated by every 'session' event). */
  session: Buffer | undefined;
  private tls: ConnectionOptions = {};
  private readonly reader: RawLineReader;

  private constructor(socket: Socket | TLSSocket) {
    this.socket = socket;
    this.reader = new RawLineReader(socket, "lf", () => "the server closed the control connection");
  }

  /** Connects (with `tls`: implicit FTPS) and reads the greeting. */
  static async connect(
    port: number,
    options: { host?: string; tls?: ConnectionOptions; localAddress?: string } = {},
  ): Promise<{ client: FtpTestClient; greeting: Reply }> {
    const host = options.host ?? "127.0.0.1";
    let socket: Socket | TLSSocket;
    if (options.tls) {
      socket = tlsConnect({ host, port, ...options.tls });
      await once(socket, "secureConnect");
    } else {
      socket = netConnect({
        host,
        port,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      });
      await once(socket, "connect");
    }
    const client = new FtpTestClient(socket);
    if (options.tls) client.trackSession(socket as TLSSocket, options.tls);
    return { client, greeting: await client.reply() };
  }

  /** Connects, logs in and switches to TYPE I. */
  static async login(port: number, user = "alice", password = "secret"): Promise<FtpTestClient> {
    const { client } = await FtpTestClient.connect(port);
    await client.expect(`USER ${user}`, 331);
    await client.expect(`PASS ${password}`, 230);
    await client.expect("TYPE I", 200);
    return client;
  }

  /** Reads one reply (multi-line ones whole, RFC 959 §4.2). */
  async reply(): Promise<Reply> {
    const first = await this.line();
    const code = Number(first.slice(0, 3));
    const lines = [first];
    if (first[3] === "-") {
      for (;;) {
        const next = await this.line();
        lines.push(next);
        if (next.startsWith(`${first.slice(0, 3)} `)) break;
      }
    }
    const last = lines[lines.length - 1]!;
    return { code, lines, text: last.slice(4) };
  }

  write(line: string | Buffer): void {
    this.socket.write(typeof line === "string" ? `${line}\r\n` : line);
  }

  async send(line: string): Promise<Reply> {
    this.write(line);
    return this.reply();
  }

  /** Sends and checks the reply code; returns the reply. */
  async expect(line: string, code: number): Promise<Reply> {
    const reply = await this.send(line);
    if (reply.code !== code) {
      throw new Error(
        `${line.startsWith("PASS") ? "PASS" : line}: expected ${code}, got ${reply.lines.join(" / ")}`,
      );
    }
    return reply;
  }

  /** AUTH TLS and the handshake; the session is kept for data connections. */
  async upgrade(tls: ConnectionOptions, mechanism = "TLS"): Promise<void> {
    await this.expect(`AUTH ${mechanism}`, 234);
    await this.upgradeAfterReply(tls);
  }

  /** The TLS handshake alone, once the 234 was read. */
  async upgradeAfterReply(tls: ConnectionOptions): Promise<void> {
    this.reader.detach();
    const secured = tlsConnect({ socket: this.socket, ...tls });
    await once(secured, "secureConnect");
    this.socket = secured;
    this.reader.switchTo(secured);
    this.trackSession(secured, tls);
  }

  /**
   * Sets up a data connection in `mode` and returns a function that opens it once the transfer
   * command was sent (passive: connect; active: accept). With `tls`, the data socket is wrapped
   * in TLS, resuming the control session unless `resume` is false.
   */
  async prepare(
    mode: DataMode,
    options: { tls?: boolean; resume?: boolean; localAddress?: string } = {},
  ): Promise<() => Promise<Socket>> {
    let open: () => Promise<Socket>;
    if (mode === "PASV" || mode === "EPSV") {
      const reply = await this.expect(mode, mode === "PASV" ? 227 : 229);
      const port = mode === "PASV" ? pasvPort(reply.text) : epsvPort(reply.text);
      const host = this.socket.remoteAddress!;
      // Connect at once, as real clients do, so 125 can be tested too.
      const socket = netConnect({
        host,
        port,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      });
      socket.on("error", () => {});
      const connected = once(socket, "connect");
      open = async () => {
        await connected;
        return socket;
      };
    } else {
      const server: Server = createServer();
      server.listen({ host: this.socket.localAddress!, port: 0 });
      await once(server, "listening");
      const port = (server.address() as { port: number }).port;
      const host = this.socket.localAddress!;
      const argument =
        mode === "PORT"
          ? `${host.split(".").join(",")},${port >> 8},${port & 255}`
          : `|${host.includes(":") ? 2 : 1}|${host}|${port}|`;
      await this.expect(`${mode} ${argument}`, 200);
      open = async () => {
        const [socket] = (await once(server, "connection")) as [Socket];
        server.close();
        return socket;
      };
    }
    if (!options.tls) return open;
    return async () => {
      const raw = await open();
      const secured = tlsConnect({
        socket: raw,
        ...this.tls,
        ...(options.resume === false ? {} : { session: this.session }),
      });
      secured.on("error", () => {});
      await Promise.race([
        once(secured, "secureConnect"),
        once(secured, "close").then(() => {
          throw new Error("data TLS handshake failed");
        }),
      ]);
      return secured;
    };
  }

  /** A whole download: data setup, RETR, data until EOF, final reply. */
  async retr(
    path: string,
    mode: DataMode = "EPSV",
    extra: { tls?: boolean } = {},
  ): Promise<{ data: Buffer; final: Reply; preliminary: Reply }> {
    const open = await this.prepare(mode, extra);
    this.write(`RETR ${path}`);
    const preliminary = await this.reply();
    if (preliminary.code >= 400) return { data: Buffer.alloc(0), final: preliminary, preliminary };
    const data = await readAll(await open());
    return { data, final: await this.reply(), preliminary };
  }

  /** A whole upload with `verb` (STOR, APPE, STOU). */
  async store(
    verb: string,
    data: Buffer | string,
    mode: DataMode = "EPSV",
    extra: { tls?: boolean } = {},
  ): Promise<{ final: Reply; preliminary: Reply }> {
    const open = await this.prepare(mode, extra);
    this.write(verb);
    const preliminary = await this.reply();
    if (preliminary.code >= 400) return { final: preliminary, preliminary };
    await writeAll(await open(), data);
    return { final: await this.reply(), preliminary };
  }

  /** A listing command (LIST, NLST, MLSD with an optional argument): the text and the final reply. */
  async listing(
    command: string,
    mode: DataMode = "EPSV",
    extra: { tls?: boolean } = {},
  ): Promise<{ text: string; final: Reply }> {
    const open = await this.prepare(mode, extra);
    this.write(command);
    const preliminary = await this.reply();
    if (preliminary.code >= 400) return { text: "", final: preliminary };
    const text = (await readAll(await open())).toString("utf8");
    return { text, final: await this.reply() };
  }

  /** QUIT and close. */
  async quit(): Promise<void> {
    if (!this.socket.destroyed) {
      try {
        await this.send("QUIT");
      } catch {
        // Already closed.
      }
    }
    this.close();
  }

  close(): void {
    this.socket.destroy();
  }

  /** Whether the server closed the control connection. */
  get isEnded(): boolean {
    return this.reader.isEnded;
  }

  /** Waits until the server closed the control connection. */
  waitEnd(): Promise<void> {
    return this.reader.waitEnd();
  }

  private trackSession(socket: TLSSocket, tls: ConnectionOptions): void {
    this.tls = tls;
    this.session = socket.getSession();
    socket.on("session", (session: Buffer) => {
      this.session = session;
    });
  }

  private line(): Promise<string> {
    return this.reader.line();
  }
}

export function pasvPort(text: string): number {
  const match = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(text);
  if (!match) throw new Error(`bad 227: ${text}`);
  return Number(match[5]) * 256 + Number(match[6]);
}

export function epsvPort(text: string): number {
  const match = /\(\|\|\|(\d+)\|\)/.exec(text);
  if (!match) throw new Error(`bad 229: ${text}`);
  return Number(match[1]);
}
