/**
 * Real FTP servers for interop tests: vsftpd and ProFTPD from Debian's packages (installed by
 * scripts/peers/install.sh), each started on free 127.0.0.1 ports with a plain listener that
 * offers AUTH TLS and an implicit-FTPS listener, a writable served folder, and a certificate
 * issued by the test CA (verification stays on: clients trust {@link FtpPeer.ca}).
 *
 * Both daemons need root (vsftpd checks the test user's password through PAM, ProFTPD through
 * /etc/shadow, then each switches to that user). Every start writes a fresh temporary folder;
 * `stop()` kills the daemons and their session processes by pid and removes it.
 * See docs/interop.md.
 */
import assert from "node:assert/strict";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testCertificates } from "../../../src/servers/testing/index.js";
import { type PeerLayout, proftpdConfig, vsftpdConfig } from "./peer-config.js";
import {
  type Daemon,
  descendantsOf,
  freePorts,
  isAlive,
  spawnDaemon,
  stopDaemon,
  trackPeer,
  waitForGreeting,
} from "./peer-process.js";
import {
  FTP_TEST_PASSWORD,
  FTP_TEST_USER,
  PAM_SERVICE,
  type PeerName,
  PROFTPD_TREE,
  proftpdBinary,
  testAccount,
  unavailable,
  vsftpdBinary,
} from "./peer-requirements.js";

export {
  FTP_TEST_PASSWORD,
  FTP_TEST_USER,
  findProgram,
  inCi,
  type PeerName,
  pythonPath,
  type Requirement,
  unavailable,
  usable,
} from "./peer-requirements.js";

/** A running peer. Ports are on {@link FtpPeer.host}; `plain` and `explicitTls` are one listener. */
export interface FtpPeer extends AsyncDisposable {
  readonly name: PeerName;
  readonly host: "127.0.0.1";
  readonly ports: {
    /** Plain FTP; AUTH TLS is offered but not required. */
    readonly plain: number;
    /** The same listener as `plain`: explicit FTPS is AUTH TLS on it. */
    readonly explicitTls: number;
    /** Implicit FTPS: TLS from the first byte. */
    readonly implicitTls: number;
  };
  readonly user: string;
  readonly password: string;
  /** The served folder (`/` for the client), writable through FTP; uploads land owned by the test user. */
  readonly root: string;
  /** PEM of the CA the client must trust; the server's certificate is for 127.0.0.1, ::1 and localhost. */
  readonly ca: string;
  /** The same CA as a file, for curl `--cacert`, lftp `ssl:ca-file`, Python `cafile=`. */
  readonly caFile: string;
  /** The daemon's log (vsftpd: every command and reply; ProFTPD: its system log), for diagnosis. */
  readonly logFile: string;
  /** Pids of the daemon processes alive now: the listeners and their session processes. */
  pids(): number[];
  /** Kills every process of the peer (SIGKILL, by pid), waits for them, removes the folder. Idempotent. */
  stop(): Promise<void>;
}

export interface FtpPeerOptions {
  /** Passive data port range. Default: none, the daemon picks a free port per transfer. */
  passivePorts?: { min: number; max: number };
  /** Default true (both daemons' default): PROT P data connections must resume the control TLS session. */
  requireTlsReuse?: boolean;
  /** Extra configuration lines (vsftpd: appended to both instances; ProFTPD: inside `<Global>`). */
  extraConfig?: readonly string[];
  /** How long to wait for both greetings. Default 15,000 ms. */
  startTimeoutMs?: number;
}

/** A prepared temporary folder: certificates, the served root, and where the logs go. */
interface Workspace {
  dir: string;
  /** The test user's group name (ProFTPD's Group directive). */
  group: string;
  layout: PeerLayout;
  ca: string;
}

/** One start attempt: the ports it chose and the daemons serving them. */
interface Attempt {
  plain: number;
  implicitTls: number;
  plainDaemon: Daemon;
  implicitDaemon: Daemon;
}

const ATTEMPTS = 3;
/** The binary for `name`, or a failed assertion saying what is missing. */
function binaryFor(name: PeerName): string {
  const reason = unavailable(name);
  const binary = name === "vsftpd" ? vsftpdBinary() : proftpdBinary();
  if (reason !== undefined || binary === undefined) assert.fail(`${name} cannot start: ${reason}`);
  return binary;
}

function prepareWorkspace(name: PeerName, options: FtpPeerOptions): Workspace {
  const account = testAccount();
  assert.ok(account, `the local user ${FTP_TEST_USER} does not exist`);
  const dir = mkdtempSync(join(tmpdir(), `inetkit-${name}-`));
  // Not world-writable (ProFTPD refuses logs in such folders), but others may pass through.
  chmodSync(dir, 0o755);
  const certs = testCertificates();
  const layout: PeerLayout = {
    root: join(dir, "root"),
    certFile: join(dir, "cert.pem"),
    keyFile: join(dir, "key.pem"),
    caFile: join(dir, "ca.pem"),
    logFile: join(dir, `${name}.log`),
    passivePorts: options.passivePorts,
    requireTlsReuse: options.requireTlsReuse ?? true,
    extra: options.extraConfig ?? [],
  };
  writeFileSync(layout.certFile, certs.localhost.cert);
  writeFileSync(layout.keyFile, certs.localhost.key, { mode: 0o600 });
  writeFileSync(layout.caFile, certs.ca.cert);
  mkdirSync(layout.root, { mode: 0o755 });
  chownSync(layout.root, account.uid, account.gid);
  return { dir, group: account.group, layout, ca: certs.ca.cert };
}

