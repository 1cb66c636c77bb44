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

/** The 0-based month of a three-letter English abbreviation (any case), or -1. */
export function monthIndex(token: string): number {
  if (token.length !== 3) return -1;
  const lower = token.toLowerCase();
  for (let i = 0; i < 12; i += 1) if (MONTHS[i]!.toLowerCase() === lower) return i;
  return -1;
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
  if (!Number.isInteger(year) || year < 0 || year > 9999 || month < 0 || month > 11) return undefined;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, millis);
  return date;
}

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
  const reference = Number.isFinite(nowMs) ? now : new Date();
  const limit = reference.getTime() + HALF_YEAR_MS;
  const thisYear = reference.getUTCFullYear();
  // 29 February may have to go back up to eight years (1896 → 1904 skips 1900).
  for (let year = thisYear + 1; year >= thisYear - 8; year -= 1) {
    const date = utcDate(year, month, day, hour, minute);
    if (date !== undefined && date.getTime() <= limit) return date;
  }
  return undefined;
}
