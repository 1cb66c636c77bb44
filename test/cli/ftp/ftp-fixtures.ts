// Shared set-up for the `inet ftp` command tests (not a test file). Importing it points HOME, the
// XDG folders, INET_CONFIG and NETRC at a fresh temporary folder, so no test can read or write the
// real home; it also clears the INET_* credential variables.
import { mkdtempSync } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type FtpServer, startFtpServer } from "../../../src/servers/index.js";
import { type CliRun, runCli } from "../run-cli.js";

/** The temporary home of this test process. */
export const HOME = mkdtempSync(join(tmpdir(), "inetkit-cli-home-"));
process.env.HOME = HOME;
process.env.XDG_CONFIG_HOME = join(HOME, "config");
process.env.XDG_STATE_HOME = join(HOME, "state");
process.env.INET_CONFIG = join(HOME, "config", "inetkit", "config.json");
process.env.NETRC = join(HOME, "netrc");
for (const name of ["INET_PASSWORD", "INET_FTP_PASSWORD", "INET_USER", "INET_FTP_USER"])
  delete process.env[name];

export const USER = { user: "alice", password: "secret" };

/** A fresh temporary folder (removed by {@link cleanup}). */
const made: string[] = [HOME];
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "inetkit-cli-ftp-"));
  made.push(dir);
  return dir;
}

/** Removes every folder made here. */
export async function cleanup(): Promise<void> {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
}

/** Writes `files` below `root` (`"a/b.txt": "text"`; a key ending in `/` is an empty folder). */
export async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const path = join(root, name);
    if (name.endsWith("/")) await mkdir(path, { recursive: true });
    else {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
    }
  }
}

/** Everything below `root` as `writeTree` takes it (text), symlinks as `"-> target"`; never follows one. */
export async function readTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (relative: string): Promise<void> => {
    const names = (await readdir(join(root, relative))).sort();
    if (names.length === 0 && relative !== "") out[`${relative}/`] = "";
    for (const name of names) {
      const path = relative === "" ? name : `${relative}/${name}`;
      const info = await lstat(join(root, path));
      if (info.isSymbolicLink()) out[path] = `-> ${await readlink(join(root, path))}`;
      else if (info.isDirectory()) await walk(path);
      else out[path] = await readFile(join(root, path), "utf8");
    }
  };
  await walk("");
  return out;
}

/** Our FTP server on a temporary folder holding `tree`: alice may write, anonymous may read. */
export async function serveTree(
  tree: Record<string, string | Buffer>,
): Promise<{ server: FtpServer; root: string; url: string; aliceUrl: string }> {
  const root = await tempDir();
  await writeTree(root, tree);
  const server = await startFtpServer({ root, users: [USER], anonymous: true });
  const url = server.urls.ftp.replace(/\/$/, "");
  const aliceUrl = url.replace("ftp://", `ftp://${USER.user}:${USER.password}@`);
  return { server, root, url, aliceUrl };
}

/** `inet ftp ARGS…` in-process. */
export function ftp(...args: string[]): Promise<CliRun> {
  return runCli(["ftp", ...args]);
}

/** Parses the JSON summary a `--json` run printed. */
export function summary(run: CliRun): Record<string, unknown> & {
  files: number;
  bytes: number;
  seconds: number;
  errors: Array<{ path: string; message: string }>;
  refused: Array<{ name: string; directory: string; reason: string }>;
} {
  return JSON.parse(run.stdout);
}
