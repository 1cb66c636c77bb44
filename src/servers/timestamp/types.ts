/** Options and handles shared by the TCP and UDP timestamp servers. */

/** Where a server listens. */
export type ServerAddress = { host: string; port: number } | { path: string };

/** One message answered, for logs (the CLI prints one line per event). */
export interface ServedMessage {
  protocol: "tcp" | "udp";
  /** The client: `127.0.0.1:50312`, `[::1]:50312`, or `unix` for a Unix-domain socket peer. */
  peer: string;
  /** The message as received (a line without its terminator). */
  message: Buffer;
}

export interface TimestampServerOptions {
  protocol: "tcp" | "udp";
  /** Address to listen on. Default `127.0.0.1`; `::1` for IPv6. Ignored when `path` is given. */
  host?: string;
  /** Port; default 0 (the system chooses one; read it from `address`). */
  port?: number;
  /** A Unix-domain socket path instead of host and port (TCP only). */
  path?: string;
  /** The clock; tests inject a fixed one. Default: `() => new Date()`. */
  now?: () => Date;
  /** TCP: how long bytes without a LF wait before they are answered as a message. Default 50 ms. */
  quietPeriod?: number;
  /** TCP: the most bytes one message may hold, LF included. Default 64 KiB. */
  maxMessage?: number;
  /** TCP: a client silent this long is disconnected. Default 5 minutes; 0 turns it off. */
  idleTimeout?: number;
  /** TCP: connections accepted at once; more are refused. Default 256. */
  maxConnections?: number;
  /** Called after each message is answered. Exceptions thrown by it are ignored. */
  onMessage?: (event: ServedMessage) => void;
}

/** A running server. */
export interface TimestampServer {
  readonly protocol: "tcp" | "udp";
  readonly address: ServerAddress;
  /** `tcp://127.0.0.1:PORT`, `tcp://[::1]:PORT`, `unix:/path`, `udp://127.0.0.1:PORT`. */
  readonly url: string;
  /** Stops listening and closes every client connection. Resolves when all are closed. */
  close(): Promise<void>;
}
