/**
 * The SMTP envelope's view of an address (RFC 5321 §4.1.2 Mailbox, RFC 6531 for SMTPUTF8),
 * checked with the same addr-spec reader as headers so that MAIL FROM / RCPT TO and the
 * header can never name different mailboxes (G9, M2).
 */
import { isIPv4, isIPv6 } from "node:net";
import { InvalidArgumentError } from "../../errors.js";
import { type AddrSpec, type AddrSpecOptions, parseAddrSpec } from "./addr-spec.js";
import { domainToAscii, domainToUnicodeSafe } from "./idn.js";

/** Options of {@link isValidEnvelopeAddress}. */
export interface EnvelopeAddressOptions extends AddrSpecOptions {
  /** Allow UTF-8 in the local part and U-labels in the domain (RFC 6531 SMTPUTF8). */
  smtputf8?: boolean;
}

/** Longest local part in octets (RFC 5321 §4.5.3.1.1). */
const MAX_LOCAL = 64;
/** Longest path `<local@domain>` in octets (RFC 5321 §4.5.3.1.3), so 254 without the brackets. */
const MAX_ADDRESS = 254;

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** RFC 5321 §4.1.3 address literal: `[IPv4]`, `[IPv6:…]` (general literals refused). */
function isAddressLiteral(domain: string): boolean {
  const inner = domain.slice(1, -1);
  if (/^ipv6:/i.test(inner)) return isIPv6(inner.slice(5));
  return isIPv4(inner);
}

/** RFC 5321 qtextSMTP / quoted-pairSMTP: printable ASCII and space (UTF-8 with SMTPUTF8); no TAB. */
function isSmtpQuotedContent(value: string, smtputf8: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || (code > 0x7f && !smtputf8)) return false;
  }
  return true;
}

/**
 * Checks an address for the SMTP envelope (`MAIL FROM:<…>` / `RCPT TO:<…>`): exactly an addr-spec
 * written in its canonical form — RFC 5321 Dot-string or Quoted-string local part (no comments, no
 * whitespace outside quotes, no obsolete forms, no needless escapes), at most 64 octets; a domain
 * whose labels are valid host-name labels (U-labels only with `smtputf8`) or an IPv4/IPv6 address
 * literal; 254 octets in all; UTF-8 in the local part only with `smtputf8`; no RFC 2047 encoded
 * word; no quoted `@` unless `allowQuotedAt`. Never throws; returns false for anything else
 * (including the empty reverse-path, which the SMTP client writes itself).
 */
export function isValidEnvelopeAddress(address: string, options: EnvelopeAddressOptions = {}): boolean {
  try {
    envelopeSpec(address, options);
    return true;
  } catch (error) {
    if (error instanceof InvalidArgumentError) return false;
    throw error;
  }
}

/** The parsed addr-spec behind {@link isValidEnvelopeAddress}; throws `InvalidArgumentError` saying why not. */
function envelopeSpec(address: string, options: EnvelopeAddressOptions): AddrSpec {
  const smtputf8 = options.smtputf8 === true;
  const spec = parseAddrSpec(address, options);
  if (spec.address !== address) throw new InvalidArgumentError("not in canonical addr-spec form");
  if (spec.quoted && !isSmtpQuotedContent(spec.localValue, smtputf8)) {
    throw new InvalidArgumentError("character not allowed in a quoted local part");
  }
  if (!smtputf8 && !isAscii(spec.local))
    throw new InvalidArgumentError("non-ASCII local part needs SMTPUTF8");
  if (Buffer.byteLength(spec.local) > MAX_LOCAL) throw new InvalidArgumentError("local part too long");
  if (spec.domain.startsWith("[")) {
    if (!isAddressLiteral(spec.domain)) throw new InvalidArgumentError("invalid address literal");
  } else {
    if (!smtputf8 && !isAscii(spec.domain)) throw new InvalidArgumentError("non-ASCII domain needs SMTPUTF8");
    domainToAscii(spec.domain);
  }
  if (Buffer.byteLength(spec.address) > MAX_ADDRESS) throw new InvalidArgumentError("address too long");
  return spec;
}

/**
 * The address as the envelope of a session without SMTPUTF8 needs it: the domain in A-labels
 * (`user@xn--bcher-kva.example`). Throws `InvalidArgumentError` when the address is not valid for
 * the envelope once converted, or its local part is not ASCII.
 */
export function toAsciiAddress(address: string, options: AddrSpecOptions = {}): string {
  const spec = parseAddrSpec(address, options);
  const converted = `${spec.local}@${spec.domain.startsWith("[") ? spec.domain : domainToAscii(spec.domain)}`;
  envelopeSpec(converted, options);
  return converted;
}

/**
 * The address with its domain in U-labels, for display (`user@xn--bcher-kva.example` →
 * `user@bücher.example`); the local part is kept as written. Throws `InvalidArgumentError` when
 * it is not an addr-spec or the domain is invalid.
 */
export function toUnicodeAddress(address: string, options: AddrSpecOptions = {}): string {
  const spec = parseAddrSpec(address, options);
  return `${spec.local}@${domainToUnicodeSafe(spec.domain)}`;
}
