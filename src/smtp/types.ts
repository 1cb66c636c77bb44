/**
 * The shapes of the SMTP client's public API: connect and send options, results, the negotiated
 * session. Types only, no I/O: the loopback server may import them too.
 */
import type { Readable } from "node:stream";
import type { BuiltMessage } from "../mime/build/spec.js";
import type { TlsInfo } from "../transport/connection.js";
import type { TlsOptions } from "../transport/dial.js";
import type { Timeouts } from "../transport/timeouts.js";
import type { TraceHook } from "../transport/trace.js";
import type { Security } from "../transport/url.js";

/** Options of `SmtpClient.connect`. */
export interface SmtpConnectOptions {
  /** The SASL user name (overrides the URL's). With a password or token, the client authenticates. */
  user?: string;
  /** The password (overrides the URL's; also from ~/.netrc, `INET_SMTP_PASSWORD`, `INET_PASSWORD`). */
  password?: string;
  /** OAuth 2.0 bearer token for OAUTHBEARER / XOAUTH2 (preferred over a password when both are given). */
  oauth?: { token: string };
  /** Authorization identity to act as (PLAIN, SCRAM-*, OAUTHBEARER only). */
  authzid?: string;
  /** Restricts (and orders) the SASL mechanisms tried: `["SCRAM-SHA-256", "PLAIN"]`. Default: strongest first. */
  mechanisms?: readonly string[];
  /**
   * Overrides the scheme: `none` (smtp://, never upgrades), `starttls` (smtp+starttls://, STARTTLS
   * required, fails closed), `implicit` (smtps://, TLS from the first byte).
   */
  security?: Security;
  /** Node's TLS options: `ca`, `cert`, `key`, `servername`, `minVersion`, `rejectUnauthorized: false` (loud opt-out). */
  tls?: TlsOptions;
  /** Every phase but idle, in ms. */
  timeout?: number;
  timeouts?: Partial<Timeouts>;
  /** Aborts connecting (and the whole connection, while it lasts). */
  signal?: AbortSignal;
  /** Receives every wire line, secrets redacted. */
  onTrace?: TraceHook;
  /** Send credentials over a connection without TLS (otherwise refused with `TlsError` `insecure-auth`). */
  allowInsecureAuth?: boolean;
  /**
   * The host name said in EHLO/HELO/LHLO: a domain name or an address literal (`[192.0.2.1]`).
   * Default: this machine's host name when it is a dotted domain, else the local address literal.
   */
  name?: string;
  /** Speak LMTP (RFC 2033): LHLO, and one reply per accepted recipient after the data. */
  lmtp?: boolean;
  /** Look the password up in ~/.netrc (default true). */
  netrc?: boolean;
  /** Environment for credential lookup (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Most SASL challenges accepted in one AUTH exchange (default 5); beyond it `LimitError` `sasl-rounds`. */
  maxAuthRounds?: number;
}

/** DSN requests (RFC 3461). */
export interface DsnOptions {
  /** When to report, per recipient: `NEVER`, or any of `SUCCESS`, `FAILURE`, `DELAY`. */
  notify?: "NEVER" | ReadonlyArray<"SUCCESS" | "FAILURE" | "DELAY">;
  /** What a report returns: the full message or only its headers. */
  ret?: "FULL" | "HDRS";
  /** Envelope identifier echoed in reports (printable ASCII; sent xtext-encoded). */
  envid?: string;
  /**
   * Original recipient (ORCPT): `true` sends each recipient's own address, a string sends that
   * address for every recipient, a map gives it per recipient (keyed by the envelope address).
   */
  orcpt?: true | string | Readonly<Record<string, string>>;
}

/**
 * What `send` accepts: raw bytes or text (a whole RFC 5322 message), a byte stream (a Node
 * `Readable`, or any async iterable of byte or text chunks, such as a web `ReadableStream`), or a
 * built message (`buildMessage`).
 */
export type SmtpMessage =
  | Buffer
  | Uint8Array
  | string
  | Readable
  | AsyncIterable<Buffer | Uint8Array | string>
  | BuiltMessage;

