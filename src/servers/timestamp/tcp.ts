/**
 * The TCP timestamp server (the book's tsTserv.py and tsTserv6.py), over IPv4, IPv6 or a
 * Unix-domain socket. Each message (see `framing.ts`) is answered with `[ctime] message`.
 *
 * A misbehaving client cannot crash it or grow its memory: messages are bounded, replies a client
 * does not read pause reading from it (TCP flow control then stops the client), silent clients are
 * dropped after the idle timeout, socket errors only end that client.
 */
import { createServer, type Server, type Socket } from "node:net";
import { hostLabel } from "../../transport/dial.js";
import { formatReply } from "./format.js";
import { type FramedMessage, MAX_MESSAGE_BYTES, MessageFramer } from "./framing.js";
import type { TimestampServer, TimestampServerOptions } from "./types.js";

/** Replies waiting in a socket's send buffer before we stop reading from that client. */
const MAX_UNSENT_REPLIES = 256 * 1024;

/**
 * Starts listening and resolves once the server accepts connections. Rejects with Node's own
 * system error (`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`, `ENOENT`…) when it cannot listen:
 * that is a local failure, not one of the peer's.
 */
export async function startTcpTimestampServer(options: TimestampServerOptions): Promise<TimestampServer> {
  const now = options.now ?? (() => new Date());
  const quietPeriod = options.quietPeriod ?? 50;
  const maxMessage = options.maxMessage ?? MAX_MESSAGE_BYTES;
  const idleTimeout = options.idleTimeout ?? 300_000;
  const clients = new Set<Socket>();
  // Half-open: a client that sends and then shuts its side down still gets its last reply.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    clients.add(socket);
    socket.once("close", () => clients.delete(socket));
    serveClient(socket, { now, quietPeriod, maxMessage, idleTimeout, onMessage: options.onMessage });
  });
  server.maxConnections = options.maxConnections ?? 256;

  await listen(server, options);
  const bound = server.address();
  let address: TimestampServer["address"];
  let url: string;
  if (typeof bound === "string" || bound === null) {
    const path = typeof bound === "string" ? bound : options.path!;
    address = { path };
    url = `unix:${path}`;
  } else {
    address = { host: bound.address, port: bound.port };
    url = `tcp://${hostLabel(bound.address, bound.port)}`;
  }

  let closing: Promise<void> | undefined;
  return {
    protocol: "tcp",
    address,
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of clients) socket.destroy();
      });
      return closing;
    },
  };
}

function listen(server: Server, options: TimestampServerOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    const ready = () => {
      server.off("error", onError);
      // Errors after listening (EMFILE on accept…) must not crash the process.
      server.on("error", () => {});
      resolve();
    };
    if (options.path !== undefined) server.listen({ path: options.path }, ready);
    else server.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 0 }, ready);
  });
}

interface ClientSettings {
  now: () => Date;
  quietPeriod: number;
  maxMessage: number;
  idleTimeout: number;
  onMessage: TimestampServerOptions["onMessage"];
}

function serveClient(socket: Socket, settings: ClientSettings): void {
  const framer = new MessageFramer(settings.maxMessage);
  const peer = socket.remoteAddress ? hostLabel(socket.remoteAddress, socket.remotePort) : "unix";
  let quiet: NodeJS.Timeout | undefined;

  const answer = (message: FramedMessage) => {
    if (socket.destroyed || !socket.writable) return;
    socket.write(formatReply(settings.now(), message.bytes, message.terminated));
    if (socket.writableLength > MAX_UNSENT_REPLIES) socket.pause();
    try {
      settings.onMessage?.({ protocol: "tcp", peer, message: message.bytes });
    } catch {
      // A failing log hook must not take the client down.
    }
  };
  const flushQuiet = () => {
    quiet = undefined;
    const message = framer.flush();
    if (message) answer(message);
  };

  socket.setNoDelay(true);
  if (settings.idleTimeout > 0) {
    socket.setTimeout(settings.idleTimeout, () => socket.destroy());
  }
  socket.on("data", (chunk: Buffer) => {
    for (const message of framer.push(chunk)) answer(message);
    if (framer.pending === 0) {
      clearTimeout(quiet);
      quiet = undefined;
    } else if (quiet) {
      quiet.refresh();
    } else {
      quiet = setTimeout(flushQuiet, settings.quietPeriod);
    }
  });
  socket.on("drain", () => socket.resume());
  socket.on("end", () => {
    // The client half-closed (`printf hello | nc`): answer what it left, then say goodbye.
    clearTimeout(quiet);
    flushQuiet();
    socket.end();
  });
  // ECONNRESET, EPIPE…: only this client is affected; 'close' follows.
  socket.on("error", () => {});
  socket.on("close", () => clearTimeout(quiet));
}
