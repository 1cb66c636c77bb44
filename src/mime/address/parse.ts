/**
 * RFC 5322 §3.4 address lists (with the §4.4 obsolete forms that are not ambiguous), RFC 6532
 * UTF-8, and RFC 2047 encoded words in display names.
 *
 * The structure is read first, from the raw text; only then are display names decoded. A decoded
 * name is only ever a name: `=?utf-8?b?YXR0YWNrZXJAZXZpbC5jb20=?=` is a phrase with no address
 * (rejected), and an encoded word inside an addr-spec is refused outright (see addr-spec.ts).
 * Anything that could be read two ways is refused rather than repaired.
 */
import { InvalidArgumentError } from "../../errors.js";
import { decodeEncodedWords } from "../header/encoded-words.js";
import type { Address, AddressGroup, Mailbox, MimeDefect } from "../types.js";
import { type AddrSpecOptions, isWord, readAddrSpec } from "./addr-spec.js";
import { Scanner, type Token } from "./scanner.js";

/** Options of {@link parseAddressList}. */
export interface ParseAddressListOptions extends AddrSpecOptions {
  /** Return `[]` for a list with no address at all (empty, blank, only commas); otherwise that throws. */
  allowEmpty?: boolean;
}

/**
 * Parses an RFC 5322 §3.4 address-list: mailboxes (`addr@host`, `Name <addr@host>`, quoted names
 * with escapes, obs-phrase names with dots, the obsolete route `<@a,@b:addr@host>` whose route is
 * dropped) and groups (`Name: a@host, b@host;`, not nested), with comments and whitespace
 * anywhere CFWS may go, empty list elements (RFC 5322 §4.4) skipped, domains kept as written
 * (U-labels too) and UTF-8 in local parts and names (RFC 6532). Display names and group names have
 * their RFC 2047 encoded words decoded, after the structure is known, and any control character
 * a decoded name would contain replaced by U+FFFD. Comments are not turned into names.
 *
 * Throws `InvalidArgumentError` on anything invalid or ambiguous: `a@b@c`, an address followed by
 * anything but `,` (`<a@b>c@d`, `a@b <c@d>`), unbalanced quotes, brackets or parentheses, nested
 * groups, an unclosed group, a phrase with no address, an empty local part or domain, an encoded
 * word in an addr-spec, a quoted local part containing `@` (unless `allowQuotedAt`), CR, LF, NUL
 * or another control character anywhere, and an empty list unless `allowEmpty`.
 */
export function parseAddressList(text: string, options: ParseAddressListOptions = {}): Address[] {
  return readList(text, options, []);
}

/**
 * Parses exactly one mailbox (`addr@host` or `Name <addr@host>`, RFC 5322 §3.4), with the rules
 * of {@link parseAddressList}. Throws `InvalidArgumentError` on a group, a list, nothing, or
 * anything {@link parseAddressList} refuses.
 */
export function parseMailbox(text: string, options: AddrSpecOptions = {}): Mailbox {
  const scanner: Scanner = new Scanner(text);
  const phrase = readPhrase(scanner);
  const mark = scanner.next();
  if (mark.type !== "<" && mark.type !== "@") {
    scanner.fail(mark.type === ":" ? "a group is not a mailbox" : "expected one mailbox", mark);
  }
  const { mailbox, next } = readMailbox(scanner, phrase, mark, options, []);
  if (next.type !== "end") scanner.fail("unexpected text after the mailbox", next);
  return mailbox;
}

/**
 * The message parser's form of {@link parseAddressList}: never throws on bad input. An empty
 * list is `[]` with no defect; an invalid one is `[]` with one `invalid-address` defect; encoded
 * words in names that could not be decoded come back as `malformed-encoded-word` defects.
 */
export function tryParseAddressList(text: string): { addresses: Address[]; defects: MimeDefect[] } {
  const defects: MimeDefect[] = [];
  try {
    return { addresses: readList(text, { allowEmpty: true }, defects), defects };
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    return { addresses: [], defects: [{ kind: "invalid-address", message: error.message }] };
  }
}

