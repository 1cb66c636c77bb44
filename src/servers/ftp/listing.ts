/**
 * Directory listings as the server sends them: LIST in the `ls -l` shape (times in UTC), NLST
 * names, MLSD/MLST fact lines (RFC 3659 §7). MLSD leaves out `cdir`/`pdir` entries (the RFC
 * allows either; vsftpd-style clients never need them, and they only get filtered out).
 *
 * An entry whose name holds CR or LF cannot be written on one line and is left out (a disk can
 * hold such names; the wire cannot carry them unambiguously).
 */

import { modeToPermissions } from "../../ftp/list/mode.js";
import { formatUnixListLine } from "../../ftp/list/unix-format.js";
import type { StoreEntry } from "./store.js";
import { formatFactLine, type MlstFact } from "./wire.js";

export type ListingKind = "LIST" | "NLST" | "MLSD";

export interface ListingOptions {
  /** Whether the user may change entries (MLSD `perm`). */
  writable: boolean;
  /** MLSD facts (OPTS MLST). */
  facts: ReadonlySet<MlstFact>;
  /** NLST of a named folder: names are given as `prefix/name`. */
  prefix?: string;
  /** The reference for LIST's "recent" dates. */
  now?: Date;
}

/** One line of a listing (without CRLF), or `undefined` when the entry cannot be listed. */
export function listingLine(
  kind: ListingKind,
  entry: StoreEntry,
  options: ListingOptions,
): string | undefined {
  const { name, stat } = entry;
  if (/[\r\n]/.test(name)) return undefined;
  switch (kind) {
    case "NLST":
      return options.prefix === undefined ? name : `${options.prefix.replace(/\/+$/, "")}/${name}`;
    case "MLSD":
      try {
        return formatFactLine(name, stat, options);
      } catch {
        return undefined;
      }
    case "LIST": {
      const target = stat.target !== undefined && !/[\r\n]/.test(stat.target) && !name.includes(" -> ");
      try {
        return formatUnixListLine(
          {
            name,
            type: stat.type,
            size: stat.size,
            modifiedAt: stat.modifiedAt,
            permissions: modeToPermissions(stat.mode),
            ...(target ? { target: stat.target } : {}),
          },
          { now: options.now ?? new Date() },
        );
      } catch {
        // A date outside years 0–9999 or the like: better left out than a broken line.
        return undefined;
      }
    }
  }
}

/** The entries in the order `ls` shows them (by code point). */
export function sortEntries(entries: StoreEntry[]): StoreEntry[] {
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
