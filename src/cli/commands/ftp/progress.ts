/**
 * What `inet ftp get|put|mirror` show while they work, fed by the mirror's events or by each
 * transfer's `onProgress`:
 *
 * - on a terminal (stderr is a TTY): a live display on stderr, redrawn at most 10 times a second
 *   — one line per connection with the current file, then files done/total, bytes, rate and ETA —
 *   and cleared at the end;
 * - otherwise: one plain line per finished file on stderr;
 * - `--quiet`: nothing but errors and refused names;
 * - `--json`: no progress, and ONE JSON object on stdout at the end:
 *   `{ files, bytes, seconds, errors: [{ path, message }], …command specific }`.
 *
 * Every remote name goes through `sanitize()` before it reaches the terminal; the JSON is escaped
 * so that it holds no control or bidi character either (the values are unchanged once parsed).
 */
import { performance } from "node:perf_hooks";
import type { TransferProgress } from "../../../ftp/transfer.js";
import type { MirrorEvent } from "../../../tools/ftp-mirror/types.js";
import type { CommandContext } from "../../command.js";
import { EXIT, type ExitCode, exitCodeFor } from "../../exit-codes.js";
import { sanitize, truncate } from "../../terminal.js";

/** How progress is shown. */
export type ProgressMode = "live" | "lines" | "quiet" | "json";

export interface ProgressOptions {
  quiet?: boolean;
  json?: boolean;
  /** Force a mode (tests); default: from `json`, `quiet` and whether stderr is a terminal. */
  mode?: ProgressMode;
  /** Terminal width for the live display (default: stderr's columns, else 80). */
  columns?: number;
}

/** One failure in the summary. */
export interface ProgressError {
  path: string;
  message: string;
  /** The exit code this failure alone would give. */
  code: ExitCode;
}

/** A name refused as unsafe, as the summary lists it. */
export interface ProgressRefusal {
  name: string;
  directory: string;
  reason: string;
}

interface Lane {
  path: string;
  bytes: number;
  total: number | undefined;
}

/** Most redraws per second of the live display. */
const REDRAW_MS = 100;

/**
 * Collects what a transfer command did and shows it as its mode says. Call {@link finish} once at
 * the end: it clears the live display and prints the summary (or the JSON).
 */
export class Progress {
  readonly mode: ProgressMode;
  private readonly context: CommandContext;
  private readonly columns: number;
  private readonly started = performance.now();
  private readonly lanes = new Map<number, Lane>();
  private readonly failures: ProgressError[] = [];
  private readonly refusals: ProgressRefusal[] = [];
  private filesDone = 0;
  private bytesDone = 0;
  private totalFiles: number | undefined;
  private totalBytes: number | undefined;
  /** When the first transfer began: rates count from there, not from connecting. */
  private firstStart: number | undefined;
  private drawn = 0;
  private lastDraw = 0;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(context: CommandContext, options: ProgressOptions = {}) {
    this.context = context;
    const stderr = context.io.stderr as typeof context.io.stderr & { columns?: number };
    const tty = stderr.isTTY === true && process.env.TERM !== "dumb";
    this.mode = options.mode ?? (options.json ? "json" : options.quiet ? "quiet" : tty ? "live" : "lines");
    const columns = options.columns ?? stderr.columns ?? 0;
    // A pseudo-terminal without a size reports 0 columns.
    this.columns = columns >= 20 ? columns : 80;
  }

  /** Files finished so far. */
  get files(): number {
    return this.filesDone;
  }

  /** Bytes of finished files so far. */
  get bytes(): number {
    return this.bytesDone;
  }

  /** Failures so far. */
  get errors(): readonly ProgressError[] {
    return this.failures;
  }

  /** Refused names so far. */
  get refused(): readonly ProgressRefusal[] {
    return this.refusals;
  }

  /** Seconds since the progress began. */
  get seconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** What is to come, for "files done/total" and the ETA. Unknown sizes count as 0 bytes. */
  setTotals(files: number, bytes?: number): void {
    this.totalFiles = files;
    this.totalBytes = bytes;
    this.schedule();
  }

  /** A transfer of `path` begins on connection `slot`. */
  start(path: string, size?: number, slot = 0): void {
    this.firstStart ??= performance.now();
    this.lanes.set(slot, { path, bytes: 0, total: size });
    this.schedule();
  }

  /** Bytes moved so far for the file on `slot`. */
  update(path: string, bytes: number, total?: number, slot = 0): void {
    const lane = this.lanes.get(slot);
    if (lane === undefined || lane.path !== path) this.lanes.set(slot, { path, bytes, total });
    else {
      lane.bytes = bytes;
      if (total !== undefined) lane.total = total;
    }
    this.schedule();
  }

