/**
 * The replies of the SMTP server as data: code, RFC 3463 enhanced status code, text. Kept in one
 * place so every refusal says the same thing wherever it comes from.
 */

/** One reply (RFC 5321 §4.2). `enhanced` is omitted for replies that take none (220, 334, 354). */
export interface Reply {
  code: number;
  enhanced?: string;
  text: string;
}

/** Shorthand for a {@link Reply}. */
export function reply(code: number, enhanced: string | undefined, text: string): Reply {
  return enhanced === undefined ? { code, text } : { code, enhanced, text };
}

/** The reply's lines, without CRLF: `250-…` for all but the last. CR, LF and NUL become `?`. */
export function formatReply(code: number, enhanced: string | undefined, lines: readonly string[]): string[] {
  const prefix = enhanced === undefined ? "" : `${enhanced} `;
  const texts = lines.length === 0 ? [""] : lines;
  return texts.map((text, index) => {
    const separator = index === texts.length - 1 ? " " : "-";
    return `${code}${separator}${prefix}${text.replace(/[\r\n\0]/g, "?")}`.trimEnd();
  });
}

/** Every reply the server gives, by meaning. */
export const R = {
  ok: reply(250, "2.0.0", "OK"),
  syntax: (usage: string) => reply(501, "5.5.4", `Syntax: ${usage}`),
  unknownCommand: reply(500, "5.5.2", "Command not recognized"),
  lineTooLong: reply(500, "5.5.6", "Line too long"),
  badSequence: (text: string) => reply(503, "5.5.1", text),
  notImplemented: (verb: string) => reply(502, "5.5.1", `${verb} not implemented`),
  needHello: reply(503, "5.5.1", "Send EHLO or HELO first"),
  nestedMail: reply(503, "5.5.1", "Sender already given; send RSET to start over"),
  needMail: reply(503, "5.5.1", "Send MAIL FROM first"),
  needRcpt: reply(503, "5.5.1", "Send RCPT TO first"),
  noValidRecipients: reply(554, "5.5.1", "No valid recipients"),
  authRequired: reply(530, "5.7.0", "Authentication required"),
  encryptionRequired: reply(538, "5.7.11", "Encryption required for requested authentication mechanism"),
  authInTransaction: reply(503, "5.5.1", "AUTH is not allowed during a mail transaction"),
  alreadyAuthenticated: reply(503, "5.5.1", "Already authenticated"),
  unknownMechanism: reply(504, "5.5.4", "Unrecognized authentication type"),
  authCancelled: reply(501, "5.0.0", "Authentication cancelled"),
  badBase64: reply(501, "5.5.2", "Cannot decode the response (base64)"),
  authFailed: reply(535, "5.7.8", "Authentication credentials invalid"),
  authOk: reply(235, "2.7.0", "Authentication successful"),
  tooManyAuthFailures: reply(421, "4.7.0", "Too many failed authentications; closing the connection"),
  authzidRefused: reply(
    535,
    "5.7.8",
    "Authentication credentials invalid (no authorization as another user)",
  ),
  senderOk: reply(250, "2.1.0", "Sender OK"),
  recipientOk: reply(250, "2.1.5", "Recipient OK"),
  unknownParameter: reply(555, "5.5.4", "MAIL FROM/RCPT TO parameters not recognized or not implemented"),
  badParameter: (text: string) => reply(501, "5.5.4", text),
  badSender: reply(553, "5.1.7", "Bad sender address syntax"),
  badRecipient: reply(553, "5.1.3", "Bad recipient address syntax"),
  needsSmtputf8: reply(553, "5.6.7", "Non-ASCII address requires SMTPUTF8"),
  sizeDeclaredTooBig: reply(552, "5.3.4", "Message size exceeds fixed maximum message size"),
  sizeExceeded: reply(552, "5.3.4", "Message size exceeds fixed maximum message size"),
  userUnknown: reply(550, "5.1.1", "Mailbox unavailable: no such user here"),
  relayDenied: reply(550, "5.7.1", "Relaying denied: this server does not deliver to that domain"),
  tooManyRecipients: reply(452, "4.5.3", "Too many recipients"),
  startData: reply(354, undefined, "End data with <CR><LF>.<CR><LF>"),
  smuggling: reply(
    550,
    "5.5.2",
    'Message refused: a "." line ended or started by a bare LF or CR (only <CR><LF>.<CR><LF> ends DATA)',
  ),
  binaryNeedsBdat: reply(503, "5.5.1", "BODY=BINARYMIME needs BDAT, not DATA"),
  dataAfterBdat: reply(503, "5.5.1", "DATA cannot follow BDAT in one transaction"),
  localError: reply(451, "4.3.0", "Local error in processing; try again later"),
  storeFull: reply(452, "4.3.1", "Insufficient system storage"),
  reset: reply(250, "2.0.0", "Reset OK"),
  noop: reply(250, "2.0.0", "OK"),
  bye: reply(221, "2.0.0", "Bye"),
  tlsReady: reply(220, "2.0.0", "Ready to start TLS"),
  tlsUnavailable: reply(502, "5.5.1", "STARTTLS not available"),
  alreadyTls: reply(503, "5.5.1", "TLS already active"),
  tooManyErrors: reply(421, "4.7.0", "Too many errors; closing the connection"),
  timeout: reply(421, "4.4.2", "Timeout exceeded; closing the connection"),
  shuttingDown: reply(421, "4.3.2", "Server shutting down"),
  tooManyConnections: reply(421, "4.7.0", "Too many connections; try again later"),
  vrfyCannot: reply(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery"),
} as const;
