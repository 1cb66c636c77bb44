/**
 * Pure parsers and formatters for the FTP replies and arguments that carry data: PASV/EPSV
 * addresses, PORT/EPRT arguments, PWD/MKD paths, MDTM times, SIZE, FEAT.
 *
 * Client and loopback server both use this file, so the two sides share one grammar. The parsers
 * are strict: a hostile or broken server must not steer the client with a half-understood reply
 * (curl CVE-2017-1000254 for PWD, curl tests 237/238 for PASV/EPSV, test 337 for SIZE). Every
 * parser accepts the reply's text with or without its leading code (`227 Entering…` or
 * `Entering…`) and never reads more than the text it is given.
 */
import { isIPv4, isIPv6 } from "node:net";
import { InvalidArgumentError, ProtocolError } from "../errors.js";
import { excerpt } from "../textproto/excerpt.js";

/** A host and a TCP port, as announced by PASV/EPSV or sent with PORT/EPRT. */
export interface HostPort {
  host: string;
  port: number;
}

function malformed(what: string, text: string): ProtocolError {
  return new ProtocolError("malformed-reply", `malformed ${what}: ${excerpt(text)}`);
}

/** Drops `NNN ` / `NNN-` from the front when the text starts with the expected reply code. */
function withoutCode(text: string, code: string): string {
  if (text.length >= 4 && text.startsWith(code) && (text[3] === " " || text[3] === "-")) {
    return text.slice(4);
  }
  return text;
}

/** Trims spaces and tabs (only) from both ends. */
function trimBlanks(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === " " || text[start] === "\t")) start += 1;
  while (end > start && (text[end - 1] === " " || text[end - 1] === "\t")) end -= 1;
  return text.slice(start, end);
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= "0" && char <= "9";
}

/** A strict decimal of at most `maxDigits` digits, or `undefined`. */
function decimal(text: string, maxDigits: number): number | undefined {
  if (text.length === 0 || text.length > maxDigits) return undefined;
  for (let i = 0; i < text.length; i += 1) if (!isDigit(text[i])) return undefined;
  return Number(text);
}

/**
 * Reads a comma-separated list of decimals starting at `start` (blanks allowed around commas).
 * Hand-written rather than a regular expression: the reply is hostile input and a backtracking
 * pattern over a long digit run is quadratic.
 */
function numberList(text: string, start: number): { numbers: string[]; end: number } {
  const numbers: string[] = [];
  let i = start;
  for (;;) {
    const from = i;
    while (isDigit(text[i])) i += 1;
    if (i === from) break;
    numbers.push(text.slice(from, i));
    let j = i;
    while (text[j] === " ") j += 1;
    if (text[j] !== ",") break;
    j += 1;
    while (text[j] === " ") j += 1;
    if (!isDigit(text[j])) break;
    i = j;
  }
  return { numbers, end: i };
}

/** Six decimals h1..h4,p1,p2 (each 0–255, port not 0) → host and port, or `undefined`. */
function hostPortFromSix(numbers: readonly string[]): HostPort | undefined {
  if (numbers.length !== 6) return undefined;
  const values: number[] = [];
  for (const n of numbers) {
    const value = decimal(n, 3);
    if (value === undefined || value > 255) return undefined;
    values.push(value);
  }
  const port = values[4]! * 256 + values[5]!;
  if (port === 0) return undefined;
  return { host: values.slice(0, 4).join("."), port };
}

/**
 * Parses the text of a `227` reply to PASV (RFC 959 §4.1.2, §5.4; RFC 1123 §4.1.2.6):
 * `Entering Passive Mode (h1,h2,h3,h4,p1,p2).`, also without the parentheses or with other text
 * around the numbers. Exactly six numbers, each 0–255, and a port that is not 0.
 *
 * The host is returned as the server wrote it; the client decides whether to trust it (by default
 * it does not: CVE-2020-8284).
 *
 * @throws ProtocolError (`malformed-reply`) when the reply does not have that shape
 *   (curl test 237: `(1216,256,2,127,127,127)`).
 */
