/**
 * A one-connection listener, for protocols where the peer connects back to us (FTP active mode,
 * RFC 959 §3.2): listen on a local address, tell the peer the port, accept exactly one connection
 * from the expected address, refusing any other.
 */
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { abortErrorFrom, type ErrorContext, TimeoutError, type TimeoutPhase } from "../errors.js";

export interface AcceptOptions {
  /** Only this peer address may connect (IPv4 also matches its `::ffff:` form); others are dropped. */
  from?: string | undefined;
  /** How long to wait for the connection, in ms. */
  timeout: number;
  /** The phase a {@link TimeoutError} names. Default `data`. */
  phase?: TimeoutPhase;
  signal?: AbortSignal | undefined;
  /** Host and command for errors. */
  context?: ErrorContext;
}

export class OneShotListener {
  private constructor(
    private readonly server: Server,
    /** The local port the peer must connect to. */
    readonly port: number,
  ) {}

  /** Listens on `host`, port 0 (the system picks). */
  static async listen(host: string): Promise<OneShotListener> {
    const server = createServer({ pauseOnConnect: true });
    server.listen(0, host);
    await once(server, "listening");
    return new OneShotListener(server, (server.address() as { port: number }).port);
  }

  /**
   * Resolves to the first connection from the expected peer, then stops listening. Rejects with
   * {@link TimeoutError} or {@link AbortError}; the listener is closed either way.
   */
  accept(options: AcceptOptions): Promise<Socket> {
    const { from, timeout, signal, context = {} } = options;
    const server = this.server;
    return new Promise<Socket>((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        server.off("connection", onConnection);
        server.close();
      };
      const onConnection = (socket: Socket) => {
        if (
          from !== undefined &&
          socket.remoteAddress !== from &&
          socket.remoteAddress !== `::ffff:${from}`
        ) {
          socket.destroy();
          return;
        }
        finish();
        socket.resume();
        resolve(socket);
      };
      const onAbort = () => {
        finish();
        reject(abortErrorFrom(signal!, context));
      };
      const timer = setTimeout(() => {
        finish();
        reject(new TimeoutError(options.phase ?? "data", timeout, context));
      }, timeout);
      timer.unref();
      server.on("connection", onConnection);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Stops listening (nothing accepted, or no longer wanted). */
  close(): void {
    this.server.close();
  }
}
