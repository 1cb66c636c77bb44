/**
 * LIST lines in the MS-DOS shape that IIS (and Windows `dir`) sends:
 *
 *     01-31-24  12:00PM       <DIR>          name
 *     01-31-2024  02:15PM                1,234 report 2024.txt
 *     2024-01-31  14:15              1234 name          (24-hour clock, ISO date)
 *     01/31/2024  12:00 PM    <SYMLINKD>     link [target]
 *
 * Dates are month-day-year (day-month-year when the first field cannot be a month), two-digit
 * years 70–99 are 19xx and 00–69 are 20xx; times are read as UTC.
 */
import type { FileInfo } from "../types.js";
import { utcDate } from "./calendar.js";

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= "0" && char <= "9";
}

function isBlank(char: string | undefined): boolean {
  return char === " " || char === "\t";
}

/** A run of 1..max digits starting at `i`: [value, end] or undefined. */
function number(text: string, i: number, max: number): [number, number] | undefined {
  let end = i;
  while (end - i < max && isDigit(text[end])) end += 1;
  if (end === i || isDigit(text[end])) return undefined;
  return [Number(text.slice(i, end)), end];
}

interface Cursor {
  at: number;
}

/** `mm-dd-yy[yy]`, `mm/dd/yyyy`, `mm.dd.yy` or `yyyy-mm-dd` at the cursor → [year, month0, day]. */
function readDate(line: string, cursor: Cursor): [number, number, number] | undefined {
  const a = number(line, cursor.at, 4);
  if (a === undefined) return undefined;
  const sep = line[a[1]];
  if (sep !== "-" && sep !== "/" && sep !== ".") return undefined;
  const b = number(line, a[1] + 1, 2);
  if (b === undefined || line[b[1]] !== sep) return undefined;
  const c = number(line, b[1] + 1, 4);
  if (c === undefined) return undefined;
  const aLen = a[1] - cursor.at;
  const cLen = c[1] - (b[1] + 1);
  cursor.at = c[1];
  if (aLen === 4) return cLen <= 2 ? [a[0], b[0] - 1, c[0]] : undefined;
  if (aLen > 2 || (cLen !== 2 && cLen !== 4)) return undefined;
  const year = cLen === 4 ? c[0] : c[0] < 70 ? 2000 + c[0] : 1900 + c[0];
  // Month first, as IIS writes it; day first when the first field is no month.
  return a[0] > 12 && b[0] <= 12 ? [year, b[0] - 1, a[0]] : [year, a[0] - 1, b[0]];
}

/** `hh:mm`, optionally `AM`/`PM` right after or after one blank → [hour, minute] or undefined. */
function readTime(line: string, cursor: Cursor): [number, number] | undefined {
  const h = number(line, cursor.at, 2);
  if (h === undefined || line[h[1]] !== ":") return undefined;
  const m = number(line, h[1] + 1, 2);
  if (m === undefined || m[1] - h[1] !== 3) return undefined;
  let hour = h[0];
  const minute = m[0];
  let at = m[1];
  const suffixAt = line[at] === " " ? at + 1 : at;
  const suffix = line.slice(suffixAt, suffixAt + 2).toUpperCase();
  if ((suffix === "AM" || suffix === "PM") && (suffixAt + 2 === line.length || isBlank(line[suffixAt + 2]))) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (suffix === "PM" ? 12 : 0);
    at = suffixAt + 2;
  }
  if (hour > 23 || minute > 59) return undefined;
  cursor.at = at;
  return [hour, minute];
}

function skipBlanks(line: string, cursor: Cursor): number {
  const from = cursor.at;
  while (isBlank(line[cursor.at])) cursor.at += 1;
  return cursor.at - from;
}

/**
 * Parses one DOS/IIS LIST line. Returns `undefined` when the line does not have that shape (so
 * that another format can be tried); never throws. `<DIR>` gives a directory, a size (digits,
 * `,` as thousands separator allowed) a file, `<SYMLINK>`/`<SYMLINKD>`/`<JUNCTION>` a symlink whose
 * `[target]` is split off the name. An impossible date leaves `modifiedAt` out.
 */
export function parseDosLine(line: string): FileInfo | undefined {
  if (!isDigit(line[0])) return undefined;
  const cursor: Cursor = { at: 0 };
  const day = readDate(line, cursor);
  if (day === undefined || skipBlanks(line, cursor) === 0) return undefined;
  const time = readTime(line, cursor);
  if (time === undefined || skipBlanks(line, cursor) === 0) return undefined;
  let tokenEnd = cursor.at;
  while (tokenEnd < line.length && !isBlank(line[tokenEnd])) tokenEnd += 1;
  const token = line.slice(cursor.at, tokenEnd);
  const info: FileInfo = { name: "", type: "file", raw: line };
  let nameStart: number;
  if (token.startsWith("<") && token.endsWith(">")) {
    const tag = token.toUpperCase();
    if (tag === "<DIR>") info.type = "directory";
    else if (tag === "<SYMLINK>" || tag === "<SYMLINKD>" || tag === "<JUNCTION>") info.type = "symlink";
    else return undefined;
    cursor.at = tokenEnd;
    skipBlanks(line, cursor);
    nameStart = cursor.at;
  } else {
    if (!isDigit(token[0]) || !/^[0-9,]+$/.test(token)) return undefined;
    const size = Number(token.replaceAll(",", ""));
    if (Number.isSafeInteger(size)) info.size = size;
    // A size is right-aligned and followed by exactly one blank: the name may begin with blanks.
    nameStart = tokenEnd + 1;
  }
  if (nameStart >= line.length) return undefined;
  info.name = line.slice(nameStart);
  if (info.type === "symlink" && info.name.endsWith("]")) {
    const open = info.name.lastIndexOf(" [");
    if (open > 0) {
      info.target = info.name.slice(open + 2, -1);
      info.name = info.name.slice(0, open);
    }
  }
  const date = utcDate(day[0], day[1], day[2], time[0], time[1]);
  if (date !== undefined) info.modifiedAt = date;
  return info;
}
