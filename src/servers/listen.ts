/**
 * Listening sockets for the loopback servers: start listening (rejecting when the address cannot
 * be bound), read the port the system chose for port 0, and close.
 */
import type { Server } from "node:net";

/** Listens on `host:port`; rejects with the bind error (EADDRINUSE…). Later errors are ignored. */
export function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port }, () => {
      server.off("error", reject);
      // Errors after listening (EMFILE on accept…) must not crash the process.
      server.on("error", () => {});
      resolve();
    });
  });
}

/** The port `server` listens on (the one the system picked for port 0); 0 when not listening. */
export function boundPort(server: Server): number {
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
}

/** Stops accepting; resolves when every connection the server still tracks has closed. */
export function stop(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
