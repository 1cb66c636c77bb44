/**
 * The server's ends of FTP data connections (RFC 959 §3.2, §5.2; RFC 2428; RFC 4217 §7).
 *
 * Passive (PASV/EPSV): a listener on the control connection's local address accepts exactly one
 * connection, and only from the control connection's peer; anyone else who connects is dropped
 * (port theft). Active (PORT/EPRT): the server connects out, and the session only lets it connect
 * to the control peer's own address (the FTP bounce attack, RFC 2577).
 *
 * With PROT P the socket is then wrapped in TLS as the server side (the client is always the TLS
 * client, whichever side connected), with the server's one secure context, so a client can resume
 * the control connection's session; the caller checks `isSessionReused()` when reuse is required.
 */
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { type SecureContext, TLSSocket, type Server as TlsServer } from "node:tls";
import {
  abortErrorFrom,
  ConnectionClosedError,
  type InetError,
  TimeoutError,
  TlsError,
} from "../../errors.js";
import { hostLabel } from "../../transport/dial.js";
import { normalizeAddress } from "./wire.js";

/** A port range for passive listeners (both ends included). */
export interface PortRange {
  min: number;
  max: number;
}

/**
 * Runs `start` until `settle` is called, failing with {@link TimeoutError} (phase `data`) after
 * `timeout` ms (0: no limit) or {@link AbortError} when `signal` fires. Cleans up its timer and
 * listener whichever way it ends.
 */
function bounded<T>(
  timeout: number,
  signal: AbortSignal | undefined,
  label: string,
  start: (settle: (error: InetError | undefined, value?: T) => void) => (failed: boolean) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortErrorFrom(signal, { host: label }));
      return;
    }
    let done = false;
    let failed = false;
    let cleanup: (failed: boolean) => void = () => {};
    const timer =
      timeout > 0 && Number.isFinite(timeout)
        ? setTimeout(() => settle(new TimeoutError("data", timeout, { host: label })), timeout)
        : undefined;
    const onAbort = () => settle(abortErrorFrom(signal!, { host: label }));
    function settle(error: InetError | undefined, value?: T): void {
      if (done) return;
      done = true;
      failed = error !== undefined;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      cleanup(failed);
      if (error) reject(error);
      else resolve(value as T);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    cleanup = start(settle);
    // `start` may have settled synchronously before `cleanup` was known.
    if (done) cleanup(failed);
  });
}

/** A passive listener waiting for the one data connection of the next transfer. */
export class PassiveListener {
  private accepted: Socket | undefined;
  private waiter: ((socket: Socket) => void) | undefined;
  private closed = false;
  /** Once a transfer took the socket, it is the transfer's to close. */
  private handedOut = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly peer: string,
    private readonly onTrace: ((text: string) => void) | undefined,
  ) {
    server.on("connection", (socket) => this.onConnection(socket));
    // EMFILE on accept and the like: the transfer then times out; the process must not crash.
    server.on("error", () => {});
  }

  /**
   * Listens on `host`, on a free port from `ports` (or any port), for a connection from `peer`.
   * Rejects with Node's own error (`EADDRINUSE` when the whole range is taken).
   */
  static async open(
    host: string,
    peer: string,
    ports: PortRange | undefined,
    onTrace?: (text: string) => void,
  ): Promise<PassiveListener> {
    const candidates = portCandidates(ports);
    let lastError: unknown;
    for (const port of candidates) {
      const server = createServer();
      try {
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen({ host, port, exclusive: true }, () => {
            server.off("error", reject);
            resolve();
          });
        });
      } catch (error) {
        lastError = error;
        server.close();
        continue;
      }
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      return new PassiveListener(server, bound, normalizeAddress(peer), onTrace);
    }
    throw lastError;
  }

  /** True when the client has connected already (the transfer may start with 125). */
  get connected(): boolean {
    return this.accepted !== undefined && !this.accepted.destroyed;
  }

  /** The data connection, once the client made it (see {@link bounded} for the failures). */
  accept(timeout: number, signal: AbortSignal | undefined): Promise<Socket> {
    const label = `passive port ${this.port}`;
    return bounded<Socket>(timeout, signal, label, (settle) => {
      if (this.closed) {
        settle(new ConnectionClosedError("the passive listener was closed", { host: label }));
        return () => {};
      }
      if (this.accepted) {
        this.handedOut = true;
        settle(undefined, this.accepted);
        return () => {};
      }
      this.waiter = (socket) => {
        this.handedOut = true;
        settle(undefined, socket);
      };
      return () => {
        this.waiter = undefined;
      };
    });
  }

  /** Stops listening, and drops a connection that no transfer took. */
  close(): void {
    this.closed = true;
    this.server.close();
    if (!this.handedOut) this.accepted?.destroy();
  }

  private onConnection(socket: Socket): void {
    socket.on("error", () => {});
    const from = normalizeAddress(socket.remoteAddress);
    if (this.closed || this.accepted || from !== this.peer) {
      this.onTrace?.(
        `refused a data connection from ${hostLabel(socket.remoteAddress, socket.remotePort)}` +
          (from !== this.peer ? " (not the control connection's peer)" : ""),
      );
      socket.destroy();
      return;
    }
    this.accepted = socket;
    // One connection per PASV: stop listening as soon as it arrived.
    this.server.close();
    this.waiter?.(socket);
  }
}

