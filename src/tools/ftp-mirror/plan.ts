/**
 * The mirror's decisions, one folder at a time: given what the source lists and what the target
 * lists, which names are refused, which files are transferred (missing, a different size, or a
 * newer source), which folders are created and entered, and which target entries are deleted.
 * lftp compares only size and time; so does this, with the precision of each side's times in
 * mind. Pure: no I/O, no clock (the caller passes `now`).
 */
import type { Glob } from "./glob.js";
import { collisionKey, type NamePlatform, unsafeNameReason } from "./safe-names.js";
import type { MirrorAction, MirrorRefusal, MirrorSkip } from "./types.js";

/** One entry of either side, as the planner sees it. */
export interface TreeEntry {
  name: string;
  /** `other`: a local device, socket or FIFO; `unknown`: a listing line nobody understood. */
  type: "file" | "directory" | "symlink" | "other" | "unknown";
  size?: number | undefined;
  modifiedAt?: Date | undefined;
  /**
   * How coarse `modifiedAt` is, in ms: 1 on a local disk, 1000 for MLSD or a LIST with seconds,
   * 60 000 for a LIST with `hh:mm`, a day for a LIST with only a year.
   */
  precision: number;
}

/** Compiled include/exclude patterns. */
export interface MirrorFilters {
  include: readonly Glob[];
  exclude: ReadonlyArray<{ glob: Glob; foldersOnly: boolean }>;
}

/** The rules a plan follows (from the caller's options, with defaults filled in). */
export interface PlanRules {
  recursive: boolean;
  onlyNewer: boolean;
  onlyMissing: boolean;
  delete: boolean;
  allowEmptySource: boolean;
  /** False: files are equal when their sizes are (times are not trusted in that direction). */
  compareTimes: boolean;
  newerThan?: Date | undefined;
  /** Name rules of the target side. */
  platform: NamePlatform;
  caseInsensitive: boolean;
  filters: MirrorFilters;
  /** Longest relative path (bytes of UTF-8) the target can hold below its top; longer ones are refused. */
  maxPathBytes: number;
  /** Longest name (bytes of UTF-8) the target takes: 250 for downloads, whose temporary name adds `.part`. */
  maxNameBytes: number;
}

/** The decisions for one folder. */
export interface DirectoryPlan {
  actions: MirrorAction[];
  unchanged: number;
  skipped: MirrorSkip[];
  refused: MirrorRefusal[];
  /** Sub-folders to plan next; `targetExists` says whether to list the target side. */
  descend: Array<{ path: string; targetExists: boolean }>;
}

const DAY = 24 * 60 * 60 * 1000;

/** `path` joined under `directory` (`""` is the top). */
export function childPath(directory: string, name: string): string {
  return directory === "" ? name : `${directory}/${name}`;
}

/**
 * Whether `path` (relative, `/`-separated) is excluded by the filters. A folder is also excluded
 * when `path/` matches (`a/**` leaves out `a` itself: nothing inside it could be mirrored).
 */
export function isExcluded(filters: MirrorFilters, path: string, folder: boolean): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return filters.exclude.some(({ glob, foldersOnly }) => {
    if (foldersOnly && !folder) return false;
    const subject = glob.pattern.includes("/") ? path : name;
    return glob.match(subject) || (folder && glob.match(`${subject}/`));
  });
}

/** Whether a file at `path` passes the include patterns (always, when there are none). */
export function isIncluded(filters: MirrorFilters, path: string): boolean {
  if (filters.include.length === 0) return true;
  const name = path.slice(path.lastIndexOf("/") + 1);
  return filters.include.some((glob) => glob.match(glob.pattern.includes("/") ? path : name));
}

/**
 * A listed time the planner may rely on, or undefined: invalid dates, times before 1970 and times
 * more than a year after `now` are treated as unknown (W8: remote times are sanitized).
 */
export function saneTime(date: Date | undefined, now: Date): Date | undefined {
  if (date === undefined) return undefined;
  const time = date.getTime();
  if (!Number.isFinite(time) || time < 0 || time > now.getTime() + 366 * DAY) return undefined;
  return date;
}

