/**
 * `SmtpClient`: SMTP submission and relay (RFC 5321) with the ESMTP extensions that matter
 * (STARTTLS, AUTH, SIZE, 8BITMIME, SMTPUTF8, PIPELINING, CHUNKING/BINARYMIME, DSN, enhanced status
 * codes), and LMTP (RFC 2033).
 *
 * ```ts
 * await using smtp = await SmtpClient.connect("smtp+starttls://alice@mail.example.test", { password });
 * const { accepted, rejected } = await smtp.send(buildMessage({ from, to, subject, text }));
 * ```
 *
 * Every method queues behind the ones called before it, so calls made without `await` run in
 * order; many messages can go over one connection. Failures are thrown, never returned:
 * {@link ReplyError} when the server says no (with `enhancedCode`), {@link ProtocolError} when it
 * says nonsense or lacks an extension the message needs, {@link LimitError},
 * {@link TimeoutError} naming the phase, {@link AbortError}, {@link TlsError},
 * {@link ConnectionClosedError}, {@link InvalidArgumentError}.
 */
import { InvalidArgumentError, TlsError } from "../errors.js";
import type { SaslCredentials } from "../sasl/types.js";
import { Connection } from "../transport/connection.js";
import { resolveCredentials } from "../transport/credentials.js";
import { parseTarget, type Security, type Target } from "../transport/url.js";
import { smtpAuthenticate } from "./auth.js";
import { checkHeloName, checkVrfyArgument, defaultHeloName } from "./commands.js";
import { SmtpControl } from "./control.js";
import { parseEhloReply, sizeLimit } from "./extensions.js";
import { PlanMemo } from "./plan-memo.js";
import { SmtpPool } from "./pool.js";
import { replyInfo } from "./replies.js";
import { runTransaction, type TransactionContext } from "./transaction.js";
import type {
  ReplyInfo,
  SendOptions,
  SendResult,
  SmtpCommandOptions,
  SmtpConnectOptions,
  SmtpMessage,
  SmtpPoolOptions,
  SmtpSession,
} from "./types.js";

/** An SMTP (or LMTP) client connection: see the module comment for the contract. */
export class SmtpClient {
  private readonly control: SmtpControl;
  private readonly target: Target;
  private readonly lmtp: boolean;
  private readonly name: string;
  private extensions = new Map<string, string>();
  /** What a transaction needs, for the current extensions. */
  private context: TransactionContext | undefined;
  private esmtp = true;
  private greeting = "";
  private mechanism: string | undefined;
  private user: string | undefined;
  private readonly state = { dirty: false };

  private constructor(connection: Connection, target: Target, options: SmtpConnectOptions) {
    this.control = new SmtpControl(connection);
    this.target = target;
    this.lmtp = options.lmtp === true;
    this.name = checkHeloName(options.name ?? defaultHeloName(connection.addresses.localAddress));
  }

  /**
   * Dials, reads the greeting (220), says EHLO (LHLO in LMTP mode; HELO when EHLO is refused and
   * TLS is not required), negotiates TLS — implicit for `smtps://`; STARTTLS for `smtp+starttls://`
   * or `security: "starttls"`, failing closed with {@link TlsError} when it is not offered
   * (`starttls-unavailable`) or refused (`starttls-refused`), and with {@link ProtocolError}
   * (`data-after-starttls`) when bytes follow the go-ahead, then EHLO again — and authenticates
   * when a password or token is known (see {@link SmtpConnectOptions}). Plain `smtp://` never
   * upgrades.
   *
   * @throws {InvalidArgumentError} for a bad target or option; {@link TimeoutError} (`connect`,
   *   `greeting`, `command`); {@link ReplyError} for a refused greeting or EHLO or AUTH;
   *   {@link TlsError} (also `insecure-auth`: credentials over clear text without
   *   `allowInsecureAuth`); {@link LimitError} (`sasl-rounds`); {@link AbortError}.
   */
  static async connect(target: string | URL, options: SmtpConnectOptions = {}): Promise<SmtpClient> {
    const parsed = parseTarget(target, { protocol: "smtp" });
    if (parsed.protocol !== "smtp") {
      throw new InvalidArgumentError(`SmtpClient cannot connect to a ${parsed.scheme}:// URL`);
    }
    if (options.name !== undefined) checkHeloName(options.name);
    const security = options.security ?? parsed.security;
    if (!["none", "starttls", "implicit"].includes(security)) {
      throw new InvalidArgumentError('security must be "none", "starttls" or "implicit"');
    }
    const connection = await Connection.connect({
      host: parsed.host,
      port: parsed.port,
      implicitTls: security === "implicit",
      tls: options.tls,
      timeout: options.timeout,
      timeouts: options.timeouts,
      signal: options.signal,
      onTrace: options.onTrace,
    });
    let client: SmtpClient;
    try {
      client = new SmtpClient(connection, parsed, options);
      await client.start(security, options);
    } catch (error) {
      connection.destroy();
      throw error;
    }
    return client;
  }

