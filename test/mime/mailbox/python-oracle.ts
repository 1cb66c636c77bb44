// Runs mailbox_oracle.py (Python's `mailbox` module) once with a plan, and returns its answer.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("./mailbox_oracle.py", import.meta.url));

/** Debian's python3 when present (the brief's oracle), else the one on PATH. */
function python(): string {
  return existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

export interface PyMboxMessage {
  from: string;
  subject: string | null;
  bytes: string;
  start: number;
  stop: number;
}

export interface PyMaildirMessage {
  subdir: "new" | "cur";
  flags: string;
  info: string;
  bytes: string;
}

export interface OraclePlan {
  read_mbox?: string[];
  read_maildir?: string[];
  write_mbox?: { path: string; messages: { from: string; b64: string }[] };
  write_maildir?: { path: string; messages: { b64: string; flags: string | null; subdir: "new" | "cur" }[] };
}

export interface OracleAnswer {
  mbox: Record<string, PyMboxMessage[]>;
  maildir: Record<string, Record<string, PyMaildirMessage>>;
  maildir_keys?: string[];
}

/** Writes the plan into `dir`, runs the oracle once, and parses what it printed. */
export async function askPython(dir: string, plan: OraclePlan): Promise<OracleAnswer> {
  const planPath = join(dir, "plan.json");
  await writeFile(planPath, JSON.stringify(plan));
  const { stdout } = await run(python(), [SCRIPT, planPath], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  return JSON.parse(stdout) as OracleAnswer;
}

export function fromB64(text: string): Buffer {
  return Buffer.from(text, "base64");
}
