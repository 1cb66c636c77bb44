/**
 * MAIL and RCPT (RFC 5321 §4.1.1.2, §4.1.1.3): the sender, its parameters, and each recipient —
 * routed to a local user's mailbox, refused as unknown, or refused as relaying (550 5.7.1) when
 * its domain is not served here (unless the client authenticated and the server keeps such mail
 * in a local mailbox, `relayTo`).
 */
import { isValidEnvelopeAddress } from "../../mime/address/envelope.js";
import { parsePathArgument, readMailParameters, readRcptParameters } from "./params.js";
import { R } from "./replies.js";
import type { SmtpSession } from "./session.js";

/** True when `text` has a character beyond ASCII. */
function nonAscii(text: string): boolean {
  return /[^\x00-\x7f]/.test(text);
}

/** MAIL FROM:<path> [parameters]: opens a transaction (503 inside one; 530 on submission before AUTH). */
export async function mail(session: SmtpSession, argument: string): Promise<void> {
  if (!session.helo) return session.send(R.needHello);
  if (session.transaction) return session.send(R.nestedMail);
  if (session.requiresAuth && session.user === undefined) return session.send(R.authRequired);
  const path = parsePathArgument(argument, "FROM");
  if (!path.ok) return session.send(path.reply);
  const params = readMailParameters(path.value.params, session.helo.extended);
  if (!params.ok) return session.send(params.reply);
  const { address } = path.value;
  const smtputf8 = params.value.smtputf8;
  if (address !== "" && !isValidEnvelopeAddress(address, { smtputf8 })) {
    return session.send(!smtputf8 && nonAscii(address) ? R.needsSmtputf8 : R.badSender);
  }
  const size = params.value.size;
  if (size !== undefined && size > session.settings.maxMessageSize) return session.send(R.sizeDeclaredTooBig);
  session.transaction = { id: session.newId(), from: address, mail: params.value, recipients: [] };
  session.send(R.senderOk);
}

/** RCPT TO:<path> [parameters]: adds a recipient (550 5.1.1 unknown, 550 5.7.1 relaying, 452 too many). */
export async function rcpt(session: SmtpSession, argument: string): Promise<void> {
  const transaction = session.transaction;
  if (!transaction) return session.send(R.needMail);
  if (transaction.bdat) return session.send(R.badSequence("RCPT cannot follow BDAT"));
  const path = parsePathArgument(argument, "TO");
  if (!path.ok) return session.send(path.reply);
  const params = readRcptParameters(path.value.params, session.helo?.extended === true);
  if (!params.ok) return session.send(params.reply);
  const { address } = path.value;
  const smtputf8 = transaction.mail.smtputf8;
  const postmaster = address.toLowerCase() === "postmaster";
  if (!postmaster && !isValidEnvelopeAddress(address, { smtputf8 })) {
    return session.send(!smtputf8 && nonAscii(address) ? R.needsSmtputf8 : R.badRecipient);
  }
  if (transaction.recipients.length >= session.settings.maxRecipients) {
    return session.send(R.tooManyRecipients);
  }
  const { directory, relayTo } = session.settings;
  const route = directory.route(address);
  let user: string;
  if (route.kind === "local") user = route.user;
  else if (route.kind === "unknown-user") return session.send(R.userUnknown);
  else if (session.user !== undefined && relayTo !== undefined) user = relayTo;
  else return session.send(R.relayDenied);
  transaction.recipients.push({ address, user, params: params.value });
  session.send(R.recipientOk);
}
