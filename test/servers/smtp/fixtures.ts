/** A mail server for the SMTP tests (not a test file), and ways to look into its store. */
import { startMailServer } from "../../../src/servers/mail/server.js";
import type { MailServer, MailServerOptions } from "../../../src/servers/mail/types.js";
import { testCertificates } from "../../../src/servers/testing/certificates.js";

export const USERS = [
  { name: "alice", password: "alice-secret" },
  { name: "bob", password: "bob-secret" },
  { name: "carol", password: "carol-secret", addresses: ["carol@example.test", "c.ops@other.test"] },
];

/** The CA the test certificate chains to (`tls: { ca }`). */
export const CA = testCertificates().ca.cert;

/** Starts a server: the users above, domain example.test, memory store, TLS with the test certificate. */
export function startTestServer(options: MailServerOptions = {}): Promise<MailServer> {
  const { localhost } = testCertificates();
  return startMailServer({
    users: USERS,
    domains: ["example.test"],
    tls: { cert: localhost.cert, key: localhost.key },
    ...options,
  });
}

/** The port of one of the server's listeners. */
export function port(server: MailServer, kind: "smtp" | "submission" | "smtps"): number {
  const value = server.ports[kind];
  if (value === undefined) throw new Error(`no ${kind} listener`);
  return value;
}

/** Every message in `user`'s mailbox, as text. */
export async function mailbox(server: MailServer, user: string): Promise<string[]> {
  const out: string[] = [];
  for (const message of await server.store.list(user)) {
    out.push((await server.store.readMessage(user, message.id)).toString("utf8"));
  }
  return out;
}

/** The message without the two trace fields the server put on top (Return-Path, Received). */
export function withoutTrace(message: string): string {
  const match = /^Return-Path: <[^>]*>\r\nReceived: [^\r]*\r\n(?:\t[^\r]*\r\n)*/.exec(message);
  if (!match) throw new Error(`no trace fields on top of: ${JSON.stringify(message.slice(0, 200))}`);
  return message.slice(match[0].length);
}
