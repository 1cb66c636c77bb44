/**
 * RFC 2047 encoded words: decoding header text that holds `=?charset?B|Q?…?=` words, and encoding
 * non-ASCII header text into such words.
 *
 * The decoder is a forward scanner (no regular expressions), linear in the length of its input
 * even on hostile text such as a megabyte of `=?` or a hundred thousand words: each `=?` costs a
 * bounded look at the charset, and the search for the closing `?=` is shared between attempts.
 */
import { InvalidArgumentError } from "../../errors.js";
import { excerpt } from "../../textproto/excerpt.js";
import { decodeText, resolveCharset } from "../codec/charsets.js";
import type { MimeDefect } from "../types.js";

/** Options of {@link encodeHeaderText}. */
export interface EncodeHeaderTextOptions {
  /**
   * Length of the field name the text follows (`Subject` → 7). The first encoded word is then
   * kept short enough that `Name: word` fits in 78 columns. Without it, words may be 75 long.
   */
  fieldNameLength?: number;
  /**
   * The text is an RFC 5322 phrase (a display name): when it needs encoding at all, all of it is
   * encoded, and Q-encoding keeps only the characters RFC 2047 §5(3) allows in a phrase.
   */
  phrase?: boolean;
  /**
   * Encode all of the text even when it is plain ASCII: for a word too long to fold (over 998
   * octets), which only encoded words can split across lines.
   */
  force?: boolean;
}

/** The longest charset label (with its `*language`) we look at; real ones are far shorter. */
const MAX_CHARSET = 80;
/** RFC 2047 §2: an encoded word is at most 75 characters. */
const WORD_MAX = 75;
/** `=?utf-8?Q?` + `?=`. */
const WORD_OVERHEAD = 12;
/** The room one character may need: four UTF-8 bytes Q-encoded (`=XX` each). */
const MIN_WORD = WORD_OVERHEAD + 12;

interface Word {
  /** Index just after the closing `?=`. */
  end: number;
  /** The charset label, lowercased, without its `*language`. */
  charset: string;
  /** The decoded bytes (before the charset is applied). */
  bytes: Buffer;
}

/** Why a `=?…?=` sequence could not be decoded; undefined when it decoded. */
type Attempt = { word: Word } | { malformed: string; end: number } | undefined;

/**
 * Decodes the RFC 2047 encoded words in a header value (RFC 2047 §6, RFC 2231 §5 for
 * `=?charset*lang?…`). Words are recognised anywhere, also inside a run of other text (as
 * Python's `email` does); linear whitespace between two adjacent encoded words is dropped (§6.2),
 * and adjacent words of the same charset are joined as bytes before the charset is applied, so a
 * character split across two words comes out whole. Charsets are applied with `decodeText` (its
 * `unknown-charset` / `invalid-charset-bytes` defects are passed on). A word with a known shape
 * but an undecodable content (an encoding other than B or Q, bad base64, an empty charset) is
 * kept as it came, with a `malformed-encoded-word` defect. Text with no `=?…?=` shape is plain
 * text. Never throws; linear time.
 */
