/**
 * `startSmtpServer`: the loopback SMTP server (RFC 5321) with STARTTLS (RFC 3207), submission
 * (RFC 6409), implicit TLS (RFC 8314), AUTH (RFC 4954), SIZE, PIPELINING, 8BITMIME, SMTPUTF8,
 * CHUNKING/BINARYMIME, DSN and ENHANCEDSTATUSCODES, delivering into a mail store.
 *
 * Up to three listeners: `smtp` (mail for local domains), `submission` (AUTH before MAIL) and
 * `smtps` (submission with TLS from the first byte). Each connection gets a {@link Connection} in
 * the server role (AUTH exchanges masked in the trace) and an {@link SmtpSession}.
 */
import { createServer, type Server, type Socket } from "node:net";
import { createSecureContext } from "node:tls";
import { InvalidArgumentError } from "../../errors.js";
import { SASL_MECHANISMS } from "../../sasl/types.js";
import { Connection } from "../../transport/connection.js";
import { hostLabel } from "../../transport/dial.js";
import { boundPort, listen, stop } from "../listen.js";
import { COMMANDS } from "./commands.js";
import { formatReply, R } from "./replies.js";
import { AUTH_LINE_LIMIT, type ListenerKind, type SessionSettings, SmtpSession } from "./session.js";
import type { SmtpServer, SmtpServerOptions } from "./types.js";

/** The mechanisms offered by default, strongest first. */
export const DEFAULT_SMTP_MECHANISMS = ["SCRAM-SHA-256", "CRAM-MD5", "PLAIN", "LOGIN"] as const;
const SUPPORTED = new Set<string>(DEFAULT_SMTP_MECHANISMS);

/**
 * Starts the listeners and resolves once they accept connections.
 *
 * @throws InvalidArgumentError for contradictory or out-of-range options (an unknown mechanism, a
 *   `relayTo` user that does not exist, a bad limit, no listener at all).
 * @throws Node's own error when a port cannot be bound (`EADDRINUSE`…).
 */
