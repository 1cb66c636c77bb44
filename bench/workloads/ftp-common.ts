/**
 * What the FTP workloads' contenders share: their params, the files setup serves, timing of the
 * measured part, a discarding sink, and external client programs (curl, lftp, python3) run under
 * `/usr/bin/time` so their own CPU time and peak RSS are reported. Only Node built-ins here: this
 * file is also bundled into the plain-node program (ftp-plain-entry.ts). The server itself is
 * started by ftp-setup.ts.
 *
 * Every contender measures the same span: from before it dials the control connection to the
 * transfer's final reply (connect, login, the transfer; not QUIT, not process startup).
 */
import { spawn } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { Params } from "../types.js";

/** What setup hands to every FTP contender. */
export interface FtpParams {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The served folder on disk (`/` for the client). */
  root: string;
  /** How long a child waits before its measured part (ProFTPD pauses after each session). */
  settleMs: number;
  bytes: number;
}

/** The typed view of the JSON params a child receives. */
export function ftpParams(params: Params): FtpParams {
  return {
    host: String(params.host),
    port: Number(params.port),
    user: String(params.user),
    password: String(params.password),
    root: String(params.root),
    settleMs: Number(params.settleMs ?? 0),
    bytes: Number(params.bytes),
  };
}

/** Writes `bytes` of random data to `path` (1 MiB of random bytes, repeated), readable by all. */
export async function writeFile(path: string, bytes: number): Promise<void> {
  const block = randomFillSync(Buffer.allocUnsafe(1024 * 1024));
  const file = await open(path, "w", 0o644);
  try {
    for (let done = 0; done < bytes; done += block.length) {
      await file.write(block, 0, Math.min(block.length, bytes - done));
    }
  } finally {
    await file.close();
  }
}

/** A temporary folder for local files (upload sources, listing outputs); removed by the returned function. */
export async function scratch(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "inetkit-bench-"));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Waits out the server's pause between sessions, before anything is measured. */
export async function settle(p: FtpParams): Promise<void> {
  if (p.settleMs > 0) await sleep(p.settleMs);
}

/**
 * Times `work` (wall clock and this process's CPU, user + system) after settling.
 * Resolves to what `work` returned with `ms` and `cpuMs`.
 */
export async function timed<T>(
  p: FtpParams,
  work: () => Promise<T>,
): Promise<{ value: T; ms: number; cpuMs: number }> {
  await settle(p);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await work();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { value, ms, cpuMs: (used.user + used.system) / 1000 };
}

/** A Writable that counts and drops what it is given (the "download to nowhere" sink). */
export function discard(): Writable & { received: number } {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      sink.received += chunk.length;
      callback();
    },
  }) as Writable & { received: number };
  sink.received = 0;
  return sink;
}

/** What an external program printed, with its own CPU time (ms) and peak RSS (KiB). */
export interface ProgramRun {
  stdout: string;
  cpuMs: number;
  maxRSS: number;
  /** Wall time of the whole process, in ms: from just before it is started to its exit. */
  wallMs: number;
}

/**
 * Runs `program` under `/usr/bin/time` and resolves to its stdout, CPU time and peak RSS (whole
 * process, startup included; 10 ms resolution for CPU), and its wall time (`/usr/bin/time`'s own
 * start included, about a millisecond). `env` replaces the environment when given.
 *
 * @throws Error when it exits with a non-zero status (the message holds its stderr).
 */
