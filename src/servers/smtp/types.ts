/**
 * Options and handle of the SMTP server (`startSmtpServer`), the SMTP part of `startMailServer`.
 */
import type { TraceHook } from "../../transport/trace.js";
import type { MailDirectory } from "../mail/directory.js";
import type { MailStore } from "../mail/store.js";

/** Time limits in ms; 0 turns one off. */
export interface SmtpServerTimeouts {
  /**
   * Silence from the client before `421 4.4.2` and the end of the connection: between commands
   * and inside a message alike (default 300 000, RFC 5321 §4.5.3.2.7's five minutes).
   */
  idle?: number;
  /** A TLS handshake, or a reply the client does not read (default 30 000). */
  command?: number;
}

/** The listeners' ports; 0 lets the system choose, `false` turns a listener off. */
export interface SmtpPorts {
  /** Mail for the local domains; AUTH optional (relay only with it). Default 0. */
  smtp?: number | false;
  /** Submission (RFC 6409): STARTTLS, AUTH required before MAIL. Default 0. */
  submission?: number | false;
  /** Submission over implicit TLS (RFC 8314). Default 0; only with a certificate. */
  smtps?: number | false;
}

/** What `startSmtpServer` takes. */
export interface SmtpServerOptions {
  /** Users and local domains. */
  directory: MailDirectory;
  /** Where accepted messages go. */
  store: MailStore;
  /** The name in the greeting, EHLO reply and Received stamps. Default `localhost`. */
  hostname?: string;
  /** Default `127.0.0.1`. */
  host?: string;
  ports?: SmtpPorts;
  /** Certificate and key (PEM): STARTTLS on both plain listeners, and the smtps listener. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Offer AUTH without TLS. For tests only; default false. */
  allowInsecureAuth?: boolean;
  /**
   * A local user whose mailbox keeps the mail authenticated clients send to other domains (no
   * mail ever leaves this server). Without it such recipients get `550 5.7.1` from everyone.
   */
  relayTo?: string;
  /** SASL mechanisms to offer, from PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256. Default all four. */
  mechanisms?: readonly string[];
  /** SCRAM iteration count for the stored passwords (default 4096). */
  scramIterations?: number;
  /** Largest message accepted, in bytes (advertised as SIZE; default 25 MiB). */
  maxMessageSize?: number;
  /** Recipients per message (default 100; more get `452 4.5.3`). */
  maxRecipients?: number;
  /** Longest command line (default 2048; AUTH lines may always reach 12 288, RFC 4954). */
  maxLineLength?: number;
  /** Protocol errors (5xx to commands) before `421` and the end of the connection (default 20). */
  maxErrors?: number;
  /** Failed AUTH attempts before `421` and the end of the connection (default 3). */
  maxAuthFailures?: number;
  /** Connections at once; more are answered `421` and closed (default 64). */
  maxConnections?: number;
  timeouts?: SmtpServerTimeouts;
  /** The wire trace of every connection (AUTH exchanges masked). */
  onTrace?: TraceHook;
}

/** A running SMTP server. */
export interface SmtpServer {
  /**
   * `smtp://HOST:PORT`; submission as `smtp+starttls://` with a certificate (else `smtp://`);
   * `smtps://` with a certificate. A listener turned off has no URL.
   */
  urls: { smtp?: string; submission?: string; smtps?: string };
  ports: { smtp?: number; submission?: number; smtps?: number };
  host: string;
  /** Stops listening and ends every session (messages not yet complete are dropped). */
  close(): Promise<void>;
}