export async function startSmtpServer(options: SmtpServerOptions): Promise<SmtpServer> {
  const settings = sessionSettings(options);
  const ports = options.ports ?? {};
  const kinds: ListenerKind[] = [];
  if (ports.smtp !== false) kinds.push("smtp");
  if (ports.submission !== false) kinds.push("submission");
  if (ports.smtps !== false && settings.tls) kinds.push("smtps");
  if (kinds.length === 0) throw new InvalidArgumentError("the SMTP server needs at least one listener");
  const commandTimeout = options.timeouts?.command ?? 30_000;
  const maxConnections = options.maxConnections ?? 64;
  const sessions = new Map<SmtpSession, Promise<void>>();
  const accepted = new Set<Socket>();
  let closing = false;

  const onConnection = (socket: Socket, kind: ListenerKind) => {
    socket.on("error", () => {});
    accepted.add(socket);
    socket.once("close", () => accepted.delete(socket));
    if (closing) {
      socket.destroy();
      return;
    }
    if (sessions.size >= maxConnections) {
      if (kind === "smtps") socket.destroy();
      else {
        const [line] = formatReply(R.tooManyConnections.code, R.tooManyConnections.enhanced, [
          R.tooManyConnections.text,
        ]);
        socket.end(`${line}\r\n`);
        socket.setTimeout(commandTimeout || 30_000, () => socket.destroy());
      }
      return;
    }
    const conn = new Connection(socket, {
      role: "server",
      lineEnding: "lenient",
      maxLineLength: AUTH_LINE_LIMIT,
      onTrace: options.onTrace,
      // The session keeps its own silence limit (with a 421 reply); these bound handshakes and writes.
      timeouts: { connect: commandTimeout, command: commandTimeout, data: commandTimeout, idle: 0 },
    });
    const session = new SmtpSession(conn, settings, kind, COMMANDS);
    const running = (async () => {
      if (kind === "smtps") {
        try {
          await conn.acceptTls({ secureContext: settings.tls!.secureContext });
        } catch {
          conn.destroy();
          return;
        }
        // 'secure' fires before OpenSSL has written the TLS 1.3 tickets; let it finish first.
        await new Promise((resolve) => setImmediate(resolve));
      }
      await session.run();
    })().finally(() => sessions.delete(session));
    sessions.set(session, running);
  };

  const host = options.host ?? "127.0.0.1";
  const servers = new Map<ListenerKind, Server>();
  try {
    for (const kind of kinds) {
      const server = createServer((socket) => onConnection(socket, kind));
      const port = ports[kind];
      await listen(server, host, typeof port === "number" ? port : 0);
      servers.set(kind, server);
    }
  } catch (error) {
    await Promise.all([...servers.values()].map(stop));
    throw error;
  }

  const urls: SmtpServer["urls"] = {};
  const bound: SmtpServer["ports"] = {};
  for (const [kind, server] of servers) {
    const port = boundPort(server);
    bound[kind] = port;
    const scheme =
      kind === "smtps" ? "smtps" : kind === "submission" && settings.tls ? "smtp+starttls" : "smtp";
    urls[kind] = `${scheme}://${hostLabel(host, port)}`;
  }

  let closed: Promise<void> | undefined;
  return {
    urls,
    ports: bound,
    host,
    close() {
      closed ??= (async () => {
        closing = true;
        const stopped = [...servers.values()].map(stop);
        for (const session of sessions.keys()) session.close();
        // A plain socket under a live TLS socket must not be destroyed first (Node 20 crashes):
        // the sessions destroyed their TLS sockets, which took the plain ones with them.
        for (const socket of accepted) if (!socket.destroyed) socket.destroy();
        await Promise.all([...stopped, ...sessions.values()]);
      })();
      return closed;
    },
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const chosen = value ?? fallback;
  if (!(Number.isSafeInteger(chosen) && chosen > 0)) {
    throw new InvalidArgumentError(`${name} must be a positive integer`);
  }
  return chosen;
}

function sessionSettings(options: SmtpServerOptions): SessionSettings {
  const mechanisms = (options.mechanisms ?? DEFAULT_SMTP_MECHANISMS).map((name) => name.toUpperCase());
  for (const name of mechanisms) {
    if (!SUPPORTED.has(name) || !(SASL_MECHANISMS as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(
        `the SMTP server offers only ${[...SUPPORTED].join(", ")}, not ${JSON.stringify(name.slice(0, 40))}`,
      );
    }
  }
  if (options.relayTo !== undefined && !options.directory.user(options.relayTo)) {
    throw new InvalidArgumentError(`relayTo names no configured user: ${JSON.stringify(options.relayTo)}`);
  }
  const hostname = options.hostname ?? "localhost";
  if (!/^[A-Za-z0-9.-]{1,253}$/.test(hostname)) {
    throw new InvalidArgumentError("the SMTP host name must be letters, digits, dots and hyphens");
  }
  const maxLineLength = positive(options.maxLineLength, 2048, "maxLineLength");
  if (maxLineLength < 512 || maxLineLength > AUTH_LINE_LIMIT) {
    throw new InvalidArgumentError(`maxLineLength must be between 512 (RFC 5321) and ${AUTH_LINE_LIMIT}`);
  }
  return {
    hostname,
    directory: options.directory,
    store: options.store,
    tls: options.tls
      ? {
          secureContext: createSecureContext({
            cert: options.tls.cert,
            key: options.tls.key,
            minVersion: "TLSv1.2",
          }),
        }
      : undefined,
    allowInsecureAuth: options.allowInsecureAuth === true,
    relayTo: options.relayTo,
    mechanisms,
    sasl: {
      hostname,
      ...(options.scramIterations !== undefined
        ? { iterations: positive(options.scramIterations, 4096, "scramIterations") }
        : {}),
    },
    maxMessageSize: positive(options.maxMessageSize, 25 * 1024 * 1024, "maxMessageSize"),
    maxRecipients: positive(options.maxRecipients, 100, "maxRecipients"),
    maxLineLength,
    maxErrors: positive(options.maxErrors, 20, "maxErrors"),
    maxAuthFailures: positive(options.maxAuthFailures, 3, "maxAuthFailures"),
    timeouts: { idle: options.timeouts?.idle ?? 300_000 },
  };
}
