/**
 * One mail transaction (RFC 5321 §3.3): everything about the message is checked before a byte is
 * sent (envelope addresses, SMTPUTF8, SIZE, 8BITMIME), then MAIL FROM, every RCPT TO and DATA go
 * out in one write when the server offers PIPELINING (RFC 2920 §3.1), their replies are read in
 * order, and the message is streamed dot-stuffed. With CHUNKING the data goes as BDAT chunks
 * instead (bdat.ts).
 */
import { ConnectionClosedError, InvalidArgumentError, LimitError, ProtocolError } from "../errors.js";
import type { NumericReply } from "../textproto/numeric-reply.js";
import { type CommandGroup, type CommandPart, encodeCommandGroup } from "../textproto/write-line.js";
import { sendWithBdat } from "./bdat.js";
import {
  checkDsn,
  dsnMailParams,
  dsnRcptParams,
  type EsmtpParam,
  mailFromCommand,
  rcptToCommand,
} from "./commands.js";
import type { SmtpControl } from "./control.js";
import { SourceFailure, writeDotStuffed } from "./data-stream.js";
import { type PreparedEnvelope, prepareEnvelope, recipientsOption, senderOption } from "./envelope.js";
import { type PreparedMessage, prepareInMemory, prepareMessage } from "./message.js";
import {
  type EnvelopeOutcome,
  type FinalContext,
  fateUnknown,
  finalOutcome,
  judgeEnvelope,
  notDelivered,
  readFinal,
} from "./outcome.js";
import type { PlanMemo } from "./plan-memo.js";
import type { SendOptions, SendResult, SmtpMessage } from "./types.js";

/** What a transaction needs from the client. */
export interface TransactionContext {
  control: SmtpControl;
  extensions: ReadonlyMap<string, string>;
  lmtp: boolean;
  maxSize: number | undefined;
  /** `dirty` while a transaction may be open on the server: the next one starts with RSET. */
  state: { dirty: boolean };
  /** The session's last plan, for the next message that asks for the same. */
  plans: PlanMemo;
}

/** A transaction, fully checked, ready to be written. */
export interface TransactionPlan {
  envelope: PreparedEnvelope;
  mail: CommandPart[];
  rcpts: CommandPart[][];
  pipelining: boolean;
  /** The SIZE parameter's value (RFC 1870), when MAIL FROM carries one. */
  size: number | undefined;
  /**
   * With PIPELINING, the commands that go out in one write, encoded once: MAIL FROM, every
   * RCPT TO, and DATA unless the data goes as BDAT chunks.
   */
  group: CommandGroup | undefined;
  /** BDAT instead of DATA; `binary`: BINARYMIME, the bytes go untouched. */
  bdat: false | { binary: boolean };
}

/**
 * Sends one message (see `SmtpClient.send` for the contract). Runs inside the client's queue.
 * A message in memory on a clean session is checked and planned synchronously, and the promise
 * of its exchange returned as it is (no async frame of its own); a stream, a built message or a
 * session that needs RSET first takes {@link runPrepared}.
 */
export function runTransaction(
  context: TransactionContext,
  message: SmtpMessage,
  options: SendOptions,
): Promise<SendResult> {
  let prepared: PreparedMessage | undefined;
  let plan: TransactionPlan | undefined;
  let from: string | undefined;
  let to: string[] | undefined;
  try {
    prepared = prepareInMemory(message);
    const clean = prepared !== undefined && !context.state.dirty;
    // The usual loop sends message after message to the same people: their plan is made once.
    plan = clean ? context.plans.reuse(options, prepared!) : undefined;
    if (plan === undefined) ({ from, to } = checkOptions(options));
  } catch (error) {
    return Promise.reject(error);
  }
  if (plan === undefined) {
    if (prepared === undefined || context.state.dirty) {
      return runPrepared(context, prepared ?? prepareMessage(message), options, from, to);
    }
    try {
      plan = context.plans.keep(options, prepared, planTransaction(context, prepared, options, from, to));
    } catch (error) {
      prepared.discard();
      return Promise.reject(error);
    }
  }
  context.state.dirty = true;
  return send(context, plan, prepared!, options.signal);
}

/** The caller's envelope options, checked (everything else in them is checked by the plan). */
function checkOptions(options: SendOptions): { from: string | undefined; to: string[] | undefined } {
  checkDsn(options.dsn);
  if (options.size !== undefined && (!Number.isSafeInteger(options.size) || options.size < 0)) {
    throw new InvalidArgumentError("size must be a non-negative integer");
  }
  return {
    from: options.from === undefined ? undefined : senderOption(options.from),
    to: options.to === undefined ? undefined : recipientsOption(options.to),
  };
}

