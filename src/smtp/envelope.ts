/**
 * The SMTP envelope: where it comes from when the caller gives none (the message's own From/Sender,
 * To, Cc and Bcc headers, parsed with the same address parser as everything else in inetkit), and
 * how each address is checked and written for the server at hand (RFC 5321 §4.1.2; RFC 6531
 * SMTPUTF8: an internationalized domain is sent as A-labels when it can be, a UTF-8 local part
 * needs the extension). Pure: no I/O.
 */
import { InvalidArgumentError, ProtocolError } from "../errors.js";
import { isValidEnvelopeAddress, parseAddressList, toAsciiAddress } from "../mime/address/index.js";
import type { Address, HeaderList, Mailbox } from "../mime/types.js";

/** Envelope sender and recipients. */
export interface SmtpEnvelope {
  /** `""` for the null reverse-path. */
  from: string;
  to: string[];
}

/** The envelope as it will be written, and whether it needs SMTPUTF8. */
export interface PreparedEnvelope extends SmtpEnvelope {
  smtputf8: boolean;
}

function isAscii(text: string): boolean {
  return /^[\x00-\x7f]*$/.test(text);
}

function mailboxes(list: readonly Address[]): Mailbox[] {
  return list.flatMap((address) => ("group" in address ? address.members : [address]));
}

function parseField(headers: HeaderList, name: string): Mailbox[] {
  const out: Mailbox[] = [];
  for (const value of headers.getAll(name)) {
    try {
      out.push(...mailboxes(parseAddressList(value, { allowEmpty: true })));
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      throw new InvalidArgumentError(
        `the message's ${name} header is not a valid address list: ${error.message}`,
      );
    }
  }
  return out;
}

/**
 * The envelope a message's headers imply, as smtplib's `send_message` reads it: the sender is the
 * Sender header's mailbox when there is one, else the first From mailbox; the recipients are
 * every mailbox of To, Cc and Bcc (group members included), once each, in that order. When the
 * message has Resent-Date, the Resent-* fields are used instead (RFC 5322 §3.6.6).
 *
 * @returns what was found (`from` undefined when the message names no sender).
 * @throws {InvalidArgumentError} when one of those headers is not a valid address list.
 */
export function envelopeFromHeaders(headers: HeaderList): { from: string | undefined; to: string[] } {
  const prefix = headers.has("Resent-Date") ? "Resent-" : "";
  const sender = parseField(headers, `${prefix}Sender`)[0] ?? parseField(headers, `${prefix}From`)[0];
  const to = [
    ...parseField(headers, `${prefix}To`),
    ...parseField(headers, `${prefix}Cc`),
    ...parseField(headers, `${prefix}Bcc`),
  ].map((mailbox) => mailbox.address);
  return { from: sender?.address, to: [...new Set(to)] };
}

/**
 * Checks and converts an envelope for a server that does (or does not) offer SMTPUTF8.
 *
 * Every address must be an RFC 5321 envelope address (RFC 6531 form allowed). An address with a
 * Unicode domain and an ASCII local part is sent with A-labels (`user@xn--bcher-kva.example`) and
 * needs no extension; an address with a UTF-8 local part needs SMTPUTF8, as does `force`. With
 * `force` and SMTPUTF8 offered, addresses are sent as written.
 *
 * @throws {InvalidArgumentError} for an invalid address or an empty recipient list.
 * @throws {ProtocolError} (`smtputf8-unsupported`) when SMTPUTF8 is needed and not offered.
 */
export function prepareEnvelope(
  envelope: SmtpEnvelope,
  options: { smtputf8Offered: boolean; force?: boolean | undefined; host?: string | undefined },
): PreparedEnvelope {
  if (envelope.to.length === 0) throw new InvalidArgumentError("the message has no recipients");
  const force = options.force === true;
  if (force && !options.smtputf8Offered) {
    throw unsupported("SMTPUTF8 was requested", options.host);
  }
  let smtputf8 = force;
  let from = "";
  if (envelope.from !== "") {
    const sender = accepted(envelope.from, "sender", options.smtputf8Offered, force, options.host);
    from = sender.address;
    smtputf8 ||= sender.utf8;
  }
  // Few recipients are the rule: an array search beats a Set until there are many.
  const seen = envelope.to.length > 16 ? new Set<string>() : undefined;
  const to: string[] = [];
  for (const address of envelope.to) {
    const converted = accepted(address, "recipient", options.smtputf8Offered, force, options.host);
    smtputf8 ||= converted.utf8;
    if (seen ? seen.has(converted.address) : to.includes(converted.address)) continue;
    seen?.add(converted.address);
    to.push(converted.address);
  }
  return { from, to, smtputf8 };
}

