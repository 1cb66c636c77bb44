/** Whether this machine has an IPv6 loopback (containers often have none). */
import { createServer } from "node:net";

/** Error codes that mean "no IPv6 loopback here" rather than a fault. */
export const NO_IPV6_CODES: ReadonlySet<string> = new Set([
  "EADDRNOTAVAIL",
  "EAFNOSUPPORT",
  "EPROTONOSUPPORT",
]);

/**
 * Tries to listen on `[::1]:0`: resolves to `true` when it works, `false` when the system says
 * the address or family is unavailable ({@link NO_IPV6_CODES}); any other failure rejects.
 */
export function ipv6LoopbackAvailable(): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code && NO_IPV6_CODES.has(error.code)) resolve(false);
      else reject(error);
    });
    probe.listen({ host: "::1", port: 0 }, () => probe.close(() => resolve(true)));
  });
}
