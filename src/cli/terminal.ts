/**
 * Making remote text safe to show on a terminal. A server's words, a message echoed back, a file
 * or group name: any of them may carry escape sequences that move the cursor, rewrite earlier
 * lines or set the window title (scp CVE-2019-6109, git CVE-2024-52005), or bidi and invisible
 * characters that make text read differently than it is (`invoice\u202Egpj.exe`).
 *
 * Everything remote passes through {@link sanitize} before it is printed.
 */

export interface SanitizeOptions {
  /** Keep TAB as it is (default true: it cannot move the cursor up or sideways backwards). */
  keepTab?: boolean;
  /** Keep LF as it is (default false: one remote line stays one printed line). */
  keepNewline?: boolean;
}

/** Names shown for the invisible characters that change how text reads. */
const INVISIBLE_NAMES: Readonly<Record<number, string>> = {
  1564: "ALM",
  6158: "MVS",
  8203: "ZWSP",
  8204: "ZWNJ",
  8205: "ZWJ",
  8206: "LRM",
  8207: "RLM",
  8232: "LSEP",
  8233: "PSEP",
  8234: "LRE",
  8235: "RLE",
  8236: "PDF",
  8237: "LRO",
  8238: "RLO",
  8288: "WJ",
  8294: "LRI",
  8295: "RLI",
  8296: "FSI",
  8297: "PDI",
  65279: "BOM",
};

/**
 * C0 controls, DEL, C1 controls; bidi embeddings, overrides and isolates; zero-width and other
 * invisible format characters; line and paragraph separators.
 */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

/**
 * Returns `text` with every character that could change the terminal or hide what the text says
 * made visible:
 * - C0 controls and DEL in caret notation (`ESC` → `^[`, CR → `^M`, DEL → `^?`);
 * - C1 controls (U+0080–U+009F) as `\x9b`-style escapes (a lone `\x9b` is CSI on many terminals);
 * - bidi controls (U+202A–U+202E, U+2066–U+2069, LRM, RLM, ALM) and zero-width or invisible
 *   characters (ZWSP, ZWNJ, ZWJ, WJ, BOM…) as a named marker like `⟨RLO⟩`, or `⟨U+2061⟩`.
 * TAB is kept unless `keepTab` is false; LF is escaped unless `keepNewline` is true.
 */
export function sanitize(text: string, options: SanitizeOptions = {}): string {
  const keepTab = options.keepTab ?? true;
  const keepNewline = options.keepNewline ?? false;
  return text.replace(UNSAFE, (char) => {
    const code = char.charCodeAt(0);
    if (code === 0x09 && keepTab) return char;
    if (code === 0x0a && keepNewline) return char;
    if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
    if (code === 0x7f) return "^?";
    if (code < 0xa0) return `\\x${code.toString(16)}`;
    const name = INVISIBLE_NAMES[code];
    return name ? `⟨${name}⟩` : `⟨U+${code.toString(16).toUpperCase().padStart(4, "0")}⟩`;
  });
}

/** Shortens `text` to at most `max` characters (the last one an ellipsis), for log lines. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - 1);
  // Never split a surrogate pair: half of one prints as a replacement character.
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}
