// Postfix 3.7 with a private Dovecot 2.3 behind it (SASL + LMTP delivery into Maildir), both from
// configs written into the run's temporary folder. See peers.ts for the overview.
import assert from "node:assert/strict";
import { chownSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Daemon, spawnDaemon, stopDaemon, tailOf, waitForGreeting } from "../ftp/peer-process.js";
import {
  MAIL_DOMAIN,
  type MailPeerBase,
  type MailPeerOptions,
  need,
  peerBase,
  startOnFreePorts,
  workspace,
} from "./peer-common.js";
import {
  dovecotConfig,
  dovecotSocket,
  dovecotUsers,
  type Mailbox,
  type MailLayout,
  postfixMailboxes,
  postfixMainConfig,
  postfixMasterConfig,
  postfixTransport,
} from "./peer-config.js";
import { readMaildir, waitForUnixGreeting } from "./peer-mailbox.js";
import { dovecotBinary, mailAccount, postfixMaster } from "./peer-requirements.js";

/** A running Postfix with its Dovecot. */
export interface PostfixPeer extends MailPeerBase {
  readonly ports: {
    /** Plain SMTP; STARTTLS on offer, AUTH only after it. Accepts mail for example.test. */
    readonly smtp: number;
    /** Submission: STARTTLS required, then AUTH required. */
    readonly submission: number;
    /** SMTPS: TLS from the first byte, then AUTH required. */
    readonly smtps: number;
  };
  /** The SASL account (Dovecot's passwd-file); also the mailbox `alice@example.test`. */
  readonly user: string;
  readonly password: string;
  /** Mailboxes delivered through Dovecot LMTP (CRLF kept on disk): alice and bob. */
  readonly mailboxes: readonly string[];
  /**
   * A mailbox with a UTF-8 local part delivered by Postfix's own virtual(8) agent (LF line ends on
   * disk): SMTPUTF8 mail cannot go through Dovecot 2.3's LMTP, which does not offer SMTPUTF8.
   */
  readonly utf8Mailbox: string;
  /** Accepted and discarded (for benchmarks). */
  readonly sinkAddress: string;
  /** A recipient Postfix refuses at RCPT (`550 5.1.1 … User unknown in virtual mailbox table`). */
  readonly unknownAddress: string;
  /** Postfix's log (every session, every delivery) and Dovecot's. */
  readonly logFile: string;
  readonly dovecotLogFile: string;
  /** The messages delivered to `address` so far (new/ and cur/, oldest first). */
  messages(address: string): Buffer[];
  /**
   * Waits (polling) until a message containing `marker` (a unique Message-ID, say) is delivered to
   * `address`, and resolves to its bytes as stored.
   *
   * @throws {AssertionError} after `timeoutMs` (default 10 s), quoting Postfix's and Dovecot's logs.
   */
  waitForMessage(address: string, marker: string | Buffer, timeoutMs?: number): Promise<Buffer>;
}

const PASSWORD = "alice-secret";
const MAILBOXES: readonly Mailbox[] = [
  { address: `alice@${MAIL_DOMAIN}`, box: "alice", via: "dovecot", password: PASSWORD },
  { address: `bob@${MAIL_DOMAIN}`, box: "bob", via: "dovecot", password: "bob-secret" },
  { address: `δοκιμή@${MAIL_DOMAIN}`, box: "intl", via: "virtual" },
  { address: `sink@${MAIL_DOMAIN}`, box: "sink", via: "discard" },
];

/** The local user's uid and gid from /etc/passwd. */
function idsOf(user: string): { uid: number; gid: number } {
  const fields = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .map((line) => line.split(":"))
    .find((f) => f[0] === user);
  assert.ok(fields, `no local user ${user}`);
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

function gidOfGroup(group: string): number {
  const fields = readFileSync("/etc/group", "utf8")
    .split("\n")
    .map((line) => line.split(":"))
    .find((f) => f[0] === group);
  assert.ok(fields, `no local group ${group}`);
  return Number(fields[2]);
}

/**
 * Creates Postfix's queue and data folders with the owners and modes its own postfix-files list
 * gives (what `postfix check` would do, without its ~2 s of shell scripts and postconf runs).
 */
function createPostfixFolders(layout: MailLayout): void {
  const owner = idsOf("postfix");
  const postdrop = gidOfGroup("postdrop");
  const lines = readFileSync("/etc/postfix/postfix-files", "utf8").split("\n");
  for (const line of lines) {
    const [path = "", type, user, group, mode] = line.split(":");
    if (type !== "d") continue;
    const match = /^\$(queue|data)_directory(\/.*)?$/.exec(path);
    if (!match) continue;
    const folder = (match[1] === "queue" ? layout.queue : layout.data) + (match[2] ?? "");
    mkdirSync(folder, { recursive: true, mode: Number.parseInt(mode ?? "755", 8) });
    const uid = user === "$mail_owner" ? owner.uid : 0;
    const gid = group === "$setgid_group" ? postdrop : user === "$mail_owner" ? owner.gid : 0;
    chownSync(folder, uid, gid);
  }
}

/**
 * Writes a Postfix config file dated 10 s ago. Postfix processes wait while main.cf is very
 * recent (strace shows them re-reading it every 0.3 s until it is about 2 s old, so that a file
 * still being written is not half read): a fresh file cost every start about 2 s.
 */
function writeOld(path: string, text: string): void {
  writeFileSync(path, text);
  const then = new Date(Date.now() - 10_000);
  utimesSync(path, then, then);
}

/** Writes both daemons' configs and the mailbox homes into the workspace. */
function prepare(layout: MailLayout): void {
  for (const folder of [layout.postfixConfig, layout.dovecot, layout.mailRoot])
    mkdirSync(folder, { mode: 0o755 });
  createPostfixFolders(layout);
  for (const m of MAILBOXES) {
    const home = join(layout.mailRoot, m.box);
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, layout.uid, layout.gid);
  }
  writeFileSync(join(layout.dovecot, "dovecot.conf"), dovecotConfig(layout));
  writeFileSync(join(layout.dovecot, "users"), dovecotUsers(layout, MAILBOXES), { mode: 0o644 });
  writeOld(join(layout.postfixConfig, "main.cf"), postfixMainConfig(layout, MAIL_DOMAIN));
  writeOld(join(layout.postfixConfig, "mailboxes"), postfixMailboxes(MAILBOXES));
  writeOld(join(layout.postfixConfig, "transport"), postfixTransport(MAILBOXES));
}

