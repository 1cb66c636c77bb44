/**
 * Options and handle of `startMailServer`: the mail store and the servers over it (SMTP now;
 * POP3 and IMAP join later).
 */
import type { TraceHook } from "../../transport/trace.js";
import type { SmtpPorts, SmtpServerTimeouts } from "../smtp/types.js";
import type { MailUser } from "./directory.js";
import type { MailStore } from "./store.js";

/** Where the mail is kept. */
export type MailStoreOptions =
  | { kind: "maildir"; root: string; fsync?: boolean }
  | { kind: "memory"; maxBytes?: number };

/** What `startMailServer` takes. Every field is optional. */
export interface MailServerOptions {
  users?: readonly MailUser[];
  /** Local domains (default: those of the users' addresses, else `localhost`). */
  domains?: readonly string[];
  /** Default `{ kind: "memory" }`. */
  store?: MailStoreOptions;
  /**
   * A certificate and key (PEM), or `true` to make a test CA and a certificate for localhost,
   * 127.0.0.1 and ::1 (its CA is then {@link MailServer.ca}). Enables STARTTLS and smtps.
   */
  tls?: { cert: string | Buffer; key: string | Buffer } | true;
  /** Default `127.0.0.1`. */
  host?: string;
  /** The name the servers give themselves (greetings, Received stamps). Default `localhost`. */
  hostname?: string;
  /** Ports of the SMTP listeners (0, the default, lets the system choose; `false` turns one off). */
  ports?: SmtpPorts;
  /** Offer AUTH without TLS. For tests only. */
  allowInsecureAuth?: boolean;
  /** Keep mail that authenticated clients send to other domains in this user's mailbox (see `SmtpServerOptions.relayTo`). */
  relayTo?: string;
  /** SASL mechanisms SMTP offers (default SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN). */
  mechanisms?: readonly string[];
  /** Largest message SMTP accepts (default 25 MiB). */
  maxMessageSize?: number;
  maxRecipients?: number;
  maxLineLength?: number;
  maxConnections?: number;
  timeouts?: SmtpServerTimeouts;
  onTrace?: TraceHook;
}

/** A running mail server. */
export interface MailServer {
  /** `smtp://…`, `smtp+starttls://…` (submission) and `smtps://…` (with TLS). */
  urls: { smtp?: string; submission?: string; smtps?: string };
  ports: { smtp?: number; submission?: number; smtps?: number };
  host: string;
  /** The shared mail store (read what was delivered; POP3 and IMAP serve it). */
  store: MailStore;
  /** With `tls: true`: the PEM of the CA that signed the server's certificate, for clients to trust. */
  ca?: string;
  /** Stops every listener and session. The store stays as it is (a Maildir stays on disk). */
  close(): Promise<void>;
  /** {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}
