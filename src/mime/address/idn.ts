/**
 * Internationalized domain names (RFC 5890/5891) for addresses, through Node's WHATWG URL host
 * parser (`node:url` domainToASCII / domainToUnicode, UTS #46 non-transitional processing).
 *
 * That parser is made for URLs, not mail, and is lenient in ways an address must not be: it
 * percent-decodes (`ex%41.com` → `exa.com`), reads numbers as IPv4 (`0x7f.1` → `127.0.0.1`),
 * silently drops zero-width characters (`a\u200Bb` → `ab`), maps compatibility characters
 * (`ﬀ` → `ff`, fullwidth letters → ASCII) and accepts labels over 63 octets. So the input is
 * checked first (an RFC 5322 dot-atom, no `%`, a last label that is not a number), and the
 * output after: LDH labels of 1–63 octets, 253 octets in all, and a round trip back to Unicode
 * that gives the input again (case and the IDNA full-stop variants aside) — a domain that the
 * mapping would change is refused rather than turned into another domain behind the caller's back.
 */
import { domainToASCII, domainToUnicode } from "node:url";
import { InvalidArgumentError } from "../../errors.js";
import { excerpt } from "../../textproto/excerpt.js";
import { isDotAtom } from "./addr-spec.js";

/** Longest domain name, in octets, without a trailing dot (RFC 1035 §2.3.4, RFC 5321 §4.5.3.1.2). */
const MAX_DOMAIN = 253;
/** Longest label (RFC 1035 §2.3.4). */
const MAX_LABEL = 63;

function invalid(domain: string, why: string): never {
  throw new InvalidArgumentError(`invalid domain "${excerpt(domain)}": ${why}`);
}

/** True for `[...]`: a domain literal, which IDNA does not touch. */
function isLiteral(domain: string): boolean {
  return domain.startsWith("[") && domain.endsWith("]");
}

/** The IDNA label separators (RFC 3490 §3.1): U+002E, U+3002, U+FF0E, U+FF61. */
function withAsciiDots(domain: string): string {
  return domain.replace(/[\u3002\uFF0E\uFF61]/g, ".");
}

function checkLdh(domain: string, ascii: string): void {
  if (ascii.length > MAX_DOMAIN) invalid(domain, `longer than ${MAX_DOMAIN} octets`);
  for (const label of ascii.split(".")) {
    if (label.length === 0) invalid(domain, "empty label");
    if (label.length > MAX_LABEL) invalid(domain, `a label is longer than ${MAX_LABEL} octets`);
    if (!/^[a-z0-9-]+$/.test(label))
      invalid(domain, "a label holds characters other than letters, digits and '-'");
    if (label.startsWith("-") || label.endsWith("-")) invalid(domain, "a label starts or ends with '-'");
  }
}

/**
 * Converts a domain to its ASCII form (RFC 5891 A-labels, punycode), lowercased: `Bücher.example`
 * → `xn--bcher-kva.example`. An ASCII domain is checked and lowercased; a domain literal
 * (`[192.0.2.1]`) is returned unchanged. Throws `InvalidArgumentError` when the domain is not a
 * valid host name (labels of letters, digits and hyphens once converted, 1–63 octets each, 253 in
 * all), when IDNA refuses it, or when IDNA would change it into a different name (see the module
 * comment).
 */
export function domainToAscii(domain: string): string {
  if (isLiteral(domain)) return domain;
  const dotted = withAsciiDots(domain);
  if (!isDotAtom(dotted) || dotted.includes("%")) invalid(domain, "not a dot-atom domain");
  // The URL parser reads a name whose last label is a number as an IPv4 address; so would some
  // mailers. An IP address belongs in a literal (`[192.0.2.1]`, RFC 5321 §4.1.3).
  if (/(?:^|\.)(?:\d+|0x[0-9a-f]*)$/i.test(dotted)) invalid(domain, "the last label is a number");
  const ascii = domainToASCII(dotted);
  if (ascii === "") invalid(domain, "refused by IDNA");
  checkLdh(domain, ascii);
  // Each label must come back as written, in either form (an A-label may be given as such).
  const given = dotted.normalize("NFC").toLowerCase().split(".");
  const asciiLabels = ascii.split(".");
  const unicodeLabels = domainToUnicode(ascii).split(".");
  if (given.length !== asciiLabels.length || unicodeLabels.length !== asciiLabels.length) {
    invalid(domain, "IDNA mapping would change it into another name");
  }
  for (let i = 0; i < given.length; i++) {
    if (given[i] !== asciiLabels[i] && given[i] !== unicodeLabels[i]) {
      invalid(domain, "IDNA mapping would change it into another name");
    }
  }
  return ascii;
}

/**
 * Converts a domain to its Unicode form (U-labels) for display: `xn--bcher-kva.example` →
 * `bücher.example`; a domain literal is returned unchanged. The domain is first validated with
 * {@link domainToAscii}, so a malformed A-label (`xn--zz.example`) is refused rather than shown.
 * Throws `InvalidArgumentError` when the domain is invalid.
 */
export function domainToUnicodeSafe(domain: string): string {
  if (isLiteral(domain)) return domain;
  return domainToUnicode(domainToAscii(domain));
}
