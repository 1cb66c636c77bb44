/**
 * EPLF, the Easily Parsed LIST Format (D. J. Bernstein, https://cr.yp.to/ftp/list/eplf.html):
 * `+` then comma-separated facts, a TAB, and the name:
 *
 *     +i8388621.29609,m824255902,/,\tdev
 *     +i8388621.44468,m839956783,r,s10376,up644,\tRFCEPLF
 *
 * Facts: `r` (retrievable: a file), `/` (a directory), `s<size>`, `m<seconds since 1970, UTC>`,
 * `i<identifier>`, `up<octal mode>`. Unknown facts are ignored, as the format asks.
 */
import type { FileInfo } from "../types.js";
import { modeToPermissions, parseOctalMode } from "./mode.js";

function digits(text: string): number | undefined {
  if (text.length === 0 || text.length > 16) return undefined;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Parses one EPLF line. Returns `undefined` when the line is not EPLF (no leading `+`, no TAB, or
 * an empty name) so that another format can be tried; never throws. Type `directory` for `/`,
 * `file` for `r`, else `unknown`.
 */
export function parseEplfLine(line: string): FileInfo | undefined {
  if (line[0] !== "+") return undefined;
  const tab = line.indexOf("\t");
  if (tab < 0 || tab === line.length - 1) return undefined;
  const info: FileInfo = { name: line.slice(tab + 1), type: "unknown", raw: line };
  let directory = false;
  let retrievable = false;
  for (const fact of line.slice(1, tab).split(",")) {
    const key = fact[0];
    if (key === "/") directory = true;
    else if (key === "r") retrievable = true;
    else if (key === "s") {
      const size = digits(fact.slice(1));
      if (size !== undefined) info.size = size;
    } else if (key === "m") {
      const seconds = digits(fact.slice(1));
      const date = seconds === undefined ? undefined : new Date(seconds * 1000);
      if (date !== undefined && Number.isFinite(date.getTime())) info.modifiedAt = date;
    } else if (key === "u" && fact[1] === "p") {
      const mode = parseOctalMode(fact.slice(2));
      if (mode !== undefined) info.permissions = modeToPermissions(mode);
    }
  }
  info.type = directory ? "directory" : retrievable ? "file" : "unknown";
  return info;
}
