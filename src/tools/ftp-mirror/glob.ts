/**
 * A glob matcher for mirror filters: `*` (any run of characters but `/`), `?` (one character but
 * `/`), `[abc]`, `[a-z]`, `[!x]`/`[^x]` (never `/`), `**` (anything, `/` included), `**` followed by `/` (zero
 * or more whole folders) and `\` to quote the next character.
 *
 * The pattern is compiled once into tokens and matched by simulating all positions in it at once
 * (a set of states stepped per input character), so a match costs at most
 * O(path length × pattern length) time and O(pattern length) memory, with no recursion and no
 * backtracking: patterns such as `**[`, `*a*a*a*a*b` or a thousand stars cannot blow up
 * (curl CVE-2017-8817, CVE-2020-8285). Pure: no I/O.
 */
import { InvalidArgumentError } from "../../errors.js";

/** The longest pattern accepted, in UTF-16 code units. */
export const MAX_GLOB_LENGTH = 1024;

export interface GlobOptions {
  /** Compare without regard to case. Default `false`. */
  nocase?: boolean;
}

type Token =
  | { kind: "char"; char: string }
  | { kind: "any" }
  | { kind: "class"; negate: boolean; ranges: Array<[number, number]> }
  | { kind: "star" }
  | { kind: "globstar" }
  /**
   * Consumes nothing: stands before `**` and `/` so that the three may also match nothing at all
   * (`a/**` + `/b` matches `a/b`). It leads into the `**` or past the `/`.
   */
  | { kind: "folders" };

/** A compiled pattern. */
export class Glob {
  /** The pattern as given. */
  readonly pattern: string;
  private readonly tokens: readonly Token[];
  private readonly nocase: boolean;

  /** @throws InvalidArgumentError when the pattern is longer than {@link MAX_GLOB_LENGTH} or holds NUL. */
  constructor(pattern: string, options: GlobOptions = {}) {
    if (pattern.length > MAX_GLOB_LENGTH) {
      throw new InvalidArgumentError(`a glob pattern may hold at most ${MAX_GLOB_LENGTH} characters`);
    }
    if (pattern.includes("\0")) throw new InvalidArgumentError("a glob pattern cannot hold NUL");
    this.pattern = pattern;
    this.nocase = options.nocase ?? false;
    this.tokens = compile(this.nocase ? pattern.toLowerCase() : pattern);
  }

  /** Whether `text` matches the whole pattern. */
  match(text: string): boolean {
    const tokens = this.tokens;
    const size = tokens.length + 1;
    let current = new Uint8Array(size);
    let next = new Uint8Array(size);
    current[0] = 1;
    closeOver(tokens, current);
    for (const raw of this.nocase ? text.toLowerCase() : text) {
      next.fill(0);
      let alive = false;
      for (let i = 0; i < tokens.length; i += 1) {
        if (current[i] === 0) continue;
        const token = tokens[i]!;
        switch (token.kind) {
          case "star":
            if (raw !== "/") next[i] = 1;
            break;
          case "globstar":
            next[i] = 1;
            break;
          case "folders":
            break;
          case "char":
            if (raw === token.char) next[i + 1] = 1;
            break;
          case "any":
            if (raw !== "/") next[i + 1] = 1;
            break;
          case "class":
            if (raw !== "/" && inClass(token, raw, this.nocase)) next[i + 1] = 1;
            break;
        }
      }
      closeOver(tokens, next);
      for (let i = 0; i < size; i += 1) {
        if (next[i] === 1) {
          alive = true;
          break;
        }
      }
      if (!alive) return false;
      [current, next] = [next, current];
    }
    return current[tokens.length] === 1;
  }
}

/** Whether `text` matches `pattern` (compiles the pattern each time; keep a {@link Glob} for many). */
export function globMatch(pattern: string, text: string, options: GlobOptions = {}): boolean {
  return new Glob(pattern, options).match(text);
}

/** Adds the states reachable without reading a character: a star may match nothing. */
function closeOver(tokens: readonly Token[], states: Uint8Array): void {
  // Every such move goes forward, so one pass in order reaches them all.
  for (let i = 0; i < tokens.length; i += 1) {
    if (states[i] === 0) continue;
    const token = tokens[i]!;
    if (token.kind === "star" || token.kind === "globstar" || token.kind === "folders") states[i + 1] = 1;
    if (token.kind === "folders") states[i + 3] = 1;
  }
}

function inClass(token: Extract<Token, { kind: "class" }>, char: string, nocase: boolean): boolean {
  const code = char.codePointAt(0)!;
  let found = token.ranges.some(([low, high]) => code >= low && code <= high);
  if (!found && nocase) {
    const upper = char.toUpperCase().codePointAt(0)!;
    found = token.ranges.some(([low, high]) => upper >= low && upper <= high);
  }
  return found !== token.negate;
}

function compile(pattern: string): Token[] {
  const chars = Array.from(pattern);
  const tokens: Token[] = [];
  // Past the last `]` no `[` can open a class; knowing that keeps `[[[[…` linear.
  const lastClose = chars.lastIndexOf("]");
  let i = 0;
  while (i < chars.length) {
    const char = chars[i]!;
    if (char === "\\" && i + 1 < chars.length) {
      tokens.push({ kind: "char", char: chars[i + 1]! });
      i += 2;
    } else if (char === "*") {
      let end = i;
      while (end < chars.length && chars[end] === "*") end += 1;
      if (end - i === 1) tokens.push({ kind: "star" });
      else if (chars[end] === "/") {
        tokens.push({ kind: "folders" }, { kind: "globstar" }, { kind: "char", char: "/" });
        end += 1;
      } else tokens.push({ kind: "globstar" });
      i = end;
    } else if (char === "?") {
      tokens.push({ kind: "any" });
      i += 1;
    } else if (char === "[" && i < lastClose) {
      const parsed = parseClass(chars, i);
      if (parsed) {
        tokens.push(parsed.token);
        i = parsed.next;
      } else {
        tokens.push({ kind: "char", char });
        i += 1;
      }
    } else {
      tokens.push({ kind: "char", char });
      i += 1;
    }
  }
  return tokens;
}

/** Reads `[...]` starting at `start`; undefined when it never closes (then `[` is literal). */
function parseClass(chars: readonly string[], start: number): { token: Token; next: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (chars[i] === "!" || chars[i] === "^") {
    negate = true;
    i += 1;
  }
  const members: string[] = [];
  let first = true;
  for (; i < chars.length; i += 1) {
    let char = chars[i]!;
    if (char === "]" && !first) break;
    first = false;
    if (char === "\\" && i + 1 < chars.length) {
      i += 1;
      char = chars[i]!;
      members.push(`\\${char}`);
    } else {
      members.push(char);
    }
  }
  if (i >= chars.length) return undefined;
  const ranges: Array<[number, number]> = [];
  for (let m = 0; m < members.length; m += 1) {
    const low = literal(members[m]!);
    const dash = members[m + 1];
    const high = members[m + 2];
    if (dash === "-" && high !== undefined) {
      const a = low.codePointAt(0)!;
      const b = literal(high).codePointAt(0)!;
      ranges.push(a <= b ? [a, b] : [b, a]);
      m += 2;
    } else {
      const code = low.codePointAt(0)!;
      ranges.push([code, code]);
    }
  }
  return { token: { kind: "class", negate, ranges }, next: i + 1 };
}

function literal(member: string): string {
  return member.length > 1 && member.startsWith("\\") ? member.slice(1) : member;
}
