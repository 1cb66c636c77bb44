/**
 * Options and handle of the loopback FTP/FTPS server (`startFtpServer`).
 */
import type { TraceHook } from "../../transport/trace.js";
import type { PortRange } from "./data-channel.js";

/** One account. */
export interface FtpUser {
  user: string;
  password: string;
  /** Refuse every command that changes the tree (550). Default `false`. */
  readOnly?: boolean;
}

/** Time limits of the server, in ms; 0 turns one off. */
export interface FtpServerTimeouts {
  /** Silence on the control connection between commands before `421 Timeout` (default 300 000). */
  idle?: number;
  /** Waiting for a data connection, and silence during a transfer (default 60 000). */
  data?: number;
  /** A TLS handshake, or a reply the client does not read (default 30 000). */
  command?: number;
}

/** What `startFtpServer` takes. Exactly one of `root` and `tree`. */
export interface FtpServerOptions {
  /** A folder on disk to serve (each user sees it as `/`). */
  root?: string;
  /**
   * An in-memory tree instead: `{ "pub/readme.txt": "hello", "incoming/": "" }` (a key ending in
   * `/` is an empty folder).
   */
  tree?: Readonly<Record<string, string | Buffer>>;
  /** Bytes an in-memory tree may hold, uploads included (default 256 MiB). */
  memoryLimit?: number;
  users?: readonly FtpUser[];
  /** Let `anonymous` and `ftp` log in with any password, read-only. Default `false`. */
  anonymous?: boolean;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0 (the system chooses). */
  port?: number;
  /** Certificate and key (PEM): enables AUTH TLS, PBSZ and PROT. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Also listen for implicit FTPS (TLS from the first byte) on a second port. Needs `tls`. */
  implicitTls?: boolean;
  /** Port of the implicit FTPS listener (default 0). */
  implicitPort?: number;
  /** Refuse USER/PASS before AUTH TLS (530) and data transfers without PROT P (521). */
  requireTls?: boolean;
  /**
   * Refuse a PROT P data connection that does not resume the control connection's TLS session,
   * as vsftpd's `require_ssl_reuse` does (`522 SSL connection failed: session reuse required`).
   */
  requireTlsSessionReuse?: boolean;
  /** Ports for passive data connections (default: any free port). */
  passivePorts?: PortRange;
  /** Control connections at once; more are greeted with `421` and closed. Default 64. */
  maxConnections?: number;
  /** Entries a listing (LIST, NLST, MLSD, STAT) may hold. Default 100 000. */
  maxListEntries?: number;
  /** Longest command line accepted (default 8 KiB); a longer one ends the connection. */
  maxLineLength?: number;
  /** The wire trace of every control connection (PASS masked). */
  onTrace?: TraceHook;
  timeouts?: FtpServerTimeouts;
}

/** A running server. */
export interface FtpServer {
  /** `ftp://HOST:PORT`, plus `ftpes://` (same port) with `tls` and `ftps://` with `implicitTls`. */
  urls: { ftp: string; ftpes?: string; ftps?: string };
  host: string;
  port: number;
  implicitPort?: number;
  /** Stops listening and ends every session and transfer. Resolves when all is closed. */
  close(): Promise<void>;
  /** {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}
