/**
 * Real mail servers for interop tests and benchmarks, from Debian's packages (installed by
 * scripts/peers/install.sh → mail.sh), each started on free 127.0.0.1 ports from a private config
 * in a fresh temporary folder, and stopped by pid (`stop()` also removes the folder):
 *
 * - {@link startPostfix}: Postfix 3.7 (its master run in the foreground) with a plain smtpd port
 *   offering STARTTLS, a submission port requiring STARTTLS + AUTH, and an smtps port; SASL and
 *   delivery through a private Dovecot 2.3 (auth socket, LMTP socket) into Maildir.
 * - {@link startAiosmtpd}: Python's aiosmtpd (aiosmtpd_peer.py): STARTTLS, implicit TLS, AUTH
 *   PLAIN/LOGIN, SMTPUTF8, one recipient refused; every message kept as received.
 * - {@link startSmtpSink}: Postfix's smtp-sink, a fast C sink that accepts and drops everything.
 *
 * Certificates come from `testCertificates()`; clients trust `peer.ca` (verification stays on).
 * See docs/interop.md ("Mail peers").
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnDaemon, waitForGreeting } from "../ftp/peer-process.js";
import {
  MAIL_DOMAIN,
  type MailPeerBase,
  type MailPeerOptions,
  need,
  peerBase,
  startOnFreePorts,
  workspace,
} from "./peer-common.js";
import { DEBIAN_PYTHON, smtpSinkBinary } from "./peer-requirements.js";

export { MAIL_DOMAIN, type MailPeerBase, type MailPeerOptions } from "./peer-common.js";
export { readMaildir, stripTrace } from "./peer-mailbox.js";
export { type PostfixPeer, startPostfix } from "./peer-postfix.js";
export {
  DEBIAN_PYTHON,
  inCi,
  MAIL_USER,
  type MailRequirement,
  unavailable,
  usable,
} from "./peer-requirements.js";

/** A message aiosmtpd accepted, as its handler saw it. */
export interface ReceivedMessage {
  mailFrom: string;
  rcptTos: string[];
  mailOptions: string[];
  rcptOptions: string[][];
  smtpUtf8: boolean;
  /** The authenticated user, or null. */
  user: string | null;
  /** Whether the session was encrypted (STARTTLS or implicit). */
  tls: boolean;
  heloName: string;
  /** The data exactly as received (dot-unstuffed, CRLF line ends as sent). */
  data: Buffer;
}

/** A running aiosmtpd. */
export interface AiosmtpdPeer extends MailPeerBase {
  readonly ports: {
    /** Plain SMTP with STARTTLS on offer; AUTH only after STARTTLS. */
    readonly plain: number;
    /** TLS from the first byte; AUTH offered at once. */
    readonly implicitTls: number;
  };
  readonly user: string;
  readonly password: string;
  /** RCPT TO this address gets `550 5.1.1`; every other address is accepted. */
  readonly rejectAddress: string;
  /** The script's and aiosmtpd's output (tracebacks land here). */
  readonly logFile: string;
  /** Every message accepted so far, in order (each written before the 250 to its data went out). */
  received(): ReceivedMessage[];
}

/** A running smtp-sink. */
export interface SmtpSinkPeer extends MailPeerBase {
  readonly port: number;
  /** Messages it has accepted so far (its `-c` counter). */
  messageCount(): number;
}

const AIOSMTPD_SCRIPT = fileURLToPath(new URL("./aiosmtpd_peer.py", import.meta.url));

/**
 * Starts aiosmtpd 1.4 (Debian's python3-aiosmtpd) with two listeners: plain with STARTTLS on
 * offer, and implicit TLS. The user is `alice`; `rejected@example.test` is refused at RCPT.
 *
 * @throws {AssertionError} when aiosmtpd is missing or does not greet in time.
 */
export async function startAiosmtpd(options: MailPeerOptions = {}): Promise<AiosmtpdPeer> {
  need("aiosmtpd");
  const ws = workspace("aiosmtpd");
  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  const out = join(ws.dir, "received");
  mkdirSync(out);
  const logFile = join(ws.dir, "aiosmtpd.out");
  const account = { user: "alice", password: "alice-secret", rejectAddress: `rejected@${MAIL_DOMAIN}` };
  try {
    const { ports, daemons } = await startOnFreePorts(
      2,
      ([plain = 0, implicitTls = 0]) => {
        const args = [String(plain), String(implicitTls), ws.certFile, ws.keyFile];
        args.push(account.user, account.password, account.rejectAddress, out);
        return [spawnDaemon("aiosmtpd", DEBIAN_PYTHON, [AIOSMTPD_SCRIPT, ...args], logFile)];
      },
      async ([plain = 0, implicitTls = 0], [daemon]) => {
        await Promise.all([
          waitForGreeting(plain, { deadline, daemon: daemon! }),
          waitForGreeting(implicitTls, { deadline, daemon: daemon!, ca: ws.ca }),
        ]);
      },
    );
    const [plain = 0, implicitTls = 0] = ports;
    return {
      ...peerBase(ws, daemons),
      ...account,
      ports: { plain, implicitTls },
      logFile,
      received: () =>
        readdirSync(out)
          .filter((name) => name.endsWith(".json"))
          .sort()
          .map((name) => {
            const meta = JSON.parse(readFileSync(join(out, name), "utf8")) as Omit<ReceivedMessage, "data">;
            return { ...meta, data: readFileSync(join(out, name.replace(/\.json$/, ".eml"))) };
          }),
    };
  } catch (error) {
    rmSync(ws.dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Starts smtp-sink on one port: ESMTP with PIPELINING, 8BITMIME, AUTH (anything goes), DSN and
 * ENHANCEDSTATUSCODES (no SIZE, SMTPUTF8 or STARTTLS); it accepts every command and drops every
 * message. Started as root it runs as `nobody` (-u, which it requires then).
 *
 * @throws {AssertionError} when smtp-sink is missing or does not greet in time.
 */
export async function startSmtpSink(options: MailPeerOptions = {}): Promise<SmtpSinkPeer> {
  need("smtp-sink");
  const ws = workspace("smtp-sink");
  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  const output = join(ws.dir, "smtp-sink.out");
  try {
    const { ports, daemons } = await startOnFreePorts(
      1,
      ([port = 0]) => {
        const user = process.getuid?.() === 0 ? ["-u", "nobody"] : [];
        return [
          spawnDaemon("smtp-sink", smtpSinkBinary()!, [...user, "-c", `127.0.0.1:${port}`, "256"], output),
        ];
      },
      ([port = 0], [daemon]) => waitForGreeting(port, { deadline, daemon: daemon! }),
    );
    return {
      ...peerBase(ws, daemons),
      port: ports[0] ?? 0,
      messageCount() {
        // -c rewrites one "sess=N quit=N mesg=N" line, CR-separated: the last record is current.
        const counts = [...readFileSync(output, "latin1").matchAll(/mesg=(\d+)/g)];
        return Number(counts.at(-1)?.[1] ?? 0);
      },
    };
  } catch (error) {
    rmSync(ws.dir, { recursive: true, force: true });
    throw error;
  }
}
