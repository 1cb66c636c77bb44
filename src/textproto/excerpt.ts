/**
 * Short, terminal-safe excerpts of what a peer sent, for error messages.
 *
 * A hostile peer chooses these bytes, and error messages end up on terminals and in logs, so the
 * excerpt is bounded and every control character is escaped (an escape sequence in a reply must
 * not be able to repaint the user's terminal).
 */

/** Default length of an excerpt, in characters. */
export const EXCERPT_LENGTH = 60;

const ELLIPSIS = "…";

/**
 * Decodes `bytes` as UTF-8 (invalid bytes become U+FFFD) and returns at most `max` characters of
 * it, with C0 controls, DEL and C1 controls escaped (`\r`, `\n`, `\t`, `\xHH`, `\u0085`), the
 * backslash doubled, and `…` as the last character when something was cut. Never throws.
 */
export function excerpt(bytes: Buffer | string, max = EXCERPT_LENGTH): string {
  // Decode no more than 4 bytes per character we may show: the excerpt stays cheap even when the
  // line is huge. (Every character, including U+FFFD for an invalid byte, takes at most 4 bytes, so
  // a truncated input always yields more than `max` characters and gets its ellipsis.)
  const window = max * 4;
  const truncated = bytes.length > window;
  const text =
    typeof bytes === "string" ? bytes.slice(0, window) : bytes.subarray(0, window).toString("utf8");
  const pieces: string[] = [];
  let length = 0;
  for (const char of text) {
    const piece = escapeChar(char);
    pieces.push(piece);
    length += piece.length;
    if (length > max) break;
  }
  if (length <= max && !truncated) return pieces.join("");
  let out = "";
  for (const piece of pieces) {
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}${ELLIPSIS}`;
}

function escapeChar(char: string): string {
  const code = char.codePointAt(0)!;
  if (char === "\\") return "\\\\";
  if (code === 0x0d) return "\\r";
  if (code === 0x0a) return "\\n";
  if (code === 0x09) return "\\t";
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, "0")}`;
  if (code >= 0x80 && code <= 0x9f) return `\\u${code.toString(16).padStart(4, "0")}`;
  return char;
}