  /** A pool of connections to one server: see {@link SmtpPool}. */
  static pool(target: string | URL, options: SmtpPoolOptions = {}): SmtpPool {
    return new SmtpPool(target, options);
  }

  private async start(security: Security, options: SmtpConnectOptions): Promise<void> {
    const control = this.control;
    const signal = options.signal;
    const greeting = await control.readReply({ phase: "greeting", signal });
    control.check(greeting, [220]);
    this.greeting = greeting.lines.join("\n");
    await this.hello(security === "starttls", signal);
    if (security === "starttls") {
      if (!this.extensions.has("STARTTLS")) {
        throw new TlsError(
          "starttls-unavailable",
          "STARTTLS is required but the server does not offer it (a stripped EHLO reply?); nothing was sent",
          control.connection.context(),
        );
      }
      await control.write(["STARTTLS"], { signal });
      const reply = await control.readReply({ signal });
      if (reply.code !== 220) {
        throw new TlsError(
          "starttls-refused",
          `STARTTLS is required but the server refused it: ${reply.code} ${reply.lines.join(" / ")}`,
          control.connection.context(),
        );
      }
      await control.connection.upgradeToTls(options.tls ?? {}, { signal });
      // RFC 3207 §4.2: forget everything learned before TLS, and ask again.
      this.extensions = new Map();
      await this.hello(true, signal);
    }
    await this.authenticate(options);
  }

  /** EHLO (or LHLO), falling back to HELO when allowed (RFC 5321 §4.1.4). */
  private async hello(ehloOnly: boolean, signal: AbortSignal | undefined): Promise<void> {
    const control = this.control;
    const verb = this.lmtp ? "LHLO" : "EHLO";
    await control.write([verb, this.name], { signal });
    const reply = await control.readReply({ signal });
    if (reply.code === 250) {
      this.extensions = parseEhloReply(reply.lines).extensions;
      this.esmtp = true;
      return;
    }
    // A server that does not know EHLO answers 500/502 (504, 550 seen in the wild): try HELO.
    if (this.lmtp || ehloOnly || reply.code < 500) throw control.replyError(reply);
    await control.command(["HELO", this.name], [250], { signal });
    this.extensions = new Map();
    this.esmtp = false;
  }

  private async authenticate(options: SmtpConnectOptions): Promise<void> {
    const credentials = await resolveCredentials({
      target: this.target,
      user: options.user,
      password: options.password,
      env: options.env,
      useNetrc: options.netrc ?? true,
    });
    const token = options.oauth?.token;
    if (credentials.password === undefined && token === undefined) {
      if (
        credentials.user !== undefined &&
        (credentials.source === "url" || credentials.source === "options")
      ) {
        throw new InvalidArgumentError(
          `a user name (${credentials.user}) but no password or token: pass one in the URL, the password option, ~/.netrc or INET_SMTP_PASSWORD`,
          { host: this.control.connection.label },
        );
      }
      return;
    }
    if (credentials.user === undefined) {
      throw new InvalidArgumentError("a password or token but no user name to authenticate as", {
        host: this.control.connection.label,
      });
    }
    const sasl: SaslCredentials = {
      user: credentials.user,
      password: credentials.password,
      accessToken: token,
    };
    if (options.authzid !== undefined) sasl.authzid = options.authzid;
    this.mechanism = await smtpAuthenticate(this.control, {
      credentials: sasl,
      extensions: this.extensions,
      preferred: options.mechanisms,
      allowInsecureAuth: options.allowInsecureAuth,
      maxRounds: options.maxAuthRounds,
      host: this.target.host,
      port: this.target.port,
      signal: options.signal,
    });
    this.user = credentials.user;
  }

  /** What was negotiated: extensions (read after TLS), SIZE limit, TLS, SASL mechanism. */
  get session(): SmtpSession {
    return {
      host: this.target.host,
      port: this.target.port,
      protocol: this.lmtp ? "lmtp" : this.esmtp ? "esmtp" : "smtp",
      name: this.name,
      greeting: this.greeting,
      extensions: new Map(this.extensions),
      maxSize: sizeLimit(this.extensions),
      tls: this.control.connection.tls,
      saslMechanism: this.mechanism,
      user: this.user,
    };
  }

