/**
 * The client side of the socket chapter's timestamp pair (tsTclnt.py, tsUclnt.py and their IPv6
 * variants) as library calls: no argv, no printing.
 *
 * - {@link openTimestampSession}: a TCP (IPv4/IPv6) or Unix-domain session; each `ask()` sends one
 *   line and resolves to the one reply line.
 * - {@link udpAsk}: one datagram out, one back.
 * - {@link parseSocketTarget}: `HOST:PORT`, `[::1]:PORT`, `unix:/path` (and the `tcp://…`,
 *   `udp://…` URLs the servers print).
 */
import { isIP } from "node:net";
import { InvalidArgumentError } from "../errors.js";
import { CommandQueue } from "../transport/command-queue.js";
import { Connection } from "../transport/connection.js";
import { hostLabel } from "../transport/dial.js";
import type { TraceHook } from "../transport/trace.js";
import { MAX_DATAGRAM, udpExchange } from "../transport/udp.js";

/** Where a timestamp server listens. */
export type SocketTarget =
  | { host: string; port: number; path?: undefined }
  | { path: string; host?: undefined };

/**
 * The longest message a TCP session sends: the server answers at most 64 KiB at a time
 * (terminator included), and `writeLine()` adds CRLF.
 */
export const MAX_TCP_MESSAGE = 65_536 - 2;

/** A reply's shape: `[Sun Nov 22 03:24:32 2026] message` (Python's `time.ctime()` in brackets). */
export const TIMESTAMP_REPLY = /^\[(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4,})\] ([\s\S]*)$/;

export interface TimestampClientOptions {
  /** Time limit in ms for connecting and for each reply. Default 30 s. */
  timeout?: number;
  /** Aborts the connection (or the exchange) and every call on it. */
  signal?: AbortSignal | undefined;
  /** Sees every line (datagram) sent and received. */
  onTrace?: TraceHook | undefined;
}

