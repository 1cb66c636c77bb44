/**
 * One UDP request and its reply (the socket chapter's tsUclnt.py): send a datagram, wait for one
 * datagram back from the same peer, under a time limit and an `AbortSignal`.
 *
 * The socket is connected (`connect()` on a datagram socket), so the system hands us only
 * datagrams from the peer we asked, and a "port unreachable" report comes back as ECONNREFUSED
 * instead of a silent wait until the timeout.
 */
import { createSocket } from "node:dgram";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import {
  abortErrorFrom,
  ConnectionClosedError,
  InetError,
  InvalidArgumentError,
  LimitError,
  TimeoutError,
} from "../errors.js";
import { hostLabel } from "./dial.js";
import { printable, type TraceHook } from "./trace.js";

/** The largest payload one UDP datagram can carry (65535 − 8; IPv4 allows 20 fewer). */
export const MAX_DATAGRAM = 65_527;

export interface UdpExchangeOptions {
  /** Host name or IP address of the peer. */
  host: string;
  port: number;
  /** The datagram to send (at most {@link MAX_DATAGRAM} bytes). */
  message: Buffer;
  /** Time, in ms, for resolving, sending and receiving the reply together. Default 60 s; 0 turns it off. */
  timeout?: number;
  signal?: AbortSignal | undefined;
  /** Restrict name resolution to IPv4 (4) or IPv6 (6). */
  family?: 0 | 4 | 6;
  /** The largest reply accepted. Default {@link MAX_DATAGRAM}. */
  maxReplyBytes?: number;
  /** Sees the datagram sent and the one received, as printable text. */
  onTrace?: TraceHook | undefined;
}

/**
 * Sends `message` to `host:port` and resolves to the first datagram that comes back.
 *
 * Rejects with {@link InvalidArgumentError} for a bad port or an oversized message,
 * {@link TimeoutError} (phase `command`) when no reply came in time, {@link AbortError} when the
 * signal fires, {@link ConnectionClosedError} when the name does not resolve or the peer's port is
 * unreachable, and {@link LimitError} for a reply longer than `maxReplyBytes`. The socket and the
 * timer are gone when it settles.
 */
export async function udpExchange(options: UdpExchangeOptions): Promise<Buffer> {
  const label = hostLabel(options.host, options.port);
  const { port, message, signal } = options;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`port must be an integer from 1 to 65535, got ${port}`, { host: label });
  }
  if (message.length > MAX_DATAGRAM) {
    throw new InvalidArgumentError(`a datagram holds at most ${MAX_DATAGRAM} bytes, got ${message.length}`, {
      host: label,
    });
  }
  if (signal?.aborted) throw abortErrorFrom(signal, { host: label });
  const maxReply = options.maxReplyBytes ?? MAX_DATAGRAM;
  const timeout = options.timeout ?? 60_000;
  const trace = (direction: "send" | "receive", bytes: Buffer) => {
    try {
      options.onTrace?.({ direction, text: printable(bytes.toString("utf8")), host: label, secure: false });
    } catch {
      // A failing trace hook must not break the exchange.
    }
  };

  return new Promise<Buffer>((resolve, reject) => {
    let socket: ReturnType<typeof createSocket> | undefined;
    let done = false;
    const finish = (error: Error | undefined, reply?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket?.removeAllListeners("message");
      // Errors from a socket being torn down are of no interest any more.
      socket?.on("error", () => {});
      try {
        socket?.close();
      } catch {
        // Already closed.
      }
      if (error) reject(error);
      else resolve(reply!);
    };
    const timer =
      timeout > 0 && Number.isFinite(timeout)
        ? setTimeout(() => finish(new TimeoutError("command", timeout, { host: label })), timeout)
        : undefined;
    const onAbort = () => finish(abortErrorFrom(signal!, { host: label }));
    signal?.addEventListener("abort", onAbort, { once: true });

    resolveAddress(options.host, options.family ?? 0, label).then((address) => {
      if (done) return;
      const udp = createSocket({ type: isIP(address) === 6 ? "udp6" : "udp4" });
      socket = udp;
      udp.on("error", (error: NodeJS.ErrnoException) => {
        const reason =
          error.code === "ECONNREFUSED" ? "ECONNREFUSED: nothing is listening on that port" : error.message;
        finish(new ConnectionClosedError(reason, { host: label, cause: error }));
      });
      udp.on("message", (reply: Buffer) => {
        if (reply.length > maxReply) {
          finish(new LimitError("reply", maxReply, { host: label }));
          return;
        }
        trace("receive", reply);
        finish(undefined, reply);
      });
      udp.connect(port, address, () => {
        if (done) return;
        trace("send", message);
        udp.send(message, (error) => {
          if (error) finish(new ConnectionClosedError(error.message, { host: label, cause: error }));
        });
      });
    }, finish);
  });
}

async function resolveAddress(host: string, family: 0 | 4 | 6, label: string): Promise<string> {
  if (isIP(host) !== 0) return host;
  try {
    return (await lookup(host, { family })).address;
  } catch (error) {
    if (error instanceof InetError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConnectionClosedError(`cannot resolve ${host}: ${code}`, { host: label, cause: error });
  }
}