export async function runProgram(
  program: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<ProgramRun> {
  const { dir, remove } = await scratch();
  const report = join(dir, "time.txt");
  try {
    const started = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "%U %S %M", "-o", report, program, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.env ? { env: options.env } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding("utf8").on("data", (text: string) => {
      stderr += text;
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", resolve);
    });
    const wallMs = performance.now() - started;
    if (code !== 0) throw new Error(`${program} exited with ${code}: ${stderr.trim()}`);
    const last = (await readFile(report, "utf8")).trim().split("\n").pop() ?? "";
    const [user = Number.NaN, system = Number.NaN, rss = Number.NaN] = last.split(" ").map(Number);
    if (![user, system, rss].every(Number.isFinite))
      throw new Error(`/usr/bin/time said ${JSON.stringify(last)}`);
    return { stdout, cpuMs: (user + system) * 1000, maxRSS: rss, wallMs };
  } finally {
    await remove();
  }
}

/** The python3 the interop suite uses: Debian's when present, else the one on PATH. */
export function python(): string {
  return existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

/** `curl` options every FTP run shares: quiet, fail on errors, credentials, passive (EPSV). */
export function curlArgs(p: FtpParams): string[] {
  return ["--silent", "--show-error", "--fail", "--user", `${p.user}:${p.password}`];
}

/** The URL of `path` on the server, without credentials. */
export function urlOf(p: FtpParams, path: string): string {
  return `ftp://${p.host}:${p.port}/${path}`;
}

/**
 * An lftp script: plain FTP (lftp would otherwise switch to AUTH TLS on its own), `open` (lazy:
 * the connection is made by the first command), then `commands` between two clock readings
 * printed as `T0 <ns>` and `T1 <ns>` (each `!` runs a shell: ~2 ms of overhead).
 */
export function lftpScript(p: FtpParams, settings: readonly string[], commands: readonly string[]): string {
  return [
    "set ftp:ssl-allow no",
    "set cmd:fail-exit yes",
    ...settings,
    `open -u ${p.user},${p.password} ${urlOf(p, "")}`,
    "!echo T0 $(date +%s%N)",
    ...commands,
    "!echo T1 $(date +%s%N)",
    "",
  ].join("\n");
}

/** The span between lftp's `T0` and `T1` lines, in ms. */
export function lftpSpan(stdout: string): number {
  const at = (mark: string) => {
    const match = new RegExp(`^${mark} (\\d+)$`, "m").exec(stdout);
    if (!match) throw new Error(`lftp printed no ${mark}: ${JSON.stringify(stdout.slice(0, 200))}`);
    return BigInt(match[1]!);
  };
  return Number(at("T1") - at("T0")) / 1e6;
}

/**
 * The control side of the bare exchange: sends a command (or nothing) and resolves to the final
 * line of the next reply, which must start with `expect`. Lines of multi-line replies are skipped.
 */
export function controlChannel(socket: Socket): (line: string, expect: string) => Promise<string> {
  let pending = "";
  const lines: string[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  socket.setEncoding("latin1");
  socket.on("data", (text: string) => {
    pending += text;
    for (let end = pending.indexOf("\r\n"); end >= 0; end = pending.indexOf("\r\n")) {
      lines.push(pending.slice(0, end));
      pending = pending.slice(end + 2);
    }
    wake?.();
  });
  socket.on("error", (error) => {
    failure = error;
    wake?.();
  });
  socket.on("close", () => {
    failure ??= new Error("the control connection closed");
    wake?.();
  });
  const reply = async (): Promise<string> => {
    for (;;) {
      for (let line = lines.shift(); line !== undefined; line = lines.shift()) {
        if (/^\d{3} /.test(line)) return line;
      }
      if (failure) throw failure;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  };
  return async (line, expect) => {
    if (line !== "") socket.write(`${line}\r\n`);
    const answer = await reply();
    if (!answer.startsWith(expect)) throw new Error(`${line.split(" ")[0] || "greeting"}: ${answer}`);
    return answer;
  };
}

/**
 * The start every bare exchange shares: dial, greeting, USER, PASS, TYPE, then EPSV. Resolves to
 * the control socket, its command function (see {@link controlChannel}) and the data port.
 */
export async function bareLoginAndEpsv(
  p: FtpParams,
  type: "A" | "I",
): Promise<{ control: Socket; command: (line: string, expect: string) => Promise<string>; port: number }> {
  const control = connect({ host: p.host, port: p.port });
  const command = controlChannel(control);
  await command("", "220");
  await command(`USER ${p.user}`, "331");
  await command(`PASS ${p.password}`, "230");
  await command(`TYPE ${type}`, "200");
  const epsv = await command("EPSV", "229");
  return { control, command, port: Number(/\(\|\|\|(\d+)\|\)/.exec(epsv)?.[1]) };
}
