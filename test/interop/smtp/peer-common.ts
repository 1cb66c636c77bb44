// What every mail peer shares: its temporary folder with the test certificate, registration so
// no daemon outlives the test process, an idempotent stop by pid, and start retries on fresh ports.
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testCertificates } from "../../../src/servers/testing/index.js";
import {
  type Daemon,
  descendantsOf,
  freePorts,
  isAlive,
  stopDaemon,
  trackPeer,
} from "../ftp/peer-process.js";
import { type MailRequirement, unavailable } from "./peer-requirements.js";

/** The domain every peer accepts mail for. */
export const MAIL_DOMAIN = "example.test";

/** What every running peer has. */
export interface MailPeerBase extends AsyncDisposable {
  readonly host: "127.0.0.1";
  /** The run's temporary folder (configs, logs, received mail). */
  readonly dir: string;
  /** PEM of the CA the client must trust; the certificate is for 127.0.0.1, ::1 and localhost. */
  readonly ca: string;
  /** The same CA as a file (swaks `--tls-ca-path`, curl `--cacert`, Python `cafile=`). */
  readonly caFile: string;
  /** Pids of the peer's processes alive now. */
  pids(): number[];
  /** Kills every process of the peer (by pid), waits for them, removes the folder. Idempotent. */
  stop(): Promise<void>;
}

export interface MailPeerOptions {
  /** How long to wait for every listener's greeting. Default 15,000 ms. */
  startTimeoutMs?: number;
}

/** A fresh temporary folder, its certificate files, and the CA. */
export interface Workspace {
  dir: string;
  ca: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

const ATTEMPTS = 3;
/**
 * Fails (an AssertionError naming what is missing) unless every requirement is met.
 *
 * @throws {AssertionError} naming the first missing requirement.
 */
export function need(...requirements: MailRequirement[]): void {
  for (const r of requirements) {
    const reason = unavailable(r);
    if (reason !== undefined) assert.fail(`${r} cannot start: ${reason}`);
  }
}

/**
 * A fresh temporary folder others may traverse (the daemons' own users must reach their files),
 * holding the server certificate and key from `testCertificates()` and its CA.
 */
export function workspace(name: string): Workspace {
  const dir = mkdtempSync(join(tmpdir(), `inetkit-${name}-`));
  chmodSync(dir, 0o755);
  const certs = testCertificates();
  const files = {
    caFile: join(dir, "ca.pem"),
    certFile: join(dir, "cert.pem"),
    keyFile: join(dir, "key.pem"),
  };
  writeFileSync(files.certFile, certs.localhost.cert);
  writeFileSync(files.keyFile, certs.localhost.key, { mode: 0o600 });
  writeFileSync(files.caFile, certs.ca.cert, { mode: 0o644 });
  return { dir, ca: certs.ca.cert, ...files };
}

/**
 * The common part of a started peer: registered for the exit hook, `pids`, and an idempotent
 * `stop` that kills every daemon's process tree by pid and then removes the folder.
 */
export function peerBase(ws: Workspace, daemons: Daemon[]): MailPeerBase {
  const stop = trackPeer(daemons, ws.dir);
  return {
    host: "127.0.0.1",
    dir: ws.dir,
    ca: ws.ca,
    caFile: ws.caFile,
    pids: () => daemons.filter((d) => isAlive(d.pid)).flatMap((d) => [d.pid, ...descendantsOf(d.pid)]),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * Starts daemons on `count` fresh ports until `ready` resolves: a port taken between our choice
 * and the daemon's bind makes the daemon exit, and that attempt is retried on new ports (up to
 * three attempts). A daemon that stays up but does not greet fails at once.
 *
 * @throws whatever `start` or `ready` threw (an AssertionError with the daemon's output).
 */
export async function startOnFreePorts(
  count: number,
  start: (ports: number[]) => Daemon[],
  ready: (ports: number[], daemons: Daemon[]) => Promise<void>,
): Promise<{ ports: number[]; daemons: Daemon[] }> {
  for (let round = 1; ; round++) {
    const ports = await freePorts(count);
    const daemons = start(ports);
    try {
      await ready(ports, daemons);
      return { ports, daemons };
    } catch (error) {
      const exitedEarly = daemons.some((d) => d.child.exitCode !== null || d.child.signalCode !== null);
      await Promise.allSettled(daemons.map(stopDaemon));
      if (round < ATTEMPTS && exitedEarly) continue;
      throw error;
    }
  }
}
