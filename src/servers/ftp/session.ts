/**
 * One control connection of the FTP server: the command loop, the session's state, replies, and
 * the mapping of store failures to reply codes. The commands themselves live in `commands.ts`,
 * `file-commands.ts`, `data-commands.ts` and `transfer.ts`.
 *
 * While a transfer runs the loop keeps reading, so ABOR (and STAT) are seen at once (RFC 959
 * §4.1.3); any other command waits for the transfer to finish, so replies stay in order.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Socket } from "node:net";
import type { SecureContext, Server as TlsServer } from "node:tls";
import type { TransferType } from "../../ftp/types.js";
import type { Connection } from "../../transport/connection.js";
import { COMMANDS, NOT_IMPLEMENTED } from "./commands.js";
import type { PassiveListener, PortRange } from "./data-channel.js";
import type { FileStore } from "./store.js";
import { replyForError } from "./store-replies.js";
import type { ActiveTransfer } from "./transfer.js";
import type { FtpUser } from "./types.js";
import { PathRefused, resolveVirtualPath } from "./virtual-path.js";
import { MLST_FACTS, type MlstFact } from "./wire.js";

/** What every session of one server shares. */
export interface SessionSettings {
  store: FileStore;
  users: ReadonlyMap<string, FtpUser>;
  anonymous: boolean;
  /** The one TLS context and session cache of the server (see `tls-sessions.ts`), when TLS is on. */
  tls: { secureContext: SecureContext; server: TlsServer } | undefined;
  requireTls: boolean;
  requireTlsSessionReuse: boolean;
  passivePorts: PortRange | undefined;
  maxListEntries: number;
  timeouts: { idle: number; data: number; command: number };
}

/** How the next transfer gets its data connection. */
export type DataSetup =
  | { kind: "passive"; listener: PassiveListener }
  | { kind: "active"; host: string; port: number };

/** After this many failed logins the connection is closed. */
const MAX_FAILED_LOGINS = 3;
const ANONYMOUS_NAMES = new Set(["anonymous", "ftp"]);
const decoder = new TextDecoder("utf-8", { fatal: true });

export class FtpSession {
  /** The logged-in user. */
  user: { name: string; readOnly: boolean } | undefined;
  /** The name given by USER, waiting for PASS. */
  pendingUser: string | undefined;
  cwd = "/";
  /** RFC 959 §3.1.1.1: ASCII until the client says otherwise. */
  type: TransferType = "ascii";
  /** REST offset for the next RETR/STOR (RFC 3659 §5). */
  restOffset = 0;
  /** The path RNFR named; only the command right after it (RNTO) may use it. */
  renameFrom: string | undefined;
  dataSetup: DataSetup | undefined;
  pbsz = false;
  protP = false;
  /** After `EPSV ALL` only EPSV may set up data connections (RFC 2428 §4). */
  epsvAll = false;
  facts = new Set<MlstFact>(MLST_FACTS);
  transfer: ActiveTransfer | undefined;
  /** Data sockets still open, closed with the session. */
  readonly dataSockets = new Set<Socket>();
  private failedLogins = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private waitingForCommand = false;
  private ended = false;

  constructor(
    readonly conn: Connection,
    readonly settings: SessionSettings,
  ) {}

  /** Greets the client and serves it until QUIT, the end of the connection, or {@link close}. */
  async run(greeting: string): Promise<void> {
    try {
      await this.reply(220, greeting);
      for (;;) {
        this.waitingForCommand = true;
        this.armIdle();
        let line: Buffer;
        try {
          line = await this.conn.readLine({ phase: "idle" });
        } finally {
          this.waitingForCommand = false;
          this.disarmIdle();
        }
        if (await this.handleLine(line)) break;
      }
      await this.conn.end();
    } catch {
      // The connection ended or failed (closed by the peer, too long a line, TLS failure):
      // nothing more can be said on it.
    } finally {
      const transfer = this.transfer;
      this.close();
      // An aborted upload removes its temporary file: let it finish before the session counts as ended.
      await transfer?.done;
    }
  }

  /** Ends the session at once: the transfer, data connections, listeners, the control connection. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.disarmIdle();
    this.transfer?.abort();
    this.dropDataSetup();
    for (const socket of this.dataSockets) socket.destroy();
    this.dataSockets.clear();
    this.conn.destroy();
  }

  /** Writes a one-line reply. Rejects only when the control connection is gone. */
  async reply(code: number, text: string): Promise<void> {
    await this.conn.writeLine([`${code} ${clean(text)}`]);
  }

  /**
   * Writes a multi-line reply (RFC 959 §4.2): `code-first`, the `lines` (each given a leading space
   * so none can pass for a reply code), `code last`.
   */
  async replyLines(code: number, first: string, lines: readonly string[], last: string): Promise<void> {
    await this.conn.writeLine([`${code}-${clean(first)}`]);
    for (const line of lines) await this.conn.writeLine([` ${clean(line)}`]);
    await this.conn.writeLine([`${code} ${clean(last)}`]);
  }

  /** Replies with what a store failure means ({@link replyForError}). */
  async replyError(error: unknown, fallback?: readonly [number, string]): Promise<void> {
    const [code, text] = replyForError(error, fallback);
    await this.reply(code, text);
  }

  /**
   * Resolves a path argument against the working directory (see `virtual-path.ts`); replies 553
   * and returns `undefined` when the argument is refused.
   */
  async path(argument: string): Promise<string | undefined> {
    const resolved = resolveVirtualPath(this.cwd, argument);
    if (resolved instanceof PathRefused) {
      await this.reply(553, `File name not allowed: ${resolved.why}.`);
      return undefined;
    }
    return resolved;
  }