/**
 * Runs `attempt` until both listeners greet. A port taken between our check and the daemon's
 * bind makes the daemon exit: that attempt is retried on new ports, up to {@link ATTEMPTS}.
 */
async function launch(
  name: PeerName,
  ws: Workspace,
  options: FtpPeerOptions,
  attempt: () => Promise<Attempt>,
): Promise<FtpPeer> {
  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  for (let round = 1; ; round++) {
    let run: Attempt;
    try {
      run = await attempt();
    } catch (error) {
      rmSync(ws.dir, { recursive: true, force: true });
      throw error;
    }
    const daemons = [...new Set([run.plainDaemon, run.implicitDaemon])];
    try {
      await Promise.all([
        waitForGreeting(run.plain, { deadline, daemon: run.plainDaemon }),
        waitForGreeting(run.implicitTls, { deadline, daemon: run.implicitDaemon, ca: ws.ca }),
      ]);
      return makePeer(name, ws, run, daemons);
    } catch (error) {
      // A daemon that exited by itself most likely lost a port race (vsftpd says nothing then,
      // it exits with status 2); a silent or TLS-broken one would fail again the same way.
      const exitedEarly = daemons.some((d) => d.child.exitCode !== null);
      await Promise.allSettled(daemons.map(stopDaemon));
      if (round < ATTEMPTS && exitedEarly) continue;
      rmSync(ws.dir, { recursive: true, force: true });
      throw error;
    }
  }
}

function makePeer(name: PeerName, ws: Workspace, run: Attempt, daemons: Daemon[]): FtpPeer {
  const stop = trackPeer(daemons, ws.dir);
  return {
    name,
    host: "127.0.0.1",
    ports: { plain: run.plain, explicitTls: run.plain, implicitTls: run.implicitTls },
    user: FTP_TEST_USER,
    password: FTP_TEST_PASSWORD,
    root: ws.layout.root,
    ca: ws.ca,
    caFile: ws.layout.caFile,
    logFile: ws.layout.logFile,
    pids: () => daemons.filter((d) => isAlive(d.pid)).flatMap((d) => [d.pid, ...descendantsOf(d.pid)]),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * Starts vsftpd 3.0.3 as two foreground processes (it has one listener per process): plain FTP
 * with AUTH TLS on offer, and implicit FTPS. `require_ssl_reuse=YES` unless told otherwise.
 * No MLSD/MLST/MFMT there: LIST is what clients get.
 *
 * @throws {AssertionError} when vsftpd, root or the test user is missing (see {@link unavailable}),
 *   or when it does not greet on both ports in time (the message holds its output).
 */
export async function startVsftpd(options: FtpPeerOptions = {}): Promise<FtpPeer> {
  const binary = binaryFor("vsftpd");
  const ws = prepareWorkspace("vsftpd", options);
  const emptyDir = join(ws.dir, "empty");
  mkdirSync(emptyDir, { mode: 0o755 });
  return launch("vsftpd", ws, options, async () => {
    const [plain = 0, implicitTls = 0] = await freePorts(2);
    const start = (port: number, implicit: boolean) => {
      const file = join(ws.dir, implicit ? "vsftpd-implicit.conf" : "vsftpd.conf");
      const config = { ...ws.layout, port, implicitTls: implicit, emptyDir, pamService: PAM_SERVICE };
      writeFileSync(file, vsftpdConfig(config));
      const label = implicit ? "vsftpd (implicit FTPS)" : "vsftpd";
      return spawnDaemon(label, binary, [file], `${file.slice(0, -".conf".length)}.out`);
    };
    return { plain, implicitTls, plainDaemon: start(plain, false), implicitDaemon: start(implicitTls, true) };
  });
}

/**
 * Starts ProFTPD 1.3.8 (`proftpd -n`, one master process) with mod_tls loaded: the main server
 * serves plain FTP with AUTH TLS on offer, a virtual host on the second port serves implicit
 * FTPS. MLSD, MLST and MFMT are available; TLS session reuse on data connections is required
 * unless told otherwise. Its master pauses ~0.4 s after each session ends before accepting the
 * next (a compile-time EINTR retry delay): short sessions in a row pay for it.
 *
 * @throws {AssertionError} when ProFTPD, root or the test user is missing (see {@link unavailable}),
 *   or when it does not greet on both ports in time (the message holds its output).
 */
export async function startProftpd(options: FtpPeerOptions = {}): Promise<FtpPeer> {
  const binary = binaryFor("proftpd");
  const ws = prepareWorkspace("proftpd", options);
  return launch("proftpd", ws, options, async () => {
    const [plain = 0, implicitTls = 0] = await freePorts(2);
    const file = join(ws.dir, "proftpd.conf");
    const config = proftpdConfig({
      ...ws.layout,
      port: plain,
      implicitPort: implicitTls,
      moduleDir: join(PROFTPD_TREE, "usr", "lib", "proftpd"),
      user: FTP_TEST_USER,
      group: ws.group,
      pidFile: join(ws.dir, "proftpd.pid"),
      scoreboardFile: join(ws.dir, "proftpd.scoreboard"),
      tlsLogFile: join(ws.dir, "proftpd-tls.log"),
    });
    writeFileSync(file, config);
    const daemon = spawnDaemon("ProFTPD", binary, ["-n", "-c", file], join(ws.dir, "proftpd.out"));
    return { plain, implicitTls, plainDaemon: daemon, implicitDaemon: daemon };
  });
}

/** {@link startVsftpd} or {@link startProftpd} by name. */
export function startFtpPeer(name: PeerName, options: FtpPeerOptions = {}): Promise<FtpPeer> {
  return name === "vsftpd" ? startVsftpd(options) : startProftpd(options);
}