export function parsePasvReply(text: string): HostPort {
  const body = withoutCode(text, "227");
  const open = body.indexOf("(");
  let result: HostPort | undefined;
  if (open >= 0) {
    const close = body.indexOf(")", open + 1);
    const inside = trimBlanks(body.slice(open + 1, close < 0 ? body.length : close));
    const { numbers, end } = numberList(inside, 0);
    if (end === inside.length) result = hostPortFromSix(numbers);
  } else {
    let i = 0;
    while (i < body.length && !isDigit(body[i])) i += 1;
    const { numbers, end } = numberList(body, i);
    // The run must end at a non-digit that is not another separator (`1,2,3,4,5,6,7` is refused).
    if (!isDigit(body[end]) && body[end] !== ",") result = hostPortFromSix(numbers);
  }
  if (result === undefined) throw malformed("227 reply", text);
  return result;
}

/** The text of a `227` reply (RFC 959) for `host` (IPv4) and `port`, without the code. */
export function formatPasvReply(host: string, port: number): string {
  return `Entering Passive Mode (${formatPortArgument(host, port)}).`;
}

/** A delimiter allowed by RFC 2428 §2: printable ASCII 33–126, and (our choice) not a digit. */
function isDelimiter(char: string | undefined): boolean {
  if (char === undefined || isDigit(char)) return false;
  const code = char.charCodeAt(0);
  return code >= 33 && code <= 126;
}

/**
 * Parses the text of a `229` reply to EPSV (RFC 2428 §3): `Entering Extended Passive Mode
 * (|||6446|)`. The delimiter may be any printable ASCII character but a digit, repeated as
 * `(ddd<port>d)`. Returns the port (1–65535); the host is always the control connection's peer.
 *
 * @throws ProtocolError (`malformed-reply`) on any other shape or a port outside 1–65535
 *   (curl test 238: `(|||1000000|)`).
 */
export function parseEpsvReply(text: string): number {
  const body = withoutCode(text, "229");
  const open = body.indexOf("(");
  const d = body[open + 1];
  if (open >= 0 && isDelimiter(d) && body[open + 2] === d && body[open + 3] === d) {
    const start = open + 4;
    const close = body.indexOf(`${d})`, start);
    if (close > start) {
      const port = decimal(body.slice(start, close), 5);
      if (port !== undefined && port >= 1 && port <= 65535) return port;
    }
  }
  throw malformed("229 reply", text);
}

/** The text of a `229` reply (RFC 2428 §3) for `port`, without the code. */
export function formatEpsvReply(port: number): string {
  return `Entering Extended Passive Mode (|||${checkPort(port)}|)`;
}

/**
 * Parses the text of a `257` reply to PWD or MKD (RFC 959 §4.1.3 and Appendix II): the path is
 * the quoted string at the start of the text, with `""` standing for one `"`; what follows the
 * closing quote is commentary. `"/dir with ""quotes"""` → `/dir with "quotes"`.
 *
 * @throws ProtocolError (`malformed-reply`) when there is no opening or closing quote, when the
 *   path is empty, or when it holds a control character (C0 or DEL: `257 "/\r"`, `257 "/\x03"`;
 *   curl CVE-2017-1000254).
 */
export function parsePwdReply(text: string): string {
  const body = withoutCode(text, "257");
  let i = 0;
  while (body[i] === " ") i += 1;
  if (body[i] !== '"') throw malformed("257 reply", text);
  let path = "";
  let from = i + 1;
  for (let j = from; j < body.length; j += 1) {
    const code = body.charCodeAt(j);
    if (code < 0x20 || code === 0x7f) break;
    if (code !== 0x22) continue;
    if (body[j + 1] === '"') {
      path += body.slice(from, j + 1);
      j += 1;
      from = j + 1;
      continue;
    }
    path += body.slice(from, j);
    if (path.length === 0) break;
    return path;
  }
  throw malformed("257 reply", text);
}

/**
 * Reads an RFC 3659 §2.3 `time-val` (`YYYYMMDDHHMMSS[.sss…]`, UTC) and returns the instant, or
 * `undefined` when the text is not one or names an impossible date (month 13, 30 February, hour
 * 24…). Year 1000–9999; second 60 (a leap second) is read as the next minute; fraction digits past
 * the third are dropped. Never throws.
 */