  /** An `onProgress` callback for one transfer (download or upload) on `slot`. */
  transferProgress(path: string, slot = 0): (progress: TransferProgress) => void {
    return (progress) => this.update(path, progress.bytes, progress.total, slot);
  }

  /** A file is complete: in plain mode, one line `path  size`. */
  done(path: string, bytes: number, slot = 0): void {
    this.lanes.delete(slot);
    this.filesDone += 1;
    this.bytesDone += bytes;
    if (this.mode === "lines") this.context.out.note(`${sanitize(path)}  ${formatBytes(bytes)}`);
    this.schedule();
  }

  /**
   * A file (or the whole run, with path `""`) failed: printed always, kept for the summary.
   * `error` is the error caught, or a message of our own; `code` overrides the exit code the
   * error would give (`exitCodeFor`; a plain message counts as unexpected without it).
   */
  fail(path: string, error: unknown, slot?: number, code?: ExitCode): void {
    if (slot !== undefined) this.lanes.delete(slot);
    const message = error instanceof Error ? error.message : String(error);
    this.failures.push({ path, message, code: code ?? exitCodeFor(error) });
    this.above(() => this.context.out.error(path === "" ? message : `${path}: ${message}`));
  }

  /** A name was refused as unsafe: printed always (it is the server's doing), kept for the summary. */
  refuse(name: string, directory: string, reason: string): void {
    this.refusals.push({ name, directory, reason });
    const where = directory === "" ? "" : ` in ${directory}`;
    this.above(() =>
      this.context.out.note(sanitize(`inet: refused the name ${JSON.stringify(name)}${where}: ${reason}`)),
    );
  }

  /** An informational line (a deletion, a folder made): shown in live and plain modes. */
  info(text: string): void {
    if (this.mode === "quiet" || this.mode === "json") return;
    this.above(() => this.context.out.note(sanitize(text)));
  }

  /** Feeds one mirror event (see `MirrorEvent`). */
  onMirrorEvent(event: MirrorEvent): void {
    switch (event.type) {
      case "start":
        this.setTotals(event.plan.totals.files, event.plan.totals.bytes);
        break;
      case "file-start":
        this.start(event.path, event.size, event.slot);
        break;
      case "file-progress":
        this.update(event.path, event.bytes, event.total, event.slot);
        break;
      case "file-done":
        this.done(event.path, event.bytes, event.slot);
        break;
      case "refuse":
        this.refuse(event.name, event.directory, event.reason);
        break;
      case "delete":
        this.info(`deleted ${event.path}`);
        break;
      case "error":
        this.fail(event.path, event.error);
        break;
      default:
        break; // mkdir, skip: the plan and the summary say enough.
    }
  }

  /**
   * The exit code the failures give: 0 when there were none (and no name was refused), otherwise
   * the most serious kind among them — connection (3) over local (5) over remote (4); a refused
   * name counts as remote. An unexpected error (1) outranks them all.
   */
  exitCode(): ExitCode {
    const codes = new Set<number>(this.failures.map((failure) => failure.code));
    if (this.refusals.length > 0) codes.add(EXIT.remote);
    for (const code of [EXIT.unexpected, EXIT.connection, EXIT.local, EXIT.usage, EXIT.remote]) {
      if (codes.has(code)) return code;
    }
    return EXIT.ok;
  }

  /**
   * Ends the display: clears the live lines, then prints the summary line on stderr (live and
   * plain modes), nothing (quiet), or the JSON summary on stdout with `extra` merged in (json).
   * `files` and `bytes` default to what was counted. Returns {@link exitCode}.
   */
  finish(extra: Record<string, unknown> & { files?: number; bytes?: number } = {}): ExitCode {
    if (this.finished) return this.exitCode();
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.clear();
    const { files = this.filesDone, bytes = this.bytesDone, ...rest } = extra;
    const seconds = this.seconds;
    if (this.mode === "json") {
      const summary = {
        files,
        bytes,
        seconds: Math.round(seconds * 1000) / 1000,
        errors: this.failures.map(({ path, message }) => ({ path, message })),
        refused: this.refusals,
        ...rest,
      };
      this.context.out.line(safeJson(summary));
    } else if (this.mode !== "quiet") {
      const problems = this.failures.length + this.refusals.length;
      const rate = seconds > 0 ? `, ${formatBytes(bytes / seconds)}/s` : "";
      this.context.out.note(
        `${files} ${files === 1 ? "file" : "files"}, ${formatBytes(bytes)} in ${seconds.toFixed(1)} s${rate}` +
          (problems > 0 ? `; ${this.failures.length} failed, ${this.refusals.length} refused` : ""),
      );
    }
    return this.exitCode();
  }