/** Options of `SmtpClient.send`. */
export interface SendOptions {
  /** The envelope sender (`MAIL FROM`); `""` is the null reverse-path `<>`. Default: the message's From. */
  from?: string;
  /** The envelope recipients (`RCPT TO`). Default: To, Cc and Bcc of the message. */
  to?: string | readonly string[];
  /** Delivery status notification requests (sent only when the server offers DSN; else ignored). */
  dsn?: DsnOptions;
  /** Require SMTPUTF8 (RFC 6531) even when the envelope is ASCII. A server without it → `ProtocolError` `smtputf8-unsupported`. */
  smtputf8?: boolean;
  /**
   * The body type declared in MAIL FROM. Default: for bytes and text, `8BITMIME` when they hold a
   * byte over 127 (and `7BIT` otherwise); for streams and built messages, `8BITMIME` when offered.
   * `BINARYMIME` (RFC 3030) sends the bytes untouched with BDAT and needs CHUNKING + BINARYMIME.
   */
  body?: "7BIT" | "8BITMIME" | "BINARYMIME";
  /** The size of a streamed message, when known: declared as `SIZE=` and checked against the server's limit. */
  size?: number;
  /** Use BDAT when the server offers CHUNKING (default true). */
  chunking?: boolean;
  signal?: AbortSignal;
}

/** A recipient the server refused (at RCPT TO, or, in LMTP, after the data). */
export interface RejectedRecipient {
  address: string;
  code: number;
  /** RFC 3463 enhanced status code (`5.1.1`) when the server sent one. */
  enhancedCode: string | undefined;
  /** The server's words, without the codes. */
  text: string;
}

/** What a successful `send` resolves to. */
export interface SendResult {
  /** Recipients the server accepted the message for. */
  accepted: string[];
  /** Recipients the server refused (smtplib's refused-recipients dict, typed). */
  rejected: RejectedRecipient[];
  /** The server's final reply (`250 2.0.0 Ok: queued as 4F2A1`), codes included. */
  response: string;
  /** The envelope used. */
  envelope: { from: string; to: string[] };
  /** The message's Message-ID header, when it has one. */
  messageId?: string;
}

/** One server reply, as `verify`, `command` and errors describe it. */
export interface ReplyInfo {
  code: number;
  enhancedCode: string | undefined;
  /** Every line's text, as sent (codes included in the text of lines that carry an enhanced code). */
  lines: string[];
  /** The lines joined with `\n`, without the enhanced codes. */
  text: string;
}

/** What was negotiated. */
export interface SmtpSession {
  host: string;
  port: number;
  /** `esmtp` (EHLO accepted), `smtp` (HELO fallback), or `lmtp`. */
  protocol: "esmtp" | "smtp" | "lmtp";
  /** The name this client said in EHLO/HELO/LHLO. */
  name: string;
  /** The greeting's text. */
  greeting: string;
  /** EHLO keywords (upper case) and their parameters (as sent, `""` when none), read after TLS. */
  extensions: ReadonlyMap<string, string>;
  /** The server's SIZE limit in octets; `undefined` when it announced none (0 in SIZE means none too). */
  maxSize: number | undefined;
  /** TLS details, when the connection is encrypted. */
  tls: TlsInfo | undefined;
  /** The SASL mechanism used to authenticate, if any. */
  saslMechanism: string | undefined;
  /** The user authenticated as, if any. */
  user: string | undefined;
}

/** Options of every simple command (`noop`, `reset`, `verify`, `quit`, `command`). */
export interface SmtpCommandOptions {
  signal?: AbortSignal;
}

/** Options of `SmtpClient.pool` / `new SmtpPool`. */
export interface SmtpPoolOptions extends SmtpConnectOptions {
  /** Most connections at once (default 2, at most 64). */
  connections?: number;
  /** Messages sent over one connection before it is closed and replaced (default 100). */
  messagesPerConnection?: number;
}
