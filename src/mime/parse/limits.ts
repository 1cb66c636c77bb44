/**
 * The parser's bounds (types.ts {@link MimeLimits}): their defaults, their validation, and the
 * `LimitError` each one raises. Every buffer the parser fills from the message is bounded by one
 * of these, so a hostile message costs at most what the caller allowed.
 */
import { InvalidArgumentError, LimitError } from "../../errors.js";
import type { MimeLimits } from "../types.js";

/** {@link MimeLimits} with every bound filled in. */
export type ResolvedLimits = Required<MimeLimits>;

/** The defaults named in types.ts. */
export const DEFAULT_LIMITS: Readonly<ResolvedLimits> = Object.freeze({
  maxDepth: 64,
  maxHeaderBytes: 2 * 1024 * 1024,
  maxParts: 10_000,
  maxLineLength: 1024 * 1024,
  maxHeaders: 10_000,
});

/** The `what` of the LimitError each bound raises (types.ts names them). */
export const LIMIT_WHAT = Object.freeze({
  maxDepth: "mime-depth",
  maxHeaderBytes: "mime-header-block",
  maxParts: "mime-parts",
  maxLineLength: "mime-line",
  maxHeaders: "mime-headers",
} as const satisfies Record<keyof MimeLimits, string>);

/**
 * Fills in the defaults. A bound must be a positive integer or `Infinity` (the caller opting
 * out); anything else is a programming error of the caller: throws `InvalidArgumentError`.
 */
export function resolveLimits(options: MimeLimits = {}): ResolvedLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof MimeLimits)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (value !== Number.POSITIVE_INFINITY && !(Number.isSafeInteger(value) && value > 0)) {
      throw new InvalidArgumentError(`${key} must be a positive integer or Infinity, got ${String(value)}`);
    }
    out[key] = value;
  }
  return out;
}

/** The error for crossing `key`'s bound. */
export function limitError(limits: ResolvedLimits, key: keyof MimeLimits): LimitError {
  return new LimitError(LIMIT_WHAT[key], limits[key]);
}
