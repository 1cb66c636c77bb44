/**
 * The `node-net` ceiling of the SMTP workloads: the least a Node client can do per message,
 * written inline on a bare socket — EHLO; STARTTLS and AUTH PLAIN when asked; then per message
 * MAIL, RCPT and DATA in one write (PIPELINING), the three replies, the message and the final dot
 * in one write, its reply. No validation, no dot-stuffing (the benchmark message has no line
 * starting with a dot), no timers. Part of the bundled plain-node program (smtp-node-entry.ts).
 */
import { readFileSync } from "node:fs";
import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import type { SmtpParams } from "./smtp-common.js";

/** Reads final reply lines (`NNN text`) off a socket; multi-line continuations are skipped. */
class Replies {
  private pending = "";
  private readonly lines: string[] = [];
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(private socket: Socket) {
    this.attach(socket);
  }

  /** Moves to another socket (the TLS one after STARTTLS). */
  attach(socket: Socket): void {
    this.socket = socket;
    socket.setEncoding("latin1");
    socket.on("data", (text: string) => {
      this.pending += text;
      for (let end = this.pending.indexOf("\r\n"); end >= 0; end = this.pending.indexOf("\r\n")) {
        const line = this.pending.slice(0, end);
        this.pending = this.pending.slice(end + 2);
        if (line[3] !== "-") this.lines.push(line);
      }
      this.wake?.();
    });
    socket.on("error", (error) => {
      this.failure = error;
      this.wake?.();
    });
  }

  /** The next final reply; it must start with `expect`. */
  async next(expect: string): Promise<string> {
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) {
        if (!line.startsWith(expect)) throw new Error(`expected ${expect}, got ${line}`);
        return line;
      }
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }

  write(text: string | Buffer): void {
    this.socket.write(text);
  }

  detach(): Socket {
    this.socket.removeAllListeners("data");
    this.socket.removeAllListeners("error");
    return this.socket;
  }
}

/** Sends `p.count` copies of the message; resolves to how many the server accepted. */
export async function bareSend(p: SmtpParams): Promise<{ accepted: number; close(): void }> {
  const message = readFileSync(p.messageFile);
  const tcp = connectTcp({ host: p.host, port: p.port });
  tcp.setNoDelay(true);
  let replies = new Replies(tcp);
  await replies.next("220");
  replies.write("EHLO bench.example.org\r\n");
  await replies.next("250");
  if (p.security === "starttls") {
    replies.write("STARTTLS\r\n");
    await replies.next("220");
    const socket = replies.detach();
    const tls = connectTls({ socket, servername: "localhost", ca: readFileSync(p.caFile, "utf8") });
    await new Promise<void>((resolve, reject) => tls.once("secureConnect", resolve).once("error", reject));
    replies = new Replies(tls);
    replies.write("EHLO bench.example.org\r\n");
    await replies.next("250");
    const token = Buffer.from(`\0${p.user}\0${p.password}`).toString("base64");
    replies.write(`AUTH PLAIN ${token}\r\n`);
    await replies.next("235");
  }
  const envelope = `MAIL FROM:<${p.from}>\r\nRCPT TO:<${p.to}>\r\nDATA\r\n`;
  const end = Buffer.from(".\r\n");
  let accepted = 0;
  for (let i = 0; i < p.count; i++) {
    replies.write(envelope);
    await replies.next("250");
    await replies.next("250");
    await replies.next("354");
    replies.write(Buffer.concat([message, end]));
    await replies.next("250");
    accepted += 1;
  }
  return {
    accepted,
    close: () => replies.detach().end("QUIT\r\n"),
  };
}
