/**
 * The wire-trace hook and the redaction that runs before it.
 *
 * Every line a connection sends or receives can be shown to an `onTrace` hook. Secrets are
 * removed first, in two ways: arguments the protocol code marked with `secret()` are already
 * `****` in the encoded line, and a second, protocol-aware pass below masks whatever a raw
 * `send()` or a server-side reader would otherwise show — PASS, AUTH/AUTHENTICATE initial
 * responses, every SASL continuation the client sends, IMAP LOGIN passwords (inline or as
 * literals), AUTHINFO PASS/SASL and APOP digests — so neither a password nor its base64 form
 * (XOAUTH2/OAUTHBEARER tokens included) reaches the hook.
 */

/** What a trace hook receives. */
export interface TraceEvent {
  /** `send`: bytes we wrote; `receive`: bytes we read; `info`: something the transport did (TLS, close). */
  direction: "send" | "receive" | "info";
  /** One line without CRLF, redacted; or a description for `info` and raw data. */
  text: string;
  /** The peer, as `host:port`. */
  host: string;
  /** Whether the connection was encrypted when this happened. */
  secure: boolean;
}

export type TraceHook = (event: TraceEvent) => void;

/** What a redacted secret looks like. */
export const MASK = "****";

/** A TLS-negotiation `AUTH` argument (FTP, RFC 2228/4217) carries no secret. */
const TLS_AUTH_MECHANISMS = new Set(["TLS", "SSL", "TLS-C", "TLS-P"]);

const PASS = /^(PASS)(\s.*)?$/i;
const AUTH = /^(AUTH)\s+(\S+)(\s+\S.*)?$/i;
const AUTHENTICATE = /^(\S+\s+AUTHENTICATE)\s+(\S+)(\s+\S.*)?$/i;
const IMAP_LOGIN = /^(\S+\s+LOGIN\s+)("(?:[^"\\]|\\.)*"|\{\d+\+?\}|\S+)(.*)$/i;
const AUTHINFO_PASS = /^(AUTHINFO\s+PASS)(\s.*)?$/i;
const AUTHINFO_SASL = /^(AUTHINFO\s+SASL)\s+(\S+)(\s+\S.*)?$/i;
const APOP = /^(APOP)\s+(\S+)(\s.*)?$/i;
const LITERAL_AT_END = /\{\d+\+?\}$/;
/** Server lines that keep a SASL exchange going: SMTP 334, NNTP 383, IMAP/POP3 `+`. */
const SASL_CONTINUATION = /^(?:334|383)(?:[ -]|$)|^\+(?: |$)/;

/**
 * Masks secrets in one conversation. Stateful: after a SASL command every further client line is
 * masked until the server sends something other than a continuation; after an IMAP LOGIN whose
 * arguments go as literals, the literal lines are masked.
 */
export class Redactor {
  private inSasl = false;
  private secretLiterals = false;

  /** Redacts a line the client sent (seen by a client as `send`, by a server as `receive`). */
  clientLine(line: string): string {
    if (this.secretLiterals) {
      this.secretLiterals = LITERAL_AT_END.test(line);
      return MASK;
    }
    if (this.inSasl) return line === "*" ? line : MASK;
    let match: RegExpMatchArray | null;
    if ((match = line.match(PASS))) return match[2] === undefined ? line : `${match[1]} ${MASK}`;
    if ((match = line.match(AUTHINFO_PASS))) return match[2] === undefined ? line : `${match[1]} ${MASK}`;
    if ((match = line.match(AUTHINFO_SASL)) || (match = line.match(AUTHENTICATE))) {
      this.inSasl = true;
      return match[3] === undefined ? line : `${match[1]} ${match[2]} ${MASK}`;
    }
    if ((match = line.match(AUTH))) {
      if (TLS_AUTH_MECHANISMS.has(match[2]!.toUpperCase())) return line;
      this.inSasl = true;
      return match[3] === undefined ? line : `${match[1]} ${match[2]} ${MASK}`;
    }
    if ((match = line.match(IMAP_LOGIN))) {
      const user = match[2]!;
      if (LITERAL_AT_END.test(line)) this.secretLiterals = true;
      // A user sent as a literal is followed by the password in the continuation: mask both.
      if (user.startsWith("{")) return `${match[1]}${MASK}`;
      return `${match[1]}${user} ${MASK}`;
    }
    if ((match = line.match(APOP))) return `${match[1]} ${match[2]} ${MASK}`;
    return line;
  }

  /** Observes a line the server sent; returns it unchanged (servers' words carry no client secret). */
  serverLine(line: string): string {
    if (this.inSasl && !SASL_CONTINUATION.test(line)) this.inSasl = false;
    return line;
  }

  /** Masks a command for an error message: like {@link clientLine} but without changing state. */
  static command(line: string): string {
    return new Redactor().clientLine(line);
  }
}

/** Replaces control characters (other than TAB) so a traced line cannot move a terminal's cursor. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 ? `^${String.fromCharCode(code + 64)}` : `\\x${code.toString(16).padStart(2, "0")}`;
  });
}
