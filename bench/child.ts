/**
 * Runs one contender once, in its own process, and prints its result as a JSON line:
 * `{"ms":…,"bytes":…,"cpuMs":…,"maxRSS":…}`. The harness (run.ts) spawns it; not meant to be run by hand.
 *
 * Usage: node --import tsx bench/child.ts WORKLOAD CONTENDER PARAMS_JSON
 */
import type { Params, RunResult } from "./types.js";
import { WORKLOADS } from "./workloads/index.js";

const [workloadName, contenderName, paramsJson] = process.argv.slice(2);
const workload = WORKLOADS.find((w) => w.name === workloadName);
const contender = workload?.contenders.find((c) => c.name === contenderName);
if (!contender || paramsJson === undefined) {
  process.stderr.write(`unknown workload/contender: ${workloadName}/${contenderName}\n`);
  process.exit(2);
}
const params = JSON.parse(paramsJson) as Params;
const before = process.cpuUsage();
const outcome = await contender.run(params);
const cpu = process.cpuUsage(before);
// A contender running an external program reports that program's CPU time and peak RSS.
const result: RunResult = {
  ms: outcome.ms,
  bytes: outcome.bytes,
  cpuMs: outcome.cpuMs ?? (cpu.user + cpu.system) / 1000,
  maxRSS: outcome.maxRSS ?? process.resourceUsage().maxRSS,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
