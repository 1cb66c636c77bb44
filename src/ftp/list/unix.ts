/**
 * LIST lines in the Unix `ls -l` shape, the format most FTP servers send (vsftpd, ProFTPD,
 * pure-ftpd, FileZilla Server, most NAS boxes):
 *
 *     -rw-r--r--    1 1000     1000         1234 Jan 31 12:00 file.txt
 *     drwxr-xr-x+   2 user     staff        4096 Mar  1  2020 a dir
 *     lrwxrwxrwx    1 root     root            7 Jan  1 12:00 link -> target
 *     crw-rw-rw-    1 root     root       1,   3 Jan  1  2020 null
 *     -rw-r--r--    1 user                   12 2024-01-31 12:00 no group, ISO date
 *
 * The columns between the mode and the date vary (link count, owner, group, size or
 * `major, minor`), so the parser anchors on the date and reads the rest around it. The name is
 * everything after the single blank that follows the date, so names keep their spaces, including
 * leading ones.
 */
import type { FileInfo, FileType } from "../types.js";
import { inferYear, monthIndex, utcDate } from "./calendar.js";

const TYPE_CHARS = "-bcdDlLnps?";
const PERMISSION_CHARS = "-rwxsStTlL?";
const ACL_MARKERS = "+@.";
/**
 * The shape nearly every server sends: mode, link count, owner, group, size, `Mmm dd hh:mm|yyyy`,
 * one blank, the name. One regular expression (native code) reads it; whatever it does not take
 * goes to the general tokenizer. Each field is a run of non-blanks between runs of blanks, so the
 * match is linear. The group may not end in `,` (that is a device's `major,`). The name is
 * anything (`s`: CR and LF included). Captures: owner, group, size, the date's text, the name.
 */
const COMMON_LINE =
  /^[-bcdDlLnps?][-rwxsStTlL?]{9}[+@.]?[ \t]+\d{1,10}[ \t]+([^ \t]+)[ \t]+([^ \t]*[^ \t,])[ \t]+(\d{1,15})[ \t]+([A-Za-z]{3}[ \t]+\d\d?[ \t]+(?:\d\d?:\d\d|\d{4}))[ \t](.+)$/s;

/** Tokens read after the mode: enough for links, owner, group, major, minor, three date fields and spare columns. */
const MAX_TOKENS = 16;

/** Whether `line` begins with an `ls -l` mode (`drwxr-xr-x`, optionally followed by `+`, `@` or `.`). */
export function looksLikeUnixMode(line: string): boolean {
  if (line.length < 11 || !TYPE_CHARS.includes(line[0]!)) return false;
  for (let i = 1; i < 10; i += 1) if (!PERMISSION_CHARS.includes(line[i]!)) return false;
  const next = line[10]!;
  return (
    next === " " || next === "\t" || (ACL_MARKERS.includes(next) && (line[11] === " " || line[11] === "\t"))
  );
}