/** An open TCP or Unix-domain session with a timestamp server. */
export interface TimestampSession {
  /** The peer: `127.0.0.1:21567`, `[::1]:21567` or `unix:/path`. */
  readonly peer: string;
  /**
   * Sends `message` as one line and resolves to the reply line (decoded as UTF-8, without its
   * line ending). Calls made without `await` are answered in order. Rejects with
   * {@link InvalidArgumentError} for CR, LF or NUL in the message or one longer than
   * {@link MAX_TCP_MESSAGE} bytes (nothing is sent), {@link TimeoutError} (phase `command`),
   * {@link AbortError}, {@link ConnectionClosedError}, or {@link LimitError} for an over-long reply.
   */
  ask(message: string | Buffer, options?: { signal?: AbortSignal }): Promise<string>;
  /** Closes the session politely (half-close, then wait briefly for the server). Never rejects. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const PORT = /^\d{1,5}$/;
const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/;

/**
 * Parses `HOST:PORT`, `[IPV6]:PORT` or `unix:/path`; a leading `tcp://` or `udp://` is accepted
 * (the servers print their address that way). Throws {@link InvalidArgumentError} for anything
 * else: a missing or out-of-range port (1–65535), an unbracketed IPv6 address, a bad host name,
 * an empty socket path, or control characters.
 */
export function parseSocketTarget(text: string): SocketTarget {
  const shown = JSON.stringify(text);
  if (/[\u0000-\u001f\u007f]/.test(text)) {
    throw new InvalidArgumentError(`target ${shown} contains control characters`);
  }
  if (text.startsWith("unix:")) {
    const path = text.slice(5);
    if (path === "")
      throw new InvalidArgumentError(`target ${shown} names no socket path (unix:/path/to/socket)`);
    return { path };
  }
  const bare = text.replace(/^(?:tcp|udp):\/\//i, "");
  const colon = bare.lastIndexOf(":");
  if (colon < 0)
    throw new InvalidArgumentError(`target ${shown} has no port (HOST:PORT, [::1]:PORT or unix:/path)`);
  let host = bare.slice(0, colon);
  const portText = bare.slice(colon + 1);
  if (host.startsWith("[") && host.endsWith("]")) {
    host = host.slice(1, -1);
    if (isIP(host) !== 6)
      throw new InvalidArgumentError(`target ${shown}: ${JSON.stringify(host)} is not an IPv6 address`);
  } else if (host.includes(":")) {
    throw new InvalidArgumentError(
      `target ${shown}: put an IPv6 address in brackets, as in [::1]:${portText}`,
    );
  } else if (!HOST_NAME.test(host)) {
    throw new InvalidArgumentError(`target ${shown} has no valid host name before the port`);
  }
  const port = Number(portText);
  if (!PORT.test(portText) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`target ${shown}: the port must be a number from 1 to 65535`);
  }
  return { host, port };
}

/** Formats a target the way {@link parseSocketTarget} reads it. */
export function formatSocketTarget(target: SocketTarget): string {
  return target.path !== undefined ? `unix:${target.path}` : hostLabel(target.host, target.port);
}

/**
 * Splits a reply into its time and the echoed message, or returns `undefined` when it does not
 * have the shape `[ctime] message` (see {@link TIMESTAMP_REPLY}).
 */
export function parseTimestampReply(reply: string): { time: string; message: string } | undefined {
  const match = TIMESTAMP_REPLY.exec(reply);
  return match ? { time: match[1]!, message: match[2]! } : undefined;
}

/**
 * Connects to a TCP or Unix-domain timestamp server. Rejects with {@link InvalidArgumentError}
 * for a bad target, and with the transport's errors for a failed connect
 * ({@link ConnectionClosedError}, {@link TimeoutError} phase `connect`, {@link AbortError}).
 */
export async function openTimestampSession(
  target: string | SocketTarget,
  options: TimestampClientOptions = {},
): Promise<TimestampSession> {
  const where = typeof target === "string" ? parseSocketTarget(target) : target;
  const connection = await Connection.connect({
    ...(where.path !== undefined ? { path: where.path } : { host: where.host, port: where.port }),
    timeout: options.timeout ?? 30_000,
    signal: options.signal,
    onTrace: options.onTrace,
    // The server ends replies with a bare LF, as the book's server would.
    lineEnding: "lenient",
    // A reply is the prefix plus a message of up to 64 KiB.
    maxLineLength: 65_536 + 64,
  });
  const queue = new CommandQueue({ pipelining: true });
  return {
    peer: connection.label,
    ask(message, askOptions = {}) {
      const bytes = typeof message === "string" ? Buffer.from(message, "utf8") : message;
      if (bytes.length > MAX_TCP_MESSAGE) {
        return Promise.reject(
          new InvalidArgumentError(`a message holds at most ${MAX_TCP_MESSAGE} bytes, got ${bytes.length}`, {
            host: connection.label,
          }),
        );
      }
      return queue.run({
        send: async () => {
          await connection.writeLine([bytes], { signal: askOptions.signal });
        },
        receive: async () => {
          const line = await connection.readLine({ signal: askOptions.signal });
          return line.toString("utf8");
        },
      });
    },
    close: () => connection.end(),
    [Symbol.asyncDispose]: () => connection.end(),
  };
}

/**
 * Sends `message` in one datagram to a UDP timestamp server at `HOST:PORT` and resolves to the
 * reply (decoded as UTF-8). Rejects with {@link InvalidArgumentError} for a bad target (a Unix
 * path included) or a message over {@link MAX_DATAGRAM} bytes, {@link TimeoutError} (phase
 * `command`) when no reply came, {@link AbortError}, {@link ConnectionClosedError} (nothing
 * listening, name not found) or {@link LimitError} (reply too long).
 */
export async function udpAsk(
  target: string | SocketTarget,
  message: string | Buffer,
  options: TimestampClientOptions = {},
): Promise<string> {
  const where = typeof target === "string" ? parseSocketTarget(target) : target;
  if (where.path !== undefined) {
    throw new InvalidArgumentError(
      `UDP needs HOST:PORT, not a Unix socket path (${formatSocketTarget(where)})`,
    );
  }
  const reply = await udpExchange({
    host: where.host,
    port: where.port,
    message: typeof message === "string" ? Buffer.from(message, "utf8") : message,
    timeout: options.timeout ?? 30_000,
    signal: options.signal,
    onTrace: options.onTrace,
  });
  return reply.toString("utf8");
}
