/**
 * Writing addresses into a header value (RFC 5322 §3.4), the inverse of parse.ts: what
 * {@link formatAddress} writes, {@link parseAddressList} reads back as the same addresses.
 */
import { InvalidArgumentError } from "../../errors.js";
import { excerpt } from "../../textproto/excerpt.js";
import { decodeEncodedWords, encodeHeaderText } from "../header/encoded-words.js";
import type { Address, AddressGroup, Mailbox } from "../types.js";
import { type AddrSpecOptions, parseAddrSpec, quoteString } from "./addr-spec.js";
import { domainToAscii } from "./idn.js";
import { isAtext } from "./scanner.js";

/** Options of {@link formatAddress}. */
export interface FormatAddressOptions extends AddrSpecOptions {
  /**
   * The message goes out with SMTPUTF8 (RFC 6531/6532): UTF-8 names, local parts and U-label
   * domains are written raw instead of as encoded words and A-labels.
   */
  smtputf8?: boolean;
}

/** One character of Unicode white space (JavaScript's `\s`: Zs, NBSP, BOM, line/paragraph separators). */
const UNICODE_SPACE = /^\s$/;

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Refuses what must never reach a header raw (header injection, CVE-2021-23400, CPython
 * CVE-2024-6923): CR, LF, NUL, any other C0 control but TAB, DEL, C1 controls, lone surrogates.
 */
function checkText(text: unknown, what: string): string {
  if (typeof text !== "string") throw new InvalidArgumentError(`${what} must be a string`);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const bad =
      (code < 0x20 && code !== 0x09) ||
      (code >= 0x7f && code <= 0x9f) ||
      (code >= 0xdc00 && code <= 0xdfff) ||
      (code >= 0xd800 &&
        code <= 0xdbff &&
        !(text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff));
    if (bad) {
      const name = code === 0x0d ? "CR" : code === 0x0a ? "LF" : code === 0 ? "NUL" : "a control character";
      throw new InvalidArgumentError(`${what} contains ${name}: "${excerpt(text)}"`);
    }
    if (code >= 0xd800 && code <= 0xdbff) i++;
  }
  return text;
}

/**
 * True when `name` can go out as atoms: words of atext separated by single spaces. Non-ASCII
 * white space (NBSP, U+2003…) is atext for RFC 6532 but readers strip or split on it, so a name
 * holding any is quoted.
 */
function isAtomPhrase(name: string): boolean {
  let previousSpace = true;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code === 0x20) {
      if (previousSpace) return false;
      previousSpace = true;
    } else if (isAtext(code) && !(code > 0x7f && UNICODE_SPACE.test(name[i]!))) {
      previousSpace = false;
    } else {
      return false;
    }
  }
  return !previousSpace;
}

/**
 * A display name or group name as an RFC 5322 phrase: atoms when it can be, a quoted string
 * otherwise, RFC 2047 encoded words when it holds non-ASCII (without SMTPUTF8) or text that a
 * reader would take for an encoded word.
 */
function formatPhrase(name: string, smtputf8: boolean): string {
  // A reader decodes encoded words in a name, quoted or not (as parse.ts does): text that would
  // decode into something else must itself be encoded to come back as written.
  const misread = name.includes("=?") && decodeEncodedWords(name).text !== name;
  if ((!smtputf8 && !isAscii(name)) || misread) {
    // The encoder may fold its words; a header value is folded once, by the header writer.
    return encodeHeaderText(name, { phrase: true }).replace(/\r\n(?=[ \t])/g, "");
  }
  return isAtomPhrase(name) ? name : quoteString(name);
}

/** The addr-spec as it goes into the header, IDN and SMTPUTF8 rules applied. */
function formatAddrSpec(address: string, options: FormatAddressOptions): string {
  const smtputf8 = options.smtputf8 === true;
  const spec = parseAddrSpec(checkText(address, "address"), options);
  if (!smtputf8 && !isAscii(spec.local)) {
    throw new InvalidArgumentError(
      `address "${excerpt(address)}" has a non-ASCII local part: it needs SMTPUTF8`,
    );
  }
  let domain = spec.domain;
  if (!domain.startsWith("[")) {
    // Validate every IDN (a U-label, or an A-label that must decode); convert when not SMTPUTF8.
    if (!isAscii(domain)) {
      const ascii = domainToAscii(domain);
      if (!smtputf8) domain = ascii;
    } else if (domain.toLowerCase().includes("xn--")) {
      domainToAscii(domain);
    }
  }
  return `${spec.local}@${domain}`;
}

function formatMailbox(mailbox: Mailbox, options: FormatAddressOptions): string {
  if (mailbox === null || typeof mailbox !== "object")
    throw new InvalidArgumentError("a mailbox must be an object");
  const address = formatAddrSpec(mailbox.address, options);
  const name = checkText(mailbox.name ?? "", "display name");
  if (name === "") return address;
  return `${formatPhrase(name, options.smtputf8 === true)} <${address}>`;
}

function formatGroup(group: AddressGroup, options: FormatAddressOptions): string {
  const name = checkText(group.group, "group name");
  if (name === "") throw new InvalidArgumentError("a group needs a name");
  if (!Array.isArray(group.members)) throw new InvalidArgumentError("group members must be an array");
  const members = group.members.map((member) => {
    if (member !== null && typeof member === "object" && "group" in member) {
      throw new InvalidArgumentError("groups cannot be nested");
    }
    return formatMailbox(member, options);
  });
  const phrase = formatPhrase(name, options.smtputf8 === true);
  // RFC 2047 §5(3): an encoded word in a phrase is separated from a special by white space.
  const colon = phrase.endsWith("?=") ? " :" : ":";
  return `${phrase}${colon}${members.length > 0 ? ` ${members.join(", ")}` : ""};`;
}

/**
 * Formats one address or a list (joined by `, `) as an RFC 5322 §3.4 header value, unfolded
 * (folding is the header writer's job): `Name <local@domain>`, `local@domain` when the name is
 * empty, `Group: a@x, b@y;`. Display names are written as atoms when they can be, else as a
 * quoted string, and as RFC 2047 encoded words when they hold non-ASCII (unless `smtputf8`) or
 * text a reader would take for an encoded word. Domains in U-labels become A-labels (punycode) unless `smtputf8`. Each address is
 * re-parsed as an addr-spec, so a display name or a second address cannot be smuggled in it.
 *
 * Throws `InvalidArgumentError` when a name or address holds CR, LF, NUL or another control
 * character (header injection), an address is not a valid addr-spec, an address has a non-ASCII
 * local part without `smtputf8`, a domain is not a valid IDN, a group has no name, or groups nest.
 */
export function formatAddress(
  address: Address | readonly Address[],
  options: FormatAddressOptions = {},
): string {
  const list: readonly Address[] = Array.isArray(address) ? address : [address as Address];
  return list
    .map((entry) =>
      entry !== null && typeof entry === "object" && "group" in entry
        ? formatGroup(entry, options)
        : formatMailbox(entry as Mailbox, options),
    )
    .join(", ");
}
