/**
 * Opening connections: TCP (IPv4 or IPv6), Unix-domain sockets, and implicit TLS, under one
 * connect budget that covers name resolution, the TCP handshake and the TLS handshake together,
 * and an `AbortSignal` that can stop any of them.
 */
import { lookup } from "node:dns/promises";
import { isIP, type Socket, connect as tcpConnect } from "node:net";
import { type ConnectionOptions as NodeTlsOptions, type TLSSocket, connect as tlsConnect } from "node:tls";
import { abortErrorFrom, ConnectionClosedError, InetError, TimeoutError, TlsError } from "../errors.js";
import { isLimited } from "./timeouts.js";
import { describeHost } from "./url.js";

/**
 * TLS settings a caller may give. Certificates are verified unless `rejectUnauthorized: false` is
 * passed — the loud opt-out; a self-signed test server is trusted by passing its certificate as `ca`.
 */
export type TlsOptions = Pick<
  NodeTlsOptions,
  | "ca"
  | "cert"
  | "key"
  | "pfx"
  | "passphrase"
  | "servername"
  | "minVersion"
  | "maxVersion"
  | "ciphers"
  | "rejectUnauthorized"
  | "checkServerIdentity"
  | "session"
  | "ALPNProtocols"
>;

export interface DialOptions {
  /** Host name or IP address. Ignored when `path` is given. */
  host?: string;
  port?: number;
  /** A Unix-domain socket path instead of host and port. */
  path?: string;
  /** Restrict name resolution to IPv4 (4) or IPv6 (6). */
  family?: 0 | 4 | 6;
  /** Implicit TLS: wrap the connection in TLS before anything else is said. */
  tls?: TlsOptions | false;
  /** One budget, in ms, for resolution + TCP + TLS. Default 30 s; 0 or `Infinity`: no limit. */
  timeout?: number;
  signal?: AbortSignal | undefined;
  /** Disable Nagle's algorithm (default true: command protocols are request/response). */
  noDelay?: boolean;
  /** Plain TCP only: read into caller-managed buffers (see `pooled-receive.ts`). */
  onread?: { buffer: Buffer | (() => Buffer); callback: (length: number, buffer: Buffer) => boolean };
}

export const DEFAULT_CONNECT_TIMEOUT = 30_000;

/** Formats `host:port`, bracketing IPv6 literals. */
export function hostLabel(host: string | undefined, port?: number, path?: string): string {
  if (path !== undefined) return `unix:${path}`;
  const h = host ?? "localhost";
  if (port !== undefined) return describeHost(h, port);
  return isIP(h) === 6 ? `[${h}]` : h;
}

/**
 * Opens a connection and resolves to a connected socket (a `TLSSocket` when `tls` is given, with
 * the handshake done and the peer certificate verified).
 *
 * Every address the name resolves to is tried in turn within the one budget. Rejects with
 * {@link TimeoutError} (phase `connect`) when the budget runs out, {@link AbortError} when the
 * signal fires, {@link TlsError} when the handshake or certificate check fails, and
 * {@link ConnectionClosedError} when the peer refuses or cannot be reached. No socket, timer or
 * listener is left behind on failure.
 */
