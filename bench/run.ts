/**
 * The benchmark harness (never a test): `npm run bench -- [workload] [--runs N] [--bytes N]`.
 *
 * For each workload: its setup starts what the contenders talk to; each contender runs once to
 * warm up (the page cache, the loopback, the JIT of the sender), then N measured rounds follow,
 * the contenders' order flipping every round. Every run is a fresh child process, so the peak
 * RSS it reports is its own, and it times only the work, not its startup. Prints one Markdown
 * table per workload: median/min/max wall time, throughput at the median, CPU time of the
 * measured part, peak RSS, and throughput ours ÷ ceiling.
 */
import { spawn } from "node:child_process";
import { availableParallelism, cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type Summary, summarize, table } from "./stats.js";
import type { Contender, Params, RunResult, Workload } from "./types.js";
import { WORKLOADS } from "./workloads/index.js";

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));

/** Reads `1073741824`, `1G`, `1GiB`, `512M`, `64k`. */
export function parseBytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/i.exec(text.trim());
  if (!match) throw new Error(`--bytes: not a size: ${JSON.stringify(text)}`);
  const scale = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[
    match[2]!.toLowerCase() as "" | "k" | "m" | "g"
  ];
  const bytes = Math.round(Number(match[1]) * scale);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new Error(`--bytes: out of range: ${text}`);
  return bytes;
}

/** Runs one contender in a child process and returns what it reported. */
function runChild(workload: Workload, contender: Contender, params: Params): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", CHILD, workload.name, contender.name, JSON.stringify(params)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const last = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`${contender.name} exited with ${code}`));
      try {
        const result = JSON.parse(last) as RunResult;
        if (result.bytes !== params.bytes) {
          return reject(new Error(`${contender.name} moved ${result.bytes} bytes, expected ${params.bytes}`));
        }
        resolve(result);
      } catch {
        reject(new Error(`${contender.name} printed no result: ${JSON.stringify(last)}`));
      }
    });
  });
}

async function benchmark(
  workload: Workload,
  runs: number,
  bytes: number,
  log: (text: string) => void,
): Promise<Summary[]> {
  const { params, teardown } = await workload.setup({ bytes });
  try {
    log(`warm-up: ${workload.contenders.map((c) => c.name).join(", ")}`);
    for (const contender of workload.contenders) await runChild(workload, contender, params);
    const results = new Map<Contender, RunResult[]>(workload.contenders.map((c) => [c, []]));
    for (let round = 0; round < runs; round += 1) {
      const order = round % 2 === 0 ? workload.contenders : [...workload.contenders].reverse();
      for (const contender of order) {
        const result = await runChild(workload, contender, params);
        results.get(contender)!.push(result);
        log(
          `round ${round + 1}/${runs} ${contender.name}: ${result.ms.toFixed(0)} ms, ` +
            `CPU ${result.cpuMs.toFixed(0)} ms, ${(result.maxRSS / 1024).toFixed(1)} MiB`,
        );
      }
    }
    return workload.contenders.map((c) => summarize(c, results.get(c)!));
  } finally {
    await teardown();
  }
}

/** For listing and mirror workloads: the throughput column becomes entries (or files) per second. */
function perEntry(summaries: readonly Summary[]): Summary[] {
  return summaries.map((s) => ({ ...s, mibPerSecond: s.runs[0]!.bytes / (s.medianMs / 1000) }));
}

/** Each `ours` contender against every other one: throughput ratio, > 1 when ours is faster. */
function ratios(summaries: readonly Summary[]): string[] {
  const lines: string[] = [];
  for (const ours of summaries.filter((s) => s.contender.role === "ours")) {
    for (const other of summaries.filter((s) => s !== ours)) {
      const median = (other.medianMs / ours.medianMs).toFixed(2);
      const best = (other.minMs / ours.minMs).toFixed(2);
      lines.push(
        `- ${ours.contender.name} ÷ ${other.contender.name}: ${median} (median), ${best} (best run)`,
      );
    }
  }
  return lines;
}

async function run(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: {
      runs: { type: "string" },
      bytes: { type: "string" },
      only: { type: "string" },
      list: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
  });
  if (values.help || values.list) {
    console.log(
      "Usage: npm run bench -- [workload...] [--runs N (default 5)] [--bytes SIZE] [--only NAME,NAME]\n\nWorkloads:",
    );
    for (const w of WORKLOADS) console.log(`  ${w.name.padEnd(18)} ${w.description}`);
    return 0;
  }
  const runs = values.runs === undefined ? 5 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  const selected =
    positionals.length === 0
      ? WORKLOADS
      : positionals.map((name) => {
          const found = WORKLOADS.find((w) => w.name === name);
          if (!found)
            throw new Error(`unknown workload ${name}; known: ${WORKLOADS.map((w) => w.name).join(", ")}`);
          return found;
        });
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  console.log(
    `node ${process.version}, ${process.platform}/${process.arch}, ${availableParallelism()} cores (${cpu}), ` +
      `${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM`,
  );
  const only = values.only?.split(",").map((name) => name.trim());
  for (const chosen of selected) {
    const workload = only
      ? { ...chosen, contenders: chosen.contenders.filter((c) => only.includes(c.name)) }
      : chosen;
    if (workload.contenders.length < 2)
      throw new Error(`--only leaves fewer than two contenders in ${chosen.name}`);
    const bytes = values.bytes === undefined ? workload.defaultBytes : parseBytes(values.bytes);
    console.log(`\n## ${workload.name}: ${workload.description}`);
    const unit = workload.unit ?? "bytes";
    console.log(`${bytes} ${unit}, ${runs} runs per contender (+1 warm-up), each in its own process\n`);
    const measured = await benchmark(workload, runs, bytes, (text) => process.stderr.write(`  ${text}\n`));
    const summaries = unit === "bytes" ? measured : perEntry(measured);
    const text = table(summaries);
    console.log(unit === "bytes" ? text : text.replace("MiB/s (median)", `${unit}/s (median)`));
    console.log("");
    for (const line of ratios(summaries)) console.log(line);
    console.log("");
    for (const c of workload.contenders) console.log(`- ${c.name} (${c.role}): ${c.description}`);
  }
  return 0;
}

process.exitCode = await run().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
});