const NEEDS_SMTPUTF8 = Symbol("needs SMTPUTF8");

/** An envelope address as it will be sent, or the error that refuses it. */
function accepted(
  address: string,
  what: string,
  smtputf8Offered: boolean,
  force: boolean,
  host: string | undefined,
): { address: string; utf8: boolean } {
  const converted = convertAddress(address, smtputf8Offered, force);
  if (converted === undefined) {
    throw new InvalidArgumentError(`the ${what} ${JSON.stringify(address)} is not a valid envelope address`);
  }
  if (converted === NEEDS_SMTPUTF8) {
    throw unsupported(`the ${what} ${JSON.stringify(address)} has a non-ASCII local part`, host);
  }
  return converted;
}

type Converted = { address: string; utf8: boolean } | typeof NEEDS_SMTPUTF8 | undefined;

/**
 * Addresses already checked, by flags and address: a client sending many messages to the same
 * people does not run the address parser and IDNA again for each. Bounded: cleared when full.
 */
const checked: Map<string, Converted>[] = [new Map(), new Map(), new Map(), new Map()];
/** Most addresses remembered per pair of flags. */
const MAX_CHECKED = 1024;

/** Checks and converts one address (see {@link prepareEnvelope}); `undefined` when it is invalid. */
function convertAddress(address: string, smtputf8Offered: boolean, force: boolean): Converted {
  if (typeof address !== "string") return undefined;
  // One map per pair of flags, keyed by the address itself: no key string to build and hash.
  const memo = checked[(smtputf8Offered ? 2 : 0) + (force ? 1 : 0)]!;
  if (memo.has(address)) return memo.get(address);
  const result = convertUncached(address, smtputf8Offered, force);
  if (memo.size >= MAX_CHECKED) memo.clear();
  memo.set(address, result);
  return result;
}

function convertUncached(address: string, smtputf8Offered: boolean, force: boolean): Converted {
  if (!isValidEnvelopeAddress(address, { smtputf8: true })) return undefined;
  if (isAscii(address) || force) return { address, utf8: force };
  try {
    return { address: toAsciiAddress(address), utf8: false };
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
  }
  return smtputf8Offered ? { address, utf8: true } : NEEDS_SMTPUTF8;
}

function unsupported(why: string, host: string | undefined): ProtocolError {
  return new ProtocolError(
    "smtputf8-unsupported",
    `${why}, which needs SMTPUTF8 (RFC 6531), and the server does not offer it`,
    { host },
  );
}

/**
 * The caller's `to` option as a list: a string is one address list (`"a@x, B <b@y>"`), parsed
 * like a header; an array holds addresses (each may also be `Name <addr>`).
 * @throws {InvalidArgumentError} when it is not a string or an array of strings, or does not parse.
 */
export function recipientsOption(to: string | readonly string[]): string[] {
  const items = typeof to === "string" ? [to] : Array.isArray(to) ? to : undefined;
  if (items === undefined) throw new InvalidArgumentError("to must be a string or an array of strings");
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== "string")
      throw new InvalidArgumentError("to must be a string or an array of strings");
    if (/[\r\n\0]/.test(item)) throw new InvalidArgumentError("a recipient contains CR, LF or NUL");
    // A bare addr-spec goes through untouched (so its validity is judged by prepareEnvelope).
    if (!/[<>,;:"()\s]/.test(item)) {
      out.push(item);
      continue;
    }
    out.push(...mailboxes(parseAddressList(item)).map((mailbox) => mailbox.address));
  }
  return out;
}

/**
 * The caller's `from` option: `""` (null reverse-path), a bare address, or `Name <addr>`.
 * @throws {InvalidArgumentError} when it is not a string or does not parse.
 */
export function senderOption(from: string): string {
  if (typeof from !== "string") throw new InvalidArgumentError("from must be a string");
  if (/[\r\n\0]/.test(from)) throw new InvalidArgumentError("the sender contains CR, LF or NUL");
  if (from === "<>") return "";
  if (from === "" || !/[<>,;:"()\s]/.test(from)) return from;
  const list = mailboxes(parseAddressList(from));
  if (list.length !== 1) throw new InvalidArgumentError("from must name exactly one address");
  return list[0]!.address;
}
