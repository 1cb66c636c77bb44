/**
 * The shell's command-line syntax: words separated by blanks, `'single quotes'` (everything
 * literal), `"double quotes"` (where `\"` and `\\` are escapes) and `\` outside quotes (the next
 * character literal), the subset of sh that /bin/ftp and ncftp users type for names with spaces.
 * A line whose first non-blank character is `#` is a comment (for scripts). Pure: no I/O.
 */
import { InvalidArgumentError } from "../../../../errors.js";

/** One word of a line: its value (quotes and escapes removed) and where its raw text lies. */
export interface Word {
  value: string;
  /** Offset of the word's first raw character in the line. */
  start: number;
  /** Offset just past its last raw character. */
  end: number;
}

/** A line split into words. */
export interface SplitLine {
  words: Word[];
  /** The quote still open at the end of the line (a partial word being typed), if any. */
  openQuote: '"' | "'" | undefined;
  /** The line ends in blanks (or is empty): the next word has not been started. */
  endsBetweenWords: boolean;
}

const BLANK = /[ \t]/;

/**
 * Splits `line` into words, leniently: an unterminated quote or a trailing `\` ends the last word
 * (reported through `openQuote`), which is what completion needs while a word is being typed.
 * A comment line yields no words. Never throws.
 */
export function splitWords(line: string): SplitLine {
  const words: Word[] = [];
  if (/^[ \t]*#/.test(line)) return { words, openQuote: undefined, endsBetweenWords: true };
  let i = 0;
  let openQuote: '"' | "'" | undefined;
  while (i < line.length) {
    while (i < line.length && BLANK.test(line[i]!)) i += 1;
    if (i >= line.length) break;
    const start = i;
    let value = "";
    openQuote = undefined;
    while (i < line.length && !BLANK.test(line[i]!)) {
      const char = line[i]!;
      if (char === "'" || char === '"') {
        const close = line.indexOf(char, i + 1);
        if (char === "'") {
          const end = close === -1 ? line.length : close;
          value += line.slice(i + 1, end);
          i = close === -1 ? end : end + 1;
          if (close === -1) openQuote = "'";
        } else {
          i += 1;
          let closed = false;
          while (i < line.length) {
            const inner = line[i]!;
            if (inner === '"') {
              closed = true;
              i += 1;
              break;
            }
            if (inner === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) {
              value += line[i + 1];
              i += 2;
            } else {
              value += inner;
              i += 1;
            }
          }
          if (!closed) openQuote = '"';
        }
      } else if (char === "\\") {
        if (i + 1 < line.length) value += line[i + 1];
        i += 2;
      } else {
        value += char;
        i += 1;
      }
    }
    words.push({ value, start, end: Math.min(i, line.length) });
  }
  const last = line[line.length - 1];
  const endsBetweenWords =
    words.length === 0 ||
    (openQuote === undefined && last !== undefined && BLANK.test(last) && !escapedAtEnd(line));
  return { words, openQuote, endsBetweenWords };
}

/** Whether the blank ending `line` is escaped by a backslash (`a\ `: still inside the word). */
function escapedAtEnd(line: string): boolean {
  let slashes = 0;
  for (let i = line.length - 2; i >= 0 && line[i] === "\\"; i -= 1) slashes += 1;
  return slashes % 2 === 1;
}

/**
 * Splits a command line strictly into word values, for running it.
 *
 * @throws {InvalidArgumentError} for an unterminated quote or a trailing `\`.
 */
export function parseWords(line: string): string[] {
  const split = splitWords(line);
  if (split.openQuote) throw new InvalidArgumentError(`unterminated ${split.openQuote} quote`);
  if (escapedTrailingBackslash(line)) throw new InvalidArgumentError("a line cannot end with '\\'");
  return split.words.map((word) => word.value);
}

function escapedTrailingBackslash(line: string): boolean {
  if (!line.endsWith("\\") || /^[ \t]*#/.test(line)) return false;
  // Inside single quotes a backslash is literal, so only count when no quote is open.
  let slashes = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === "\\"; i -= 1) slashes += 1;
  return slashes % 2 === 1 && splitWords(line).openQuote === undefined;
}

/** Characters that need no quoting in a word. */
const PLAIN = /^[A-Za-z0-9_.,:@%+=~/-]+$/;

/**
 * `value` written so that {@link parseWords} reads it back as one word: as it is when it holds
 * only plain characters, else in single quotes (a `'` inside becomes `'\''`). The empty string
 * is `''`.
 */
export function quoteWord(value: string): string {
  if (PLAIN.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Escapes `text` for insertion into a word being typed: inside `"…"` only `"` and `\` are
 * escaped, inside `'…'` a `'` closes, escapes and reopens, and outside quotes every character
 * that is not plain gets a `\`. Used by completion to extend what the user typed.
 */
export function escapeInWord(text: string, quote: '"' | "'" | undefined): string {
  if (quote === '"') return text.replace(/["\\]/g, "\\$&");
  if (quote === "'") return text.replaceAll("'", `'\\''`);
  let out = "";
  for (const char of text) out += /[A-Za-z0-9_.,:@%+=~/-]/.test(char) ? char : `\\${char}`;
  return out;
}
