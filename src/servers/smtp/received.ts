/**
 * The trace fields the server puts on top of every message it accepts (RFC 5321 §4.4):
 * `Return-Path:` with the reverse-path (this server makes the final delivery), and a `Received:`
 * stamp saying who sent it (EHLO name and address), how (the RFC 3848 / RFC 6531 protocol
 * keyword: ESMTP, ESMTPS, ESMTPA, ESMTPSA, UTF8SMTP…), over which TLS, as which authenticated
 * user, the transaction id, the recipient when there is only one, and the time. Pure.
 */
import { formatDate } from "../../mime/header/date.js";

/** What the stamp says. */
export interface ReceivedInfo {
  /** The name the client gave in EHLO/HELO. */
  helo: string;
  /** The client's IP address. */
  clientAddress: string;
  /** This server's host name. */
  hostname: string;
  /** True after EHLO (ESMTP), false after HELO. */
  extended: boolean;
  /** The TLS version and cipher, when the session is encrypted. */
  tls?: { protocol: string; cipher: string } | undefined;
  /** The SASL user, when the client authenticated. */
  user?: string | undefined;
  /** MAIL FROM carried SMTPUTF8. */
  smtputf8: boolean;
  /** The transaction id (also in the reply to the end of data). */
  id: string;
  /** The envelope recipients; one is named in the stamp's FOR clause, several are not (privacy). */
  recipients: readonly string[];
  /** The reverse-path, `""` for `<>`. */
  from: string;
  date: Date;
}

/**
 * The protocol keyword of the WITH clause: RFC 3848 (ESMTP, ESMTPA, ESMTPS, ESMTPSA) and RFC 6531
 * §3.7.4 (UTF8SMTP, UTF8SMTPA, UTF8SMTPS, UTF8SMTPSA); SMTP after HELO.
 */
export function protocolKeyword(info: Pick<ReceivedInfo, "extended" | "tls" | "user" | "smtputf8">): string {
  if (!info.extended) return "SMTP";
  const base = info.smtputf8 ? "UTF8SMTP" : "ESMTP";
  return `${base}${info.tls ? "S" : ""}${info.user !== undefined ? "A" : ""}`;
}

/** `[192.0.2.1]` or `[IPv6:2001:db8::1]` (RFC 5321 §4.1.3); IPv4-mapped IPv6 shown as IPv4. */
export function addressLiteral(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return `[${mapped[1]}]`;
  return address.includes(":") ? `[IPv6:${address}]` : `[${address}]`;
}

/**
 * What a client-given name may show in a header: characters of host names and address literals
 * (and UTF-8 letters, RFC 6531); anything else, spaces and parentheses included, becomes `_`.
 */
export function safeName(name: string): string {
  const cleaned = name.replace(/[^\p{L}\p{N}.\-_:[\]]/gu, "_").slice(0, 255);
  return cleaned === "" ? "unknown" : cleaned;
}

/** A comment's text: no parentheses, backslashes or control characters. */
function commentText(text: string): string {
  return text.replace(/[()\\\0-\x1f\x7f]/g, "_");
}

/**
 * The two header fields, each ending in CRLF, folded with a TAB: `Return-Path: <from>` and the
 * `Received:` stamp.
 */
export function traceHeaders(info: ReceivedInfo): Buffer {
  const lines = [`Received: from ${safeName(info.helo)} (${addressLiteral(info.clientAddress)})`];
  if (info.tls) {
    lines.push(`\t(using ${commentText(info.tls.protocol)} with cipher ${commentText(info.tls.cipher)})`);
  }
  if (info.user !== undefined) lines.push(`\t(authenticated as ${commentText(info.user)})`);
  const by = `\tby ${safeName(info.hostname)} (inetkit) with ${protocolKeyword(info)} id ${info.id}`;
  const date = formatDate(info.date);
  if (info.recipients.length === 1) lines.push(by, `\tfor <${info.recipients[0]}>; ${date}`);
  else lines.push(`${by}; ${date}`);
  const text = `Return-Path: <${info.from}>\r\n${lines.join("\r\n")}\r\n`;
  return Buffer.from(text, "utf8");
}
