/**
 * One connection of the SMTP server: the command loop, the session's state (greeting name, TLS,
 * authenticated user, the mail transaction), replies, and the bounds every session keeps (line
 * length, errors, failed logins, silence). The commands live in `commands.ts`, `envelope.ts`,
 * `receive.ts` and `auth.ts`.
 *
 * Replies to pipelined commands (RFC 2920) are gathered and written together once the client's
 * input runs dry, so a pipelined envelope costs one write each way.
 */
import { randomBytes } from "node:crypto";
import type { SecureContext } from "node:tls";
import { ConnectionClosedError } from "../../errors.js";
import type { SaslServerOptions } from "../../sasl/server-base.js";
import type { Connection } from "../../transport/connection.js";
import type { MailDirectory } from "../mail/directory.js";
import type { MailStore } from "../mail/store.js";
import type { Delivery } from "./delivery.js";
import type { MailParameters, RcptParameters } from "./params.js";
import { formatReply, R, type Reply } from "./replies.js";

/** Which listener a session came from: what it requires. */
export type ListenerKind = "smtp" | "submission" | "smtps";

/** What every session of one server shares. */
export interface SessionSettings {
  hostname: string;
  directory: MailDirectory;
  store: MailStore;
  /** The server's TLS context, when it has a certificate. */
  tls: { secureContext: SecureContext } | undefined;
  /** Offer AUTH over a connection without TLS (tests only). */
  allowInsecureAuth: boolean;
  /** Where mail that authenticated clients send to other domains is kept, if anywhere. */
  relayTo: string | undefined;
  /** SASL mechanisms offered, strongest first. */
  mechanisms: readonly string[];
  sasl: SaslServerOptions;
  maxMessageSize: number;
  maxRecipients: number;
  /** Longest command line; AUTH lines may be up to {@link AUTH_LINE_LIMIT}. */
  maxLineLength: number;
  maxErrors: number;
  maxAuthFailures: number;
  timeouts: { idle: number };
}

/** RFC 4954 §4: AUTH command and response lines may be 12,288 octets long. */
export const AUTH_LINE_LIMIT = 12_288;

/** One accepted recipient. */
export interface Recipient {
  address: string;
  /** The mailbox it goes to. */
  user: string;
  params: RcptParameters;
}

/** The mail transaction between MAIL and the end of the data. */
export interface Transaction {
  id: string;
  /** `""` for the null reverse-path. */
  from: string;
  mail: MailParameters;
  recipients: Recipient[];
  /** BDAT in progress: the delivery, the content bytes so far, and the refusal once one chunk failed. */
  bdat?: { delivery: Delivery | undefined; bytes: number; failed: Reply | undefined };
}

const decoder = new TextDecoder("utf-8", { fatal: true });
/** Reply lines held back while pipelined commands are still coming, at most. */
const MAX_PENDING = 100;

/** A serving connection. {@link run} greets the client and serves it until QUIT or the end. */
export class SmtpSession {
  /** The EHLO/HELO name and whether it was EHLO; undefined before the greeting and after STARTTLS. */
  helo: { name: string; extended: boolean } | undefined;
  /** The SASL user, once authenticated. */
  user: string | undefined;
  transaction: Transaction | undefined;
  private pending: string[] = [];
  private errors = 0;
  private authFailures = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private ended = false;
  /** Set by a command that ends the session after its reply (too many failed logins). */
  private quitting = false;

  constructor(
    readonly conn: Connection,
    readonly settings: SessionSettings,
    readonly kind: ListenerKind,
    private readonly commands: ReadonlyMap<string, (session: SmtpSession, argument: string) => Promise<void>>,
  ) {}

  /** True when this listener requires AUTH before MAIL (submission, RFC 6409 §4.3; smtps). */
  get requiresAuth(): boolean {
    return this.kind !== "smtp";
  }

  /** True when AUTH may be offered now: over TLS, or in the clear when the server opted in. */
  get authOffered(): boolean {
    return this.settings.mechanisms.length > 0 && (this.conn.secure || this.settings.allowInsecureAuth);
  }

  /** Greets and serves the client; resolves when the session is over (never rejects). */
  async run(): Promise<void> {
    try {
      this.send(reply220(this.settings.hostname));
      for (;;) {
        const line = await this.readLine(this.settings.maxLineLength);
        if (line === undefined) continue;
        if (await this.execute(line)) break;
      }
      await this.flush();
      await this.conn.end();
    } catch {
      // The connection ended or failed (closed by the client, a line past every bound, a TLS
      // failure, a timeout): nothing more can be said on it.
    } finally {
      await this.resetTransaction();
      this.close();
    }
  }