  /** Closes a passive listener nobody used and forgets the data setup. */
  dropDataSetup(): void {
    if (this.dataSetup?.kind === "passive") this.dataSetup.listener.close();
    this.dataSetup = undefined;
  }

  /** Logs in (PASS): anonymous read-only, or a configured user with the right password. */
  async login(password: string): Promise<void> {
    const name = this.pendingUser;
    this.pendingUser = undefined;
    if (name === undefined) {
      await this.reply(503, "Login with USER first.");
      return;
    }
    if (
      ANONYMOUS_NAMES.has(name.toLowerCase()) &&
      this.settings.anonymous &&
      !this.settings.users.has(name)
    ) {
      this.user = { name: "anonymous", readOnly: true };
      await this.reply(230, "Anonymous access granted, restrictions apply.");
      return;
    }
    const account = this.settings.users.get(name);
    if (account && samePassword(account.password, password)) {
      this.user = { name, readOnly: account.readOnly === true };
      this.failedLogins = 0;
      await this.reply(230, "Login successful.");
      return;
    }
    this.failedLogins += 1;
    if (this.failedLogins >= MAX_FAILED_LOGINS) {
      await this.reply(421, "Too many failed logins; closing the connection.");
      await this.conn.end();
      return;
    }
    await this.reply(530, "Login incorrect.");
  }

  /** Starts the idle limit, unless a transfer is running (the client is then waiting on it). */
  armIdle(): void {
    const limit = this.settings.timeouts.idle;
    if (!this.waitingForCommand || this.transfer || this.ended || !(limit > 0 && Number.isFinite(limit)))
      return;
    this.disarmIdle();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      this.reply(421, "Timeout.")
        .catch(() => {})
        .finally(() => this.close());
    }, limit);
    this.idleTimer.unref();
  }

  private disarmIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** Runs one command line; resolves to `true` when the session should end (QUIT). */
  private async handleLine(raw: Buffer): Promise<boolean> {
    let text: string;
    try {
      text = decoder.decode(stripTelnet(raw));
    } catch {
      await this.reply(501, "Commands must be UTF-8 (RFC 2640).");
      return false;
    }
    const space = text.indexOf(" ");
    const verb = (space < 0 ? text : text.slice(0, space)).toUpperCase();
    const argument = space < 0 ? "" : text.slice(space + 1);
    if (this.transfer) {
      if (verb === "ABOR") {
        await this.abortTransfer();
        return false;
      }
      if (verb === "STAT" && argument === "") {
        const { name, bytes } = this.transfer;
        await this.reply(213, `Transferring ${name}: ${bytes} bytes so far.`);
        return false;
      }
      await this.transfer.done;
    }
    return this.execute(verb, argument);
  }

  /** ABOR during a transfer: close the data connection (426 from the transfer), then 226. */
  private async abortTransfer(): Promise<void> {
    const transfer = this.transfer;
    if (!transfer) return;
    transfer.abort();
    await transfer.done;
    await this.reply(226, "ABOR successful.");
  }

  private async execute(verb: string, argument: string): Promise<boolean> {
    const rename = this.renameFrom;
    this.renameFrom = undefined;
    const command = COMMANDS.get(verb);
    if (!command) {
      if (NOT_IMPLEMENTED.has(verb)) await this.reply(502, `${verb} not implemented.`);
      else await this.reply(500, "Unknown command.");
      return false;
    }
    if (command.login && !this.user) {
      await this.reply(530, "Please login with USER and PASS.");
      return false;
    }
    if (command.argument === "required" && argument.trim() === "") {
      await this.reply(501, `${verb} needs an argument.`);
      return false;
    }
    if (command.argument === "none" && argument.trim() !== "") {
      await this.reply(501, `${verb} takes no argument.`);
      return false;
    }
    if (command.writes && this.user?.readOnly) {
      await this.reply(550, "Permission denied.");
      return false;
    }
    if (verb === "RNTO") this.renameFrom = rename;
    try {
      await command.run(this, argument);
    } catch (error) {
      // A failure of the control connection ends the session; anything else is a reply.
      if (!this.conn.isOpen) throw error;
      await this.replyError(error);
    } finally {
      if (verb === "RNTO") this.renameFrom = undefined;
    }
    return verb === "QUIT";
  }
}

/** Compares passwords in constant time (over their hashes, so lengths do not leak either). */
function samePassword(expected: string, given: string): boolean {
  const a = createHash("sha256").update(expected, "utf8").digest();
  const b = createHash("sha256").update(given, "utf8").digest();
  return timingSafeEqual(a, b);
}

/**
 * Drops Telnet commands (IAC followed by a command byte, RFC 854) that clients send before ABOR
 * (IAC IP IAC DM, RFC 959 §4.1.3). 0xFF never occurs in UTF-8, so nothing else is lost.
 */
function stripTelnet(line: Buffer): Buffer {
  if (!line.includes(0xff)) return line;
  const out: number[] = [];
  for (let index = 0; index < line.length; index += 1) {
    if (line[index] === 0xff) {
      index += 1;
      if (line[index] === 0xff) out.push(0xff);
      continue;
    }
    out.push(line[index]!);
  }
  return Buffer.from(out);
}

/** Reply text never carries CR, LF or NUL (a name could; the line must stay one line). */
function clean(text: string): string {
  return text.replace(/[\r\n\0]/g, "?");
}
