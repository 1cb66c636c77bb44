/**
 * `startMailServer`: the mail store (Maildir on disk or in memory, one mailbox per user) and the
 * servers over it — SMTP (smtp, submission, smtps) now; POP3 and IMAP join later on the same store.
 */

import { startSmtpServer } from "../smtp/server.js";
import { makeCertificate, makeCertificateAuthority } from "../testing/certificates.js";
import { MailDirectory } from "./directory.js";
import { MaildirMailStore } from "./maildir-store.js";
import { MemoryMailStore } from "./memory-store.js";
import type { MailStore } from "./store.js";
import type { MailServer, MailServerOptions } from "./types.js";

/**
 * Starts the mail server and resolves once every listener accepts connections. Each user gets a
 * mailbox at once (so an empty one can be listed).
 *
 * @throws InvalidArgumentError for bad users, domains, addresses or limits (see
 *   {@link MailDirectory} and `startSmtpServer`).
 * @throws Node's own error when the Maildir root cannot be created or a port cannot be bound.
 */
export async function startMailServer(options: MailServerOptions = {}): Promise<MailServer> {
  const users = options.users ?? [];
  const directory = new MailDirectory(users, options.domains);
  const storeOptions = options.store ?? { kind: "memory" };
  const store: MailStore =
    storeOptions.kind === "maildir"
      ? await MaildirMailStore.open(storeOptions.root, { fsync: storeOptions.fsync })
      : new MemoryMailStore(storeOptions.maxBytes);
  for (const user of users) await store.ensureMailbox(user.name);
  let ca: string | undefined;
  let tls: { cert: string | Buffer; key: string | Buffer } | undefined;
  if (options.tls === true) {
    const authority = makeCertificateAuthority({ commonName: "inetkit mail server test CA" });
    const issued = makeCertificate({ hosts: ["localhost", "127.0.0.1", "::1"], issuer: authority });
    ca = authority.cert;
    tls = { cert: issued.cert, key: issued.key };
  } else if (options.tls) {
    tls = options.tls;
  }
  const smtp = await startSmtpServer({
    directory,
    store,
    tls,
    host: options.host,
    hostname: options.hostname,
    ports: options.ports,
    allowInsecureAuth: options.allowInsecureAuth,
    relayTo: options.relayTo,
    mechanisms: options.mechanisms,
    maxMessageSize: options.maxMessageSize,
    maxRecipients: options.maxRecipients,
    maxLineLength: options.maxLineLength,
    maxConnections: options.maxConnections,
    timeouts: options.timeouts,
    onTrace: options.onTrace,
  });
  return {
    urls: smtp.urls,
    ports: smtp.ports,
    host: smtp.host,
    store,
    ...(ca !== undefined ? { ca } : {}),
    close: () => smtp.close(),
    [Symbol.asyncDispose]: () => smtp.close(),
  };
}