  /** Ends the session at once (server shutdown, timeout). */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.disarmIdle();
    this.conn.destroy();
  }

  /** Queues a reply (written by the next {@link flush}). */
  send(reply: Reply): void {
    this.sendLines(reply.code, reply.enhanced, [reply.text]);
  }

  /** Queues a multi-line reply. */
  sendLines(code: number, enhanced: string | undefined, lines: readonly string[]): void {
    if (code >= 500 && code <= 504) this.errors += 1;
    if (code === 555) this.errors += 1;
    this.pending.push(...formatReply(code, enhanced, lines));
  }

  /** Queues a line exactly as given (a `334 ` challenge keeps its trailing space). */
  sendRaw(line: string): void {
    this.pending.push(line);
  }

  /** Writes the queued replies in one write. Rejects only when the connection is gone. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    await this.conn.writeLines(lines.map((line) => [line]));
  }

  /**
   * Reads one command line (UTF-8) under the idle limit. A line longer than `limit` (but within
   * the connection's hard bound, {@link AUTH_LINE_LIMIT}) is answered 500 and skipped: resolves to
   * `undefined`. Rejects when the connection ends.
   */
  async readLine(limit: number): Promise<string | undefined> {
    const raw = await this.waitFor(() => this.conn.readLine({ phase: "idle", limit: AUTH_LINE_LIMIT }));
    if (raw.length > limit) {
      this.send(R.lineTooLong);
      return undefined;
    }
    try {
      return decoder.decode(raw);
    } catch {
      this.send(R.syntax("commands must be ASCII or UTF-8"));
      return undefined;
    }
  }

  /** The next received bytes (at most `max`), for DATA and BDAT; rejects when the connection ends. */
  async readChunk(max?: number): Promise<Buffer> {
    const chunk = await this.waitFor(() => this.conn.readChunk({ phase: "idle", max }));
    if (chunk === null)
      throw new ConnectionClosedError("the client closed the connection in the middle of a message");
    return chunk;
  }

  /**
   * Runs a read with the silence limit armed, writing the queued replies first when the read
   * would wait for the client (immediately when nothing is buffered; otherwise as soon as the
   * buffered bytes prove to be an incomplete command), or when {@link MAX_PENDING} lines wait.
   */
  private async waitFor<T>(read: () => Promise<T>): Promise<T> {
    // A client that pipelines without end must not make the replies pile up either.
    if (this.pending.length >= MAX_PENDING || (this.pending.length > 0 && this.conn.reader.buffered === 0)) {
      await this.flush();
    }
    this.armIdle();
    const reading = read();
    let later: NodeJS.Immediate | undefined;
    if (this.pending.length > 0) {
      later = setImmediate(() => {
        this.flush().catch(() => {});
      });
    }
    try {
      return await reading;
    } finally {
      if (later) clearImmediate(later);
      this.disarmIdle();
    }
  }

  /** A new transaction id: 12 hex digits. */
  newId(): string {
    return randomBytes(6).toString("hex").toUpperCase();
  }

  /** Forgets the transaction, dropping a half-received BDAT message. */
  async resetTransaction(): Promise<void> {
    const delivery = this.transaction?.bdat?.delivery;
    this.transaction = undefined;
    await delivery?.abort();
  }

  /** Ends the session once the queued replies are written. */
  endAfterReply(): void {
    this.quitting = true;
  }

  /** Counts a failed AUTH; true when the limit is reached and the session must end. */
  authFailed(): boolean {
    this.authFailures += 1;
    return this.authFailures >= this.settings.maxAuthFailures;
  }

  private async execute(line: string): Promise<boolean> {
    const space = line.indexOf(" ");
    const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const argument = space < 0 ? "" : line.slice(space + 1);
    const command = this.commands.get(verb);
    if (!command) this.send(R.unknownCommand);
    else await command(this, argument);
    if (this.errors > this.settings.maxErrors) {
      this.send(R.tooManyErrors);
      return true;
    }
    return verb === "QUIT" || this.quitting;
  }

  private armIdle(): void {
    const limit = this.settings.timeouts.idle;
    if (this.ended || !(limit > 0 && Number.isFinite(limit))) return;
    this.disarmIdle();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      this.pending = [];
      this.send(R.timeout);
      this.flush()
        .catch(() => {})
        .finally(() => this.close());
    }, limit);
    this.idleTimer.unref();
  }

  private disarmIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

function reply220(hostname: string): Reply {
  return { code: 220, text: `${hostname} ESMTP inetkit ready` };
}
