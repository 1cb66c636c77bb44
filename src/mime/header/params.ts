/**
 * Parameterized header values — `Content-Type` (RFC 2045 §5.1) and `Content-Disposition`
 * (RFC 2183) — with RFC 2231 parameter value continuations, charsets and languages.
 *
 * The parser is a forward scanner that never throws and never goes back: every loop consumes at
 * least one character, so an unterminated quote or comment simply ends at the end of the value
 * (CPython once looped forever on a stray quote, bpo-37461).
 */
import { excerpt } from "../../textproto/excerpt.js";
import { decodeText } from "../codec/charsets.js";
import type { MimeDefect, ParameterizedValue } from "../types.js";
import { decodeEncodedWords } from "./encoded-words.js";
import { isToken, readComment, readQuoted, readToken, skipCfws } from "./scan.js";

export { formatParameterized } from "./params-format.js";

/** The RFC 2231 pieces of one parameter, keyed by section number (-1: the unnumbered `name*`). */
interface Extended {
  sections: Map<number, { text: string; encoded: boolean }>;
}

/** Parameters we never RFC 2047-decode: a boundary is compared byte for byte. */
const RAW_PARAMS = new Set(["boundary"]);

/**
 * Parses `type/subtype; name=value; …` (or `attachment; filename=…`). The value is lowercased and
 * stripped of comments; parameter names are lowercased; values are unquoted (only `\"` and `\\`
 * are unescaped, so an unescaped Windows path survives). Tolerated, each with a defect where
 * the input breaks a rule: comments anywhere, missing or repeated semicolons, a parameter
 * without a value (dropped, `malformed-parameter`), duplicates (the first wins,
 * `malformed-parameter`), unquoted values with spaces, unterminated quotes. RFC 2231: `name*`
 * with `charset'language'%XX` and `name*0`, `name*1*`… continuations in any order are joined
 * and decoded with `decodeText` (a gap or a bad `%` escape is a `malformed-parameter`); an
 * RFC 2231 value wins over a plain one of the same name. RFC 2047 words inside a plain value
 * (common in `name="=?utf-8?…?="`) are decoded, except in `boundary`.
 *
 * It does not judge the main value: use {@link parseContentType} for that. Never throws.
 */
export function parseParameterized(value: string): { value: ParameterizedValue; defects: MimeDefect[] } {
  const defects: MimeDefect[] = [];
  const malformed = (message: string): void => {
    if (defects.length < 20) defects.push({ kind: "malformed-parameter", message });
  };
  const plain = new Map<string, string>();
  const extended = new Map<string, Extended>();

  let i = skipCfws(value, 0);
  // The main value: one token (`type/subtype` may have whitespace around its "/"), or a quoted
  // string from a broken mailer.
  let main = "";
  const start = i;
  let mainEnd = i;
  if (value[i] === '"') {
    const q = readQuoted(value, i);
    main = q.text.trim();
    mainEnd = q.end;
    i = skipCfws(value, q.end);
  } else {
    const t = readToken(value, i);
    main = t.text;
    mainEnd = t.end;
    i = skipCfws(value, t.end);
    while (i < value.length && (value[i] === "/" || main.endsWith("/"))) {
      const more = readToken(value, i);
      if (more.text === "") break;
      main += more.text;
      mainEnd = more.end;
      i = skipCfws(value, more.end);
    }
  }
  if (main !== "" && value[i] === "=") {
    // `Content-Disposition: filename=a.pdf`: there is no value, only parameters.
    malformed(`missing value before parameter: ${excerpt(value)}`);
    main = "";
    i = start;
  } else if (i < value.length && value[i] !== ";") {
    if (looksLikeParameter(value, i)) {
      malformed(`missing ";" before parameter: ${excerpt(value.slice(i))}`);
    } else {
      const next = value.indexOf(";", i);
      const junk = value.slice(i, next < 0 ? undefined : next);
      malformed(`unexpected text after the value: ${excerpt(junk)}`);
      // Glued to the value (`text/pl@in`), it is part of a bad value; after a space, noise.
      if (i === mainEnd) main += junk.trimEnd();
      i = next < 0 ? value.length : next;
    }
  }

  while (i < value.length) {
    if (value[i] === ";") {
      i = skipCfws(value, i + 1);
      continue;
    }
    const name = readToken(value, i);
    if (name.text === "") {
      // Nothing a name can start with: skip to the next ";".
      const next = value.indexOf(";", i);
      malformed(`unexpected text: ${excerpt(value.slice(i, next < 0 ? undefined : next))}`);
      i = next < 0 ? value.length : next;
      continue;
    }
    i = skipCfws(value, name.end);
    if (value[i] !== "=") {
      malformed(`parameter without a value: ${excerpt(name.text)}`);
      continue;
    }
    i = skipCfws(value, i + 1);
    const read = readValue(value, i);
    i = read.end;
    if (read.junk) malformed(`text after a quoted value: ${excerpt(value.slice(read.junkStart, i))}`);
    addParameter(name.text.toLowerCase(), read.text, plain, extended, malformed);
    i = skipCfws(value, i);
    if (i < value.length && value[i] !== ";")
      malformed(`missing ";" before parameter: ${excerpt(value.slice(i))}`);
  }

  const params: Record<string, string> = {};
  for (const [name, text] of plain) {
    if (RAW_PARAMS.has(name) || !text.includes("=?")) {
      setParam(params, name, text);
      continue;
    }
    const decoded = decodeEncodedWords(text);
    setParam(params, name, decoded.text);
    defects.push(...decoded.defects);
  }
  for (const [name, ext] of extended) {
    const joined = joinExtended(name, ext, malformed);
    setParam(params, name, joined.text);
    defects.push(...joined.defects);
  }
  return { value: { value: main.toLowerCase(), params }, defects };
}

