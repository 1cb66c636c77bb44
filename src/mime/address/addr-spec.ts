/**
 * The addr-spec (`local@domain`, RFC 5322 §3.4.1) on top of the lexer in scanner.ts — the one
 * reader behind header addresses, the SMTP envelope check and the formatter's validation, so the
 * three cannot disagree about where the local part ends and the domain begins (G9, M2).
 */
import { domainToAscii } from "./idn.js";
import { isAtext, Scanner, type Token } from "./scanner.js";

/** Options shared by everything that accepts an addr-spec. */
export interface AddrSpecOptions {
  /**
   * Accept a quoted local part that contains `@` (`"a@b"@example.org`). Off by default: such
   * addresses are valid RFC 5322 but are the classic bait for parsers that split at the first
   * `@` (GHSA-mm7p-fcc7-pg87, rule M2).
   */
  allowQuotedAt?: boolean;
}

/** An addr-spec taken apart. */
export interface AddrSpec {
  /** The local part as it goes on the wire: a dot-atom, or a quoted string with `"` and `\` escaped. */
  local: string;
  /** The local part's value: the quoted string's content, or the dot-atom itself. */
  localValue: string;
  /** True when {@link local} is a quoted string. */
  quoted: boolean;
  /** The domain as written: a dot-atom (maybe with U-labels) or a `[literal]`. */
  domain: string;
  /** `local@domain`. */
  address: string;
}

/** True when `text` is an RFC 5322 dot-atom-text (atoms joined by single dots, no empty atom). */
export function isDotAtom(text: string): boolean {
  if (text.length === 0) return false;
  let previousDot = true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x2e) {
      if (previousDot) return false;
      previousDot = true;
    } else if (isAtext(code)) {
      previousDot = false;
    } else {
      return false;
    }
  }
  return !previousDot;
}

/** `value` as an RFC 5322 quoted string: `"` and `\` escaped with a backslash. */
export function quoteString(value: string): string {
  let out = '"';
  let run = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x22 || code === 0x5c) {
      out += `${value.slice(run, i)}\\`;
      run = i;
    }
  }
  return `${out}${value.slice(run)}"`;
}

/** True for an atom or a quoted string. */
export function isWord(token: Token): boolean {
  return token.type === "atom" || token.type === "qstring";
}

/**
 * Reads the rest of an addr-spec whose local-part tokens (`word *("." word)`, RFC 5322 obs-local-part
 * included) were already read and whose `@` was just consumed. Returns the addr-spec and the token
 * that follows it (the caller decides what may follow). Throws `InvalidArgumentError` on an empty or
 * malformed local part or domain, on an RFC 2047 encoded word anywhere in it (never decoded there,
 * RFC 2047 §5; rejected because decoding it elsewhere is how addresses get fabricated), and on a
 * quoted local part with `@` unless allowed.
 */
export function readAddrSpec(
  scanner: Scanner,
  localTokens: readonly Token[],
  at: Token,
  options: AddrSpecOptions,
): { spec: AddrSpec; next: Token } {
  if (localTokens.length === 0) scanner.fail("empty local part", at);
  let quoted = false;
  const words: string[] = [];
  for (let i = 0; i < localTokens.length; i++) {
    const token = localTokens[i]!;
    if (i % 2 === 0) {
      if (!isWord(token)) scanner.fail("empty word in local part", token);
      if (token.type === "qstring") quoted = true;
      words.push(token.text);
    } else if (token.type !== ".") {
      scanner.fail("words of a local part must be joined by dots", token);
    }
  }
  if (localTokens.length % 2 === 0) scanner.fail("local part ends with a dot", at);
  const localValue = words.join(".");
  if (localValue.length === 0) scanner.fail("empty local part", at);
  if (localValue.includes("=?")) scanner.fail("encoded word in an address", localTokens[0]!);
  if (quoted && !options.allowQuotedAt && localValue.includes("@")) {
    scanner.fail("quoted local part containing '@'", localTokens[0]!);
  }
  const local = quoted ? quoteString(localValue) : localValue;

  let domain: string;
  let next = scanner.next();
  if (next.type === "dlit") {
    if (next.text.length <= 2) scanner.fail("empty domain literal", next);
    domain = next.text;
    next = scanner.next();
  } else {
    const labels: string[] = [];
    for (;;) {
      if (next.type !== "atom") {
        scanner.fail(labels.length === 0 ? "empty domain" : "domain ends with a dot", next);
      }
      labels.push(next.text);
      next = scanner.next();
      if (next.type !== ".") break;
      next = scanner.next();
    }
    domain = labels.join(".");
  }
  if (domain.includes("=?")) scanner.fail("encoded word in an address", at);
  if (!domain.startsWith("[") && (/[^\x00-\x7f]/.test(domain) || domain.toLowerCase().includes("xn--"))) {
    // An internationalized domain must pass IDNA, as formatAddress and the envelope convert it:
    // refused here, so that whatever parses can also be written back.
    try {
      domainToAscii(domain);
    } catch {
      scanner.fail("internationalized domain refused by IDNA", at);
    }
  }
  return { spec: { local, localValue, quoted, domain, address: `${local}@${domain}` }, next };
}

/**
 * Parses a whole string as one addr-spec (RFC 5322 §3.4.1, with the rules of {@link readAddrSpec};
 * surrounding whitespace and comments are allowed and dropped). Throws `InvalidArgumentError` when
 * it is anything else — a display name, angle brackets, a second address.
 */
export function parseAddrSpec(text: string, options: AddrSpecOptions = {}): AddrSpec {
  const scanner: Scanner = new Scanner(text);
  const local: Token[] = [];
  for (
    let token = scanner.peek();
    token.type === "atom" || token.type === "qstring" || token.type === ".";
  ) {
    local.push(scanner.next());
    token = scanner.peek();
  }
  const at = scanner.next();
  if (at.type !== "@") scanner.fail("expected an addr-spec (local@domain)", at);
  const { spec, next } = readAddrSpec(scanner, local, at, options);
  if (next.type !== "end") scanner.fail("unexpected text after the address", next);
  return spec;
}
