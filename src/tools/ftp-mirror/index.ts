/**
 * The FTP mirror as a library (no argv, no printing): `mirrorDown` (remote → local folder),
 * `mirrorUp` (local folder → remote), `planMirror` (what either would do) and
 * `executeMirrorPlan` (do exactly a plan), with the pure pieces they are built from — the name
 * rules, the glob matcher and the per-folder planner.
 */
export { type ExecuteOptions, executeMirrorPlan } from "./execute.js";
export { Glob, type GlobOptions, globMatch, MAX_GLOB_LENGTH } from "./glob.js";
export { mirrorDown, mirrorUp, planMirror } from "./mirror.js";
export {
  type DirectoryPlan,
  type MirrorFilters,
  type PlanRules,
  planDirectory,
  type TreeEntry,
} from "./plan.js";
export { listingPrecision, remoteEntry, remotePath } from "./remote.js";
export {
  collisionKey,
  isSafeName,
  MAX_NAME_BYTES,
  type NameCheckOptions,
  type NamePlatform,
  unsafeNameReason,
} from "./safe-names.js";
export type {
  MirrorAction,
  MirrorArchiveOptions,
  MirrorDirection,
  MirrorError,
  MirrorEvent,
  MirrorOptions,
  MirrorPlan,
  MirrorRefusal,
  MirrorResult,
  MirrorSkip,
  TransferReason,
} from "./types.js";
export { type DigestAlgorithm, digestCommand, findDigest } from "./verify.js";
