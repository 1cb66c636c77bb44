/**
 * Server-side TLS session resumption for FTPS data connections, both kinds:
 *
 * - Session tickets (RFC 5077, and TLS 1.3's PSK tickets) work by themselves as long as every
 *   connection uses the server's one secure context, whose ticket keys decrypt them.
 * - Session IDs (TLS 1.2 clients that send no ticket — curl does not ask for one) need a cache on
 *   the server. Node keeps none of its own for a bare `TLSSocket`: it asks the `newSession` and
 *   `resumeSession` listeners of the `tls.Server` given as the socket's `server` option. This
 *   file makes that object: a server that never listens, holding a bounded cache.
 */
import { createServer, type Server } from "node:tls";

/** Sessions kept (the oldest go first), and how long one may be resumed (OpenSSL's default). */
const MAX_SESSIONS = 1024;
const SESSION_LIFETIME_MS = 300_000;

/**
 * A never-listening `tls.Server` whose only job is to hold TLS 1.2 sessions by ID for
 * resumption. Pass it as `server` in the options of every server-side `TLSSocket`.
 */
export function createSessionCache(now: () => number = Date.now): Server {
  const sessions = new Map<string, { data: Buffer; at: number }>();
  const server = createServer();
  server.on("newSession", (id: Buffer, data: Buffer, done: () => void) => {
    const key = id.toString("hex");
    sessions.delete(key);
    sessions.set(key, { data, at: now() });
    // A Map iterates in insertion order: the first key is the oldest.
    while (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
    done();
  });
  server.on("resumeSession", (id: Buffer, done: (error: Error | null, data: Buffer | null) => void) => {
    const key = id.toString("hex");
    const entry = sessions.get(key);
    if (entry && now() - entry.at > SESSION_LIFETIME_MS) sessions.delete(key);
    done(null, entry && now() - entry.at <= SESSION_LIFETIME_MS ? entry.data : null);
  });
  return server;
}
