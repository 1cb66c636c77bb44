/**
 * Writing header fields: unstructured text made 7-bit with RFC 2047 encoded words (or kept as
 * UTF-8 under SMTPUTF8, RFC 6532), parameterized values, and a header block serialized with each
 * field folded to 78 columns where possible and never past 998 (RFC 5322 §2.1.1, §2.2.3).
 */
import { encodeHeaderText, foldHeader, formatParameterized } from "../header/index.js";
import type { HeaderField } from "../types.js";
import { checkHeaderText } from "./validate.js";

const CRLF = "\r\n";

/** True when every character is printable ASCII, SPACE or TAB. */
export function isPlainAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e || (c < 0x20 && c !== 0x09)) return false;
  }
  return true;
}

/** Removes folding (CRLF before WSP) from a value a formatter may have folded already. */
export function unfold(value: string): string {
  return value.includes("\r") || value.includes("\n") ? value.replace(/\r?\n(?=[ \t])/g, "") : value;
}

/**
 * An unstructured header value (Subject, an extra field) from caller text: checked for control
 * characters, then made 7-bit with RFC 2047 encoded words where needed (the header codec also
 * encodes plain words that a decoder would misread as encoded words). With `smtputf8`, UTF-8
 * goes out as it is, unless the text holds `=?` (then the codec protects it the same way).
 * Returns the unfolded value without leading whitespace. Throws `InvalidArgumentError` (CR/LF/NUL…).
 */
export function unstructuredValue(text: string, fieldName: string, smtputf8: boolean, what: string): string {
  // Leading whitespace is dropped by every reader (RFC 5322 §2.2: it is not part of the value
  // once unfolded), and kept it would only be a place where no fold can go.
  text = checkHeaderText(text, what).replace(/^[ \t]+/, "");
  // A word too long for any line (998 octets with the field name) cannot be folded: the whole
  // text then goes out as encoded words, which fold anywhere (as Python's email does).
  if (hasUnfoldableWord(text, fieldName.length)) {
    return unfold(encodeHeaderText(text, { fieldNameLength: fieldName.length, force: true }));
  }
  if (smtputf8 && !text.includes("=?")) return text;
  return unfold(encodeHeaderText(text, { fieldNameLength: fieldName.length }));
}

/** Longest line RFC 5322 §2.1.1 allows, without its CRLF. */
const MAX_LINE = 998;

/** Whether a run of non-blanks in `text` is too long to fit on one line after `Name: ` or a fold. */
function hasUnfoldableWord(text: string, fieldNameLength: number): boolean {
  const room = MAX_LINE - fieldNameLength - 2;
  if (Buffer.byteLength(text) <= room) return false;
  for (const word of text.split(/[ \t]+/)) if (Buffer.byteLength(word) > room) return true;
  return false;
}

/** `type/subtype; name=value…` with quoting or RFC 2231 encoding as each value needs. */
export function parameterized(value: string, params: Record<string, string>): string {
  return unfold(formatParameterized(value, params));
}

/**
 * A header block as bytes: each field folded, each line ending CRLF, then the empty line.
 * Throws `InvalidArgumentError` when a field cannot be written (the folder refuses it).
 */
export function serializeFields(fields: readonly HeaderField[]): Buffer {
  let text = "";
  for (const field of fields) text += foldHeader(field.name, field.value) + CRLF;
  return Buffer.from(text + CRLF, "utf8");
}
