/**
 * Receiving the message: DATA (RFC 5321 §4.1.1.4, dot-stuffed, ended only by CRLF `.` CRLF) and
 * BDAT (RFC 3030 CHUNKING, counted chunks, BINARYMIME). The content streams into the mail store
 * as it arrives, behind the trace fields (`received.ts`).
 *
 * SIZE (RFC 1870) is enforced while receiving: once the content passes the limit nothing more is
 * stored (the store drops what it had), the rest is read and thrown away, and the end of the data
 * is answered 552. A DATA block holding a `.` line with a bare LF or CR around it is read to its
 * real end and refused with 550 5.5.2 (SMTP smuggling; `data-reader.ts`).
 */
import { LimitError } from "../../errors.js";
import { DataReader } from "./data-reader.js";
import { Delivery } from "./delivery.js";
import { traceHeaders } from "./received.js";
import { R, type Reply, reply } from "./replies.js";
import type { SmtpSession, Transaction } from "./session.js";

/** Starts writing the transaction's message into the store, trace fields first. */
function startDelivery(session: SmtpSession, transaction: Transaction): Delivery {
  const tls = session.conn.tls;
  const head = traceHeaders({
    helo: session.helo?.name ?? "unknown",
    clientAddress: session.conn.addresses.remoteAddress ?? "unknown",
    hostname: session.settings.hostname,
    extended: session.helo?.extended === true,
    tls: tls ? { protocol: tls.protocol ?? "TLS", cipher: tls.cipher } : undefined,
    user: session.user,
    smtputf8: transaction.mail.smtputf8,
    id: transaction.id,
    recipients: transaction.recipients.map((recipient) => recipient.address),
    from: transaction.from,
    date: new Date(),
  });
  const users = [...new Set(transaction.recipients.map((recipient) => recipient.user))];
  return new Delivery(session.settings.store, users, head);
}

/** The reply to a finished delivery: queued, or why not. */
async function finish(delivery: Delivery, transaction: Transaction): Promise<Reply> {
  const outcome = await delivery.commit();
  if (outcome.ok) return reply(250, "2.0.0", `OK: queued as ${transaction.id}`);
  return outcome.error instanceof LimitError ? R.storeFull : R.localError;
}

/** Why the transaction cannot take data now, or undefined when it can. */
function refusal(session: SmtpSession): Reply | undefined {
  const transaction = session.transaction;
  if (!transaction) return R.needMail;
  if (transaction.recipients.length === 0) return R.noValidRecipients;
  return undefined;
}

/** DATA: 354, then the dot-stuffed message until CRLF.CRLF; 250 with the id, 552, 550 5.5.2 or 451. */
export async function data(session: SmtpSession, argument: string): Promise<void> {
  if (argument.trim() !== "") return session.send(R.syntax("DATA"));
  const refused = refusal(session);
  if (refused) return session.send(refused);
  const transaction = session.transaction!;
  if (transaction.bdat) return session.send(R.dataAfterBdat);
  if (transaction.mail.body === "BINARYMIME") return session.send(R.binaryNeedsBdat);
  session.send(R.startData);
  await session.flush();
  const max = session.settings.maxMessageSize;
  const reader = new DataReader();
  let delivery: Delivery | undefined = startDelivery(session, transaction);
  let tooBig = false;
  try {
    for (;;) {
      const result = reader.push(await session.readChunk());
      if (delivery && (reader.smuggling || reader.bytes > max)) {
        // Stop storing at once: the store drops the partial message.
        tooBig = !reader.smuggling;
        const dropped = delivery;
        delivery = undefined;
        await dropped.abort(new LimitError("message", max));
      }
      if (delivery) for (const piece of result.data) await delivery.write(piece);
      if (result.done) {
        if (result.rest && result.rest.length > 0) session.conn.reader.unshift(result.rest);
        break;
      }
    }
    session.conn.trace(`message data: ${reader.bytes} bytes`);
    const done = delivery;
    delivery = undefined;
    if (reader.smuggling) session.send(R.smuggling);
    else if (tooBig || !done) session.send(R.sizeExceeded);
    else session.send(await finish(done, transaction));
  } finally {
    await delivery?.abort();
    session.transaction = undefined;
  }
}

const BDAT_ARGUMENT = /^(\d{1,20})(?: +(LAST))? *$/i;

/** BDAT size [LAST] (RFC 3030): one chunk of exactly `size` octets, read whatever the answer. */
export async function bdat(session: SmtpSession, argument: string): Promise<void> {
  const match = BDAT_ARGUMENT.exec(argument.trim());
  // Without a size the chunk cannot be skipped: whatever follows is read as commands.
  if (!match) return session.send(R.syntax("BDAT size [LAST]"));
  const size = Number(match[1]);
  const last = match[2] !== undefined;
  const transaction = session.transaction;
  let refused = refusal(session);
  let state = transaction?.bdat;
  if (!refused && transaction && !state) {
    state = { delivery: startDelivery(session, transaction), bytes: 0, failed: undefined };
    transaction.bdat = state;
  }
  refused ??= state?.failed;
  if (!refused && state && state.bytes + size > session.settings.maxMessageSize) {
    refused = R.sizeExceeded;
    state.failed = refused;
    const dropped = state.delivery;
    state.delivery = undefined;
    await dropped?.abort(new LimitError("message", session.settings.maxMessageSize));
  }
  // The chunk is read in full whatever the answer (RFC 3030 §2).
  let missing = size;
  while (missing > 0) {
    const chunk = await session.readChunk(missing);
    missing -= chunk.length;
    if (!refused && state?.delivery) await state.delivery.write(chunk);
  }
  session.conn.trace(`BDAT chunk: ${size} bytes`);
  if (state && !refused) state.bytes += size;
  if (refused) {
    session.send(refused);
    if (last) await session.resetTransaction();
    return;
  }
  if (!last) {
    session.send(reply(250, "2.0.0", `${size} octets received`));
    return;
  }
  const delivery = state!.delivery!;
  state!.delivery = undefined;
  session.transaction = undefined;
  session.send(await finish(delivery, transaction!));
}
