/**
 * The public shapes of the FTP mirror: options, the plan, the result and the progress events.
 * No I/O.
 */
import type { FtpClient } from "../../ftp/client.js";
import type { FtpPool } from "../../ftp/pool.js";
import type { NamePlatform } from "./safe-names.js";

/** `down`: remote → local folder (download). `up`: local folder → remote (upload). */
export type MirrorDirection = "down" | "up";

/** What a mirror does, in either direction. */
export interface MirrorOptions {
  /**
   * The connection for listings, folders and deletions, and for transfers when there is no
   * `pool`. At least one of `client` and `pool` is needed.
   */
  client?: FtpClient;
  /** Transfers run through `pool.run`, up to `pool.size` at once (listings too when no `client`). */
  pool?: FtpPool;
  /** The remote folder. */
  remote: string;
  /**
   * The local folder. With `archive` it is neither read nor written (pass the archive's path or
   * `""`; the plan reports `archive.path` there).
   */
  local: string;
  /** Descend into folders. Default `false`: only the files of the top folder. */
  recursive?: boolean;
  /**
   * Globs a file must match to be mirrored (any of them); empty or absent: every file. A pattern
   * with a `/` is matched against the path below the top folder (`docs/*.pdf`, `src/**`), one
   * without against the name alone. Folders are always entered.
   */
  include?: readonly string[];
  /** Globs for files and folders to leave alone (never transferred, never deleted); a trailing `/` matches folders only. */
  exclude?: readonly string[];
  /** Compare globs without regard to case. Default `false`. */
  nocase?: boolean;
  /** Only source files modified after this moment (files whose time is unknown are kept). */
  newerThan?: Date;
  /** Transfer a file that exists on the target only when the source copy is newer. */
  onlyNewer?: boolean;
  /** Transfer only files missing on the target. */
  onlyMissing?: boolean;
  /**
   * Remove target files and folders that are gone from the source. Never outside the target,
   * never excluded or unsafe names, never symlinks, and nothing at all after any listing error,
   * a listing cut by a limit, or a transfer error.
   */
  delete?: boolean;
  /** With `delete`: accept a source folder that lists empty while its target is not. Default `false`. */
  allowEmptySource?: boolean;
  /** Plan only: nothing is changed anywhere (not even a folder created). */
  dryRun?: boolean;
  /** Continue `.part` files left by an interrupted download (REST). */
  resume?: boolean;
  /** After each transfer, compare sizes, and a hash when the server offers HASH/XSHA256/XSHA1/XMD5. */
  verify?: boolean;
  /** Name rules of the target side (default: the host's for downloads, `posix` for uploads). */
  platform?: NamePlatform;
  /** Treat names that differ only in case as one (default: true on macOS and Windows). */
  caseInsensitive?: boolean;
  /** Deepest folder level entered (default 64); deeper ones are reported and block `delete`. */
  maxDepth?: number;
  /** Most entries (both sides together) looked at (default 1 000 000); more block `delete`. */
  maxEntries?: number;
  /**
   * `mirrorDown` only: write the mirrored tree into one archive instead of a folder (CLI `--zip`,
   * `--tgz`). The plan treats the target as empty: every selected file is transferred (reason
   * `missing`), every entered folder becomes a directory entry (`mkdir` actions, added first and
   * reported in `result.created`), and each file keeps the remote modification time (MDTM's when
   * the server has it, else the listing's). Transfers may run in parallel (pool); each file is
   * downloaded into memory (up to 1 MiB) or a private temporary file beside the archive, then
   * appended whole, one entry at a time, in completion order. `verify` works as for folders.
   * With `archive`, `local` may be `""`; `plan.local` is then the archive's path and
   * `plan.createTarget` is false.
   *
   * The archive is written as `PATH.<random>.part` in the same folder and renamed to `path` when
   * complete. When anything failed (a listing, a file, an abort) that temporary file is removed and
   * nothing is left at `path` — unless `keepPartial` is set, in which case the archive is finished
   * with what did succeed and renamed to `path` (the failures are in `result.errors`).
   *
   * Refused with InvalidArgumentError together with `delete`, `onlyNewer`, `onlyMissing`,
   * `resume` or `backupZip` (they compare against or change a folder), and for `mirrorUp`.
   */
  archive?: MirrorArchiveOptions;
  /**
   * `mirrorDown` only: a ZIP file (CLI `--backup-zip`) that receives every local file the mirror
   * replaces (a transfer whose target exists) or deletes (with `delete`; the files inside a deleted
   * folder too), by its path below the top, before it is lost. It holds exactly the files that were
   * really replaced or deleted: a transfer that fails leaves its file in place and out of the zip.
   * Only regular files are saved (symlinks are never followed; empty folders are not recorded).
   *
   * Written as `PATH.<random>.part` and renamed when the mirror ends (also after per-file
   * errors, so that what was replaced is never lost; on abort too, holding what was replaced so
   * far). When nothing was replaced or deleted no zip is written at all (and an existing file
   * at that path is left untouched). An existing file at `path` is otherwise replaced.
   * A file that cannot be saved is not replaced or deleted (its error is in `result.errors`);
   * should the zip fail after a file was replaced, its hard-link snapshot is kept beside the zip
   * (`PATH.<random>.<n>.snapshot`) rather than lost.
   * Refused with InvalidArgumentError for `mirrorUp`, together with `archive`, and for a path
   * inside `local`.
   */
  backupZip?: string;
  signal?: AbortSignal;
  /** Progress; must not throw. */
  onEvent?: (event: MirrorEvent) => void;
}

