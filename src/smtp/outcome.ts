/**
 * Reading what a transaction came to: the envelope's replies (MAIL, then one per RCPT), the
 * replies after the data (one, or in LMTP one per accepted recipient, RFC 2033 §4.2), and how a
 * lost connection is reported. A message is refused only when every recipient or the data is;
 * a connection lost after the end of the data leaves the message's fate unknown, and it is never
 * sent again on its own (RFC 5321 §4.1.1.4 and §6.1: a retry may duplicate it).
 */
import { ConnectionClosedError } from "../errors.js";
import type { NumericReply } from "../textproto/numeric-reply.js";
import type { SmtpControl } from "./control.js";
import { formatReply, rejection, replyErrorOf } from "./replies.js";
import type { RejectedRecipient, SendResult } from "./types.js";

/** Which recipients the server took at RCPT time. */
export interface EnvelopeOutcome {
  accepted: string[];
  rejected: RejectedRecipient[];
}

/**
 * Judges the envelope replies.
 * @returns the accepted and refused recipients (at least one accepted).
 * @throws {ReplyError} (or ProtocolError for a nonsensical code) for a refused MAIL FROM, or, when
 *   every recipient was refused, the first recipient's refusal.
 */
export function judgeEnvelope(
  control: SmtpControl,
  mail: NumericReply,
  rcpts: readonly NumericReply[],
  recipients: readonly string[],
): EnvelopeOutcome {
  const host = control.connection.label;
  if (mail.code !== 250) throw replyErrorOf(mail, { host, command: "MAIL FROM" });
  const accepted: string[] = [];
  const rejected: RejectedRecipient[] = [];
  let firstRefusal: { reply: NumericReply; address: string } | undefined;
  for (let index = 0; index < rcpts.length; index++) {
    const reply = rcpts[index]!;
    const address = recipients[index]!;
    if (reply.code === 250 || reply.code === 251) {
      accepted.push(address);
      continue;
    }
    firstRefusal ??= { reply, address };
    rejected.push(rejection(address, reply));
  }
  if (accepted.length === 0) {
    const { reply, address } = firstRefusal!;
    throw replyErrorOf(reply, { host, command: `RCPT TO:<${address}> (every recipient was refused)` });
  }
  return { accepted, rejected };
}

/** Context for reading the replies that follow the data. */
export interface FinalContext {
  control: SmtpControl;
  lmtp: boolean;
  envelope: EnvelopeOutcome;
  /** The envelope as sent. */
  from: string;
  to: readonly string[];
  messageId: string | undefined;
  signal: AbortSignal | undefined;
}

/**
 * Reads the reply (or the LMTP replies) to the end of the data and builds the result.
 * @throws {ReplyError} when the data was refused (in LMTP: for every accepted recipient).
 * @throws {ConnectionClosedError} saying the message's fate is unknown when the connection is lost
 *   before the (last) reply.
 */
export async function readFinal(context: FinalContext): Promise<SendResult> {
  const { control, envelope } = context;
  const count = context.lmtp ? envelope.accepted.length : 1;
  const replies: NumericReply[] = [];
  try {
    for (let i = 0; i < count; i++) {
      replies.push(await control.readReply({ phase: "data", signal: context.signal }));
    }
  } catch (error) {
    throw fateUnknown(control, error, replies.length, count);
  }
  const host = control.connection.label;
  if (!context.lmtp) return finalOutcome(context, replies[0]!);
  const accepted: string[] = [];
  const rejected = [...envelope.rejected];
  let firstSuccess: NumericReply | undefined;
  let firstFailure: NumericReply | undefined;
  replies.forEach((reply, index) => {
    const address = envelope.accepted[index]!;
    if (Math.floor(reply.code / 100) === 2) {
      accepted.push(address);
      firstSuccess ??= reply;
    } else {
      rejected.push(rejection(address, reply));
      firstFailure ??= reply;
    }
  });
  if (firstSuccess === undefined) {
    throw replyErrorOf(firstFailure!, { host, command: "end of data (refused for every recipient)" });
  }
  return result(context, accepted, rejected, firstSuccess);
}

/**
 * The outcome of an SMTP (not LMTP) transaction from the reply to the end of its data.
 * @throws {ReplyError} when that reply is not 250.
 */
export function finalOutcome(context: FinalContext, reply: NumericReply): SendResult {
  if (reply.code !== 250) {
    throw replyErrorOf(reply, { host: context.control.connection.label, command: "end of data" });
  }
  return result(context, context.envelope.accepted, context.envelope.rejected, reply);
}

function result(
  context: FinalContext,
  accepted: string[],
  rejected: RejectedRecipient[],
  reply: NumericReply,
): SendResult {
  const out: SendResult = {
    accepted,
    rejected,
    response: formatReply(reply),
    envelope: { from: context.from, to: [...context.to] },
  };
  if (context.messageId !== undefined) out.messageId = context.messageId;
  return out;
}

/**
 * The error for a connection lost after the end of the data was sent: the server may or may not
 * have taken the message. A ReplyError (a 421 closing the channel) is kept as it is: the server
 * said what happened. Other typed errors (a timeout, an abort) keep their class.
 */
export function fateUnknown(control: SmtpControl, error: unknown, got = 0, wanted = 1): unknown {
  if (!(error instanceof ConnectionClosedError)) return error;
  control.connection.destroy();
  const which = wanted > 1 ? ` (${got} of ${wanted} LMTP replies read)` : "";
  return new ConnectionClosedError(
    `${error.reason}, after the whole message was sent${which}: the message's fate is unknown ` +
      "(it may have been delivered); it was not sent again",
    control.connection.context(error),
  );
}

/** The error for a connection lost while the message was being sent (the server must discard it). */
export function notDelivered(control: SmtpControl, error: unknown): unknown {
  if (!(error instanceof ConnectionClosedError)) return error;
  control.connection.destroy();
  return new ConnectionClosedError(
    `${error.reason}, while the message was being sent: it was not delivered; it was not sent again`,
    control.connection.context(error),
  );
}