export function decodeEncodedWords(value: string): { text: string; defects: MimeDefect[] } {
  if (!value.includes("=?")) return { text: value, defects: [] };
  const out: string[] = [];
  const defects: MimeDefect[] = [];
  const seen = new Set<string>();
  const note = (key: string, defect: MimeDefect): void => {
    if (seen.has(key)) return;
    seen.add(key);
    defects.push(defect);
  };
  const sameCharset = charsetComparer();
  const finders = { close: new Finder(value, "?="), open: new Finder(value, "=?") };

  let runCharset: string | undefined;
  let runBytes: Buffer[] = [];
  const flush = (): void => {
    if (runCharset === undefined) return;
    const decoded = decodeText(Buffer.concat(runBytes), runCharset);
    out.push(decoded.text);
    for (const d of decoded.defects) note(`${d.kind}:${runCharset}`, d);
    runCharset = undefined;
    runBytes = [];
  };

  let textStart = 0;
  let i = 0;
  for (;;) {
    const j = value.indexOf("=?", i);
    if (j < 0) break;
    const attempt = tryWord(value, j, finders);
    if (attempt === undefined) {
      i = j + 1;
      continue;
    }
    const between = value.slice(textStart, j);
    if (!(runCharset !== undefined && "word" in attempt && isLinearWhitespace(between))) {
      flush();
      out.push(between);
    }
    if ("word" in attempt) {
      const { word } = attempt;
      if (runCharset !== undefined && !sameCharset(runCharset, word.charset)) flush();
      runCharset ??= word.charset;
      runBytes.push(word.bytes);
      textStart = i = word.end;
    } else {
      flush();
      out.push(value.slice(j, attempt.end));
      note(`malformed:${attempt.malformed}`, {
        kind: "malformed-encoded-word",
        message: `${attempt.malformed}: ${excerpt(value.slice(j, attempt.end))}`,
      });
      textStart = i = attempt.end;
    }
  }
  flush();
  out.push(value.slice(textStart));
  return { text: out.join(""), defects };
}

/**
 * Finds the next occurrence of a two-character needle, remembering the last answer: for queries
 * that never move backwards the total work is linear in the length of the value.
 */
class Finder {
  #from = -1;
  #at = -1;
  constructor(
    private readonly value: string,
    private readonly needle: string,
  ) {}

  /** The index of the first needle at or after `from`, or -1. */
  next(from: number): number {
    if (this.#from >= 0 && this.#from <= from && (this.#at < 0 || this.#at >= from)) return this.#at;
    this.#from = from;
    this.#at = this.value.indexOf(this.needle, from);
    return this.#at;
  }
}

/** Tries to read an encoded word whose `=?` is at `start`. */
function tryWord(value: string, start: number, finders: { close: Finder; open: Finder }): Attempt {
  // charset (with an optional *language): a token of bounded length up to the next "?".
  let p = start + 2;
  const limit = Math.min(value.length, p + MAX_CHARSET);
  while (p < limit && value[p] !== "?" && !isWhitespaceOrControl(value.charCodeAt(p))) p++;
  if (p >= limit || value[p] !== "?") return undefined;
  const label = value.slice(start + 2, p);
  const encoding = value[p + 1];
  if (encoding === undefined || value[p + 2] !== "?" || !/[A-Za-z]/.test(encoding)) return undefined;
  const textStart = p + 3;
  const close = finders.close.next(textStart);
  if (close < 0) return undefined;
  // Valid B or Q text never holds "=?" (but "==?=" may end a padded B word): when it does, this
  // "=?" did not open a word, and the next one may ("=?utf-8?x?junk =?utf-8?q?real?=").
  const open = finders.open.next(textStart);
  if (open >= 0 && open < close - 1) return undefined;
  const end = close + 2;
  const star = label.indexOf("*");
  const charset = (star < 0 ? label : label.slice(0, star)).toLowerCase();
  if (charset === "") return { malformed: "no charset", end };
  const text = value.slice(textStart, close);
  let bytes: Buffer | undefined;
  if (encoding === "B" || encoding === "b") bytes = decodeB(text);
  else if (encoding === "Q" || encoding === "q") bytes = decodeQ(text);
  else return { malformed: `unknown encoding "${encoding}"`, end };
  if (bytes === undefined) return { malformed: "invalid base64", end };
  return { word: { end, charset, bytes } };
}

function isWhitespaceOrControl(code: number): boolean {
  return code <= 0x20 || code === 0x7f;
}

function isLinearWhitespace(text: string): boolean {
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

/** Two labels name the same charset when TextDecoder resolves them alike (`UTF8` = `utf-8`). */
function charsetComparer(): (a: string, b: string) => boolean {
  const cache = new Map<string, string>();
  const canonical = (label: string): string => {
    let c = cache.get(label);
    if (c === undefined) cache.set(label, (c = resolveCharset(label) ?? label));
    return c;
  };
  return (a, b) => a === b || canonical(a) === canonical(b);
}

/**
 * Base64 of an encoded word: the standard alphabet, padding optional (often dropped by
 * senders), whitespace ignored. Undefined when it is not base64.
 */
function decodeB(text: string): Buffer | undefined {
  let clean = "";
  let digits = 0;
  let padding = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) continue;
    if (c === 0x3d) {
      padding++;
    } else if (
      padding === 0 &&
      ((c >= 0x41 && c <= 0x5a) ||
        (c >= 0x61 && c <= 0x7a) ||
        (c >= 0x30 && c <= 0x39) ||
        c === 0x2b ||
        c === 0x2f)
    ) {
      digits++;
    } else {
      return undefined;
    }
    clean += text[k];
  }
  if (digits % 4 === 1 || padding > 2 || (padding > 0 && (digits + padding) % 4 !== 0)) return undefined;
  return Buffer.from(clean, "base64");
}

