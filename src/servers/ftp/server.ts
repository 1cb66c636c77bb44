/**
 * `startFtpServer`: the loopback FTP/FTPS server (RFC 959, 2228, 2389, 2428, 2640, 3659, 4217).
 *
 * One control listener (plain, with AUTH TLS when a certificate is given) and, on request, a
 * second one for implicit FTPS. Every session gets a {@link Connection} in the server role (bounded
 * command lines, PASS masked in the trace, AUTH TLS through `acceptTls`) and works on one shared
 * {@link FileStore}. One TLS secure context serves every connection, so a data connection can
 * resume the control connection's session (TLS 1.2 and 1.3 tickets share its keys).
 */
import { createServer, type Server, type Socket } from "node:net";
import { createSecureContext } from "node:tls";
import { InvalidArgumentError } from "../../errors.js";
import { Connection } from "../../transport/connection.js";
import { hostLabel } from "../../transport/dial.js";
import { boundPort, listen, stop } from "../listen.js";
import { acceptTlsSocket } from "./data-channel.js";
import { DiskStore } from "./disk-store.js";
import { MemoryStore } from "./memory-store.js";
import { FtpSession, type SessionSettings } from "./session.js";
import type { FileStore } from "./store.js";
import { createSessionCache } from "./tls-sessions.js";
import type { FtpServer, FtpServerOptions, FtpUser } from "./types.js";

const GREETING = "inetkit FTP server ready.";

/**
 * Starts the server and resolves once it accepts connections.
 *
 * @throws InvalidArgumentError when the options contradict each other (both or neither of `root`
 *   and `tree`; `implicitTls`, `requireTls` or `requireTlsSessionReuse` without `tls`; a user twice;
 *   a bad port range).
 * @throws Node's own error when the root cannot be opened or a port cannot be bound
 *   (`ENOENT`, `EADDRINUSE`…): a local failure, not a peer's.
 */
