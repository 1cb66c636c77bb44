/** fast-check generators of mailboxes and groups for the address round-trip properties. */
import fc from "fast-check";
import { quoteString } from "../../../src/mime/address/addr-spec.js";
import type { Address, AddressGroup, Mailbox } from "../../../src/mime/types.js";

/** Pieces that stress quoting and encoding: specials, quotes, escapes, encoded-word look-alikes, Unicode. */
const NAME_PIECES = [
  " ",
  "  ",
  ".",
  ",",
  ";",
  ":",
  "<",
  ">",
  "@",
  '"',
  "\\",
  "(",
  ")",
  "[",
  "]",
  "=?",
  "?=",
  "=?utf-8?q?x?=",
  "=?utf-8?B?QUI=?=",
  "_",
  "Alice",
  "Bob",
  "a@evil.example",
  "ö",
  "Jörg",
  "山田",
  "Жанна",
  "😀",
  "\u00a0",
  "ß",
  "e\u0301",
];

const namePiece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NAME_PIECES) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 4 }) },
);

/** True for text a name may not hold (the formatter refuses it): controls, DEL, C1. */
function hasControl(text: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f]/.test(text);
}

/** A display name: anything printable, possibly empty. */
export const displayName = fc
  .array(namePiece, { maxLength: 8 })
  .map((pieces) => pieces.join(""))
  .filter((name) => !hasControl(name));

const ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~";
const atom = fc.string({ unit: fc.constantFrom(...ATEXT), minLength: 1, maxLength: 8 });
const utf8Atom = fc.constantFrom("jörg", "山田", "пётр", "δοκιμή", "😀");

/** A local part, in canonical form: a dot-atom or a quoted string. */
function localPart(unicode: boolean) {
  const dotAtom = fc
    .array(unicode ? fc.oneof(atom, utf8Atom) : atom, { minLength: 1, maxLength: 3 })
    .map((a) => a.join("."));
  const quoted = fc
    .string({ unit: fc.constantFrom(...' abc.,;:<>()[]"\\XYZ019!#'), minLength: 1, maxLength: 10 })
    .map(quoteString);
  return fc
    .oneof({ weight: 3, arbitrary: dotAtom }, { weight: 1, arbitrary: quoted })
    .filter((l) => !l.includes("=?"));
}

// Labels with "--" in positions 3-4 are reserved for A-labels (RFC 5891 §4.2.3.1).
const label = fc.stringMatching(/^[a-z](?:[a-z0-9-]{0,8}[a-z0-9])?$/).filter((l) => l.slice(2, 4) !== "--");
const uLabel = fc.constantFrom("bücher", "例え", "テスト", "münchen", "пример", "δοκιμή");

/** A domain: LDH labels, some U-labels when `unicode`, or an address literal. */
function domain(unicode: boolean) {
  const labels = fc
    .array(unicode ? fc.oneof(label, uLabel) : label, { minLength: 1, maxLength: 3 })
    .map((l) => l.join("."));
  return fc.oneof(
    { weight: 6, arbitrary: labels },
    { weight: 1, arbitrary: fc.constantFrom("[192.0.2.1]", "[IPv6:2001:db8::1]") },
  );
}

/**
 * A mailbox. `unicodeLocal`: UTF-8 local parts (SMTPUTF8 only); `unicodeDomain`: U-labels.
 */
export function mailbox(options: { unicodeLocal: boolean; unicodeDomain: boolean }): fc.Arbitrary<Mailbox> {
  return fc
    .tuple(displayName, localPart(options.unicodeLocal), domain(options.unicodeDomain))
    .map(([name, local, host]) => ({ name, address: `${local}@${host}` }));
}

/** A group with a non-empty name. */
export function group(options: {
  unicodeLocal: boolean;
  unicodeDomain: boolean;
}): fc.Arbitrary<AddressGroup> {
  return fc
    .tuple(
      displayName.filter((name) => name !== ""),
      fc.array(mailbox(options), { maxLength: 3 }),
    )
    .map(([name, members]) => ({ group: name, members }));
}

/** An address list of mailboxes and groups. */
export function addressList(options: {
  unicodeLocal: boolean;
  unicodeDomain: boolean;
}): fc.Arbitrary<Address[]> {
  return fc.array(
    fc.oneof({ weight: 3, arbitrary: mailbox(options) }, { weight: 1, arbitrary: group(options) }),
    {
      minLength: 1,
      maxLength: 4,
    },
  );
}