/** Where `archive` writes the mirrored tree. */
export interface MirrorArchiveOptions {
  /** `zip` (deflate, ZIP64 when needed) or `tgz` (POSIX ustar + PAX, gzip). */
  format: "zip" | "tgz";
  /** The archive file to create (replaced when it exists). Its folder must exist. */
  path: string;
  /** After a failure, finish the archive with what succeeded instead of removing it. Default `false`. */
  keepPartial?: boolean;
}

/** Why a file is transferred. */
export type TransferReason = "missing" | "size" | "newer";

/** One step of a plan. Paths are relative to both tops, `/`-separated, made of checked names. */
export type MirrorAction =
  | { kind: "mkdir"; path: string }
  | {
      kind: "transfer";
      path: string;
      reason: TransferReason;
      /** The source's size, when known. */
      size?: number;
      /** The source's modification time, when known. */
      modifiedAt?: Date;
      /**
       * How coarse `modifiedAt` is, in ms: 1000 for MLSD or a LIST line with seconds, 60 000 for
       * a LIST line with `hh:mm`, a day for one with only a year (1 for a local file).
       */
      precision?: number;
      /** Another transfer that must finish first (`x` before `x.part`, which is `x`'s temporary name). */
      after?: string;
    }
  | { kind: "delete"; path: string; type: "file" | "directory" };

/** An entry left alone, and why. */
export interface MirrorSkip {
  path: string;
  reason: string;
}

/** A name refused as unsafe: `name` exactly as listed (escape it before printing), in `directory`. */
export interface MirrorRefusal {
  name: string;
  /** The folder it was listed in, relative to the top (`""` for the top itself). */
  directory: string;
  reason: string;
}

/** Something that failed, with the relative path it concerns (`""` for the top). */
export interface MirrorError {
  path: string;
  error: unknown;
}

/** What a mirror would do; a real run does exactly this. */
export interface MirrorPlan {
  direction: MirrorDirection;
  /** The remote and local tops as given. */
  remote: string;
  local: string;
  /** The target's top folder does not exist yet and is created first. */
  createTarget: boolean;
  /** Folders to create (parents first), then files to transfer, then entries to delete. */
  actions: MirrorAction[];
  /** Files present on both sides and equal by the comparison in force. */
  unchanged: number;
  skipped: MirrorSkip[];
  refused: MirrorRefusal[];
  /** Listing failures (their folders were left out of the plan). */
  errors: MirrorError[];
  /** The name rules the plan checked names with. */
  platform: NamePlatform;
  /** Whether times were compared (`false`: sizes only, e.g. uploads to a server without MFMT). */
  compareTimes: boolean;
  /** Files and bytes the plan transfers (bytes of files whose size is known). */
  totals: { files: number; bytes: number };
  /** With `archive`: where the tree goes (present only then). The `mkdir` and `transfer` actions are its entries. */
  archive?: { format: "zip" | "tgz"; path: string };
  /**
   * With `backupZip` (present only then): the zip's path and the local files (paths below the top,
   * sorted) that the run would save there — the targets of `size`/`newer` transfers, deleted
   * files, and the regular files inside deleted folders.
   */
  backup?: { path: string; files: string[] };
}

/** What a mirror did. */
export interface MirrorResult {
  plan: MirrorPlan;
  transferred: { files: number; bytes: number };
  skipped: MirrorSkip[];
  refused: MirrorRefusal[];
  /** Folders created, parents first. */
  created: string[];
  deleted: string[];
  errors: MirrorError[];
  /**
   * With `archive` (present only then): `written` is true when the archive is at `path`;
   * `files`/`directories` count the entries in it.
   */
  archive?: { format: "zip" | "tgz"; path: string; written: boolean; files: number; directories: number };
  /**
   * With `backupZip` (present only then): the files saved (paths below the top, in the order
   * they were added) and whether the zip was written (false when nothing was replaced or deleted,
   * and on a dry run).
   */
  backup?: { path: string; files: string[]; written: boolean };
  /** Wall time of the whole run, listings included. */
  seconds: number;
}

/** Progress, in order. `slot` is the transfer lane (0 … pool size − 1) for per-connection display. */
export type MirrorEvent =
  | { type: "start"; plan: MirrorPlan }
  | { type: "mkdir"; path: string }
  | { type: "file-start"; path: string; size?: number | undefined; slot: number }
  | { type: "file-progress"; path: string; bytes: number; total?: number | undefined; slot: number }
  | { type: "file-done"; path: string; bytes: number; slot: number }
  | { type: "skip"; path: string; reason: string }
  | { type: "refuse"; name: string; directory: string; reason: string }
  | { type: "delete"; path: string }
  | { type: "error"; path: string; error: unknown };
