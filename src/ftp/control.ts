/**
 * The FTP control connection (RFC 959 §4, §5.4) on the shared {@link NumericControl}: replies
 * through the numeric-reply parser (FEAT and STAT replies are the long ones), commands through the
 * one `writeLine`, one operation at a time (FTP has no pipelining, apart from the transfer command
 * written behind EPSV), and a server refusal turned into a {@link ReplyError} that carries the
 * code, every reply line and the (redacted) command.
 */
import { ProtocolError, ReplyError } from "../errors.js";
import type { NumericReply } from "../textproto/numeric-reply.js";
import type { Connection } from "../transport/connection.js";
import { NumericControl } from "../transport/numeric-control.js";

export { type Expectation, matches } from "../transport/numeric-control.js";

/** Largest FTP reply accepted (lines and bytes). */
const MAX_REPLY_LINES = 10_000;
const MAX_REPLY_BYTES = 1024 * 1024;

export class FtpControl extends NumericControl {
  constructor(connection: Connection) {
    super(connection, { multiline: true, maxLines: MAX_REPLY_LINES, maxBytes: MAX_REPLY_BYTES });
  }

  /** The error for an unwanted reply: a {@link ReplyError} for 4xx/5xx, a {@link ProtocolError} otherwise. */
  replyError(reply: NumericReply): Error {
    const context = this.connection.context();
    if (reply.code >= 400) {
      return new ReplyError({ status: reply.code, lines: reply.lines, ...context });
    }
    return new ProtocolError(
      "unexpected-reply",
      `unexpected reply ${reply.code}: ${reply.lines.join(" / ")}`,
      context,
    );
  }
}

/** The text of a single-line reply (or of the first line of a multi-line one). */
export function replyText(reply: NumericReply): string {
  return reply.lines[0] ?? "";
}