  /**
   * Ends the display when the command fails as a whole (the command reports the error itself,
   * on stderr): no summary line — but with --json the summary is still printed, with `error`
   * among its errors (path `""`), so that a script always gets its one object.
   */
  abandon(error?: unknown): void {
    if (this.finished) return;
    if (error !== undefined && this.mode === "json") {
      const message = error instanceof Error ? error.message : String(error);
      this.failures.push({ path: "", message, code: exitCodeFor(error) });
      this.finish();
      return;
    }
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.clear();
  }

  /** Prints something above the live display (or just prints it in the other modes). */
  private above(print: () => void): void {
    this.clear();
    print();
    this.draw();
  }

  /** Asks for a redraw, at most one per {@link REDRAW_MS}. */
  private schedule(): void {
    if (this.mode !== "live" || this.finished || this.timer) return;
    const wait = REDRAW_MS - (performance.now() - this.lastDraw);
    if (wait <= 0) {
      this.draw();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, wait);
    this.timer.unref();
  }

  private clear(): void {
    if (this.drawn === 0) return;
    // Up to the first drawn line, then erase everything below it.
    this.context.io.stderr.write(`\x1b[${this.drawn}F\x1b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    if (this.mode !== "live" || this.finished) return;
    this.clear();
    this.lastDraw = performance.now();
    const rows = this.rows().map((row) => truncate(row, this.columns - 1));
    if (rows.length === 0) return;
    this.context.io.stderr.write(`${rows.join("\n")}\n`);
    this.drawn = rows.length;
  }

  /** The live lines: one per busy connection, then the totals. */
  private rows(): string[] {
    const rows: string[] = [];
    const slots = [...this.lanes.keys()].sort((a, b) => a - b);
    const many = slots.length > 1 || (slots[0] ?? 0) > 0;
    let active = 0;
    for (const slot of slots) {
      const lane = this.lanes.get(slot)!;
      active += lane.bytes;
      const size =
        lane.total !== undefined
          ? `${formatBytes(lane.bytes)}/${formatBytes(lane.total)}`
          : formatBytes(lane.bytes);
      const percent =
        lane.total !== undefined && lane.total > 0 ? ` ${Math.floor((lane.bytes / lane.total) * 100)}%` : "";
      const name = truncate(sanitize(lane.path), Math.max(10, this.columns - 40));
      rows.push(`${many ? `[${slot + 1}] ` : ""}${name}  ${size}${percent}`);
    }
    const moving = this.firstStart === undefined ? 0 : (performance.now() - this.firstStart) / 1000;
    const moved = this.bytesDone + active;
    // Too early a rate (a few bytes in a few ms) says nothing and makes a wild ETA.
    const rate = moving >= 0.5 ? moved / moving : 0;
    const files =
      this.totalFiles !== undefined ? `${this.filesDone}/${this.totalFiles}` : String(this.filesDone);
    const bytes =
      this.totalBytes !== undefined && this.totalBytes > 0
        ? `${formatBytes(moved)}/${formatBytes(this.totalBytes)}`
        : formatBytes(moved);
    let eta = "";
    if (rate > 0 && this.totalBytes !== undefined && this.totalBytes > moved) {
      // Bytes alone mislead when many small files (each costing a round trip or two) come
      // first: weigh the share of files done equally with the share of bytes.
      const byBytes = moved / this.totalBytes;
      const done = this.totalFiles ? (byBytes + this.filesDone / this.totalFiles) / 2 : byBytes;
      if (done > 0) eta = `  ETA ${formatDuration((moving * (1 - done)) / done)}`;
    }
    rows.push(`files ${files}  ${bytes}  ${rate > 0 ? `${formatBytes(rate)}/s` : "-"}${eta}`);
    return rows;
  }
}

/** `1.5 KiB`, `12.0 MiB`, `512 B`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `42s`, `3m05s`, `2h03m`. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")}m`;
}

/** Characters JSON.stringify leaves as they are but a terminal may act on: C1 controls, bidi, invisibles. */
const JSON_UNSAFE =
  /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

/**
 * JSON text with every character a terminal might act on written as a `\uXXXX` escape (C0
 * controls are escaped by JSON itself): the same value once parsed, harmless when printed.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    JSON_UNSAFE,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
