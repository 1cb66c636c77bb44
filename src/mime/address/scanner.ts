/**
 * The lexer of RFC 5322 §3.2 address syntax: atoms, quoted strings, domain literals, the
 * specials the address grammar uses, with comments and folding whitespace skipped.
 *
 * Every character of the input is looked at a bounded number of times (no regular expressions,
 * no backtracking, no recursion): comments nest with an explicit depth counter. Anything that
 * cannot be read one single way throws `InvalidArgumentError` at once — an unbalanced quote,
 * bracket or parenthesis, a backslash outside a quoted string or comment, CR, LF, NUL or any
 * other control character — because guessing is what produced the parser differentials of
 * CVE-2019-16056 and CVE-2023-27043.
 */
import { InvalidArgumentError } from "../../errors.js";
import { excerpt } from "../../textproto/excerpt.js";

/** What a {@link Token} is. */
export type TokenType = "atom" | "qstring" | "dlit" | "." | "@" | "<" | ">" | "," | ";" | ":" | "end";

/** One lexical unit. */
export interface Token {
  type: TokenType;
  /**
   * The atom as written; the quoted string's content with its quoted-pairs resolved; the domain
   * literal as written including its brackets (inner whitespace removed); `""` for specials.
   */
  text: string;
  /** True when whitespace or a comment came right before this token. */
  space: boolean;
  /** Offset of the token's first character in the input. */
  pos: number;
}

/** Deepest comment nesting accepted; deeper is refused rather than counted forever. */
export const MAX_COMMENT_DEPTH = 64;

/** RFC 5322 §3.2.3 atext (ASCII part): the characters an atom is made of. */
const ATEXT = new Uint8Array(128);
for (const c of "!#$%&'*+-/=?^_`{|}~") ATEXT[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) ATEXT[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) ATEXT[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) ATEXT[c] = 1;

/** True for a code unit that can be part of an atom (RFC 5322 atext, RFC 6532 UTF8-non-ascii). */
export function isAtext(code: number): boolean {
  return code < 128 ? ATEXT[code] === 1 : code >= 0xa0;
}

/** Throws the lexer's error: the reason, where it happened, and an escaped excerpt. */
export function fail(reason: string, input: string, pos: number): never {
  const start = Math.max(0, pos - 20);
  throw new InvalidArgumentError(
    `invalid address: ${reason} at offset ${pos}: "${excerpt(input.slice(start, pos + 40))}"`,
  );
}

/**
 * Checks the character at `pos` for the rules that hold everywhere: no C0 control but TAB, no
 * DEL, no C1 control, no lone surrogate. Returns how many code units it takes (1 or 2).
 */
function checkChar(input: string, pos: number): number {
  const code = input.charCodeAt(pos);
  if (code < 0x20) {
    if (code === 0x09) return 1;
    const name = code === 0x0d ? "CR" : code === 0x0a ? "LF" : code === 0 ? "NUL" : "control character";
    fail(`${name} is not allowed`, input, pos);
  }
  if (code < 0x7f) return 1;
  if (code <= 0x9f) fail("control character is not allowed", input, pos);
  if (code >= 0xd800 && code <= 0xdfff) {
    const next = input.charCodeAt(pos + 1);
    if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) return 2;
    fail("lone surrogate", input, pos);
  }
  return 1;
}

/** A pull lexer over one string with one token of lookahead. */
export class Scanner {
  private pos = 0;
  private ahead: Token | undefined;

  constructor(readonly input: string) {}

  /** The next token, without consuming it. */
  peek(): Token {
    this.ahead ??= this.read();
    return this.ahead;
  }

  /** The next token, consumed. */
  next(): Token {
    const token = this.peek();
    this.ahead = undefined;
    return token;
  }

  /** Throws an `InvalidArgumentError` about `token`. */
  fail(reason: string, token: Token): never {
    fail(reason, this.input, token.pos);
  }

  private read(): Token {
    const space = this.skipCfws();
    const input = this.input;
    const pos = this.pos;
    if (pos >= input.length) return { type: "end", text: "", space, pos };
    const c = input[pos]!;
    switch (c) {
      case ".":
      case "@":
      case "<":
      case ">":
      case ",":
      case ";":
      case ":":
        this.pos++;
        return { type: c, text: "", space, pos };
      case '"':
        return { type: "qstring", text: this.quoted(), space, pos };
      case "[":
        return { type: "dlit", text: this.literal(), space, pos };
      case ")":
        return fail("unbalanced ')'", input, pos);
      case "]":
        return fail("unbalanced ']'", input, pos);
      case "\\":
        return fail("backslash outside a quoted string", input, pos);
    }
    let end = pos;
    while (end < input.length && isAtext(input.charCodeAt(end))) end += checkChar(input, end);
    if (end === pos) {
      checkChar(input, pos);
      fail(`unexpected ${JSON.stringify(c)}`, input, pos);
    }
    this.pos = end;
    return { type: "atom", text: input.slice(pos, end), space, pos };
  }

  /** Skips whitespace and comments (RFC 5322 §3.2.2 CFWS); true when there was any. */
  private skipCfws(): boolean {
    const input = this.input;
    const start = this.pos;
    let pos = start;
    while (pos < input.length) {
      const code = input.charCodeAt(pos);
      if (code === 0x20 || code === 0x09) {
        pos++;
        continue;
      }
      if (code !== 0x28) break;
      // A comment: nesting counted, never recursed into.
      const open = pos;
      let depth = 1;
      pos++;
      while (depth > 0) {
        if (pos >= input.length) fail("unclosed comment", input, open);
        const inner = input.charCodeAt(pos);
        if (inner === 0x5c) {
          pos++;
          if (pos >= input.length) fail("unclosed comment", input, open);
          pos += checkChar(input, pos);
          continue;
        }
        if (inner === 0x28 && ++depth > MAX_COMMENT_DEPTH) fail("comments nested too deeply", input, pos);
        if (inner === 0x29) depth--;
        pos += checkChar(input, pos);
      }
    }
    this.pos = pos;
    return pos > start;
  }

  /** Reads a quoted string (RFC 5322 §3.2.4) starting at its `"`; returns its content. */
  private quoted(): string {
    const input = this.input;
    const open = this.pos;
    let pos = open + 1;
    let out = "";
    let run = pos;
    for (;;) {
      if (pos >= input.length) fail("unclosed quoted string", input, open);
      const code = input.charCodeAt(pos);
      if (code === 0x22) break;
      if (code === 0x5c) {
        out += input.slice(run, pos);
        pos++;
        if (pos >= input.length) fail("unclosed quoted string", input, open);
        run = pos;
      }
      pos += checkChar(input, pos);
    }
    out += input.slice(run, pos);
    this.pos = pos + 1;
    return out;
  }

  /** Reads a domain literal (RFC 5322 §3.4.1) starting at its `[`; returns it with brackets, spaces removed. */
  private literal(): string {
    const input = this.input;
    const open = this.pos;
    let pos = open + 1;
    let out = "[";
    for (;;) {
      if (pos >= input.length) fail("unclosed domain literal", input, open);
      const code = input.charCodeAt(pos);
      if (code === 0x5d) break;
      if (code === 0x5b || code === 0x5c)
        fail(`unexpected ${JSON.stringify(input[pos])} in domain literal`, input, pos);
      const width = checkChar(input, pos);
      if (code !== 0x20 && code !== 0x09) out += input.slice(pos, pos + width);
      pos += width;
    }
    this.pos = pos + 1;
    return `${out}]`;
  }
}