/** The Q encoding (§4.2): `_` is a space, `=XX` a byte; anything else stands for itself. */
function decodeQ(text: string): Buffer {
  const bytes: number[] = [];
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x5f) {
      bytes.push(0x20);
    } else if (c === 0x3d && isHex(text.charCodeAt(k + 1)) && isHex(text.charCodeAt(k + 2))) {
      bytes.push(Number.parseInt(text.slice(k + 1, k + 3), 16));
      k += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // Raw non-ASCII inside a Q word (it came from an 8-bit header): keep it as UTF-8.
      const cp = text.codePointAt(k)!;
      for (const b of Buffer.from(String.fromCodePoint(cp), "utf8")) bytes.push(b);
      if (cp > 0xffff) k++;
    }
  }
  return Buffer.from(bytes);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * Encodes header text for a header field (RFC 2047 §4–§5), as UTF-8 encoded words where needed:
 *
 * - Text of printable ASCII (with spaces and tabs) is returned unchanged, unless it holds a `=?…?=`
 *   sequence a decoder would misread as an encoded word; then the words holding `=?` are encoded.
 * - Otherwise each run of words that needs encoding (non-ASCII or control characters) becomes
 *   encoded words, Q or B, whichever is shorter for the run; the other words stay as they are.
 *   With `phrase: true` (a display name) the whole text is encoded, and Q keeps only
 *   `A-Z a-z 0-9 ! * + - /` literal (§5(3)).
 * - Each word is at most 75 characters (the first one shorter when `fieldNameLength` says the
 *   field name leaves less room on the first line) and never splits a UTF-8 character.
 *
 * The result is one line: words are separated by single spaces, and {@link foldHeader} breaks
 * lines there. (Leading whitespace of a pure-ASCII text is kept, though a parser drops it.)
 *
 * @throws InvalidArgumentError when the text contains CR, LF or NUL (header injection).
 */
export function encodeHeaderText(text: string, options: EncodeHeaderTextOptions = {}): string {
  if (/[\r\n\0]/.test(text)) {
    throw new InvalidArgumentError(`header text contains CR, LF or NUL: ${excerpt(text)}`);
  }
  const firstLimit = firstWordLimit(options.fieldNameLength);
  const phrase = options.phrase === true;
  const hasEncodedLook = text.includes("=?");
  const misread = hasEncodedLook && decodeEncodedWords(text).text !== text;
  if (options.force === true) return encodeRun(text, firstLimit, phrase);
  if (!misread && isPlain(text)) return text;
  if (phrase) return encodeRun(text, firstLimit, true);

  // Split into words and the whitespace between them; encode each run of words that need it
  // (together with the whitespace inside the run, which would otherwise be dropped on decoding).
  const tokens = text.split(/([ \t]+)/);
  const needs = (word: string): boolean => !isPlain(word) || (misread && word.includes("=?"));
  const out: string[] = [];
  for (let k = 0; k < tokens.length; k += 2) {
    const word = tokens[k]!;
    if (!needs(word)) {
      out.push(word);
      if (k + 1 < tokens.length) out.push(tokens[k + 1]!);
      continue;
    }
    let last = k;
    for (let m = k + 2; m < tokens.length; m += 2) {
      if (needs(tokens[m]!)) last = m;
      else if (tokens[m] !== "") break;
    }
    const run = tokens.slice(k, last + 1).join("");
    out.push(encodeRun(run, k === 0 ? firstLimit : WORD_MAX, false));
    if (last + 1 < tokens.length) out.push(tokens[last + 1]!);
    k = last;
  }
  const result = out.join("");
  // Our words never contain "?" in their text, but a clear word before them might open a fake
  // word that our "?Q?=" closes; when the round trip fails, encode everything.
  if (hasEncodedLook && decodeEncodedWords(result).text !== text) return encodeRun(text, firstLimit, false);
  return result;
}