/**
 * Starts Dovecot (LMTP and auth sockets only) and then Postfix's master in the foreground, both
 * from private configs. Resolves once Dovecot's LMTP socket greets and all three Postfix ports
 * greet (smtps through a verified TLS handshake). About 0.15 s.
 *
 * @throws {AssertionError} when something is missing (see `unavailable`), or a daemon does not
 *   greet in time (the message holds its log).
 */
export async function startPostfix(options: MailPeerOptions = {}): Promise<PostfixPeer> {
  need("postfix", "dovecot");
  const ws = workspace("postfix");
  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  const layout: MailLayout = {
    postfixConfig: join(ws.dir, "postfix"),
    queue: join(ws.dir, "queue"),
    data: join(ws.dir, "data"),
    postfixLog: join(ws.dir, "postfix.log"),
    dovecot: join(ws.dir, "dovecot"),
    dovecotLog: join(ws.dir, "dovecot.log"),
    mailRoot: join(ws.dir, "mail"),
    certFile: ws.certFile,
    keyFile: ws.keyFile,
    ...mailAccount()!,
  };
  let dovecot: Daemon | undefined;
  try {
    prepare(layout);
    const config = join(layout.dovecot, "dovecot.conf");
    dovecot = spawnDaemon("Dovecot", dovecotBinary()!, ["-F", "-c", config], join(ws.dir, "dovecot.out"));
    await waitForUnixGreeting(dovecotSocket(layout, "lmtp"), {
      deadline,
      daemon: dovecot,
      log: layout.dovecotLog,
    });
    const started = await startOnFreePorts(
      3,
      ([smtp = 0, submission = 0, smtps = 0]) => {
        writeOld(join(layout.postfixConfig, "master.cf"), postfixMasterConfig({ smtp, submission, smtps }));
        // Without -w (what `postfix start` uses) or -d the master stays in the foreground.
        return [
          spawnDaemon("Postfix", postfixMaster()!, ["-c", layout.postfixConfig], join(ws.dir, "master.out")),
        ];
      },
      async ([smtp = 0, submission = 0, smtps = 0], [daemon]) => {
        try {
          await Promise.all([
            waitForGreeting(smtp, { deadline, daemon: daemon! }),
            waitForGreeting(submission, { deadline, daemon: daemon! }),
            waitForGreeting(smtps, { deadline, daemon: daemon!, ca: ws.ca }),
          ]);
        } catch (error) {
          // The master's own start-up errors go to its log, not to its output.
          const message = `${(error as Error).message}\nPostfix's log:\n${tailOf(layout.postfixLog)}`;
          throw new assert.AssertionError({ message });
        }
      },
    );
    const [smtp = 0, submission = 0, smtps = 0] = started.ports;
    return makePeer(ws, layout, { smtp, submission, smtps }, [...started.daemons, dovecot]);
  } catch (error) {
    if (dovecot) await stopDaemon(dovecot).catch(() => {});
    rmSync(ws.dir, { recursive: true, force: true });
    throw error;
  }
}

function makePeer(
  ws: Parameters<typeof peerBase>[0],
  layout: MailLayout,
  ports: PostfixPeer["ports"],
  daemons: Daemon[],
): PostfixPeer {
  const maildirOf = (address: string) => {
    const box = MAILBOXES.find((m) => m.address === address && m.via !== "discard");
    assert.ok(box, `${address} is not a mailbox of this Postfix`);
    return join(layout.mailRoot, box.box, "Maildir");
  };
  return {
    ...peerBase(ws, daemons),
    ports,
    user: "alice",
    password: PASSWORD,
    mailboxes: [`alice@${MAIL_DOMAIN}`, `bob@${MAIL_DOMAIN}`],
    utf8Mailbox: `δοκιμή@${MAIL_DOMAIN}`,
    sinkAddress: `sink@${MAIL_DOMAIN}`,
    unknownAddress: `nobody@${MAIL_DOMAIN}`,
    logFile: layout.postfixLog,
    dovecotLogFile: layout.dovecotLog,
    messages: (address) => readMaildir(maildirOf(address)),
    async waitForMessage(address, marker, timeoutMs = 10_000) {
      const maildir = maildirOf(address);
      const needle = typeof marker === "string" ? Buffer.from(marker) : marker;
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = readMaildir(maildir).find((m) => m.includes(needle));
        if (found) return found;
        if (Date.now() > until) {
          assert.fail(
            `no message with ${JSON.stringify(needle.toString())} reached ${address} in ${timeoutMs} ms; ` +
              `Postfix's log:\n${tailOf(layout.postfixLog, 4000)}\nDovecot's log:\n${tailOf(layout.dovecotLog)}`,
          );
        }
        await sleep(25);
      }
    },
  };
}
