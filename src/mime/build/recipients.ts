/**
 * Turning the caller's From/To/Cc/Bcc/Reply-To into parsed addresses, once, so the header and the
 * SMTP envelope are written from the same parse (§4E M2, GHSA-mm7p-fcc7-pg87): text goes through
 * the address parser, and a {@link Mailbox} object's `address` is parsed too, so it cannot smuggle
 * a second address or a display name into the header.
 */
import { InvalidArgumentError } from "../../errors.js";
import { isValidEnvelopeAddress, parseAddressList, parseMailbox, toAsciiAddress } from "../address/index.js";
import type { Address, AddressGroup, Mailbox } from "../types.js";
import type { AddressInput } from "./spec.js";
import { checkHeaderText } from "./validate.js";

function isGroup(address: Address): address is AddressGroup {
  return (address as AddressGroup).group !== undefined;
}

/** A caller-given Mailbox object, checked and re-parsed. */
function checkMailboxObject(mailbox: Mailbox, what: string): Mailbox {
  if (mailbox === null || typeof mailbox !== "object" || typeof mailbox.address !== "string") {
    throw new InvalidArgumentError(`${what} must be an address string or { name, address }`);
  }
  const name = checkHeaderText(mailbox.name ?? "", `${what} display name`);
  checkHeaderText(mailbox.address, `${what} address`);
  const parsed = parseMailbox(mailbox.address);
  if (parsed.name !== "") {
    throw new InvalidArgumentError(`${what} address must be a bare addr-spec, without a display name`);
  }
  return { name, address: parsed.address };
}

function checkAddressObject(address: Address, what: string): Address {
  if (address !== null && typeof address === "object" && isGroup(address)) {
    const group = checkHeaderText(address.group, `${what} group name`);
    if (!Array.isArray(address.members))
      throw new InvalidArgumentError(`${what} group members must be an array`);
    return { group, members: address.members.map((m) => checkMailboxObject(m, what)) };
  }
  return checkMailboxObject(address as Mailbox, what);
}

/**
 * Parses an {@link AddressInput} into addresses. Strings are checked for control characters
 * first, then parsed as RFC 5322 address lists. Returns `[]` for undefined. Throws
 * {@link InvalidArgumentError} (naming `what`) on anything invalid or ambiguous.
 */
export function resolveAddresses(input: AddressInput | undefined, what: string): Address[] {
  if (input === undefined) return [];
  const items: ReadonlyArray<string | Address> = Array.isArray(input)
    ? (input as ReadonlyArray<string | Address>)
    : [input as string | Address];
  const out: Address[] = [];
  for (const item of items) {
    if (typeof item === "string") {
      checkHeaderText(item, what);
      // An empty string is an empty list (no Cc), not an error.
      out.push(...parseAddressList(item, { allowEmpty: true }));
    } else {
      out.push(checkAddressObject(item, what));
    }
  }
  return out;
}

/** Resolves the From input: exactly one mailbox. Throws {@link InvalidArgumentError}. */
export function resolveFrom(input: string | Mailbox | undefined): Mailbox {
  if (input === undefined) throw new InvalidArgumentError("from is required");
  if (typeof input === "string") {
    checkHeaderText(input, "from");
    return parseMailbox(input);
  }
  return checkMailboxObject(input, "from");
}

/** Every mailbox of a list, group members included, in order. */
export function mailboxesOf(addresses: readonly Address[]): Mailbox[] {
  return addresses.flatMap((a) => (isGroup(a) ? a.members : [a]));
}

/**
 * The address as it goes into `MAIL FROM`/`RCPT TO`, from the same parse as the header: without
 * SMTPUTF8 the domain becomes A-labels (punycode) and a non-ASCII local part is refused; with it,
 * the address must still be a valid RFC 6531 envelope address. A quoted local part holding `@`
 * is refused by the address parser either way (GHSA-mm7p-fcc7-pg87). Throws
 * {@link InvalidArgumentError}.
 */
export function envelopeAddress(address: string, smtputf8: boolean): string {
  if (!smtputf8) return toAsciiAddress(address);
  if (!isValidEnvelopeAddress(address, { smtputf8: true })) {
    throw new InvalidArgumentError(`${JSON.stringify(address)} cannot be an SMTP envelope address`);
  }
  return address;
}