/**
 * Plans one folder. `directory` is its path below the top (`""` for the top), `source` and
 * `target` what each side lists there (`target` empty when the folder does not exist yet).
 *
 * Source names failing {@link unsafeNameReason}, listed twice (a symlink and a file of one name,
 * W3), or colliding with an earlier name after NFC normalization (and case folding on
 * case-insensitive targets, W4) are refused. Symlinks are never followed; a target symlink is
 * never written through. Deletions (with `rules.delete`) touch only safe, unexcluded, included
 * target names absent from the whole source listing, never symlinks, never a `NAME.part` that
 * belongs to a source file, and nothing at all when the source lists empty while the target does
 * not (unless `allowEmptySource`).
 */
export function planDirectory(
  directory: string,
  source: readonly TreeEntry[],
  target: readonly TreeEntry[],
  rules: PlanRules,
): DirectoryPlan {
  const plan: DirectoryPlan = { actions: [], unchanged: 0, skipped: [], refused: [], descend: [] };
  const key = (name: string) => collisionKey(name, rules.caseInsensitive);
  const refuse = (name: string, reason: string) => plan.refused.push({ name, directory, reason });
  const skip = (path: string, reason: string) => plan.skipped.push({ path, reason });

  const listedTimes = new Map<string, number>();
  const seen = new Set<string>();
  for (const entry of source) {
    listedTimes.set(entry.name, (listedTimes.get(entry.name) ?? 0) + 1);
    seen.add(entry.name);
    seen.add(key(entry.name));
  }
  const targets = new Map<string, TreeEntry[]>();
  for (const entry of target) {
    if (unsafeNameReason(entry.name, { platform: rules.platform }) !== undefined) continue;
    const list = targets.get(key(entry.name));
    if (list) list.push(entry);
    else targets.set(key(entry.name), [entry]);
  }

  const kept = new Map<string, TreeEntry>();
  const transfers = new Map<string, Extract<MirrorAction, { kind: "transfer" }>>();
  for (const entry of [...source].sort(byName)) {
    const reason = unsafeNameReason(entry.name, { platform: rules.platform });
    if (reason !== undefined) {
      refuse(entry.name, reason);
      continue;
    }
    if ((listedTimes.get(entry.name) ?? 0) > 1) {
      refuse(entry.name, "listed more than once (for example as a symlink and as a file)");
      continue;
    }
    const k = key(entry.name);
    if (kept.has(k)) {
      refuse(
        entry.name,
        "names the same file as another entry once case or Unicode normalization is ignored",
      );
      continue;
    }
    kept.set(k, entry);
    const path = childPath(directory, entry.name);
    if (entry.type === "file" && Buffer.byteLength(entry.name, "utf8") > rules.maxNameBytes) {
      refuse(entry.name, "the name would be too long for the target once .part is added");
      continue;
    }
    if (Buffer.byteLength(path, "utf8") > rules.maxPathBytes) {
      refuse(entry.name, "the path would be too long for the target");
      continue;
    }
    if (isExcluded(rules.filters, path, entry.type === "directory")) {
      skip(path, "excluded");
      continue;
    }
    if (entry.type === "symlink") {
      skip(path, "a symlink (never followed)");
      continue;
    }
    if (entry.type === "unknown") {
      skip(path, "a listing line that could not be understood");
      continue;
    }
    if (entry.type === "other") {
      skip(path, "neither a regular file nor a folder");
      continue;
    }
    const matches = targets.get(k) ?? [];
    if (matches.length > 1) {
      skip(path, "listed more than once on the target");
      continue;
    }
    const existing = matches[0];
    if (existing?.type === "symlink") {
      refuse(entry.name, "the target is a symlink, which is never written through");
      continue;
    }
    if (entry.type === "directory") {
      if (!rules.recursive) skip(path, "a folder (not recursive)");
      else if (existing === undefined) {
        plan.actions.push({ kind: "mkdir", path });
        plan.descend.push({ path, targetExists: false });
      } else if (existing.type === "directory") plan.descend.push({ path, targetExists: true });
      else skip(path, "the target has something else than a folder under this name");
      continue;
    }
    if (!isIncluded(rules.filters, path)) {
      skip(path, "not included");
      continue;
    }
    if (rules.newerThan && entry.modifiedAt && entry.modifiedAt.getTime() <= rules.newerThan.getTime()) {
      skip(path, "not newer than the cutoff date");
      continue;
    }
    if (existing !== undefined && existing.type !== "file") {
      skip(path, "the target has something else than a file under this name");
      continue;
    }
    const reasonToSend = existing === undefined ? "missing" : compare(entry, existing, rules);
    if (reasonToSend === "only-missing") skip(path, "exists on the target (only missing)");
    else if (reasonToSend === "not-newer") skip(path, "differs, but the source is not newer (only newer)");
    else if (reasonToSend === undefined) plan.unchanged += 1;
    else {
      const action: Extract<MirrorAction, { kind: "transfer" }> = {
        kind: "transfer",
        path,
        reason: reasonToSend,
      };
      if (entry.size !== undefined) action.size = entry.size;
      if (entry.modifiedAt !== undefined) {
        action.modifiedAt = entry.modifiedAt;
        action.precision = entry.precision;
      }
      transfers.set(entry.name, action);
      plan.actions.push(action);
    }
  }
  // `x.part` is `x`'s temporary name during a download: `x` must be done before `x.part` starts.
  for (const [name, action] of transfers) {
    if (name.endsWith(".part") && transfers.has(name.slice(0, -5)))
      action.after = childPath(directory, name.slice(0, -5));
  }

  if (rules.delete) planDeletes(directory, source.length, target, kept, seen, targets, rules, plan);
  return plan;
}