export async function startFtpServer(options: FtpServerOptions): Promise<FtpServer> {
  checkOptions(options);
  const store: FileStore =
    options.root !== undefined
      ? await DiskStore.open(options.root)
      : new MemoryStore(options.tree, options.memoryLimit);
  const tls: SessionSettings["tls"] = options.tls
    ? {
        secureContext: createSecureContext({
          cert: options.tls.cert,
          key: options.tls.key,
          minVersion: "TLSv1.2",
        }),
        server: createSessionCache(),
      }
    : undefined;
  const users = new Map<string, FtpUser>();
  for (const account of options.users ?? []) users.set(account.user, account);
  const timeouts = {
    idle: options.timeouts?.idle ?? 300_000,
    data: options.timeouts?.data ?? 60_000,
    command: options.timeouts?.command ?? 30_000,
  };
  const settings: SessionSettings = {
    store,
    users,
    anonymous: options.anonymous === true,
    tls,
    requireTls: options.requireTls === true,
    requireTlsSessionReuse: options.requireTlsSessionReuse === true,
    passivePorts: options.passivePorts,
    maxListEntries: options.maxListEntries ?? 100_000,
    timeouts,
  };
  const maxConnections = options.maxConnections ?? 64;
  const sessions = new Map<FtpSession, Promise<void>>();
  /** TLS handshakes of implicit-FTPS connections not done yet. */
  const pending = new Set<Socket>();
  /** Aborts those handshakes on close (their TLS sockets must go first, see below). */
  const stopping = new AbortController();
  /** Every socket accepted, so close() can end them all (server.close() waits for them). */
  const accepted = new Set<Socket>();
  let closing = false;

  const startSession = (socket: Socket) => {
    const conn = new Connection(socket, {
      role: "server",
      lineEnding: "lenient",
      maxLineLength: options.maxLineLength ?? 8192,
      onTrace: options.onTrace,
      // Reads between commands are unlimited here: the session runs its own idle limit, which
      // pauses while a transfer keeps the client busy.
      timeouts: { connect: timeouts.command, command: timeouts.command, data: timeouts.command, idle: 0 },
    });
    const session = new FtpSession(conn, settings);
    const running = session.run(GREETING).finally(() => sessions.delete(session));
    sessions.set(session, running);
  };

  const onConnection = (socket: Socket, implicit: boolean) => {
    socket.on("error", () => {});
    accepted.add(socket);
    socket.once("close", () => accepted.delete(socket));
    if (closing) {
      socket.destroy();
      return;
    }
    if (sessions.size + pending.size >= maxConnections) {
      if (implicit) socket.destroy();
      else {
        socket.end("421 Too many connections; try again later.\r\n");
        socket.setTimeout(timeouts.command || 30_000, () => socket.destroy());
      }
      return;
    }
    if (!implicit) {
      startSession(socket);
      return;
    }
    pending.add(socket);
    acceptTlsSocket(socket, tls!, timeouts.command, stopping.signal).then(
      (secured) => {
        pending.delete(socket);
        if (closing) secured.destroy();
        else startSession(secured);
      },
      () => pending.delete(socket),
    );
  };

  const host = options.host ?? "127.0.0.1";
  const control = createServer((socket) => onConnection(socket, false));
  await listen(control, host, options.port ?? 0);
  let implicitServer: Server | undefined;
  if (options.implicitTls) {
    implicitServer = createServer((socket) => onConnection(socket, true));
    try {
      await listen(implicitServer, host, options.implicitPort ?? 0);
    } catch (error) {
      control.close();
      throw error;
    }
  }
  const port = boundPort(control);
  const implicitPort = implicitServer ? boundPort(implicitServer) : undefined;
  const urls: FtpServer["urls"] = { ftp: `ftp://${hostLabel(host, port)}` };
  if (tls) urls.ftpes = `ftpes://${hostLabel(host, port)}`;
  if (implicitPort !== undefined) urls.ftps = `ftps://${hostLabel(host, implicitPort)}`;

  let closed: Promise<void> | undefined;
  const server: FtpServer = {
    urls,
    host,
    port,
    ...(implicitPort !== undefined ? { implicitPort } : {}),
    [Symbol.asyncDispose]: () => server.close(),
    close() {
      closed ??= (async () => {
        closing = true;
        const stopped = [stop(control), ...(implicitServer ? [stop(implicitServer)] : [])];
        stopping.abort();
        for (const session of sessions.keys()) session.close();
        // A plain socket under a live TLS socket must not be destroyed first (Node 20 crashes):
        // the sessions destroyed their TLS sockets, which took the plain ones with them.
        for (const socket of accepted) if (!socket.destroyed) socket.destroy();
        await Promise.all([...stopped, ...sessions.values()]);
      })();
      return closed;
    },
  };
  return server;
}

function checkOptions(options: FtpServerOptions): void {
  if ((options.root === undefined) === (options.tree === undefined)) {
    throw new InvalidArgumentError("startFtpServer needs exactly one of `root` and `tree`");
  }
  for (const flag of ["implicitTls", "requireTls", "requireTlsSessionReuse"] as const) {
    if (options[flag] && !options.tls)
      throw new InvalidArgumentError(`\`${flag}\` needs \`tls\` (a certificate and key)`);
  }
  const seen = new Set<string>();
  for (const { user } of options.users ?? []) {
    if (user === "" || /[\r\n\0]/.test(user))
      throw new InvalidArgumentError("a user name must be non-empty, without CR, LF or NUL");
    if (seen.has(user)) throw new InvalidArgumentError(`user ${JSON.stringify(user)} is given twice`);
    seen.add(user);
  }
  const range = options.passivePorts;
  if (
    range &&
    !(
      Number.isInteger(range.min) &&
      Number.isInteger(range.max) &&
      range.min >= 1 &&
      range.min <= range.max &&
      range.max <= 65535
    )
  ) {
    throw new InvalidArgumentError("passivePorts must be { min, max } with 1 ≤ min ≤ max ≤ 65535");
  }
}
