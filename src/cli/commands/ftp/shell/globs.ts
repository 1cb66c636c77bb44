/**
 * Globs for `mget` (over a remote listing) and `mput` (over a local folder): only the last part of
 * a path may hold `*`, `?` or `[…]`, matched with the mirror's {@link Glob} (linear time, no
 * backtracking). Pure apart from the listing functions passed in.
 */
import { Glob } from "../../../../tools/ftp-mirror/glob.js";

/** Whether `text` holds an unescaped glob character (`*`, `?`, `[`). */
export function hasGlob(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === "\\") i += 1;
    else if (char === "*" || char === "?" || char === "[") return true;
  }
  return false;
}

/** A pattern split into its folder (`""` for the working folder, else ending in `/`) and last part. */
export function splitPattern(pattern: string): { folder: string; base: string } {
  const slash = pattern.lastIndexOf("/");
  return { folder: pattern.slice(0, slash + 1), base: pattern.slice(slash + 1) };
}

/** An entry a glob may pick: its name and whether it is a regular file. */
export interface GlobEntry {
  name: string;
  isFile: boolean;
}

/**
 * The names in `entries` that `base` matches, sorted; only regular files (folders, symlinks and
 * unknown entries are left out: mget and mput move files). Hidden names (leading `.`) match only
 * a pattern that starts with a dot, as in sh.
 *
 * @throws {InvalidArgumentError} for a pattern the glob compiler refuses (too long, NUL).
 */
export function matchNames(base: string, entries: readonly GlobEntry[]): string[] {
  const glob = new Glob(base);
  return entries
    .filter((entry) => entry.isFile && glob.match(entry.name))
    .filter((entry) => !entry.name.startsWith(".") || base.startsWith("."))
    .map((entry) => entry.name)
    .sort();
}

/** The pattern with its `\` escapes removed: what to use as a name when it holds no glob. */
export function unescapeGlob(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}
