/**
 * The socket chapter's timestamp servers: `startTimestampServer({ protocol: "tcp" | "udp" })`.
 */
import { InvalidArgumentError } from "../../errors.js";
import { startTcpTimestampServer } from "./tcp.js";
import type { TimestampServer, TimestampServerOptions } from "./types.js";
import { startUdpTimestampServer } from "./udp.js";

export { ctime, formatReply } from "./format.js";
export { MAX_MESSAGE_BYTES } from "./framing.js";
export { ipv6LoopbackAvailable } from "./loopback.js";
export type { ServedMessage, ServerAddress, TimestampServer, TimestampServerOptions } from "./types.js";

/**
 * Starts a timestamp server on loopback (127.0.0.1, port 0 by default) that answers every message
 * with `[ctime] message`. Resolves once it is listening; `url` and `address` tell where.
 *
 * Rejects with {@link InvalidArgumentError} for a bad combination of options (`path` with UDP, a port
 * outside 0–65535); rejects with Node's system error when the address cannot be used
 * (`EADDRINUSE`, `EADDRNOTAVAIL`, `EACCES`…).
 */
export async function startTimestampServer(options: TimestampServerOptions): Promise<TimestampServer> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`port must be an integer from 0 to 65535, got ${options.port}`);
  }
  if (options.protocol === "udp") {
    if (options.path !== undefined)
      throw new InvalidArgumentError("a Unix-domain socket path needs protocol tcp");
    return startUdpTimestampServer(options);
  }
  if (options.protocol !== "tcp") {
    throw new InvalidArgumentError(
      `protocol must be "tcp" or "udp", got ${JSON.stringify(options.protocol)}`,
    );
  }
  return startTcpTimestampServer(options);
}
