// Shared set-up for the archive tests (not a test file): temporary folders, Python's zipfile and
// tarfile as independent readers, and whether unzip/tar are installed.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

/** A fresh temporary folder, removed by {@link cleanUp}. */
export async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "inetkit-archive-"));
  made.push(dir);
  return dir;
}

export async function cleanUp(): Promise<void> {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
}

/** One entry as Python sees it. */
export interface PythonEntry {
  name: string;
  dir: boolean;
  size: number;
  /** Content as base64 (files only). */
  data: string;
  /** tar: mtime in seconds (float); zip: the DOS date_time tuple. */
  mtime: number | number[];
  mode: number;
}

const ZIP_SCRIPT = `
import base64, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
assert bad is None, bad
print(json.dumps([{"name": i.filename, "dir": i.is_dir(), "size": i.file_size,
  "data": "" if i.is_dir() else base64.b64encode(z.read(i)).decode(),
  "mtime": list(i.date_time), "mode": (i.external_attr >> 16) & 0o7777} for i in z.infolist()]))
`;

const TAR_SCRIPT = `
import base64, json, sys, tarfile
t = tarfile.open(sys.argv[1], "r:gz")
print(json.dumps([{"name": i.name, "dir": i.isdir(), "size": i.size,
  "data": base64.b64encode(t.extractfile(i).read()).decode() if i.isfile() else "",
  "mtime": i.mtime, "mode": i.mode} for i in t.getmembers()]))
`;

/** The archive's entries as read by Python's zipfile (with testzip) or tarfile. */
export function pythonRead(path: string, format: "zip" | "tgz"): PythonEntry[] {
  const output = execFileSync("python3", ["-c", format === "zip" ? ZIP_SCRIPT : TAR_SCRIPT, path], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(output) as PythonEntry[];
}

/** Runs a Python script with arguments (to build foreign or hostile archives). */
export function python(script: string, ...args: string[]): string {
  return execFileSync("python3", ["-c", script, ...args], { encoding: "utf8" });
}

/** Whether a command is installed (unzip, tar): tests use them only when present. */
export function installed(command: string): boolean {
  return spawnSync(command, ["--help"], { stdio: "ignore" }).error === undefined;
}
