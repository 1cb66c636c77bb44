/**
 * The server side of the `ls -l` grammar: one LIST line from a directory entry, in the shape
 * {@link parseUnixLine} reads back (the loopback server and the client share one grammar).
 */
import { InvalidArgumentError } from "../../errors.js";
import { excerpt } from "../../textproto/excerpt.js";
import type { FileInfo } from "../types.js";
import { MONTHS } from "./calendar.js";

/** What a LIST line says about an entry: a {@link FileInfo} without `raw` (which is ignored if present). */
export type ListEntry = Pick<FileInfo, "name" | "type"> &
  Partial<Pick<FileInfo, "size" | "modifiedAt" | "permissions" | "owner" | "group" | "target">> & {
    /** The link count column. Default 1. */
    links?: number;
  };

/** Options of {@link formatUnixListLine}. */
export interface FormatUnixListOptions {
  /** The reference for "recent" dates (written with a time instead of a year). Default: the current time. */
  now?: Date;
}

/**
 * How close to `now` a date must be to be written as `Mmm dd hh:mm`: a little under the parser's
 * half-year window, so that the parser always recovers the year.
 */
const RECENT_MS = 180 * 24 * 60 * 60 * 1000;

const TYPE_CHAR = { file: "-", directory: "d", symlink: "l", unknown: "?" } as const;
const DEFAULT_PERMISSIONS = {
  file: "rw-r--r--",
  directory: "rwxr-xr-x",
  symlink: "rwxrwxrwx",
  unknown: "---------",
};
const PERMISSION = /^[-rwxsStTlL?]{9}$/;

function hasLineBreak(text: string): boolean {
  return text.includes("\r") || text.includes("\n");
}

/** An owner or group column: one token of visible characters. */
function column(value: string | undefined, what: string): string {
  if (value === undefined) return "ftp";
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) {
      throw new InvalidArgumentError(
        `${what} must be one token without blanks or controls: ${excerpt(value)}`,
      );
    }
  }
  if (value.length === 0) throw new InvalidArgumentError(`${what} must not be empty`);
  return value;
}

/** `Mmm dd hh:mm` within about six months of `now`, else `Mmm dd  yyyy` (as `ls -l` in the C locale). */
function lsDate(date: Date, now: Date): string {
  const day = String(date.getUTCDate()).padStart(2, " ");
  const head = `${MONTHS[date.getUTCMonth()]} ${day}`;
  if (Math.abs(date.getTime() - now.getTime()) < RECENT_MS) {
    const hh = String(date.getUTCHours()).padStart(2, "0");
    const mm = String(date.getUTCMinutes()).padStart(2, "0");
    return `${head} ${hh}:${mm}`;
  }
  return `${head}  ${String(date.getUTCFullYear()).padStart(4, "0")}`;
}

/**
 * Formats one LIST line in the `ls -l` shape vsftpd uses, times in UTC:
 * `-rw-r--r--    1 owner    group            1234 Jan 31 12:00 name` (or `Mmm dd  yyyy` when the
 * date is more than about six months from `now`; a symlink with a `target` ends `name -> target`).
 * Defaults: owner and group `ftp`, links 1, size 0, permissions by type, date 1 January 1970.
 *
 * @throws InvalidArgumentError when the name is empty or holds CR or LF, a symlink's name would
 *   not be read back (it holds ` -> ` or ends in ` ->`), its target holds CR or LF, the owner or group is not one visible token, the
 *   permissions are not nine `ls` characters, the size or link count is not a non-negative safe
 *   integer, or the date is invalid or outside years 0–9999.
 */
export function formatUnixListLine(info: ListEntry, options: FormatUnixListOptions = {}): string {
  const { name, type } = info;
  if (name.length === 0 || hasLineBreak(name)) {
    throw new InvalidArgumentError(`a listed name must be non-empty without CR or LF: ${excerpt(name)}`);
  }
  const permissions = info.permissions ?? DEFAULT_PERMISSIONS[type];
  if (!PERMISSION.test(permissions))
    throw new InvalidArgumentError(`bad permissions: ${excerpt(permissions)}`);
  const size = info.size ?? 0;
  const links = info.links ?? 1;
  for (const [what, n] of [
    ["size", size],
    ["link count", links],
  ] as const) {
    if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`bad ${what}: ${String(n)}`);
  }
  const date = info.modifiedAt ?? new Date(0);
  const year = date.getUTCFullYear();
  if (!Number.isFinite(date.getTime()) || year < 0 || year > 9999) {
    throw new InvalidArgumentError("a listed date must be valid and within years 0–9999");
  }
  let shown = name;
  if (type === "symlink" && info.target !== undefined) {
    shown = `${name} -> ${info.target}`;
    // The parser splits at the first ` -> `: it must be the one written here.
    if (shown.indexOf(" -> ") !== name.length || hasLineBreak(info.target)) {
      throw new InvalidArgumentError(`a symlink cannot be listed unambiguously: ${excerpt(name)}`);
    }
  }
  const owner = column(info.owner, "owner").padEnd(8);
  const group = column(info.group, "group").padEnd(8);
  const now = options.now ?? new Date();
  return `${TYPE_CHAR[type]}${permissions} ${String(links).padStart(4)} ${owner} ${group} ${String(size).padStart(12)} ${lsDate(date, now)} ${shown}`;
}