function readList(text: string, options: ParseAddressListOptions, defects: MimeDefect[]): Address[] {
  const scanner: Scanner = new Scanner(text);
  const out: Address[] = [];
  let group: AddressGroup | undefined;
  for (;;) {
    const phrase = readPhrase(scanner);
    let mark = scanner.next();
    if (mark.type === "<" || mark.type === "@") {
      const { mailbox, next } = readMailbox(scanner, phrase, mark, options, defects);
      (group ? group.members : out).push(mailbox);
      mark = next;
    } else if (mark.type === ":") {
      if (group) scanner.fail("groups cannot be nested", mark);
      if (phrase.length === 0) scanner.fail("group without a name", mark);
      group = { group: phraseText(scanner, phrase, defects), members: [] };
      continue;
    } else if (phrase.length > 0) {
      scanner.fail("a name without an address", phrase[0]!);
    }
    // What may follow an address (or an empty element): the list goes on, a group ends, or the end.
    if (mark.type === ";") {
      if (!group) scanner.fail("';' outside a group", mark);
      out.push(group);
      group = undefined;
      mark = scanner.next();
      if (mark.type !== "," && mark.type !== "end") scanner.fail("unexpected text after a group", mark);
    }
    if (mark.type === "end") {
      if (group) scanner.fail("group without its closing ';'", mark);
      break;
    }
    if (mark.type !== ",") {
      scanner.fail(mark.type === "@" ? "more than one '@'" : "unexpected text after an address", mark);
    }
  }
  if (out.length === 0 && !options.allowEmpty) throw new InvalidArgumentError("invalid address: empty list");
  return out;
}

/** Reads the words and dots before the next special: a display name, or a local part. */
function readPhrase(scanner: Scanner): Token[] {
  const tokens: Token[] = [];
  for (;;) {
    const token = scanner.peek();
    if (token.type !== "atom" && token.type !== "qstring" && token.type !== ".") return tokens;
    tokens.push(scanner.next());
  }
}

/**
 * Reads a mailbox after its leading phrase and the special that tells which kind it is: `<` (a
 * name-addr; the phrase is the display name) or `@` (an addr-spec; the phrase is the local part).
 */
function readMailbox(
  scanner: Scanner,
  phrase: Token[],
  mark: Token,
  options: AddrSpecOptions,
  defects: MimeDefect[],
): { mailbox: Mailbox; next: Token } {
  if (mark.type === "@") {
    const { spec, next } = readAddrSpec(scanner, phrase, mark, options);
    return { mailbox: { name: "", address: spec.address }, next };
  }
  const name = phrase.length === 0 ? "" : phraseText(scanner, phrase, defects);
  skipRoute(scanner);
  const local = readPhrase(scanner);
  const at = scanner.next();
  if (at.type !== "@") scanner.fail(at.type === ">" ? "no address in '<>'" : "expected '@'", at);
  const { spec, next } = readAddrSpec(scanner, local, at, options);
  if (next.type !== ">") scanner.fail("expected '>'", next);
  return { mailbox: { name, address: spec.address }, next: scanner.next() };
}

/** Skips an obsolete route (RFC 5322 §4.4 obs-route: `@a.example,@b.example:`) right after `<`. */
function skipRoute(scanner: Scanner): void {
  let token = scanner.peek();
  if (token.type !== "@" && token.type !== ",") return;
  for (let first = true; ; first = false) {
    while (token.type === ",") {
      scanner.next();
      token = scanner.peek();
    }
    if (token.type === ":" && !first) {
      scanner.next();
      return;
    }
    if (token.type !== "@") scanner.fail("malformed route", token);
    scanner.next();
    const domain = scanner.next();
    if (domain.type === "dlit") {
      token = scanner.next();
    } else {
      if (domain.type !== "atom") scanner.fail("malformed route", domain);
      token = scanner.next();
      while (token.type === ".") {
        const label = scanner.next();
        if (label.type !== "atom") scanner.fail("malformed route", label);
        token = scanner.next();
      }
    }
    if (token.type === ":") return;
    if (token.type !== ",") scanner.fail("malformed route", token);
    token = scanner.peek();
  }
}

/**
 * The text of a display name or group name: words joined by one space where whitespace or a
 * comment separated them, quoted strings unquoted, then RFC 2047 words decoded.
 */
function phraseText(scanner: Scanner, phrase: readonly Token[], defects: MimeDefect[]): string {
  if (!isWord(phrase[0]!)) scanner.fail("a name cannot start with a dot", phrase[0]!);
  let raw = "";
  for (let i = 0; i < phrase.length; i++) {
    const token = phrase[i]!;
    if (i > 0 && token.space) raw += " ";
    raw += token.type === "." ? "." : token.text;
  }
  if (!raw.includes("=?")) return raw;
  const decoded = decodeEncodedWords(raw);
  for (const defect of decoded.defects) defects.push(defect);
  return replaceControls(decoded.text);
}

/** Replaces C0 controls but TAB, DEL and C1 controls by U+FFFD (Mailsploit hid the real sender behind a NUL). */
function replaceControls(text: string): string {
  let out = "";
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || (code >= 0x7f && code <= 0x9f)) {
      out += `${text.slice(run, i)}\uFFFD`;
      run = i + 1;
    }
  }
  return out + text.slice(run);
}