/** Sets an own property, even for a hostile name such as `__proto__`. */
function setParam(params: Record<string, string>, name: string, value: string): void {
  Object.defineProperty(params, name, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * {@link parseParameterized} for a `Content-Type`: when the value is not `type/subtype` made of
 * RFC 2045 tokens, a `malformed-content-type` defect is added and `valid` is false (the caller
 * then uses the default type, RFC 2045 §5.2; the parameters are still returned, as Python keeps
 * them). Never throws.
 */
export function parseContentType(value: string): {
  value: ParameterizedValue;
  defects: MimeDefect[];
  valid: boolean;
} {
  const result = parseParameterized(value);
  const type = result.value.value;
  const slash = type.indexOf("/");
  const valid =
    slash > 0 && slash < type.length - 1 && isToken(type.slice(0, slash)) && isToken(type.slice(slash + 1));
  if (!valid)
    result.defects.unshift({
      kind: "malformed-content-type",
      message: `not a media type: ${excerpt(value)}`,
    });
  return { ...result, valid };
}

/** After a token and whitespace: does `name=` follow (a parameter whose ";" is missing)? */
function looksLikeParameter(value: string, i: number): boolean {
  const t = readToken(value, i);
  return t.text !== "" && value[skipCfws(value, t.end)] === "=";
}

/**
 * A parameter value: a quoted string, or a token, or (tolerated) several tokens separated by
 * whitespace up to the next `;` or `name=` (`filename=my file.pdf`).
 */
function readValue(
  value: string,
  i: number,
): { text: string; end: number; junk: boolean; junkStart: number } {
  if (value[i] === '"') {
    const q = readQuoted(value, i);
    const after = skipCfws(value, q.end);
    if (after >= value.length || value[after] === ";" || looksLikeParameter(value, after)) {
      return { text: q.text, end: after, junk: false, junkStart: after };
    }
    // `filename="a"b.txt"`: keep what was quoted, skip the rest of the parameter.
    const next = value.indexOf(";", after);
    const end = next < 0 ? value.length : next;
    return { text: q.text, end, junk: true, junkStart: after };
  }
  let text = "";
  let end = i;
  for (;;) {
    const t = readValueRun(value, end);
    if (t.text === "") break;
    text += t.text;
    end = t.end;
    let after = end;
    let gap = "";
    while (after < value.length) {
      const c = value.charCodeAt(after);
      if (c === 0x28) after = readComment(value, after);
      else if (c === 0x20 || c === 0x09) gap += value[after++];
      else if (c === 0x0d || c === 0x0a) after++;
      else break;
    }
    if (after >= value.length || value[after] === ";" || looksLikeParameter(value, after)) {
      end = after;
      break;
    }
    text += gap;
    end = after;
  }
  return { text, end, junk: false, junkStart: end };
}

/** An unquoted value run: anything but whitespace, `;` and `(` (lenient: `=?…?=`, `/`, `@` pass). */
function readValueRun(value: string, i: number): { text: string; end: number } {
  let k = i;
  while (k < value.length) {
    const c = value.charCodeAt(k);
    if (c === 0x3b || c === 0x28 || c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) break;
    k++;
  }
  return { text: value.slice(i, k), end: k };
}

function addParameter(
  name: string,
  text: string,
  plain: Map<string, string>,
  extended: Map<string, Extended>,
  malformed: (message: string) => void,
): void {
  const star = name.indexOf("*");
  if (star < 0) {
    if (plain.has(name)) malformed(`duplicate parameter "${excerpt(name)}" (the first is kept)`);
    else plain.set(name, text);
    return;
  }
  const base = name.slice(0, star);
  const rest = name.slice(star + 1);
  // name* | name*N | name*N*
  let section = -1;
  let encoded = false;
  if (rest === "") {
    encoded = true;
  } else {
    const m = /^(\d{1,4})(\*?)$/.exec(rest);
    if (m === null || base === "") {
      malformed(`bad RFC 2231 parameter name "${excerpt(name)}"`);
      return;
    }
    section = Number(m[1]);
    encoded = m[2] === "*";
  }
  // (A quoted extended value is not RFC 2231, but mailers send it: the text inside is used.)
  let ext = extended.get(base);
  if (ext === undefined) extended.set(base, (ext = { sections: new Map() }));
  if (ext.sections.has(section)) {
    malformed(`duplicate parameter "${excerpt(name)}" (the first is kept)`);
    return;
  }
  ext.sections.set(section, { text, encoded });
}

/** Joins RFC 2231 sections (§3, §4) and applies the charset of the first one. */
function joinExtended(
  name: string,
  ext: Extended,
  malformed: (message: string) => void,
): { text: string; defects: MimeDefect[] } {
  let order = [...ext.sections.keys()].sort((a, b) => a - b);
  if (order[0] === -1 && order.length > 1) {
    // Both `name*` and `name*0…`: keep the unnumbered one.
    malformed(`parameter "${excerpt(name)}" given both whole and in sections`);
    order = [-1];
  }
  const numbered = order[0] !== -1;
  if (numbered && order.some((n, k) => n !== k))
    malformed(`parameter "${excerpt(name)}" has missing sections`);
  let charset: string | undefined;
  const bytes: Buffer[] = [];
  order.forEach((n, k) => {
    const section = ext.sections.get(n)!;
    let text = section.text;
    if (section.encoded && k === 0 && n <= 0) {
      const q1 = text.indexOf("'");
      const q2 = q1 < 0 ? -1 : text.indexOf("'", q1 + 1);
      if (q2 < 0) {
        malformed(`RFC 2231 value of "${excerpt(name)}" without charset'language'`);
      } else {
        charset = text.slice(0, q1).trim() || undefined;
        text = text.slice(q2 + 1);
      }
    }
    bytes.push(section.encoded ? percentDecode(text, name, malformed) : Buffer.from(text, "utf8"));
  });
  return decodeText(Buffer.concat(bytes), charset);
}

function percentDecode(text: string, name: string, malformed: (message: string) => void): Buffer {
  if (!text.includes("%")) return Buffer.from(text, "utf8");
  const out: number[] = [];
  let bad = false;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x25 && /^[0-9A-Fa-f]{2}$/.test(text.slice(k + 1, k + 3))) {
      out.push(Number.parseInt(text.slice(k + 1, k + 3), 16));
      k += 2;
      continue;
    }
    if (c === 0x25) bad = true;
    if (c < 0x80) out.push(c);
    else for (const b of Buffer.from(String.fromCodePoint(text.codePointAt(k)!), "utf8")) out.push(b);
    if (c >= 0xd800 && c <= 0xdbff) k++;
  }
  if (bad) malformed(`bad "%" escape in parameter "${excerpt(name)}"`);
  return Buffer.from(out);
}
