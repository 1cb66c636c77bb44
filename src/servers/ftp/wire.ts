/**
 * The server side's small wire helpers that `src/ftp/` does not hold: the MLSD/MLST fact line from
 * a store entry (formatted by `src/ftp/list/mlsd.ts`), the FEAT MLST line, OPTS MLST, and address
 * normalization.
 */
import { isIPv4 } from "node:net";
import { formatMlsdLine, type MlsdEntry } from "../../ftp/list/mlsd.js";
import { modeToPermissions } from "../../ftp/list/mode.js";
import type { StoreStat } from "./store.js";

/** The facts this server knows, in the order it writes them (RFC 3659 §7.5). */
export const MLST_FACTS = ["type", "size", "modify", "perm", "unix.mode"] as const;
export type MlstFact = (typeof MLST_FACTS)[number];

/** What the facts of an entry say about permissions: writable (the user may change it) or not. */
export interface FactOptions {
  writable: boolean;
  /** The facts to write (OPTS MLST); default all. */
  facts?: ReadonlySet<MlstFact>;
}

/** `perm` (RFC 3659 §7.5.5): files a(ppend) d(elete) f(rename) r(etrieve) w(rite); folders c d e f l m p. */
function permFact(stat: StoreStat, writable: boolean): string {
  if (stat.type === "directory") return writable ? "cdeflmp" : "el";
  if (stat.type === "symlink") return writable ? "df" : "";
  return writable ? "adfrw" : "r";
}

/**
 * One MLSD line, or the fact line of an MLST reply when `name` is a path (RFC 3659 §7.2):
 * `type=file;size=12;modify=20260101120000;perm=adfrw;UNIX.mode=0644; name`, with only the facts
 * OPTS MLST selected.
 *
 * @throws InvalidArgumentError (from `formatMlsdLine`) for a name with CR or LF, or a date
 *   outside years 1000–9999.
 */
export function formatFactLine(name: string, stat: StoreStat, options: FactOptions): string {
  const wanted = options.facts ?? new Set(MLST_FACTS);
  const entry: MlsdEntry = { name, type: stat.type };
  if (!wanted.has("type")) entry.type = "unknown";
  else if (stat.type === "symlink" && stat.target !== undefined) entry.target = stat.target;
  if (wanted.has("size") && stat.type === "file") entry.size = stat.size;
  if (wanted.has("modify")) entry.modifiedAt = stat.modifiedAt;
  if (wanted.has("perm")) entry.perm = permFact(stat, options.writable);
  if (wanted.has("unix.mode")) entry.permissions = modeToPermissions(stat.mode);
  return formatMlsdLine(entry);
}

/** The FEAT line for MLST: every fact, those enabled marked `*` (RFC 3659 §7.8). */
export function formatMlstFeature(enabled: ReadonlySet<MlstFact>): string {
  return `MLST ${MLST_FACTS.map((fact) => `${fact}${enabled.has(fact) ? "*" : ""};`).join("")}`;
}

/**
 * Reads the argument of `OPTS MLST` (RFC 3659 §7.9): fact names separated by `;`, unknown ones
 * ignored, case-insensitive. Returns the facts this server will send.
 */
export function parseMlstOptions(argument: string): Set<MlstFact> {
  const wanted = new Set<MlstFact>();
  for (const name of argument.split(";")) {
    const fact = MLST_FACTS.find((known) => known === name.trim().toLowerCase());
    if (fact) wanted.add(fact);
  }
  return wanted;
}

/** `::ffff:127.0.0.1` → `127.0.0.1`; other addresses unchanged (so peers can be compared). */
export function normalizeAddress(address: string | undefined): string {
  if (address === undefined) return "";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped && isIPv4(mapped[1]!) ? mapped[1]! : address.toLowerCase();
}