/** {@link runTransaction} for a message still being prepared, or a session that must RSET first. */
async function runPrepared(
  context: TransactionContext,
  preparing: PreparedMessage | Promise<PreparedMessage>,
  options: SendOptions,
  from: string | undefined,
  to: string[] | undefined,
): Promise<SendResult> {
  const { control, state } = context;
  const prepared = await preparing;
  let plan: TransactionPlan;
  try {
    plan = planTransaction(context, prepared, options, from, to);
    if (state.dirty) {
      await control.command(["RSET"], [250], { signal: options.signal });
      state.dirty = false;
    }
  } catch (error) {
    prepared.discard();
    throw error;
  }
  state.dirty = true;
  // `return await`: one tick, where returning the promise from an async function costs two.
  return await send(context, plan, prepared, options.signal);
}

/** The exchange of a planned transaction: BDAT chunks, or DATA. */
function send(
  context: TransactionContext,
  plan: TransactionPlan,
  prepared: PreparedMessage,
  signal: AbortSignal | undefined,
): Promise<SendResult> {
  return plan.bdat
    ? sendWithBdat(context, plan, prepared, signal)
    : sendWithData(context, plan, prepared, signal);
}

/**
 * Checks everything and builds the commands; sends nothing.
 * @throws {InvalidArgumentError}, {@link ProtocolError} (`smtputf8-unsupported`,
 *   `8bitmime-unsupported`, `binarymime-unsupported`), {@link LimitError} (`message-size`).
 */
export function planTransaction(
  context: TransactionContext,
  prepared: PreparedMessage,
  options: SendOptions,
  from: string | undefined,
  to: string[] | undefined,
): TransactionPlan {
  const ext = context.extensions;
  const host = context.control.connection.label;
  const implied = from === undefined || to === undefined ? prepared.implied() : undefined;
  const sender = from ?? implied?.from;
  if (sender === undefined) {
    throw new InvalidArgumentError("no envelope sender: pass from, or give the message a From header");
  }
  const envelope = prepareEnvelope(
    { from: sender, to: to ?? implied?.to ?? [] },
    { smtputf8Offered: ext.has("SMTPUTF8"), force: options.smtputf8, host },
  );
  // Measured only when it matters: the limit and the SIZE parameter both come from SIZE.
  const size = options.size ?? (ext.has("SIZE") ? prepared.size() : undefined);
  if (size !== undefined && context.maxSize !== undefined && size > context.maxSize) {
    throw new LimitError("message-size", context.maxSize, context.control.connection.context());
  }
  const chunking = ext.has("CHUNKING") && options.chunking !== false;
  const body = bodyType(ext, prepared, options.body, envelope.smtputf8, chunking, host);
  const params: EsmtpParam[] = [];
  const stated = size !== undefined && ext.has("SIZE") ? size : undefined;
  if (stated !== undefined) params.push({ keyword: "SIZE", value: String(stated) });
  if (body !== undefined) params.push({ keyword: "BODY", value: body });
  if (envelope.smtputf8 || (prepared.utf8Headers && ext.has("SMTPUTF8")))
    params.push({ keyword: "SMTPUTF8" });
  const dsn = ext.has("DSN") ? options.dsn : undefined;
  params.push(...dsnMailParams(dsn));
  const mail = mailFromCommand(envelope.from, params);
  const rcpts = envelope.to.map((address) => rcptToCommand(address, dsnRcptParams(dsn, address)));
  const pipelining = ext.has("PIPELINING");
  const bdat = body === "BINARYMIME" ? { binary: true } : chunking ? { binary: false } : false;
  const lines = bdat ? [mail, ...rcpts] : [mail, ...rcpts, DATA_COMMAND];
  const group = pipelining ? encodeCommandGroup(lines) : undefined;
  return { envelope, mail, rcpts, pipelining, size: stated, group, bdat };
}

/** The BODY parameter (RFC 6152, RFC 3030 §3), or `undefined` for none. */
function bodyType(
  ext: ReadonlyMap<string, string>,
  prepared: PreparedMessage,
  requested: SendOptions["body"],
  smtputf8: boolean,
  chunking: boolean,
  host: string | undefined,
): "7BIT" | "8BITMIME" | "BINARYMIME" | undefined {
  const eightBitOffered = ext.has("8BITMIME");
  const missing = (reason: string, what: string) =>
    new ProtocolError(reason, `${what}, and the server does not offer it`, { host });
  switch (requested) {
    case "BINARYMIME":
      if (!chunking || !ext.has("BINARYMIME")) {
        throw missing("binarymime-unsupported", "BODY=BINARYMIME needs CHUNKING and BINARYMIME (RFC 3030)");
      }
      return "BINARYMIME";
    case "8BITMIME":
      if (!eightBitOffered) throw missing("8bitmime-unsupported", "BODY=8BITMIME was requested");
      return "8BITMIME";
    case "7BIT":
      return eightBitOffered ? "7BIT" : undefined;
    case undefined:
      break;
    default:
      throw new InvalidArgumentError('body must be "7BIT", "8BITMIME" or "BINARYMIME"');
  }
  if (prepared.eightBit === true) {
    if (!eightBitOffered) {
      throw missing("8bitmime-unsupported", "the message has 8-bit octets, which need 8BITMIME (RFC 6152)");
    }
    return "8BITMIME";
  }
  if (prepared.eightBit === false) return smtputf8 && eightBitOffered ? "8BITMIME" : undefined;
  // A stream or a built message: its bytes are not known yet.
  return eightBitOffered ? "8BITMIME" : undefined;
}