export function parseTimeVal(text: string): Date | undefined {
  // An MLSD listing gives one per entry, and entries often share one (files written together).
  if (text === lastTimeVal.text) return new Date(lastTimeVal.ms);
  // Read by character code, without slicing.
  if (text.length < 14) return undefined;
  let whole = 0;
  for (let i = 0; i < 14; i += 1) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    whole = whole * 10 + digit;
  }
  let millis = 0;
  if (text.length > 14) {
    if (text.charCodeAt(14) !== 0x2e || text.length === 15 || text.length > 15 + 64) return undefined;
    for (let i = 15; i < text.length; i += 1) {
      const digit = text.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) return undefined;
      // The first three fraction digits, as milliseconds (`.5` is 500).
      if (i < 18) millis += digit * 10 ** (17 - i);
    }
  }
  // Fourteen digits stay below 2^53: the fields are exact.
  const year = Math.floor(whole / 1e10);
  const month = Math.floor(whole / 1e8) % 100;
  const day = Math.floor(whole / 1e6) % 100;
  const hour = Math.floor(whole / 1e4) % 100;
  const minute = Math.floor(whole / 1e2) % 100;
  const second = whole % 100;
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month - 1)) {
    return undefined;
  }
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  // Year ≥ 1000, so Date.UTC's reading of years 0-99 as 19xx cannot apply.
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  lastTimeVal = { text, ms };
  return new Date(ms);
}

/** The last time-val {@link parseTimeVal} read (a new `Date` is returned each time all the same). */
let lastTimeVal: { text: string | undefined; ms: number } = { text: undefined, ms: 0 };

/** Days in a month (0-based) of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 1) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 3 || month === 5 || month === 8 || month === 10 ? 30 : 31;
}

/**
 * Parses the text of a `213` reply to MDTM (RFC 3659 §3): a `time-val` in UTC, blanks around it
 * tolerated.
 *
 * @throws ProtocolError (`malformed-reply`) when the text is not a time-val or names an impossible
 *   date (see {@link parseTimeVal}).
 */
export function parseMdtmReply(text: string): Date {
  const date = parseTimeVal(trimBlanks(withoutCode(text, "213")));
  if (date === undefined) throw malformed("MDTM reply", text);
  return date;
}

/** Options of {@link formatMdtm}. */
export interface FormatMdtmOptions {
  /** Append `.sss` when the milliseconds are not zero. Default `false` (whole seconds, as most servers expect). */
  milliseconds?: boolean;
}

/**
 * Formats `date` as an RFC 3659 `time-val` in UTC: `YYYYMMDDHHMMSS`, plus `.sss` when asked and
 * the milliseconds are not zero. Used for MDTM replies, MFMT arguments and MLSD `modify` facts.
 *
 * @throws InvalidArgumentError when `date` is invalid or its year is outside 1000–9999.
 */
export function formatMdtm(date: Date, options: FormatMdtmOptions = {}): string {
  const time = date.getTime();
  if (!Number.isFinite(time)) throw new InvalidArgumentError("cannot format an invalid date");
  const year = date.getUTCFullYear();
  if (year < 1000 || year > 9999) {
    throw new InvalidArgumentError(`year ${year} cannot be written as an RFC 3659 time-val`);
  }
  const two = (n: number): string => String(n).padStart(2, "0");
  const text =
    String(year) +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds());
  const millis = date.getUTCMilliseconds();
  return options.milliseconds === true && millis !== 0 ? `${text}.${String(millis).padStart(3, "0")}` : text;
}

/**
 * Parses the text of a `213` reply to SIZE (RFC 3659 §4): a strict decimal (blanks around it
 * tolerated) that is a non-negative safe integer.
 *
 * @throws ProtocolError (`malformed-reply`) on anything else (curl test 337:
 *   `213 file: 213, Size =51`).
 */
export function parseSizeReply(text: string): number {
  const size = decimal(trimBlanks(withoutCode(text, "213")), 16);
  if (size === undefined || !Number.isSafeInteger(size)) throw malformed("SIZE reply", text);
  return size;
}

/**
 * Reads the lines of a `211` reply to FEAT (RFC 2389 §3.2) into a map of upper-cased feature name →
 * parameters (`""` when none): ` MLST type*;size*;modify*;` → `MLST` → `type*;size*;modify*;`.
 *
 * `lines` are the reply's lines as the numeric-reply reader gives them (text after the code), or
 * the raw lines (a leading `211-`/`211 ` is dropped). The first and the last line are commentary
 * and ignored. Feature lines should begin with a space; lines that don't are read the same way
 * (some servers don't indent). Lines with control characters are skipped. A feature named twice
 * (vsftpd's `AUTH SSL` and `AUTH TLS`) keeps both parameter lists, joined by `;`. Never throws.
 */