export async function dial(options: DialOptions): Promise<Socket> {
  const budget = options.timeout ?? DEFAULT_CONNECT_TIMEOUT;
  const label = hostLabel(options.host, options.port, options.path);
  const signal = options.signal;
  if (signal?.aborted) throw abortErrorFrom(signal, { host: label });

  let current: Socket | undefined;
  let settle: ((error: Error) => void) | undefined;
  const fail = (error: Error) => {
    current?.destroy();
    settle?.(error);
  };
  // 0 or Infinity: no limit (as everywhere in the timeouts table).
  const timer = isLimited(budget)
    ? setTimeout(() => fail(new TimeoutError("connect", budget, { host: label })), budget)
    : undefined;
  timer?.unref();
  const onAbort = () => fail(abortErrorFrom(signal!, { host: label }));
  signal?.addEventListener("abort", onAbort, { once: true });
  const interrupted = new Promise<never>((_, reject) => {
    settle = reject;
  });
  interrupted.catch(() => {});

  try {
    const targets =
      options.path !== undefined ? [undefined] : await Promise.race([resolve(options), interrupted]);
    let lastError: Error | undefined;
    for (const address of targets) {
      const socket =
        address === undefined
          ? tcpConnect({ path: options.path! })
          : tcpConnect({
              host: address,
              port: options.port ?? 0,
              family: isIP(address),
              ...(options.onread && !options.tls ? { onread: options.onread } : {}),
            });
      current = socket;
      try {
        await Promise.race([waitFor(socket, "connect", label), interrupted]);
        socket.setNoDelay(options.noDelay ?? true);
        if (!options.tls) return socket;
        const secured = startTls(socket, options.host ?? "localhost", options.tls);
        current = secured;
        await Promise.race([waitFor(secured, "secureConnect", label, true), interrupted]);
        return secured;
      } catch (error) {
        current.destroy();
        // Only a refused or unreachable address moves on to the next one; TLS failures,
        // timeouts and aborts end the attempt.
        if (!(error instanceof ConnectionClosedError)) throw error;
        lastError = error;
      }
    }
    throw lastError ?? new ConnectionClosedError("no address to connect to", { host: label });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    settle = undefined;
  }
}

async function resolve(options: DialOptions): Promise<string[]> {
  const host = options.host ?? "localhost";
  if (isIP(host)) return [host];
  try {
    const found = await lookup(host, { all: true, family: options.family ?? 0, verbatim: true });
    return found.map((entry) => entry.address);
  } catch (error) {
    throw new ConnectionClosedError(
      `cannot resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      {
        host,
        cause: error,
      },
    );
  }
}

/**
 * Starts a TLS client on a connected socket. Used by implicit TLS here and by
 * `upgradeToTls()` for every STARTTLS; always `tls.connect`, so a bad certificate is rejected
 * (a bare `new TLSSocket()` would not check it).
 */
export function startTls(socket: Socket, host: string, tls: TlsOptions): TLSSocket {
  const ip = isIP(host) !== 0;
  return tlsConnect({
    minVersion: "TLSv1.2",
    ...tls,
    socket,
    // SNI must not carry an IP address; the identity check still uses `host` (IP SANs).
    host,
    servername: tls.servername ?? (ip ? undefined : host),
  });
}

/** Resolves on `event`, rejects with a typed error on `error` or `close` first. Removes its listeners. */
export function waitFor(socket: Socket, event: string, label: string, isTls = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      socket.off(event, onEvent);
      socket.off("error", onError);
      socket.off("close", onClose);
    };
    const onEvent = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(isTls ? tlsErrorFrom(error, label) : connectErrorFrom(error, label));
    };
    const onClose = () => {
      cleanup();
      reject(
        isTls
          ? new TlsError("handshake", "the peer closed the connection during the TLS handshake", {
              host: label,
            })
          : new ConnectionClosedError("closed while connecting", { host: label }),
      );
    };
    socket.once(event, onEvent);
    socket.once("error", onError);
    socket.once("close", onClose);
  });
}

const CERTIFICATE_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "INVALID_PURPOSE",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Maps a Node TLS failure to a {@link TlsError} whose reason tells a bad certificate from a failed handshake. */
export function tlsErrorFrom(error: Error, label: string): InetError {
  if (error instanceof InetError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? "";
  if (CERTIFICATE_CODES.has(code)) {
    return new TlsError("certificate", `certificate rejected: ${code}: ${error.message}`, {
      host: label,
      cause: error,
    });
  }
  return new TlsError("handshake", `TLS handshake failed: ${error.message}`, { host: label, cause: error });
}

function connectErrorFrom(error: Error, label: string): InetError {
  if (error instanceof InetError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new ConnectionClosedError(code ? `${code}: ${error.message}` : error.message, {
    host: label,
    cause: error,
  });
}
