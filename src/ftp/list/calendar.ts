/**
 * Dates as LIST lines write them: English month abbreviations, `Mmm dd hh:mm` without a year, and
 * the rule that recovers the year. LIST times carry no zone; they are read as UTC.
 */
import { daysInMonth } from "../replies.js";

/** English month abbreviations as `ls` (in the C locale) writes them. */
export const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
] as const;

/** Six months, roughly: how far from "now" a date written without a year can be. */
export const HALF_YEAR_MS = 183 * 24 * 60 * 60 * 1000;

/** `MONTHS` lower-cased, one number per month: its three character codes. */
const MONTH_KEYS: readonly number[] = MONTHS.map(
  (month) => (month.charCodeAt(0) << 16) | (month.charCodeAt(1) << 8) | month.charCodeAt(2) | 0x202020,
);

/** An ASCII capital's lower-case code; any other code unchanged. */
function lowerAscii(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code | 0x20 : code;
}

/** The 0-based month of a three-letter English abbreviation (any case), or -1. */
export function monthIndex(token: string): number {
  if (token.length !== 3) return -1;
  const a = token.charCodeAt(0);
  const b = token.charCodeAt(1);
  const c = token.charCodeAt(2);
  // Folded by character code, not by a lower-cased copy per call. No non-ASCII character
  // lower-cases to a letter of a month name (the Kelvin sign, the only one that reaches ASCII,
  // becomes `k`), so anything outside ASCII is simply no month.
  if ((a | b | c) > 0x7f) return -1;
  return MONTH_KEYS.indexOf((lowerAscii(a) << 16) | (lowerAscii(b) << 8) | lowerAscii(c));
}

/**
 * The UTC instant of a calendar date and time, or `undefined` when the date does not exist
 * (30 February, day 0…) or a field is out of range.
 */
export function utcDate(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  millis = 0,
): Date | undefined {
  const ms = utcMillis(year, month, day, hour, minute, second, millis);
  return ms === undefined ? undefined : new Date(ms);
}

/** {@link utcDate} as milliseconds since the epoch, with no `Date` made on the way. */
function utcMillis(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
): number | undefined {
  if (!Number.isInteger(year) || year < 0 || year > 9999 || month < 0 || month > 11) return undefined;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return undefined;
  if (year >= 100) return Date.UTC(year, month, day, hour, minute, second, millis);
  // Date.UTC reads years 0-99 as 1900-1999; setUTCFullYear takes them as they are.
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime();
}

/** One number for integer fields in range (distinct fields, distinct numbers), or -1. */
function fieldsKey(month: number, day: number, hour: number, minute: number): number {
  if (!(month >= 0 && month <= 11 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23)) return -1;
  if (!(minute >= 0 && minute <= 59)) return -1;
  // In range, `| 0` changes only a fraction.
  if ((month | 0) !== month || (day | 0) !== day || (hour | 0) !== hour || (minute | 0) !== minute) return -1;
  return ((month * 32 + day) * 24 + hour) * 60 + minute;
}

/** The last answer of {@link inferYear}: a listing's lines mostly share a handful of dates. */
let lastInference = { now: Number.NaN, key: -1, ms: undefined as number | undefined };

/**
 * The date of `Mmm dd hh:mm` (no year): the most recent year that puts it no more than about six
 * months after `now`. `ls` and FTP servers write the time instead of the year for recent files, and
 * the server's clock and zone may run ahead of ours, so the window reaches into the future.
 * Returns `undefined` when no year within nine of now's fits (30 February).
 */
export function inferYear(
  month: number,
  day: number,
  hour: number,
  minute: number,
  now: Date,
): Date | undefined {
  const nowMs = now.getTime();
  const key = fieldsKey(month, day, hour, minute);
  if (key >= 0 && key === lastInference.key && nowMs === lastInference.now) {
    const ms = lastInference.ms;
    return ms === undefined ? undefined : new Date(ms);
  }
  const reference = Number.isFinite(nowMs) ? now : new Date();
  const limit = reference.getTime() + HALF_YEAR_MS;
  const thisYear = reference.getUTCFullYear();
  let found: number | undefined;
  // 29 February may have to go back up to eight years (1896 → 1904 skips 1900).
  for (let year = thisYear + 1; year >= thisYear - 8; year -= 1) {
    const ms = utcMillis(year, month, day, hour, minute, 0, 0);
    if (ms !== undefined && ms <= limit) {
      found = ms;
      break;
    }
  }
  // Only a valid `now` is remembered: an invalid one stands for the current time, which moves.
  if (key >= 0 && Number.isFinite(nowMs)) lastInference = { now: nowMs, key, ms: found };
  return found === undefined ? undefined : new Date(found);
}
