/**
 * Dates in mail headers: RFC 5322 §3.3 `date-time`, with the obsolete forms of §4.3 and the
 * common deviations Python's `email.utils.parsedate_tz` accepts.
 */
import { InvalidArgumentError } from "../../errors.js";
import { readComment } from "./scan.js";

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const FULL_MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** Named zones of RFC 5322 §4.3 (and `UTC`), in minutes east of UTC. */
const ZONES: Record<string, number> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  // Not in RFC 5322, but Python knows it.
  AST: -240,
  ADT: -180,
};

/** A month name (`Jan`, `january`, any case) → 1..12; undefined for anything else. */
function monthOf(token: string): number | undefined {
  const t = token.toLowerCase();
  let k = MONTHS.indexOf(t);
  if (k < 0) k = FULL_MONTHS.indexOf(t);
  return k < 0 ? undefined : k + 1;
}

function isDigits(text: string, min: number, max: number): boolean {
  return text.length >= min && text.length <= max && /^[0-9]+$/.test(text);
}

/**
 * The offset of a zone token in minutes east of UTC: `+hhmm`/`-hhmm`, a named zone of §4.3, or
 * a military letter (§4.3 says to read those as `-0000`, i.e. UTC with no known local offset).
 * Undefined when the token is not a zone.
 */
function zoneOf(token: string): number | undefined {
  if (/^[+-][0-9]{4}$/.test(token)) {
    const hours = Number(token.slice(1, 3));
    const minutes = Number(token.slice(3, 5));
    if (minutes > 59) return undefined;
    return (token[0] === "-" ? -1 : 1) * (hours * 60 + minutes);
  }
  const upper = token.toUpperCase();
  if (upper in ZONES) return ZONES[upper];
  if (/^[A-IK-Z]$/.test(upper)) return 0;
  return undefined;
}

/**
 * Parses an RFC 5322 date (§3.3) into a Date, or returns undefined when it is not one (never
 * throws). Accepted beyond the strict grammar: comments and any whitespace; a missing or wrong
 * day of week (it is ignored); missing seconds; fractional seconds; two-digit years (§4.3:
 * 00–49 → 20xx, 50–99 → 19xx) and three-digit years (+1900); the month before the day
 * (`Jan 02 2006`); the time before the year (asctime: `Mon Jan  2 15:04:05 2006`); `dd-Mon-yy`
 * (RFC 850); `.` between time fields; the zone glued to the time; named zones (`UT`, `GMT`,
 * `EST`/`EDT`, `CST`/`CDT`, `MST`/`MDT`, `PST`/`PDT`) and military letters (read as `-0000`,
 * per §4.3). A missing or unknown zone is taken as UTC (as `-0000`). Fields out of range
 * (day 31 in April, hour 24, …) give undefined; a leap second (`:60`) is accepted.
 */
export function parseDate(value: string): Date | undefined {
  if (value.length > 1000) return undefined;
  const tokens = tokenize(value);
  // Day of week (also glued: "Mon,2 Jan"): drop a leading word that is not a month.
  if (tokens.length > 0 && /^[A-Za-z]+$/.test(tokens[0]!) && monthOf(tokens[0]!) === undefined) {
    const day = tokens[0]!.toLowerCase().slice(0, 3);
    if (!DAYS.includes(day)) return undefined;
    tokens.shift();
  }
  if (tokens.length >= 1 && /^[0-9]{1,2}-[A-Za-z]+-[0-9]{2,4}$/.test(tokens[0]!)) {
    tokens.splice(0, 1, ...tokens[0]!.split("-"));
  }
  if (tokens.length < 4) return undefined;
  let [dd, mm, yy, tm] = tokens as [string, string, string, string];
  let rest = tokens.slice(4);
  if (monthOf(mm) === undefined && monthOf(dd) !== undefined) [dd, mm] = [mm, dd];
  if (yy.includes(":")) [yy, tm] = [tm, yy];
  const month = monthOf(mm);
  if (month === undefined || !isDigits(dd, 1, 2) || !isDigits(yy, 1, 4)) return undefined;

  // The zone may be glued to the time ("10:00:00+0100").
  const glued = /^([0-9:.]+)([+-][0-9]{4})$/.exec(tm);
  if (glued !== null) {
    tm = glued[1]!;
    rest = [glued[2]!, ...rest];
  }
  const time = parseTime(tm);
  if (time === undefined) return undefined;

  let year = Number(yy);
  if (yy.length <= 2) year += year < 50 ? 2000 : 1900;
  else if (yy.length === 3) year += 1900;
  const day = Number(dd);
  if (day < 1 || day > daysIn(year, month)) return undefined;

  const zone = rest.length > 0 ? (zoneOf(rest[0]!) ?? 0) : 0;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(time.hours, time.minutes, time.seconds, 0);
  return new Date(date.getTime() - zone * 60_000);
}

/** Splits on whitespace and commas, with comments removed. */
function tokenize(value: string): string[] {
  const tokens: string[] = [];
  let current = "";
  for (let i = 0; i < value.length; ) {
    const c = value[i]!;
    if (c === "(") {
      i = readComment(value, i);
      if (current !== "") tokens.push(current);
      current = "";
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\n" || c === ",") {
      if (current !== "") tokens.push(current);
      current = "";
    } else {
      current += c;
    }
    i++;
  }
  if (current !== "") tokens.push(current);
  return tokens;
}

/** `hh:mm[:ss[.fff]]` (or with `.` between the fields); undefined when out of range. */
function parseTime(text: string): { hours: number; minutes: number; seconds: number } | undefined {
  let parts = text.split(":");
  if (parts.length === 1) parts = text.split(".");
  else if (parts.length === 3 && /^[0-9]{1,2}\.[0-9]+$/.test(parts[2]!)) parts[2] = parts[2]!.split(".")[0]!;
  if (parts.length < 2 || parts.length > 3) return undefined;
  if (!parts.every((p) => isDigits(p, 1, 2))) return undefined;
  const [hours, minutes, seconds = 0] = parts.map(Number) as [number, number, number?];
  if (hours > 23 || minutes > 59 || seconds > 60) return undefined;
  return { hours, minutes, seconds };
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Formats a Date as an RFC 5322 §3.3 date-time in UTC: `Thu, 01 Jan 1970 00:00:00 +0000`.
 *
 * @throws InvalidArgumentError for an invalid Date, or a year outside 1900–9999 (§3.3 wants
 *   four digits and 1900 or later).
 */
export function formatDate(date: Date): string {
  const t = date.getTime();
  if (Number.isNaN(t)) throw new InvalidArgumentError("invalid Date");
  const year = date.getUTCFullYear();
  if (year < 1900 || year > 9999)
    throw new InvalidArgumentError(`year ${year} cannot be written in a mail date`);
  const two = (n: number): string => String(n).padStart(2, "0");
  return (
    `${DAY_NAMES[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTH_NAMES[date.getUTCMonth()]} ${year} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}
