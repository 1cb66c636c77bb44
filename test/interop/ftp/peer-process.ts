// Process plumbing for the real FTP peers: free loopback ports, spawning a daemon with its output
// in a file, waiting for its 220 greeting, and stopping it together with its session processes.
// Linux only (the process tree is read from /proc), like the Debian peers themselves.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { type AddressInfo, connect as connectTcp, createServer, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { connect as connectTls } from "node:tls";

/** A daemon started by {@link spawnDaemon}. */
export interface Daemon {
  readonly label: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Where its stdout and stderr go. */
  readonly outputFile: string;
  /** Settles when the process has exited (and Node has reaped it). */
  readonly exited: Promise<void>;
}

/**
 * Ports the OS says are free on 127.0.0.1 right now: each is bound with port 0 and released.
 * Another process may take one before the daemon binds it; callers retry on a bind failure.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    // All held open at once, so the OS hands out distinct ports.
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve, reject) => s.once("error", reject).listen(0, "127.0.0.1", resolve)),
      ),
    );
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(
      servers.map(
        (s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve())),
      ),
    );
  }
}

/**
 * Starts `command` in the foreground with its stdin, stdout and stderr on `outputFile` (no pipes: a
 * forgotten daemon never holds the test process open, and its words survive for error messages).
 * The child is unref'd; {@link stopDaemon} waits for it.
 */
export function spawnDaemon(label: string, command: string, args: string[], outputFile: string): Daemon {
  // Read-write, and stdin too: vsftpd writes its "500 OOPS" start-up errors to fd 0 (the
  // client's socket in inetd mode), and exits silently with status 2 without one.
  const fd = openSync(outputFile, "w+");
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      stdio: [fd, fd, fd],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  child.unref();
  assert.ok(child.pid, `${label}: ${command} did not start`);
  return { label, child, pid: child.pid, outputFile, exited };
}

/** The last `bytes` of a file (or a note saying it cannot be read): for error messages. */
export function tailOf(file: string, bytes = 2000): string {
  try {
    const text = readFileSync(file, "latin1");
    return text.length > bytes ? `…${text.slice(-bytes)}` : text;
  } catch {
    return `(${file} cannot be read)`;
  }
}

export interface GreetingWait {
  /** Wait for TLS first (implicit FTPS), trusting this CA PEM; verification stays on. */
  ca?: string;
  /** Give up at this `Date.now()` value. */
  deadline: number;
  /** Stop waiting as soon as this daemon exits. */
  daemon: Daemon;
}

/**
 * Resolves once `127.0.0.1:port` answers with a `220` greeting (over TLS when `ca` is given); the
 * probe session then sends QUIT. Retries while the port refuses connections.
 *
 * @throws {AssertionError} when the daemon exits first, the deadline passes, the greeting is
 *   not 220, or the TLS handshake fails (a certificate problem does not go away by waiting).
 */
export async function waitForGreeting(port: number, wait: GreetingWait): Promise<void> {
  let exited = false;
  void wait.daemon.exited.then(() => (exited = true));
  let last = "no attempt yet";
  while (!exited && Date.now() < wait.deadline) {
    const outcome = await greetOnce(port, wait.ca, Math.max(100, wait.deadline - Date.now()));
    if (outcome === "ready") return;
    last = outcome;
    if (outcome !== "refused") break;
    await sleep(20);
  }
  const { exitCode, signalCode } = wait.daemon.child;
  const status = exitCode !== null ? `status ${exitCode}` : `signal ${signalCode}`;
  const why = exited
    ? `exited during start-up (${status})`
    : last === "refused"
      ? "did not greet in time"
      : last;
  assert.fail(`${wait.daemon.label} on port ${port} ${why}; its output:\n${tailOf(wait.daemon.outputFile)}`);
}