/**
 * Sends MAIL FROM and every RCPT TO and reads their replies in order: in one write when the server
 * offers PIPELINING (RFC 2920 §3.1); otherwise each command waits for its reply, and RCPT is not
 * sent after a refused MAIL.
 */
export async function sendEnvelope(
  control: SmtpControl,
  plan: TransactionPlan,
  signal: AbortSignal | undefined,
): Promise<{ mail: NumericReply; rcpts: NumericReply[] }> {
  if (plan.group !== undefined) {
    await control.writeGroup(plan.group, { signal });
    const replies = await control.readReplies(plan.rcpts.length + 1, { signal });
    return { mail: replies[0]!, rcpts: replies.slice(1) };
  }
  await control.write(plan.mail, { signal });
  const mail = await control.readReply({ signal });
  const rcpts: NumericReply[] = [];
  if (mail.code === 250) {
    for (const rcpt of plan.rcpts) {
      await control.write(rcpt, { signal });
      rcpts.push(await control.readReply({ signal }));
    }
  }
  return { mail, rcpts };
}

async function sendWithData(
  context: TransactionContext,
  plan: TransactionPlan,
  prepared: PreparedMessage,
  signal: AbortSignal | undefined,
): Promise<SendResult> {
  const { control, state } = context;
  let envelope: EnvelopeOutcome;
  try {
    // With PIPELINING (RFC 2920 §3.1) MAIL, every RCPT and DATA go in one write and their replies
    // are read in one pass: the common path, kept to one function so a message costs few awaits.
    let mail: NumericReply;
    let rcpts: NumericReply[];
    let data: NumericReply | undefined;
    if (plan.group !== undefined) {
      await control.writeGroup(plan.group, { signal });
      const replies = await control.readReplies(plan.rcpts.length + 2, { signal });
      mail = replies[0]!;
      rcpts = replies.slice(1, plan.rcpts.length + 1);
      data = replies[plan.rcpts.length + 1];
    } else {
      ({ mail, rcpts } = await sendEnvelope(control, plan, signal));
    }
    if (mail.code !== 250) state.dirty = false;
    try {
      envelope = judgeEnvelope(control, mail, rcpts, plan.envelope.to);
    } catch (error) {
      // RFC 2920 §3.1: a server that still said 354 to a pipelined DATA gets an empty message end.
      if (data?.code === 354) await endEmptyData(control, signal);
      throw error;
    }
    control.check(data ?? (await control.command(DATA_COMMAND, [354], { signal })), [354]);
  } catch (error) {
    prepared.discard();
    throw error;
  }
  try {
    await writeDotStuffed(control.connection, prepared.content, signal, prepared.crlfOnly);
  } catch (error) {
    if (error instanceof SourceFailure) {
      // Ending the data now would deliver a truncated message: drop the connection instead.
      control.connection.destroy(
        new ConnectionClosedError(
          "the message source failed while the message was being sent",
          control.connection.context(),
        ),
      );
      throw error.error;
    }
    prepared.discard();
    throw notDelivered(control, error);
  }
  if (context.lmtp) return finishTransaction(context, plan, prepared, envelope, signal);
  let final: NumericReply;
  try {
    final = await control.readReply({ phase: "data", signal });
  } catch (error) {
    throw fateUnknown(control, error);
  }
  const result = finalOutcome(finalContext(context, plan, prepared, envelope, signal), final);
  state.dirty = false;
  return result;
}

const DATA_COMMAND: CommandPart[] = ["DATA"];

/** Reads the data's final reply (one per accepted recipient with LMTP); the session is clean after it. */
export async function finishTransaction(
  context: TransactionContext,
  plan: TransactionPlan,
  prepared: PreparedMessage,
  envelope: EnvelopeOutcome,
  signal: AbortSignal | undefined,
): Promise<SendResult> {
  const result = await readFinal(finalContext(context, plan, prepared, envelope, signal));
  context.state.dirty = false;
  return result;
}

/** Ends a DATA the server should not have opened, with no content, and reads (and ignores) its reply. */
async function endEmptyData(control: SmtpControl, signal: AbortSignal | undefined): Promise<void> {
  await control.connection.write(".\r\n", { phase: "data", signal });
  await control.readReply({ signal });
}

function finalContext(
  context: TransactionContext,
  plan: TransactionPlan,
  prepared: PreparedMessage,
  envelope: EnvelopeOutcome,
  signal: AbortSignal | undefined,
): FinalContext {
  return {
    control: context.control,
    lmtp: context.lmtp,
    envelope,
    from: plan.envelope.from,
    to: plan.envelope.to,
    messageId: prepared.messageId,
    signal,
  };
}
