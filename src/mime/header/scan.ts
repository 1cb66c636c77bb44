/**
 * Small forward scanners shared by the structured-header parsers of this folder (parameters,
 * message ids, dates): comments, quoted strings and tokens per RFC 5322 §3.2 and RFC 2045 §5.1,
 * and the RFC 2045 token / RFC 2231 attribute-char classes.
 * Each returns an index past what it read and never looks back, so callers stay linear; an
 * unterminated comment or quoted string ends at the end of the text. Internal to header/.
 */

/** Whitespace for our purposes: SP, HTAB, and CR/LF left by a caller that did not unfold. */
export function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** Skips whitespace and comments from `i`; returns the index of the next other character. */
export function skipCfws(value: string, i: number): number {
  while (i < value.length) {
    const c = value.charCodeAt(i);
    if (isWhitespace(c)) i++;
    else if (c === 0x28) i = readComment(value, i);
    else break;
  }
  return i;
}

/** `value[i]` is `(`: returns the index after the matching `)` (nesting and `\` escapes honoured). */
export function readComment(value: string, i: number): number {
  let depth = 0;
  while (i < value.length) {
    const c = value.charCodeAt(i);
    if (c === 0x5c) {
      i += 2;
      continue;
    }
    i++;
    if (c === 0x28) depth++;
    else if (c === 0x29 && --depth === 0) return i;
  }
  return value.length;
}

/**
 * `value[i]` is `"`: returns the quoted text and the index after the closing quote. Only `\"`
 * and `\\` are unescaped: mailers put unescaped Windows paths in quotes (`"C:\dir\a.txt"`), and
 * Python's `email.utils.unquote` keeps them too.
 */
export function readQuoted(value: string, i: number): { text: string; end: number } {
  let text = "";
  let k = i + 1;
  let from = k;
  while (k < value.length) {
    const c = value.charCodeAt(k);
    if (c === 0x22) {
      return { text: text + value.slice(from, k), end: k + 1 };
    }
    if (c === 0x5c && (value[k + 1] === '"' || value[k + 1] === "\\")) {
      text += value.slice(from, k);
      from = k + 1;
      k += 2;
      continue;
    }
    k++;
  }
  return { text: text + value.slice(from), end: value.length };
}

/** RFC 2045 token characters plus `/` (so `text/plain` is one token) and any non-ASCII. */
function isTokenChar(c: number): boolean {
  if (c <= 0x20 || c === 0x7f) return false;
  switch (c) {
    case 0x28: // (
    case 0x29: // )
    case 0x3c: // <
    case 0x3e: // >
    case 0x40: // @
    case 0x2c: // ,
    case 0x3b: // ;
    case 0x3a: // :
    case 0x5c: // \
    case 0x22: // "
    case 0x5b: // [
    case 0x5d: // ]
    case 0x3f: // ?
    case 0x3d: // =
      return false;
    default:
      return true;
  }
}

/** Reads a run of token characters from `i` (possibly empty). */
export function readToken(value: string, i: number): { text: string; end: number } {
  let k = i;
  while (k < value.length && isTokenChar(value.charCodeAt(k))) k++;
  return { text: value.slice(i, k), end: k };
}

/** RFC 2045 token characters, strictly: printable ASCII but SPACE and tspecials. */
export function isStrictTokenChar(c: number): boolean {
  return c > 0x20 && c < 0x7f && !'()<>@,;:\\"/[]?='.includes(String.fromCharCode(c));
}

/** True when `text` is a non-empty RFC 2045 token. */
export function isToken(text: string): boolean {
  if (text === "") return false;
  for (let k = 0; k < text.length; k++) if (!isStrictTokenChar(text.charCodeAt(k))) return false;
  return true;
}

/** RFC 2231 attribute-char: a token character but `*`, `'` and `%`. */
export function isAttributeChar(c: number): boolean {
  return isStrictTokenChar(c) && c !== 0x2a && c !== 0x27 && c !== 0x25;
}