  /** True until the connection closed or failed. */
  get isOpen(): boolean {
    return this.control.connection.isOpen;
  }

  /**
   * Sends one message: a Buffer or string (a whole RFC 5322 message), a Readable of its bytes, or
   * a built message (`buildMessage`). The envelope is `options.from`/`options.to`, else what the
   * message says (a built message's envelope; else Sender/From, To, Cc, Bcc — Bcc and Resent-Bcc
   * fields are removed from the data). Line endings become CRLF and dots are stuffed while
   * streaming; memory does not grow with the message. Everything is checked before the first
   * byte goes out: addresses, SMTPUTF8 (a UTF-8 local part, or `smtputf8: true`), the SIZE limit
   * (when the size is known), 8-bit content (8BITMIME). With PIPELINING, MAIL FROM, every RCPT TO
   * and DATA go in one write; with CHUNKING, BDAT is used. After a failed transaction the next
   * one starts with RSET.
   *
   * @returns the accepted recipients, the refused ones (`{ address, code, enhancedCode, text }`),
   *   and the server's final reply.
   * @throws {ReplyError} when MAIL FROM, every recipient, or the data is refused (in LMTP: the
   *   data for every recipient). {@link LimitError} (`message-size`) over the server's SIZE.
   *   {@link ProtocolError} (`smtputf8-unsupported`, `8bitmime-unsupported`,
   *   `binarymime-unsupported`). {@link ConnectionClosedError} when the connection is lost —
   *   after the end of the data its message says the message's fate is unknown; it is never
   *   sent again on its own. {@link InvalidArgumentError}, {@link TimeoutError}, {@link AbortError}.
   */
  send(message: SmtpMessage, options: SendOptions = {}): Promise<SendResult> {
    return this.control.serial(() => runTransaction(this.transactionContext(), message, options));
  }

  private transactionContext(): TransactionContext {
    // Made again only when EHLO replaced the extensions (every EHLO makes a new map).
    if (this.context?.extensions !== this.extensions) {
      this.context = {
        control: this.control,
        extensions: this.extensions,
        lmtp: this.lmtp,
        maxSize: sizeLimit(this.extensions),
        state: this.state,
        plans: new PlanMemo(),
      };
    }
    return this.context;
  }

  /**
   * Asks the server about an address or user name (VRFY, RFC 5321 §4.1.1.6).
   * @returns the reply for 250, 251 and 252 ("cannot verify, but will accept").
   * @throws {ReplyError} for 4xx/5xx (550 unknown, 502 VRFY disabled…); {@link InvalidArgumentError}.
   */
  verify(address: string, options: SmtpCommandOptions = {}): Promise<ReplyInfo> {
    return this.control.serial(async () => {
      checkVrfyArgument(address);
      const reply = await this.control.command(["VRFY", address], [250, 251, 252], options);
      return replyInfo(reply);
    });
  }

  /** NOOP (RFC 5321 §4.1.1.9): checks that the server is still there. @throws {ReplyError} and the connection's errors. */
  noop(options: SmtpCommandOptions = {}): Promise<void> {
    return this.control.serial(async () => {
      await this.control.command(["NOOP"], [250], options);
    });
  }

  /** RSET (RFC 5321 §4.1.1.5): abandons any transaction in progress. @throws {ReplyError} and the connection's errors. */
  reset(options: SmtpCommandOptions = {}): Promise<void> {
    return this.control.serial(async () => {
      await this.control.command(["RSET"], [250], options);
      this.state.dirty = false;
    });
  }

  /**
   * The escape hatch: sends one raw command line (refused with {@link InvalidArgumentError} if it
   * holds CR, LF or NUL) and returns the reply, whatever its code (4xx/5xx are returned, not
   * thrown). Do not use it for commands that change the protocol state (DATA, BDAT, STARTTLS, AUTH).
   */
  command(line: string, options: SmtpCommandOptions = {}): Promise<ReplyInfo> {
    return this.control.serial(async () => {
      if (typeof line !== "string" || line.trim() === "") {
        throw new InvalidArgumentError("a command line must be a non-empty string");
      }
      await this.control.write([line], options);
      const reply = await this.control.readReply(options);
      // Whatever the raw command did, the next transaction starts clean.
      this.state.dirty = true;
      return replyInfo(reply);
    });
  }

  /** Says goodbye (QUIT) and closes. Never rejects. */
  quit(options: SmtpCommandOptions = {}): Promise<void> {
    return this.control.quit(options);
  }

  /** Drops the connection at once. */
  close(): void {
    this.control.connection.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.quit();
  }
}
