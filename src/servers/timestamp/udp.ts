/**
 * The UDP timestamp server (the book's tsUserv.py and tsUserv6.py): one reply datagram,
 * `[ctime] message`, to each datagram received, sent back to its sender.
 *
 * Datagrams are bounded by the protocol (at most 64 KiB); a reply that would not fit in one
 * datagram has its echoed message cut short. Send errors only drop that reply.
 */
import { createSocket, type Socket } from "node:dgram";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { hostLabel } from "../../transport/dial.js";
import { formatDatagramReply } from "./format.js";
import type { TimestampServer, TimestampServerOptions } from "./types.js";

/**
 * Binds the UDP socket and resolves once it receives. Rejects with Node's own system error
 * (`EADDRINUSE`, `EADDRNOTAVAIL`, `ENOTFOUND`…) when it cannot bind.
 */
export async function startUdpTimestampServer(options: TimestampServerOptions): Promise<TimestampServer> {
  const now = options.now ?? (() => new Date());
  const host = options.host ?? "127.0.0.1";
  const address = isIP(host) !== 0 ? host : (await lookup(host)).address;
  const socket = createSocket({ type: isIP(address) === 6 ? "udp6" : "udp4" });
  await bind(socket, address, options.port ?? 0);

  socket.on("message", (message, remote) => {
    const reply = formatDatagramReply(now(), message);
    // The callback receives send errors (an unreachable sender…): one lost reply, nothing more.
    socket.send(reply, remote.port, remote.address, () => {});
    try {
      options.onMessage?.({ protocol: "udp", peer: hostLabel(remote.address, remote.port), message });
    } catch {
      // A failing log hook must not stop the server.
    }
  });

  const bound = socket.address();
  let closing: Promise<void> | undefined;
  return {
    protocol: "udp",
    address: { host: bound.address, port: bound.port },
    url: `udp://${hostLabel(bound.address, bound.port)}`,
    close() {
      closing ??= new Promise<void>((resolve) => socket.close(() => resolve()));
      return closing;
    },
  };
}

function bind(socket: Socket, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      socket.close();
      reject(error);
    };
    socket.once("error", onError);
    socket.bind({ address, port }, () => {
      socket.off("error", onError);
      // Later errors (ICMP reports on some systems) must not crash the process.
      socket.on("error", () => {});
      resolve();
    });
  });
}