/** One probe: "ready", "refused" (worth retrying), or what went wrong. */
function greetOnce(port: number, ca: string | undefined, timeout: number): Promise<string> {
  return new Promise((resolve) => {
    const socket: Socket = ca
      ? connectTls({ host: "127.0.0.1", port, ca, timeout })
      : connectTcp({ host: "127.0.0.1", port, timeout });
    let settled = false;
    let received = Buffer.alloc(0);
    const finish = (outcome: string) => {
      if (settled) return;
      settled = true;
      if (outcome === "ready") {
        // Let the session end politely; the daemon closes after 221.
        socket.end("QUIT\r\n");
        socket.setTimeout(2000, () => socket.destroy());
      } else {
        socket.destroy();
      }
      resolve(outcome);
    };
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]).subarray(0, 4096);
      const end = received.indexOf("\n");
      if (end < 0 && received.length < 4096) return;
      const line = received
        .subarray(0, end < 0 ? received.length : end)
        .toString("latin1")
        .trim();
      finish(line.startsWith("220") ? "ready" : `greeted with ${JSON.stringify(line)}`);
    });
    socket.on("timeout", () => finish("timed out waiting for the greeting"));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      finish(
        error.code === "ECONNREFUSED" || error.code === "ECONNRESET" ? "refused" : `failed: ${error.message}`,
      );
    });
    socket.on("close", () => finish("closed before the greeting"));
  });
}

/** Parent pid and state letter of every process, read from /proc/PID/stat. */
function processTable(): Map<number, { ppid: number; state: string }> {
  const table = new Map<number, { ppid: number; state: string }>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      // The command name is in parentheses and may hold spaces or ")": split after the last ")".
      const [state = "", ppid = "0"] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      table.set(Number(name), { ppid: Number(ppid), state });
    } catch {
      // Gone between readdir and read.
    }
  }
  return table;
}

/** Every live descendant of `pid` (children, grandchildren, …), zombies excluded. */
export function descendantsOf(pid: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const [child, info] of table) {
      if (info.ppid === parent && info.state !== "Z" && info.state !== "X") {
        found.push(child);
        frontier.push(child);
      }
    }
  }
  return found;
}

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/**
 * Kills `pid` and all its descendants with SIGKILL. vsftpd's session processes call setsid()
 * and outlive their listener, so a process group kill would miss them: every process of the
 * tree is first stopped (SIGSTOP, so none can fork while the tree is walked), then killed.
 * Synchronous, so it also runs from a process 'exit' handler. Never throws.
 */
export function killTree(pid: number): void {
  const stopped = new Set<number>();
  let frontier = [pid];
  while (frontier.length > 0) {
    for (const p of frontier) {
      try {
        process.kill(p, "SIGSTOP");
        stopped.add(p);
      } catch {
        // Already gone.
      }
    }
    frontier = frontier.flatMap((p) => descendantsOf(p)).filter((p) => !stopped.has(p));
  }
  for (const p of stopped) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** Kills the daemon's whole tree and waits (at most 5 s) until Node has reaped it. */
export async function stopDaemon(daemon: Daemon): Promise<void> {
  daemon.child.ref();
  killTree(daemon.pid);
  const timer = sleep(5000, "timeout" as const, { ref: false });
  const result = await Promise.race([daemon.exited, timer]);
  assert.notEqual(result, "timeout", `${daemon.label} (pid ${daemon.pid}) did not exit after SIGKILL`);
}

/** Peers not yet stopped, killed when the process exits so no daemon outlives a test run. */
const live = new Set<{ daemons: Daemon[]; dir: string }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const peer of live) {
      for (const daemon of peer.daemons) killTree(daemon.pid);
      rmSync(peer.dir, { recursive: true, force: true });
    }
  });
}

/**
 * Registers a started peer (its daemons and its folder) so that the process's exit kills them
 * even when a test forgets, and returns its idempotent `stop`: every daemon stopped by pid, then
 * the folder removed.
 */
export function trackPeer(daemons: Daemon[], dir: string): () => Promise<void> {
  const entry = { daemons, dir };
  live.add(entry);
  installExitHook();
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      try {
        await Promise.all(daemons.map(stopDaemon));
      } finally {
        live.delete(entry);
        rmSync(dir, { recursive: true, force: true });
      }
    })());
}
