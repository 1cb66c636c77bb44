/**
 * Runs test/mime/header/oracle.py (Python's `email` package) over a batch of cases: one python3
 * process per call, so a test file spawns it once per mode.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./oracle.py", import.meta.url));

/** The oracle's answers, one per case, in order. Throws when python3 fails. */
export function askPython<T>(mode: string, cases: readonly string[]): T[] {
  const result = spawnSync("python3", [SCRIPT], {
    input: JSON.stringify({ mode, cases }),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`python3 failed (${result.status}): ${result.stderr}`);
  const answers = JSON.parse(result.stdout) as T[];
  if (answers.length !== cases.length) throw new Error("the oracle answered a different number of cases");
  return answers;
}
