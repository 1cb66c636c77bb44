/**
 * The checks every caller-given value passes before it can reach a header: no CR, LF or NUL
 * (header injection: CVE-2021-23400, CPython CVE-2024-6923), no other control character, field
 * names made of RFC 5322 ftext, message ids and content ids that stay one token, media types
 * that are `type/subtype`. Each failure is an {@link InvalidArgumentError} naming the field.
 */
import { InvalidArgumentError } from "../../errors.js";

/** Escapes control characters so an error message can quote a hostile value safely. */
function excerpt(value: string): string {
  const short = value.length > 60 ? `${value.slice(0, 60)}…` : value;
  return JSON.stringify(short).replace(/\x7f/g, "\\u007f");
}

/**
 * Refuses a value bound for a header that holds CR, LF or NUL, or any other C0 control
 * character except TAB, or DEL (RFC 5322 §2.2: field bodies are printable characters and WSP).
 * Returns the value. Throws {@link InvalidArgumentError} naming `what`.
 */
export function checkHeaderText(value: string, what: string): string {
  if (typeof value !== "string") throw new InvalidArgumentError(`${what} must be a string`);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) {
      const kind = c === 0x0d ? "CR" : c === 0x0a ? "LF" : c === 0 ? "NUL" : "a control character";
      throw new InvalidArgumentError(`${what} must not contain ${kind}: ${excerpt(value)}`);
    }
  }
  return value;
}

/**
 * Checks a header field name: one or more printable ASCII characters other than `:` (RFC 5322
 * §2.2 ftext). Returns it. Throws {@link InvalidArgumentError}.
 */
export function checkFieldName(name: string): string {
  if (typeof name !== "string" || name.length === 0) {
    throw new InvalidArgumentError("a header field name must be a non-empty string");
  }
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126 || c === 58) {
      throw new InvalidArgumentError(`invalid header field name ${excerpt(name)} (RFC 5322 §2.2 ftext)`);
    }
  }
  return name;
}

/**
 * A message id or content id given with or without its angle brackets, returned without them.
 * It must be one token: printable ASCII (or, with `utf8`, non-ASCII too) without space, `<`, `>`
 * or `"`, as RFC 5322 §3.6.4 msg-id allows. Throws {@link InvalidArgumentError}.
 */
export function checkMessageId(value: string, what: string, utf8 = false): string {
  checkHeaderText(value, what);
  let id = value.trim();
  if (id.startsWith("<") && id.endsWith(">")) id = id.slice(1, -1);
  if (id.length === 0) throw new InvalidArgumentError(`${what} must not be empty`);
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    const ok = (c > 32 && c < 127 && c !== 60 && c !== 62 && c !== 34) || (utf8 && c > 127);
    if (!ok) throw new InvalidArgumentError(`${what} is not a valid id: ${excerpt(value)}`);
  }
  return id;
}

/** RFC 2045 §5.1 token characters: printable ASCII except SPACE and tspecials. */
function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c >= 127 || '()<>@,;:\\"/[]?='.includes(text[i]!)) return false;
  }
  return true;
}

/**
 * Splits a caller-given media type such as `text/csv; charset=utf-8` into the lowercased
 * `type/subtype` and the raw parameter text after the first `;` (empty when none). Throws
 * {@link InvalidArgumentError} when it is not `token/token`.
 */
export function checkMediaType(value: string, what: string): { type: string; paramText: string } {
  checkHeaderText(value, what);
  const semicolon = value.indexOf(";");
  const type = (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  const slash = type.indexOf("/");
  if (slash < 0 || !isToken(type.slice(0, slash)) || !isToken(type.slice(slash + 1))) {
    throw new InvalidArgumentError(`${what} is not a media type (type/subtype): ${excerpt(value)}`);
  }
  return { type, paramText: semicolon < 0 ? "" : value.slice(semicolon + 1) };
}

/**
 * A file name for Content-Disposition: control characters refused, any directory part (up to
 * the last `/` or `\`) removed so the recipient's client is never told a path (§4E M5).
 * Throws {@link InvalidArgumentError} when nothing is left.
 */
export function checkFilename(value: string, what: string): string {
  checkHeaderText(value, what);
  const base = value.slice(Math.max(value.lastIndexOf("/"), value.lastIndexOf("\\")) + 1).trim();
  if (base.length === 0 || base === "." || base === "..") {
    throw new InvalidArgumentError(`${what} has no file name: ${excerpt(value)}`);
  }
  return base;
}

/** Header fields the builder writes itself; a caller may not add them through `headers`. */
export const RESERVED_FIELDS: ReadonlySet<string> = new Set([
  "from",
  "to",
  "cc",
  "bcc",
  "reply-to",
  "subject",
  "date",
  "message-id",
  "in-reply-to",
  "references",
  "mime-version",
]);

/** Whether a caller-given header field name is one the builder owns (also every `Content-*`). */
export function isReservedField(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_FIELDS.has(lower) || lower.startsWith("content-");
}
