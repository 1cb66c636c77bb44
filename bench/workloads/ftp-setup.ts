/**
 * The harness side of the FTP workloads: starting the real server a workload talks to, and the
 * `inetkit-plain` contenders (inetkit bundled by esbuild and run by plain `node`). Kept apart from
 * ftp-common.ts because that file is bundled into the plain program and this one must not be.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ContenderResult, Params } from "../types.js";
import { runProgram, scratch } from "./ftp-common.js";

/**
 * Starts a real server (in the harness process), lets `prepare` fill its served folder, bundles
 * the `inetkit-plain` program, and returns the params and a teardown that stops the server and
 * removes the bundle. The interop module is loaded here only, so contender children never load it.
 */
export async function startServer(
  name: "vsftpd" | "proftpd",
  bytes: number,
  prepare: (root: string) => Promise<Params | undefined>,
): Promise<{ params: Params; teardown(): Promise<void> }> {
  const bundle = await scratch();
  try {
    const plainBundle = await bundleInetkit(bundle.dir);
    const { startFtpPeer } = await import("../../test/interop/ftp/peers.js");
    const peer = await startFtpPeer(name);
    try {
      const extra = (await prepare(peer.root)) ?? {};
      const params: Params = {
        host: peer.host,
        port: peer.ports.plain,
        user: peer.user,
        password: peer.password,
        root: peer.root,
        // ProFTPD's master sleeps ~0.4 s after each session ends before accepting the next one.
        settleMs: name === "proftpd" ? 600 : 0,
        bytes,
        plainBundle,
        ...extra,
      };
      const teardown = async () => {
        await peer.stop();
        await bundle.remove();
      };
      return { params, teardown };
    } catch (error) {
      await peer.stop();
      throw error;
    }
  } catch (error) {
    await bundle.remove();
    throw error;
  }
}

/**
 * Bundles ftp-plain-entry.ts (inetkit's FTP client and the operations of ftp-inetkit.ts) into one
 * ESM file in `dir` with esbuild (tsx's own dependency), for plain `node` to run. Resolves to its path.
 */
async function bundleInetkit(dir: string): Promise<string> {
  const { build } = await import("esbuild");
  const outfile = join(dir, "inetkit-plain.mjs");
  await build({
    entryPoints: [fileURLToPath(new URL("./ftp-plain-entry.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    logLevel: "warning",
  });
  return outfile;
}

/**
 * Bundles the `inet` command line (`inet-cli-entry.ts`, which runs `src/cli/main.ts`) into `dir`
 * with esbuild, as ESM with code splitting: modules the CLI imports lazily (the shell, the
 * archive writers) land in chunks of their own and are loaded only when used, as with the
 * compiled package. Resolves to the entry file's path, for plain `node` to run.
 */
export async function bundleCli(dir: string): Promise<string> {
  const { build } = await import("esbuild");
  await build({
    entryPoints: [fileURLToPath(new URL("./inet-cli-entry.ts", import.meta.url))],
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
  });
  return join(dir, "inet-cli-entry.mjs");
}

/**
 * Runs one operation of the bundled inetkit program under plain `node` (see ftp-plain-entry.ts):
 * its own timing and CPU time of the timed part, and the peak RSS of its whole process.
 */
export async function runPlain(params: Params, operation: string): Promise<ContenderResult> {
  const run = await runProgram(process.execPath, [
    String(params.plainBundle),
    operation,
    JSON.stringify(params),
  ]);
  const result = JSON.parse(run.stdout.trim().split("\n").pop() ?? "") as ContenderResult;
  return { ms: result.ms, bytes: result.bytes, cpuMs: result.cpuMs, maxRSS: run.maxRSS };
}
