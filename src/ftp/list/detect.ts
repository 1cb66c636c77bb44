/**
 * One LIST or MLSD line → {@link FileInfo}, whatever the server's format. LIST has no standard
 * shape (RFC 959 §4.1.3 leaves it to the server), so each line is tried as Unix `ls -l`, then
 * DOS/IIS, then EPLF; a line none of them reads becomes `type: "unknown"` with the whole line as
 * its name, for the caller to judge. Nothing here throws on a listing line.
 */
import type { FileInfo } from "../types.js";
import { parseDosLine } from "./dos.js";
import { parseEplfLine } from "./eplf.js";
import { parseMlsdLine } from "./mlsd.js";
import { parseUnixLine } from "./unix.js";

/** Options for reading LIST lines. */
export interface ListLineOptions {
  /**
   * The reference time for `Mmm dd hh:mm` dates, which carry no year (the server's "now"; LIST
   * times are read as UTC). Default: the current time.
   */
  now?: Date;
}

/** Options of {@link parseListing}. */
export interface ListingOptions extends ListLineOptions {
  /** `mlsd` for MLSD output (RFC 3659 §7), `list` (the default) for LIST output. */
  format?: "mlsd" | "list";
}

/** `total 1234` as `ls -l` prints before the entries. */
function isTotalLine(line: string): boolean {
  if (!line.startsWith("total ")) return false;
  const rest = line.slice(6).trim();
  return rest.length > 0 && /^[0-9]+$/.test(rest);
}

/**
 * Parses one LIST line (RFC 959 §4.1.3; formats: Unix `ls -l`, DOS/IIS, EPLF). One trailing CR is
 * dropped. Returns `undefined` for a blank line and for `total N`; a line of no known format
 * becomes `{ name: <the line>, type: "unknown", raw }`. `.` and `..` are returned like any entry
 * (see `isDotEntry`). Never throws.
 */
export function parseListLine(line: string, options: ListLineOptions = {}): FileInfo | undefined {
  if (line.endsWith("\r")) line = line.slice(0, -1);
  if (line.trim().length === 0 || isTotalLine(line)) return undefined;
  return (
    parseUnixLine(line, options.now ?? new Date()) ??
    parseDosLine(line) ??
    parseEplfLine(line) ?? { name: line, type: "unknown", raw: line }
  );
}

/**
 * Parses the lines of a whole listing with {@link parseMlsdLine} (`format: "mlsd"`) or
 * {@link parseListLine} (the default), dropping blank and `total` lines. One `now` is used for
 * every line. Never throws on a listing line.
 */
export function parseListing(lines: Iterable<string>, options: ListingOptions = {}): FileInfo[] {
  const out: FileInfo[] = [];
  const lineOptions: ListLineOptions = { now: options.now ?? new Date() };
  const mlsd = options.format === "mlsd";
  for (const line of lines) {
    const info = mlsd ? parseMlsdLine(line) : parseListLine(line, lineOptions);
    if (info !== undefined) out.push(info);
  }
  return out;
}
