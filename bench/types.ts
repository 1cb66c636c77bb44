/**
 * The shapes the benchmark harness works with. A workload names two or more contenders that do
 * the same job; the harness runs each in its own child process so its peak memory is its own.
 */

/** What a child reports on its last stdout line, as JSON. */
export interface RunResult {
  /** Wall time of the measured part, in ms (measured inside the child, startup excluded). */
  ms: number;
  /** Payload bytes moved (checked against what was asked). */
  bytes: number;
  /** CPU time (user + system) the child spent in the measured part, in ms. */
  cpuMs: number;
  /**
   * Peak resident set size of the child, in KiB (`process.resourceUsage().maxRSS`), or of the
   * external program a contender ran (see {@link ContenderResult}).
   */
  maxRSS: number;
}

/** What a workload passes from its setup to every child: JSON-safe values only. */
export type Params = Record<string, string | number | boolean>;

/**
 * What a contender's run resolves to. `cpuMs` and `maxRSS` are optional: a contender that runs an
 * external program (curl, lftp, python3) reports that program's own figures (from `/usr/bin/time`),
 * and a Node contender may report the CPU time of its timed part only; otherwise the child
 * measures its own process.
 */
export interface ContenderResult {
  ms: number;
  bytes: number;
  cpuMs?: number | undefined;
  maxRSS?: number | undefined;
}

export interface Contender {
  name: string;
  /** `ours` is measured against `ceiling` (the best that can be done) or `theirs` (another client). */
  role: "ours" | "ceiling" | "theirs";
  /** What it does, for the table's legend. */
  description: string;
  /** Runs once inside a child process; resolves to the time and bytes of the measured part. */
  run(params: Params): Promise<ContenderResult>;
}

export interface WorkloadOptions {
  /** Payload size in bytes. */
  bytes: number;
}

export interface Workload {
  name: string;
  description: string;
  defaultBytes: number;
  /**
   * What `bytes` counts: payload bytes (the default), listing entries or whole files, for which
   * the table gives entries or files per second instead of MiB/s.
   */
  unit?: "bytes" | "entries" | "files" | "messages";
  contenders: Contender[];
  /** Starts what the contenders talk to (a sender, a server); runs in the harness process. */
  setup(options: WorkloadOptions): Promise<{ params: Params; teardown(): Promise<void> }>;
}
