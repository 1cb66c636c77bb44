/**
 * The SMTP command channel (RFC 5321 §4.2, §4.3) on the shared {@link NumericControl}: every
 * reply line must carry the reply's code (§4.2.1), the envelope is pipelined through `writeLines`,
 * and a refusal becomes a {@link ReplyError} carrying the enhanced status code (RFC 2034).
 *
 * A `421` is the server closing the channel (§3.8): whatever command it answers, the connection is
 * dropped and the reply thrown as a {@link ReplyError}.
 */
import type { ProtocolError, ReplyError } from "../errors.js";
import type { NumericReply } from "../textproto/numeric-reply.js";
import type { Connection } from "../transport/connection.js";
import { NumericControl } from "../transport/numeric-control.js";
import { replyErrorOf } from "./replies.js";

/** Most lines in one reply (an EHLO reply has a few dozen; a hostile one may have millions). */
const MAX_REPLY_LINES = 1000;
/** Most bytes in one reply. */
const MAX_REPLY_BYTES = 256 * 1024;

/** One SMTP command channel over a {@link Connection}: see the module comment. */
export class SmtpControl extends NumericControl {
  constructor(connection: Connection) {
    // Every line of a reply must carry its code (§4.2.1).
    super(connection, {
      multiline: true,
      strictContinuation: true,
      maxLines: MAX_REPLY_LINES,
      maxBytes: MAX_REPLY_BYTES,
    });
  }

  /** A `421` ends the session whatever it answers: the connection is dropped and the reply thrown. */
  protected override onReply(reply: NumericReply): NumericReply {
    if (reply.code !== 421) return reply;
    const refusal = this.replyError(reply);
    this.connection.destroy();
    throw refusal;
  }

  /** A {@link ReplyError} for 4xx/5xx (with the enhanced code), a {@link ProtocolError} for other surprises. */
  replyError(reply: NumericReply): ReplyError | ProtocolError {
    return replyErrorOf(reply, this.connection.context());
  }
}