export function parseFeatReply(lines: readonly string[]): Map<string, string> {
  const features = new Map<string, string>();
  for (let i = 1; i < lines.length - 1; i += 1) {
    const line = trimBlanks(withoutCode(lines[i]!, "211"));
    if (line.length === 0 || hasControl(line)) continue;
    const space = line.indexOf(" ");
    const name = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const params = space < 0 ? "" : trimBlanks(line.slice(space + 1));
    const before = features.get(name);
    if (before === undefined || before === "") features.set(name, params);
    else if (params !== "" && before !== params) features.set(name, `${before};${params}`);
  }
  return features;
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`not a TCP port (1–65535): ${String(port)}`);
  }
  return port;
}

/** `::ffff:1.2.3.4` (how a dual-stack socket shows an IPv4 peer) → `1.2.3.4`; else unchanged. */
function unmapIPv4(address: string): string {
  const lower = address.toLowerCase();
  if (lower.startsWith("::ffff:") && isIPv4(address.slice(7))) return address.slice(7);
  return address;
}

/**
 * Formats the argument of PORT (RFC 959 §4.1.2): `h1,h2,h3,h4,p1,p2`. `address` is IPv4 (an
 * IPv4-mapped IPv6 address such as `::ffff:127.0.0.1` is accepted and unmapped).
 *
 * @throws InvalidArgumentError when the address is not IPv4 or the port is not 1–65535.
 */
export function formatPortArgument(address: string, port: number): string {
  const host = unmapIPv4(address);
  if (!isIPv4(host)) throw new InvalidArgumentError(`PORT needs an IPv4 address: ${excerpt(address)}`);
  checkPort(port);
  return `${host.split(".").join(",")},${port >> 8},${port & 0xff}`;
}

/**
 * Formats the argument of EPRT (RFC 2428 §2): `|1|127.0.0.1|port|` or `|2|::1|port|`. An
 * IPv4-mapped IPv6 address is sent as IPv4.
 *
 * @throws InvalidArgumentError when the address is neither IPv4 nor IPv6 (an IPv6 zone such as
 *   `%eth0` means nothing to the server and is refused) or the port is not 1–65535.
 */
export function formatEprtArgument(address: string, port: number): string {
  const host = unmapIPv4(address);
  checkPort(port);
  if (isIPv4(host)) return `|1|${host}|${port}|`;
  if (isIPv6(host) && !host.includes("%")) return `|2|${host}|${port}|`;
  throw new InvalidArgumentError(`EPRT needs an IPv4 or IPv6 address: ${excerpt(address)}`);
}

/**
 * Parses the argument of a PORT command (RFC 959 §4.1.2): exactly `h1,h2,h3,h4,p1,p2` (blanks
 * around it tolerated), each number 0–255 with at most three digits, the port not 0.
 *
 * @throws ProtocolError (`malformed-reply`) on anything else.
 */
export function parsePortArgument(text: string): HostPort {
  const body = trimBlanks(text);
  const { numbers, end } = numberList(body, 0);
  const result = end === body.length ? hostPortFromSix(numbers) : undefined;
  if (result === undefined) throw malformed("PORT argument", text);
  return result;
}

/**
 * Parses the argument of an EPRT command (RFC 2428 §2): `<d><af><d><address><d><port><d>` with a
 * delimiter `d` from printable ASCII (not a digit), `af` 1 with an IPv4 address or 2 with an IPv6
 * address (no zone), and a port 1–65535.
 *
 * @throws ProtocolError `unsupported-address-family` for a well-formed argument whose family is
 *   not 1 or 2 (the server answers 522), `malformed-reply` for anything else.
 */
export function parseEprtArgument(text: string): HostPort {
  const body = trimBlanks(text);
  const d = body[0];
  if (isDelimiter(d) && body.length >= 7 && body.endsWith(d!)) {
    const parts = body.slice(1, -1).split(d!);
    if (parts.length === 3) {
      const [family, host, portText] = parts as [string, string, string];
      const port = decimal(portText, 5);
      if (port !== undefined && port >= 1 && port <= 65535 && decimal(family, 3) !== undefined) {
        if (family === "1" && isIPv4(host)) return { host, port };
        if (family === "2" && isIPv6(host) && !host.includes("%")) return { host, port };
        if (family !== "1" && family !== "2") {
          throw new ProtocolError(
            "unsupported-address-family",
            `EPRT address family ${family} is not supported`,
          );
        }
      }
    }
  }
  throw malformed("EPRT argument", text);
}
