/**
 * Walks the source and target trees side by side, one folder at a time, and plans each folder
 * with {@link planDirectory}. Only folders the plan enters are listed (the target's side only
 * where it exists), so a mirror lists each folder once. Bounded by depth and by entries (W9); a
 * listing that fails is reported and its folder left out of the plan.
 */
import { AbortError, abortErrorFrom, LimitError } from "../../errors.js";
import { type DirectoryPlan, type PlanRules, planDirectory, type TreeEntry } from "./plan.js";
import type { MirrorError } from "./types.js";

/** One side of the mirror, listing folders by their path below the top. */
export interface TreeSide {
  list(relative: string): Promise<TreeEntry[]>;
}

export interface WalkOptions {
  rules: PlanRules;
  /** Folders listed at once. */
  concurrency: number;
  maxDepth: number;
  maxEntries: number;
  /** Whether the target's top exists (when not, nothing is listed there). */
  targetExists: boolean;
  /** The target top's listing, when already read. */
  targetTop?: TreeEntry[] | undefined;
  signal?: AbortSignal | undefined;
}

export interface WalkResult {
  parts: DirectoryPlan[];
  /** Listing failures and crossed limits. */
  errors: MirrorError[];
}

interface Visit {
  path: string;
  targetExists: boolean;
  depth: number;
}

/**
 * Plans the whole mirror.
 *
 * @throws the source top's listing error (nothing can be planned without it); AbortError.
 */
export async function walkTrees(
  source: TreeSide,
  target: TreeSide,
  options: WalkOptions,
): Promise<WalkResult> {
  const { signal } = options;
  const parts: DirectoryPlan[] = [];
  const errors: MirrorError[] = [];
  const queue: Visit[] = [{ path: "", targetExists: options.targetExists, depth: 0 }];
  let entries = 0;
  let stopped = false;

  const visit = async (item: Visit): Promise<void> => {
    let sourceEntries: TreeEntry[];
    try {
      sourceEntries = await source.list(item.path);
    } catch (error) {
      if (item.path === "" || isAbort(error, signal)) throw error;
      errors.push({ path: item.path, error });
      return;
    }
    let targetEntries: TreeEntry[] = [];
    if (item.targetExists) {
      try {
        targetEntries =
          item.path === "" && options.targetTop ? options.targetTop : await target.list(item.path);
      } catch (error) {
        if (isAbort(error, signal)) throw error;
        errors.push({ path: item.path, error });
        return;
      }
    }
    if (stopped) return;
    entries += sourceEntries.length + targetEntries.length;
    if (entries > options.maxEntries) {
      stopped = true;
      errors.push({ path: item.path, error: new LimitError("mirror-entries", options.maxEntries) });
      return;
    }
    const plan = planDirectory(item.path, sourceEntries, targetEntries, options.rules);
    parts.push(plan);
    for (const next of plan.descend) {
      if (item.depth + 1 > options.maxDepth) {
        errors.push({ path: next.path, error: new LimitError("mirror-depth", options.maxDepth) });
        continue;
      }
      queue.push({ ...next, depth: item.depth + 1 });
    }
  };

  await new Promise<void>((resolve, reject) => {
    let active = 0;
    let failed = false;
    const pump = (): void => {
      if (failed) return;
      if (signal?.aborted) {
        failed = true;
        reject(abortErrorFrom(signal));
        return;
      }
      while (active < options.concurrency && queue.length > 0) {
        const item = queue.shift()!;
        active += 1;
        visit(item).then(
          () => {
            active -= 1;
            pump();
          },
          (error: unknown) => {
            failed = true;
            reject(error);
          },
        );
      }
      if (active === 0 && queue.length === 0) resolve();
    };
    pump();
  });
  return { parts, errors };
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return error instanceof AbortError || signal?.aborted === true;
}
