// Shared set-up for the mirror tests (not a test file): temporary folders, reading a tree back,
// a loopback server with a writable account, and a client for it.
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { FtpClient } from "../../../src/ftp/client.js";
import { FtpPool } from "../../../src/ftp/pool.js";
import { type FtpServer, type FtpServerOptions, startFtpServer } from "../../../src/servers/index.js";
import type { MirrorEvent } from "../../../src/tools/ftp-mirror/index.js";

export const USER = { user: "alice", password: "secret" };

/** A fresh temporary folder. */
export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "inetkit-mirror-"));
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

/**
 * Everything below `root`, as `writeTree` takes it (files as UTF-8 text unless `binary`), with
 * symlinks as `"-> target"`. Never follows a symlink.
 */
export async function readTree(root: string, binary = false): Promise<Record<string, string | Buffer>> {
  const out: Record<string, string | Buffer> = {};
  const walk = async (relative: string): Promise<void> => {
    const names = (await readdir(join(root, relative))).sort();
    if (names.length === 0 && relative !== "") out[`${relative}/`] = "";
    for (const name of names) {
      const path = relative === "" ? name : `${relative}/${name}`;
      const info = await lstat(join(root, path));
      if (info.isSymbolicLink()) out[path] = `-> ${await readlink(join(root, path))}`;
      else if (info.isDirectory()) await walk(path);
      else out[path] = binary ? await readFile(join(root, path)) : await readFile(join(root, path), "utf8");
    }
  };
  await walk("");
  return out;
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** A loopback server with the `alice` account (read-write). */
export function serve(options: Partial<FtpServerOptions>): Promise<FtpServer> {
  return startFtpServer({ users: [USER], ...options } as FtpServerOptions);
}

const CONNECT = { ...USER, allowInsecureAuth: true, netrc: false } as const;

/** A client logged in as `alice`. */
export function connect(server: FtpServer): Promise<FtpClient> {
  return FtpClient.connect(server.urls.ftp, CONNECT);
}

/** A pool of `size` connections logged in as `alice`. */
export function pool(server: FtpServer, size: number): FtpPool {
  return new FtpPool(server.urls.ftp, { ...CONNECT, size });
}

/** Collects events, and the most transfers seen between `file-start` and `file-done` at once. */
export function recorder(): {
  events: MirrorEvent[];
  onEvent: (event: MirrorEvent) => void;
  peak: () => number;
} {
  const events: MirrorEvent[] = [];
  let busy = 0;
  let peak = 0;
  return {
    events,
    onEvent: (event) => {
      events.push(event);
      if (event.type === "file-start") peak = Math.max(peak, ++busy);
      if (event.type === "file-done") busy -= 1;
      if (event.type === "error") busy = Math.max(0, busy - 1);
    },
    peak: () => peak,
  };
}