function firstWordLimit(fieldNameLength: number | undefined): number {
  if (fieldNameLength === undefined) return WORD_MAX;
  return Math.min(WORD_MAX, Math.max(MIN_WORD, 78 - fieldNameLength - 2));
}

/** Printable ASCII, spaces and tabs only. */
function isPlain(text: string): boolean {
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if ((c < 0x20 && c !== 0x09) || c > 0x7e) return false;
  }
  return true;
}

/** Literal in Q for a phrase (§5(3)), minus `=` and `_` which Q itself reserves. */
function qLiteralPhrase(b: number): boolean {
  return (
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    (b >= 0x30 && b <= 0x39) ||
    b === 0x21 ||
    b === 0x2a ||
    b === 0x2b ||
    b === 0x2d ||
    b === 0x2f
  );
}

/** Literal in Q for unstructured text (§5(1)): printable ASCII but `=`, `?`, `_`. */
function qLiteralText(b: number): boolean {
  return b > 0x20 && b < 0x7f && b !== 0x3d && b !== 0x3f && b !== 0x5f;
}

const HEX = "0123456789ABCDEF";

/** Encodes all of `run` as UTF-8 encoded words separated by single spaces. */
function encodeRun(run: string, firstLimit: number, phrase: boolean): string {
  const bytes = Buffer.from(run, "utf8");
  const literal = phrase ? qLiteralPhrase : qLiteralText;
  const qSize = (b: number): number => (literal(b) || b === 0x20 ? 1 : 3);
  let qTotal = 0;
  for (const b of bytes) qTotal += qSize(b);
  const useQ = qTotal <= Math.ceil(bytes.length / 3) * 4;
  const words: string[] = [];
  let limit = firstLimit - WORD_OVERHEAD;
  let wordStart = 0;
  let size = 0;
  let k = 0;
  while (k < bytes.length) {
    const n = utf8Length(bytes, k);
    const charEnd = Math.min(bytes.length, k + n);
    let grown: number;
    if (useQ) {
      grown = size;
      for (let m = k; m < charEnd; m++) grown += qSize(bytes[m]!);
    } else {
      grown = Math.ceil((charEnd - wordStart) / 3) * 4;
    }
    if (grown > limit && k > wordStart) {
      words.push(encodeWord(bytes.subarray(wordStart, k), useQ, literal));
      limit = WORD_MAX - WORD_OVERHEAD;
      wordStart = k;
      size = 0;
      continue;
    }
    size = grown;
    k = charEnd;
  }
  if (k > wordStart || words.length === 0)
    words.push(encodeWord(bytes.subarray(wordStart, k), useQ, literal));
  return words.join(" ");
}

/** The length of the UTF-8 sequence led by `bytes[k]` (1 for a stray continuation byte). */
function utf8Length(bytes: Buffer, k: number): number {
  const b = bytes[k]!;
  if (b >= 0xf0) return 4;
  if (b >= 0xe0) return 3;
  if (b >= 0xc0) return 2;
  return 1;
}

function encodeWord(bytes: Buffer, useQ: boolean, literal: (b: number) => boolean): string {
  if (!useQ) return `=?utf-8?B?${bytes.toString("base64")}?=`;
  let q = "";
  for (const b of bytes) {
    if (b === 0x20) q += "_";
    else if (literal(b)) q += String.fromCharCode(b);
    else q += `=${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return `=?utf-8?Q?${q}?=`;
}
