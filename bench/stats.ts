/** Medians and the results table. Pure. */
import type { Contender, RunResult } from "./types.js";

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const MIB = 1024 * 1024;

/** MiB/s for `bytes` in `ms`. */
export function throughput(bytes: number, ms: number): number {
  return bytes / MIB / (ms / 1000);
}

export interface Summary {
  contender: Contender;
  runs: RunResult[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** MiB/s at the median time. */
  mibPerSecond: number;
  /** Median CPU time (user + system) of the measured part, in ms. */
  cpuMs: number;
  /** Median of the runs' peak RSS, in MiB. */
  rssMiB: number;
}

export function summarize(contender: Contender, runs: RunResult[]): Summary {
  const times = runs.map((r) => r.ms);
  const medianMs = median(times);
  return {
    contender,
    runs,
    medianMs,
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    mibPerSecond: throughput(runs[0]!.bytes, medianMs),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    rssMiB: median(runs.map((r) => r.maxRSS)) / 1024,
  };
}

/**
 * A Markdown table: one row per contender; the ratio columns compare each `ours` contender with
 * the `ceiling` (or `theirs`) contender — throughput ours ÷ ceiling, so 1.00 means "as fast" —
 * at the median run and at each one's best run (the least disturbed by the rest of the machine).
 */
export function table(summaries: readonly Summary[]): string {
  const reference = summaries.find((s) => s.contender.role !== "ours");
  const rows = summaries.map((s) => {
    const compared = reference && s !== reference;
    const ratio = compared ? (s.mibPerSecond / reference.mibPerSecond).toFixed(3) : "—";
    const best = compared ? (reference.minMs / s.minMs).toFixed(3) : "—";
    const rss = reference && s !== reference ? ` (×${(s.rssMiB / reference.rssMiB).toFixed(2)})` : "";
    return [
      s.contender.name,
      s.medianMs.toFixed(0),
      s.minMs.toFixed(0),
      s.maxMs.toFixed(0),
      s.mibPerSecond.toFixed(0),
      s.cpuMs.toFixed(0),
      `${s.rssMiB.toFixed(1)}${rss}`,
      ratio,
      best,
    ];
  });
  const header = [
    "contender",
    "median ms",
    "min ms",
    "max ms",
    "MiB/s (median)",
    "CPU ms (median)",
    "peak RSS MiB",
    "÷ ceiling (median)",
    "÷ ceiling (best run)",
  ];
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