function portCandidates(ports: PortRange | undefined): number[] {
  if (!ports) return [0];
  const count = ports.max - ports.min + 1;
  const first = Math.floor(Math.random() * count);
  return Array.from({ length: count }, (_, index) => ports.min + ((first + index) % count));
}

/**
 * Connects out to the client's data port for an active transfer, from the control connection's
 * local address. Rejects with {@link ConnectionClosedError} when the client refuses, or as
 * {@link bounded} says.
 */
export function connectActive(
  target: { host: string; port: number },
  localAddress: string | undefined,
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<Socket> {
  const label = hostLabel(target.host, target.port);
  return bounded<Socket>(timeout, signal, label, (settle) => {
    const socket = netConnect({ host: target.host, port: target.port, localAddress });
    const onError = (error: NodeJS.ErrnoException) =>
      settle(new ConnectionClosedError(`${error.code ?? "error"}: ${error.message}`, { host: label }));
    const onConnect = () => settle(undefined, socket);
    socket.once("error", onError);
    socket.once("connect", onConnect);
    return (failed) => {
      socket.off("error", onError);
      socket.off("connect", onConnect);
      socket.on("error", () => {});
      if (failed) socket.destroy();
    };
  });
}

/**
 * Wraps a socket in TLS as the server and waits for the handshake: a data connection with PROT P
 * (RFC 4217 §7), or an implicit-FTPS control connection. Rejects with {@link TlsError}
 * (`handshake`) when it fails, or as {@link bounded} says; the socket is destroyed then.
 */
export function acceptTlsSocket(
  socket: Socket,
  tls: { secureContext: SecureContext; server: TlsServer },
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<TLSSocket> {
  const label = hostLabel(socket.remoteAddress, socket.remotePort);
  // `server` carries the TLS 1.2 session-ID cache (see tls-sessions.ts).
  const secured = new TLSSocket(socket, { isServer: true, ...tls });
  secured.on("error", () => {});
  return bounded<TLSSocket>(timeout, signal, label, (settle) => {
    // 'secure' fires from inside OpenSSL's handshake step, before it writes the TLS 1.3 session
    // tickets. Writing at once would put data (and, for a short listing, close_notify) ahead of
    // the tickets, and Python's ssl then fails `unwrap()` with SHUTDOWN_WHILE_IN_INIT. One turn
    // of the event loop lets OpenSSL finish first.
    const onSecure = () => setImmediate(() => settle(undefined, secured));
    const onError = (error: Error) =>
      settle(new TlsError("handshake", `TLS handshake failed: ${error.message}`, { host: label }));
    const onClose = () =>
      settle(
        new TlsError("handshake", "the client closed the connection during the TLS handshake", {
          host: label,
        }),
      );
    secured.once("secure", onSecure);
    secured.once("error", onError);
    secured.once("close", onClose);
    return (failed) => {
      secured.off("secure", onSecure);
      secured.off("error", onError);
      secured.off("close", onClose);
      // At once, not later: the caller may destroy the plain socket next, which must never
      // happen under a live TLS socket (Node 20 crashes).
      if (failed) secured.destroy();
    };
  });
}