function isBlankCode(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function allDigits(text: string, min: number, max: number): boolean {
  if (text.length < min || text.length > max) return false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** `h:mm` / `hh:mm` → [hour, minute], or undefined. */
function clock(text: string): [number, number] | undefined {
  const colon = text.indexOf(":");
  if (colon < 1 || colon > 2 || text.length !== colon + 3) return undefined;
  const h = text.slice(0, colon);
  const m = text.slice(colon + 1);
  if (!allDigits(h, 1, 2) || !allDigits(m, 2, 2)) return undefined;
  const hour = Number(h);
  const minute = Number(m);
  return hour <= 23 && minute <= 59 ? [hour, minute] : undefined;
}

/** `hh:mm:ss[.fraction]` (as `ls --full-time` writes) or `hh:mm` → [h, m, s, ms], or undefined. */
function longClock(text: string): [number, number, number, number] | undefined {
  const short = clock(text.slice(0, 5));
  if (short === undefined || text[2] !== ":") return undefined;
  if (text.length === 5) return [short[0], short[1], 0, 0];
  if (text[5] !== ":" || !allDigits(text.slice(6, 8), 2, 2)) return undefined;
  const second = Number(text.slice(6, 8));
  if (second > 60) return undefined;
  if (text.length === 8) return [short[0], short[1], second, 0];
  const fraction = text.slice(9);
  if (text[8] !== "." || !allDigits(fraction, 1, 9)) return undefined;
  return [short[0], short[1], second, Number(fraction.slice(0, 3).padEnd(3, "0"))];
}

function dayOfMonth(text: string): number | undefined {
  if (!allDigits(text, 1, 2)) return undefined;
  const day = Number(text);
  return day >= 1 && day <= 31 ? day : undefined;
}

/** Where the date was found: token index range and what it says. */
interface DateMatch {
  /** Index of the token after the last date token. */
  next: number;
  /** `null` when the fields have the right shape but name no real date (30 Feb). */
  date: Date | null;
}

/** Tries the three date shapes at token `m`: `Mmm dd time|year`, `dd Mmm time|year`, `yyyy-mm-dd hh:mm[:ss] [±zzzz]`. */
function matchDate(tokens: readonly string[], m: number, now: Date): DateMatch | undefined {
  const a = tokens[m]!;
  const b = tokens[m + 1];
  const c = tokens[m + 2];
  if (b === undefined) return undefined;
  // ISO: 2024-01-31 12:00
  if (a.length === 10 && a[4] === "-" && a[7] === "-") {
    const year = a.slice(0, 4);
    const month = a.slice(5, 7);
    const day = a.slice(8, 10);
    const time = longClock(b);
    if (!allDigits(year, 4, 4) || !allDigits(month, 2, 2) || !allDigits(day, 2, 2) || !time) return undefined;
    let next = m + 2;
    let offsetMinutes = 0;
    if (c !== undefined && c.length === 5 && (c[0] === "+" || c[0] === "-") && allDigits(c.slice(1), 4, 4)) {
      // A zone only counts when a name follows it.
      if (tokens[m + 3] !== undefined) {
        offsetMinutes = (c[0] === "-" ? -1 : 1) * (Number(c.slice(1, 3)) * 60 + Number(c.slice(3, 5)));
        next = m + 3;
      }
    }
    const local = utcDate(Number(year), Number(month) - 1, Number(day), time[0], time[1], time[2], time[3]);
    const date = local === undefined ? null : new Date(local.getTime() - offsetMinutes * 60_000);
    return { next, date };
  }
  if (c === undefined) return undefined;
  let month = monthIndex(a);
  let day = dayOfMonth(b);
  if (month < 0 || day === undefined) {
    month = monthIndex(b);
    day = dayOfMonth(a);
    if (month < 0 || day === undefined) return undefined;
  }
  if (allDigits(c, 4, 4)) return { next: m + 3, date: utcDate(Number(c), month, day) ?? null };
  const time = clock(c);
  if (time === undefined) return undefined;
  return { next: m + 3, date: inferYear(month, day, time[0], time[1], now) ?? null };
}

/** What precedes the date: the size, or a device's `major, minor`. */
interface SizeMatch {
  /** Index of the first size token (everything before it is links/owner/group). */
  start: number;
  size: number | undefined;
}

function matchSize(tokens: readonly string[], m: number): SizeMatch | undefined {
  if (m < 1) return undefined;
  const last = tokens[m - 1]!;
  if (allDigits(last, 1, 32)) {
    const before = m >= 2 ? tokens[m - 2]! : "";
    if (before.length > 1 && before.endsWith(",") && allDigits(before.slice(0, -1), 1, 10)) {
      return { start: m - 2, size: undefined };
    }
    const size = Number(last);
    return { start: m - 1, size: Number.isSafeInteger(size) ? size : undefined };
  }
  const comma = last.indexOf(",");
  if (comma > 0 && allDigits(last.slice(0, comma), 1, 10) && allDigits(last.slice(comma + 1), 1, 10)) {
    return { start: m - 1, size: undefined };
  }
  return undefined;
}

function typeOf(char: string): FileType {
  if (char === "-") return "file";
  if (char === "d") return "directory";
  if (char === "l") return "symlink";
  return "unknown";
}

/**
 * Parses one `ls -l` style LIST line. Returns `undefined` when the line does not have that shape
 * (so that another format can be tried), never throws.
 *
 * - Type from the mode's first character: `-` file, `d` directory, `l` symlink, anything else
 *   (devices, pipes, sockets…) `unknown`. `permissions` is the nine characters after it.
 * - The date is `Mmm dd hh:mm` (the year is inferred from `now`, see {@link inferYear}),
 *   `Mmm dd yyyy`, `dd Mmm …`, or ISO `yyyy-mm-dd hh:mm[:ss[.f]] [±zzzz]`; read as UTC. A date
 *   that does not exist leaves `modifiedAt` out.
 * - For a symlink, the name is split at the first ` -> ` into `name` and `target`.
 */
export function parseUnixLine(line: string, now: Date): FileInfo | undefined {
  return parseCommonUnixLine(line, now) ?? parseUnixLineTokens(line, now);
}

/**
 * The fast path of {@link parseUnixLine}: reads a line of the common shape (see `COMMON_LINE`)
 * whose date fields are in range, exactly as the general tokenizer would, and returns `undefined`
 * for every other line (which the tokenizer then decides). Exported for the differential test.
 */
export function parseCommonUnixLine(line: string, now: Date): FileInfo | undefined {
  const match = COMMON_LINE.exec(line);
  if (match === null) return undefined;
  const dateText = match[4]!;
  const nowMs = now.getTime();
  let ms: number | undefined;
  // The lines of a listing share a handful of dates: read each text once.
  if (dateText === lastCommonDate.text && nowMs === lastCommonDate.now) {
    ms = lastCommonDate.ms;
  } else {
    const date = commonDate(dateText, now);
    if (date === false) return undefined;
    ms = date?.getTime();
    // An invalid `now` stands for the current time, which moves: not remembered.
    if (Number.isFinite(nowMs)) lastCommonDate = { text: dateText, now: nowMs, ms };
  }
  const type = typeOf(line[0]!);
  const rawName = match[5]!;
  // The tokenizer's answer for these columns (see build): links all digits, so owner and group.
  if (type !== "symlink" && ms !== undefined) {
    // All fields at once, in build's order: one object of the final shape.
    return {
      name: rawName,
      type,
      raw: line,
      size: Number(match[3]),
      modifiedAt: new Date(ms),
      permissions: line.slice(1, 10),
      owner: match[1]!,
      group: match[2]!,
    };
  }
  const info: FileInfo = { name: rawName, type, raw: line };
  if (type === "symlink") splitLink(info, rawName);
  info.size = Number(match[3]);
  if (ms !== undefined) info.modifiedAt = new Date(ms);
  info.permissions = line.slice(1, 10);
  info.owner = match[1]!;
  info.group = match[2]!;
  return info;
}

/** The last date text {@link parseCommonUnixLine} read, with the `now` it was read against. */
let lastCommonDate: { text: string | undefined; now: number; ms: number | undefined } = {
  text: undefined,
  now: Number.NaN,
  ms: undefined,
};

/**
 * The date of `Mmm dd hh:mm|yyyy` as COMMON_LINE matched it: a Date, `undefined` for a date that
 * does not exist (the entry has no `modifiedAt`), `false` for fields out of range (the tokenizer
 * must decide the line).
 */
function commonDate(text: string, now: Date): Date | undefined | false {
  const month = monthIndex(text.slice(0, 3));
  let i = 3;
  while (isBlankCode(text.charCodeAt(i))) i += 1;
  let day = text.charCodeAt(i) - 0x30;
  i += 1;
  if (!isBlankCode(text.charCodeAt(i))) {
    day = day * 10 + text.charCodeAt(i) - 0x30;
    i += 1;
  }
  if (month < 0 || day < 1 || day > 31) return false;
  while (isBlankCode(text.charCodeAt(i))) i += 1;
  const colon = text.indexOf(":", i);
  if (colon < 0) return utcDate(Number(text.slice(i)), month, day);
  const hour = Number(text.slice(i, colon));
  const minute = Number(text.slice(colon + 1));
  if (hour > 23 || minute > 59) return false;
  return inferYear(month, day, hour, minute, now);
}

/**
 * The general path of {@link parseUnixLine}: tokenizes the line and finds the date among the
 * tokens. Exported for the differential test; same contract as {@link parseUnixLine}.
 */
export function parseUnixLineTokens(line: string, now: Date): FileInfo | undefined {
  if (!looksLikeUnixMode(line)) return undefined;
  const tokens: string[] = [];
  const ends: number[] = [];
  const length = line.length;
  let i = ACL_MARKERS.includes(line[10]!) ? 11 : 10;
  while (tokens.length < MAX_TOKENS) {
    while (i < length && isBlankCode(line.charCodeAt(i))) i += 1;
    if (i >= length) break;
    const start = i;
    while (i < length && !isBlankCode(line.charCodeAt(i))) i += 1;
    tokens.push(line.slice(start, i));
    ends.push(i);
  }
  // The usual shape has two or three columns (links, owner, group) before the size: prefer a date
  // found there, so that an owner named "may" with a group "5" is not taken for a date.
  let fallback: { size: SizeMatch; date: DateMatch } | undefined;
  let chosen: { size: SizeMatch; date: DateMatch } | undefined;
  for (let m = 1; m + 1 < tokens.length && chosen === undefined; m += 1) {
    const date = matchDate(tokens, m, now);
    if (date === undefined) continue;
    const size = matchSize(tokens, m);
    if (size === undefined) continue;
    const candidate = { size, date };
    if (size.start === 2 || size.start === 3) chosen = candidate;
    else fallback ??= candidate;
  }
  chosen ??= fallback;
  if (chosen === undefined) return undefined;
  const nameStart = ends[chosen.date.next - 1]! + 1;
  if (nameStart >= line.length) return undefined;
  return build(
    line,
    tokens.slice(0, chosen.size.start),
    chosen.size.size,
    chosen.date.date,
    line.slice(nameStart),
  );
}

function build(
  line: string,
  columns: readonly string[],
  size: number | undefined,
  date: Date | null,
  rawName: string,
): FileInfo {
  const type = typeOf(line[0]!);
  const info: FileInfo = { name: rawName, type, raw: line };
  if (type === "symlink") splitLink(info, rawName);
  if (size !== undefined) info.size = size;
  if (date !== null) info.modifiedAt = date;
  info.permissions = line.slice(1, 10);
  const people = columns.length >= 2 && allDigits(columns[0]!, 1, 10) ? columns.slice(1) : columns;
  if (people.length >= 1) info.owner = people[0]!;
  if (people.length >= 2) info.group = people.slice(1).join(" ");
  return info;
}

/** A symlink's `name -> target`, split at the first ` -> `. */
function splitLink(info: FileInfo, rawName: string): void {
  const arrow = rawName.indexOf(" -> ");
  if (arrow >= 0) {
    info.name = rawName.slice(0, arrow);
    info.target = rawName.slice(arrow + 4);
  }
}