type Comparison = "size" | "newer" | "only-missing" | "not-newer" | undefined;

function compare(source: TreeEntry, target: TreeEntry, rules: PlanRules): Comparison {
  if (rules.onlyMissing) return "only-missing";
  const sizeDiffers = source.size !== undefined && target.size !== undefined && source.size !== target.size;
  // A LIST time without seconds may be up to a minute behind the truth: closer than the coarser
  // precision (and never closer than a second) counts as equal.
  const tolerance = Math.max(1000, source.precision, target.precision);
  const newer =
    rules.compareTimes &&
    source.modifiedAt !== undefined &&
    target.modifiedAt !== undefined &&
    source.modifiedAt.getTime() - target.modifiedAt.getTime() >= tolerance;
  if (rules.onlyNewer) return newer ? "newer" : sizeDiffers ? "not-newer" : undefined;
  if (sizeDiffers) return "size";
  return newer ? "newer" : undefined;
}

function planDeletes(
  directory: string,
  sourceCount: number,
  target: readonly TreeEntry[],
  kept: ReadonlyMap<string, TreeEntry>,
  seen: ReadonlySet<string>,
  targets: ReadonlyMap<string, TreeEntry[]>,
  rules: PlanRules,
  plan: DirectoryPlan,
): void {
  const key = (name: string) => collisionKey(name, rules.caseInsensitive);
  const deletes: MirrorAction[] = [];
  for (const entry of [...target].sort(byName)) {
    const k = key(entry.name);
    if (seen.has(entry.name) || seen.has(k)) continue;
    if (unsafeNameReason(entry.name, { platform: rules.platform }) !== undefined) continue;
    if ((targets.get(k)?.length ?? 0) > 1) continue;
    const path = childPath(directory, entry.name);
    const folder = entry.type === "directory";
    if (isExcluded(rules.filters, path, folder)) continue;
    if (entry.type === "file") {
      if (!isIncluded(rules.filters, path)) continue;
      if (entry.name.endsWith(".part") && kept.get(key(entry.name.slice(0, -5)))?.type === "file") continue;
      deletes.push({ kind: "delete", path, type: "file" });
    } else if (folder) {
      if (rules.recursive) deletes.push({ kind: "delete", path, type: "directory" });
    } else {
      plan.skipped.push({ path, reason: "not deleted: only files and folders are" });
    }
  }
  if (deletes.length === 0) return;
  if (sourceCount === 0 && !rules.allowEmptySource) {
    plan.skipped.push({
      path: directory,
      reason:
        "nothing deleted: the source listed this folder empty while the target is not (allowEmptySource)",
    });
    return;
  }
  plan.actions.push(...deletes);
}

/** Orders names by UTF-16 code units: the same order on every run and every server. */
export function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Orders paths so that a folder comes before what is inside it. */
export function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
