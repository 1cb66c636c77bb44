/**
 * A connection to one peer: the socket, the bounded reader fed by it, per-phase deadlines, abort,
 * the redacted wire trace, and the TLS upgrade every STARTTLS-style command uses.
 *
 * Protocol clients (and the loopback servers) read lines and raw bytes through it and write
 * command lines through {@link Connection.writeLine}; none of them touches the socket directly.
 */
import type { Socket } from "node:net";
import {
  type TlsOptions as NodeServerTlsOptions,
  type TLSSocket,
  TLSSocket as TlsSocketClass,
} from "node:tls";
import {
  AbortError,
  abortErrorFrom,
  ConnectionClosedError,
  type ErrorContext,
  InetError,
  LimitError,
  ProtocolError,
  TimeoutError,
  type TimeoutPhase,
} from "../errors.js";
import { ByteReader } from "../textproto/byte-reader.js";
import {
  type CommandGroup,
  type CommandPart,
  type EncodedLine,
  encodeCommandGroup,
  encodeCommandLine,
} from "../textproto/write-line.js";
import { type DialOptions, dial, hostLabel, startTls, type TlsOptions, waitFor } from "./dial.js";
import { DirectInput } from "./direct-input.js";
import { SilenceTimers } from "./silence-timers.js";
import { resolveTimeouts, type Timeouts } from "./timeouts.js";
import { printable, Redactor, type TraceHook } from "./trace.js";

/** What {@link Connection.write} (and `writeLines`) return when the socket took the bytes at once. */
const WRITTEN: Promise<void> = Promise.resolve();

/** `readLine`'s consumer: the first line is the answer. */
const firstLine = (line: Buffer): Buffer => line;

export interface ConnectionSettings {
  /** `client` (default) or `server`: tells the redactor which side's lines may carry secrets. */
  role?: "client" | "server";
  /** Shown in errors and traces; defaults to the socket's peer address. */
  label?: string;
  /** Host name checked against the certificate on a later TLS upgrade. */
  tlsHost?: string;
  /** TLS settings used by {@link Connection.upgradeToTls} when none are passed to it. */
  tls?: TlsOptions;
  /** Every phase but idle (see `timeouts.ts`). */
  timeout?: number;
  timeouts?: Partial<Timeouts>;
  /** Aborts the whole connection. */
  signal?: AbortSignal | undefined;
  onTrace?: TraceHook | undefined;
  /** Longest line accepted from the peer. Default 8 KiB. */
  maxLineLength?: number;
  lineEnding?: "crlf" | "lenient";
}

export interface ConnectOptions extends ConnectionSettings, Omit<DialOptions, "timeout" | "tls"> {
  /** Implicit TLS. */
  implicitTls?: boolean;
}

/** Options of a single read or write. */
export interface OperationOptions {
  /** Which limit applies while waiting. Reads default to `command`, writes to `data`. */
  phase?: TimeoutPhase;
  signal?: AbortSignal | undefined;
}

/** What was negotiated on a TLS connection. */
export interface TlsInfo {
  protocol: string | null;
  cipher: string;
  authorized: boolean;
  peerCertificate: ReturnType<TLSSocket["getPeerCertificate"]>;
  sessionReused: boolean;
}

export class Connection {
  readonly reader: ByteReader;
  readonly role: "client" | "server";
  readonly label: string;
  readonly timeouts: Timeouts;
  /** The last command line written, before the redactor's pass (secret parts already masked). */
  private lastLine: string | undefined;
  /** `lastLine` after the redactor's pass, made when first asked for (errors are rare, commands not). */
  private lastLineRedacted: string | undefined;
  private socket: Socket;
  /** Set when the plain socket reads through a {@link DirectInput} rather than 'data' events. */
  private directInput: DirectInput | undefined;
  private readonly tlsHost: string;
  private readonly tlsDefaults: TlsOptions;
  private readonly onTrace: TraceHook | undefined;
  private readonly redactor = new Redactor();
  private readonly connectionSignal: AbortSignal | undefined;
  private readonly silence: SilenceTimers;
  private failure: InetError | undefined;
  /** The newest TLS session (TLS 1.3 sends tickets after the handshake, as 'session' events). */
  private latestSession: Buffer | undefined;
  private readonly onSession = (session: Buffer) => {
    this.latestSession = session;
  };
  private closedFlag = false;
  /** Set by end() and destroy(): the connection takes no new work from then on. */
  private closing = false;
  /** Waits (other than reads, which the reader ends itself) to reject when the connection is destroyed. */
  private readonly deathWatchers = new Set<(error: InetError) => void>();
  private resolveClosed!: () => void;
  /** Resolves when the socket has closed, however it closed. */
  readonly closed: Promise<void>;

  private readonly onData = (chunk: Buffer) => {
    this.reader.push(chunk);
    // After the push: a wait the chunk completed has already ended (the usual case for a reply),
    // so only the waits still pending restart their silence limit.
    this.silence.activity();
  };
  private readonly onEnd = () => this.reader.end();
  private readonly onError = (error: Error) => {
    const code = (error as NodeJS.ErrnoException).code;
    this.destroy(
      error instanceof InetError
        ? error
        : new ConnectionClosedError(code ? `${code}: ${error.message}` : error.message, this.context(error)),
    );
  };
  private readonly onClose = () => {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.reader.end();
    this.silence.clear();
    // A long-lived signal (a whole mirror's) must not keep every closed connection alive.
    this.connectionSignal?.removeEventListener("abort", this.onConnectionAbort);
    this.detach(this.socket);
    this.emitTrace("info", this.failure ? `closed: ${this.failure.message}` : "closed");
    this.resolveClosed();
  };
  private readonly onDrain = () => this.silence.activity();
  private readonly onConnectionAbort = () =>
    this.destroy(abortErrorFrom(this.connectionSignal!, this.context()));

  /**
   * Dials (see {@link dial}) and wraps the socket. Implicit TLS is done inside the connect budget.
   * The greeting is the protocol's to read.
   */
  static async connect(options: ConnectOptions): Promise<Connection> {
    const timeouts = resolveTimeouts(options.timeout, options.timeouts);
    // A plain TCP connection reads straight into a buffer of its own (see direct-input.ts).
    const input = options.implicitTls || options.path !== undefined ? undefined : new DirectInput();
    const socket = await dial({
      ...options,
      timeout: timeouts.connect,
      tls: options.implicitTls ? (options.tls ?? {}) : false,
      ...(input ? { onread: input.onread } : {}),
    });
    const label = hostLabel(options.host, options.port, options.path);
    const connection = new Connection(socket, { ...options, label, tlsHost: options.host ?? "localhost" });
    if (input) {
      connection.directInput = input;
      input.attach(connection.onData);
    }
    if (options.implicitTls) connection.emitTrace("info", connection.describeTls());
    return connection;
  }

  constructor(socket: Socket, settings: ConnectionSettings = {}) {
    this.socket = socket;
    this.role = settings.role ?? "client";
    this.label = settings.label ?? hostLabel(socket.remoteAddress ?? "unknown", socket.remotePort);
    this.tlsHost = settings.tlsHost ?? socket.remoteAddress ?? "localhost";
    this.tlsDefaults = settings.tls ?? {};
    this.timeouts = resolveTimeouts(settings.timeout, settings.timeouts);
    this.silence = new SilenceTimers(this.timeouts, (phase, limit) =>
      this.destroy(new TimeoutError(phase, limit, this.context())),
    );
    this.onTrace = settings.onTrace;
    this.reader = new ByteReader({ maxLineLength: settings.maxLineLength, lineEnding: settings.lineEnding });
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.connectionSignal = settings.signal;
    this.connectionSignal?.addEventListener("abort", this.onConnectionAbort, { once: true });
    this.attach(socket);
    if (socket.destroyed) this.onClose();
  }

  /** True when the connection runs over TLS. */
  get secure(): boolean {
    return this.socket instanceof TlsSocketClass && this.socket.encrypted === true;
  }

  /** TLS details, when the connection is encrypted. */
  get tls(): TlsInfo | undefined {
    if (!this.secure) return undefined;
    const socket = this.socket as TLSSocket;
    return {
      protocol: socket.getProtocol(),
      cipher: socket.getCipher().name,
      authorized: socket.authorized,
      peerCertificate: socket.getPeerCertificate(),
      sessionReused: socket.isSessionReused(),
    };
  }

  /** The TLS session of this connection, for resumption on secondary connections (FTPS data). */
  get tlsSession(): Buffer | undefined {
    if (!this.secure) return undefined;
    return this.latestSession ?? (this.socket as TLSSocket).getSession();
  }

  /** True until the connection closed or failed. */
  get isOpen(): boolean {
    return !this.closedFlag && !this.closing && this.failure === undefined;
  }

  /** The error that ended the connection, if it failed. */
  get error(): InetError | undefined {
    return this.failure;
  }

  /** Local and remote addresses, for protocols that need them (FTP PORT/EPRT). */
  get addresses(): {
    localAddress?: string;
    localPort?: number;
    remoteAddress?: string;
    remotePort?: number;
  } {
    const { localAddress, localPort, remoteAddress, remotePort } = this.socket;
    return { localAddress, localPort, remoteAddress, remotePort };
  }

  /** The last command written, redacted (a password, a SASL response masked): named in errors. */
  get lastCommand(): string | undefined {
    if (this.lastLineRedacted === undefined && this.lastLine !== undefined) {
      this.lastLineRedacted = Redactor.command(this.lastLine);
    }
    return this.lastLineRedacted;
  }

  /** Context for errors: this peer and the last command. */
  context(cause?: unknown): ErrorContext {
    return { host: this.label, command: this.lastCommand, cause };
  }

  /**
   * Reads one CRLF line (without the terminator) under the phase's limit. Rejects with
   * {@link ConnectionClosedError} if the peer closed first, {@link LimitError} for an over-long
   * line, {@link ProtocolError} for a bare LF, {@link TimeoutError} or {@link AbortError}.
   */
  readLine(options: OperationOptions & { limit?: number } = {}): Promise<Buffer> {
    return this.readLines(firstLine, options);
  }

  /**
   * Reads lines, each traced and handed to `consume`, until `consume` returns a value (not
   * `undefined`), and resolves to it; fails as {@link readLine} does, or with what `consume`
   * throws. Lines already buffered are taken synchronously; only when one is missing is the
   * phase's limit armed, once for the whole wait, and the reader asked to call back when bytes
   * arrive: one promise per wait, none when everything was buffered. The request/reply loops of
   * every protocol (a reply, the replies to a pipelined group) read through here.
   */
  readLines<T>(
    consume: (line: Buffer) => T | undefined,
    options: OperationOptions & { limit?: number } = {},
  ): Promise<T> {
    const limit = options.limit;
    const signal = options.signal;
    if (!this.failure && !signal?.aborted) {
      try {
        const value = this.drainLines(consume, limit);
        if (value !== undefined) return Promise.resolve(value);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    let release: () => void;
    try {
      release = this.watch(options.phase ?? "command", signal);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<T>((resolve, reject) => {
      const onReadable = () => {
        let value: T | undefined;
        try {
          value = this.drainLines(consume, limit);
        } catch (error) {
          release();
          reject(error);
          return;
        }
        if (value === undefined) {
          this.reader.whenReadable(onReadable, limit);
          return;
        }
        release();
        resolve(value);
      };
      this.reader.whenReadable(onReadable, limit);
    });
  }

  /** Hands every complete buffered line to `consume` until it returns a value; `undefined` if it never did. */
  private drainLines<T>(consume: (line: Buffer) => T | undefined, limit: number | undefined): T | undefined {
    for (;;) {
      let line: Buffer | null | undefined;
      try {
        line = this.reader.nextLine(limit);
      } catch (error) {
        throw this.contextualize(error);
      }
      if (line === undefined) return undefined;
      if (line === null) throw new ConnectionClosedError("the peer closed the connection", this.context());
      this.traceLine("receive", line);
      const value = consume(line);
      if (value !== undefined) return value;
    }
  }

  /**
   * The next line when it is already complete in the buffer and nothing is wrong (traced as
   * {@link readLine} traces it); otherwise `undefined`, and {@link readLine} must wait for it (and
   * report any failure with its context). Synchronous: no timer, no promise.
   */
  tryReadLine(options: OperationOptions & { limit?: number } = {}): Buffer | undefined {
    if (this.failure || options.signal?.aborted) return undefined;
    let line: Buffer | undefined;
    try {
      line = this.reader.tryReadLine(options.limit);
    } catch {
      return undefined; // The waiting path reports it, with its context.
    }
    if (line) this.traceLine("receive", line);
    return line;
  }

  /**
   * Raw mode under the phase's limit: the next received bytes (at most `max`), or `null` when the
   * peer ended the stream cleanly.
   */
  async readChunk(options: OperationOptions & { max?: number } = {}): Promise<Buffer | null> {
    const release = this.watch(options.phase ?? "data", options.signal);
    try {
      return await this.reader.readChunk(options.max);
    } catch (error) {
      throw this.contextualize(error);
    } finally {
      release();
    }
  }

  /**
   * Raw mode for bulk data: every chunk until the peer ends the stream (or, with `length`, until
   * that many bytes). One silence limit covers the whole transfer, restarted by each chunk that
   * arrives, so a stream that keeps moving never times out and a stalled one does.
   */
  async *stream(
    options: OperationOptions & { length?: number } = {},
  ): AsyncGenerator<Buffer, void, undefined> {
    const release = this.watch(options.phase ?? "data", options.signal);
    let missing = options.length ?? Number.POSITIVE_INFINITY;
    try {
      while (missing > 0) {
        const chunk = await this.reader.readChunk(missing);
        if (chunk === null) {
          if (options.length === undefined) return;
          throw new ConnectionClosedError(
            `the peer closed the connection ${missing} bytes short`,
            this.context(),
          );
        }
        missing -= chunk.length;
        yield chunk;
      }
    } catch (error) {
      throw this.contextualize(error);
    } finally {
      release();
    }
  }

  /**
   * Runs any wait on the peer (a drain, a handshake, a protocol's own read loop) under the phase's
   * limit and the signal; it rejects as soon as the connection is destroyed.
   */
  async guard<T>(
    phase: TimeoutPhase,
    signal: AbortSignal | undefined,
    operation: () => Promise<T>,
  ): Promise<T> {
    const release = this.watch(phase, signal);
    try {
      return await this.raceDeath(operation());
    } catch (error) {
      throw this.contextualize(error);
    } finally {
      release();
    }
  }

  /**
   * Arms the phase's silence limit and the signal for one wait; returns the function that disarms
   * them. Throws at once when the connection already failed or the signal already fired.
   */
  private watch(phase: TimeoutPhase, signal: AbortSignal | undefined): () => void {
    if (this.failure) throw this.failure;
    if (signal?.aborted) {
      this.destroy(abortErrorFrom(signal, this.context()));
      throw this.failure;
    }
    const slot = this.silence.begin(phase);
    const onAbort = signal ? () => this.destroy(abortErrorFrom(signal, this.context())) : undefined;
    if (onAbort) signal!.addEventListener("abort", onAbort, { once: true });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (slot) this.silence.end(slot);
      if (onAbort) signal!.removeEventListener("abort", onAbort);
    };
  }

  /** Settles like `operation`, or rejects as soon as the connection is destroyed with an error. */
  private raceDeath<T>(operation: Promise<T>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.deathWatchers.add(reject);
      operation.then(
        (value) => {
          this.deathWatchers.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.deathWatchers.delete(reject);
          reject(error);
        },
      );
    });
  }

  /**
   * Encodes and writes one command line (see `encodeCommandLine`: CR, LF or NUL in any part
   * throws {@link InvalidArgumentError} before a byte is written). The trace and `lastCommand`
   * see the redacted form. Resolves when the line is handed to the socket (waiting for drain
   * if the socket's buffer is full).
   */
  async writeLine(parts: readonly CommandPart[], options: OperationOptions = {}): Promise<EncodedLine> {
    if (this.failure) throw this.failure;
    const line = this.encodeLine(parts);
    await this.write(line.bytes, { phase: options.phase ?? "command", signal: options.signal });
    return line;
  }

  /**
   * Writes several command lines in one socket write, for pipelining (the peer reads them one
   * after another). Each line is checked and traced as {@link writeLine} does; when one is refused,
   * nothing is written.
   */
  writeLines(lines: readonly (readonly CommandPart[])[], options: OperationOptions = {}): Promise<void> {
    let group: CommandGroup;
    try {
      group = encodeCommandGroup(lines);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.writeGroup(group, options);
  }

  /** {@link writeLines} for lines encoded beforehand (see `encodeCommandGroup`). */
  writeGroup(group: CommandGroup, options: OperationOptions = {}): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    for (const line of group.shown) this.traceCommand(line);
    return this.write(group.wire, { phase: options.phase ?? "command", signal: options.signal });
  }

  /**
   * Writes a command line and raw bytes right after it in one socket write (SMTP's `BDAT n` and
   * its chunk). The line is checked and traced as {@link writeLine} does; the bytes are not traced.
   */
  async writeLineAndData(
    parts: readonly CommandPart[],
    data: Buffer,
    options: OperationOptions = {},
  ): Promise<void> {
    if (this.failure) throw this.failure;
    const line = this.encodeLine(parts);
    await this.write(Buffer.concat([line.bytes, data]), {
      phase: options.phase ?? "data",
      signal: options.signal,
    });
  }

  private encodeLine(parts: readonly CommandPart[]): EncodedLine {
    const line = encodeCommandLine(parts);
    this.traceCommand(line.redacted);
    return line;
  }

  /** Traces a line about to be written (secrets redacted) and remembers it as the last command. */
  private traceCommand(redacted: string): void {
    if (this.role === "client") {
      this.lastLine = redacted;
      this.lastLineRedacted = undefined;
    }
    if (!this.onTrace) return;
    const shown =
      this.role === "client" ? this.redactor.clientLine(redacted) : this.redactor.serverLine(redacted);
    this.emitTrace("send", printable(shown));
  }

  /** Writes raw bytes (message data, file data), waiting for drain under the phase's limit. */
  write(data: Buffer | string, options: OperationOptions = {}): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closedFlag || this.socket.destroyed) {
      return Promise.reject(new ConnectionClosedError("the connection is closed", this.context()));
    }
    // Not an async function: the common case (the socket took the bytes) costs no extra frame.
    if (this.socket.write(data)) return WRITTEN;
    return this.guard(options.phase ?? "data", options.signal, () => this.drained());
  }

  /** Emits a trace line of our own (`info`), or a summary of raw data moved. */
  trace(text: string): void {
    this.emitTrace("info", text);
  }

  /**
   * STARTTLS, client side, for every protocol: call it right after the server's go-ahead reply.
   * Fails closed with {@link ProtocolError} (`data-after-starttls`) when any byte arrived after
   * the go-ahead (a response-injection attack, CVE-2021-22947), then upgrades the same socket
   * with `tls.connect`, so the certificate is verified ({@link TlsError} if not). Callers must
   * throw away capabilities learned before and ask for them again.
   */
  async upgradeToTls(
    tls: TlsOptions = this.tlsDefaults,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    if (this.failure) throw this.failure;
    const plain = this.socket;
    // Bytes Node has read but not yet emitted count too: read() emits them through onData.
    plain.pause();
    while (plain.read() !== null) {}
    if (this.reader.buffered > 0) {
      const error = new ProtocolError(
        "data-after-starttls",
        `the server sent ${this.reader.buffered} bytes after its TLS go-ahead (possible STARTTLS injection); refusing to continue`,
        this.context(),
      );
      this.destroy(error);
      throw error;
    }
    this.detach(plain);
    const secured = startTls(plain, this.tlsHost, { ...this.tlsDefaults, ...tls });
    await this.handshake(secured, "secureConnect", options.signal);
  }

  /**
   * STARTTLS, server side: after writing the go-ahead, upgrade with the server's certificate.
   * Bytes the client sent before the handshake are discarded, never executed (RFC 3207 §4.2;
   * Postfix CVE-2011-0411).
   */
  async acceptTls(options: NodeServerTlsOptions, operation: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.failure) throw this.failure;
    const plain = this.socket;
    plain.pause();
    while (plain.read() !== null) {}
    this.reader.discard();
    this.detach(plain);
    const secured = new TlsSocketClass(plain, { ...options, isServer: true });
    await this.handshake(secured, "secure", operation.signal);
  }

  /**
   * Waits for a TLS handshake on the socket that replaces the plain one. The connection's own
   * listeners are attached only afterwards, so a certificate failure reaches the caller as the
   * {@link TlsError} it is rather than as a generic socket error.
   */
  private async handshake(secured: TLSSocket, event: string, signal: AbortSignal | undefined): Promise<void> {
    this.socket = secured;
    try {
      await this.guard("connect", signal, () => waitFor(secured, event, this.label, true));
    } catch (error) {
      secured.on("error", () => {});
      this.destroy(
        error instanceof InetError ? error : new ConnectionClosedError(String(error), this.context(error)),
      );
      this.onClose();
      throw this.failure ?? error;
    }
    this.attach(secured);
    this.emitTrace("info", this.describeTls());
  }

  /**
   * Ends the connection politely: half-closes our side, waits (at most `wait` ms) for the peer to
   * close, then destroys the socket. Never rejects.
   */
  async end(wait = 2000): Promise<void> {
    this.closing = true;
    if (!this.closedFlag) {
      this.socket.end();
      const timer = setTimeout(() => this.socket.destroy(), wait);
      timer.unref();
      await this.closed;
      clearTimeout(timer);
    }
  }

  /** Drops the connection at once. With an error, every pending and later operation rejects with it. */
  destroy(error?: InetError): void {
    this.closing = true;
    if (error && !this.failure) {
      this.failure = error;
      for (const reject of this.deathWatchers) reject(error);
      this.deathWatchers.clear();
      this.reader.end(error);
    }
    this.silence.clear();
    this.connectionSignal?.removeEventListener("abort", this.onConnectionAbort);
    this.socket.destroy();
  }

  private attach(socket: Socket): void {
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("error", this.onError);
    socket.on("close", this.onClose);
    socket.on("drain", this.onDrain);
    socket.on("session", this.onSession);
    this.reader.setSource(socket);
  }

  private detach(socket: Socket): void {
    // The plain socket's reads go to whoever owns it next (a TLS layer), not to this reader.
    this.directInput?.detach();
    this.directInput = undefined;
    socket.off("data", this.onData);
    socket.off("end", this.onEnd);
    socket.off("error", this.onError);
    socket.off("close", this.onClose);
    socket.off("drain", this.onDrain);
    socket.off("session", this.onSession);
    this.reader.setSource(undefined);
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        this.socket.off("drain", onDrain);
        this.socket.off("close", onClose);
      };
      const onDrain = () => {
        cleanup();
        resolve();
      };
      const onClose = () => {
        cleanup();
        reject(this.failure ?? new ConnectionClosedError("closed while sending", this.context()));
      };
      this.socket.on("drain", onDrain);
      this.socket.on("close", onClose);
    });
  }

  /** Adds host and command to errors raised below the transport, and ends the connection on protocol violations. */
  private contextualize(error: unknown): unknown {
    if (!(error instanceof InetError) || error.host !== undefined) return error;
    let typed: InetError = error;
    if (error instanceof LimitError) typed = new LimitError(error.what, error.limit, this.context(error));
    else if (error instanceof ProtocolError)
      typed = new ProtocolError(error.reason, error.message, this.context(error));
    else if (error instanceof ConnectionClosedError)
      typed = new ConnectionClosedError(error.reason, this.context(error));
    else if (error instanceof AbortError) typed = new AbortError(this.context(error.cause));
    // After a framing violation the stream position is unknown: nothing more can be read safely.
    if (typed instanceof ProtocolError) this.destroy(typed);
    return typed;
  }

  private traceLine(direction: "send" | "receive", line: Buffer): void {
    if (!this.onTrace) return;
    const text = line.toString("utf8");
    const clientSide = (direction === "send") === (this.role === "client");
    const shown = clientSide ? this.redactor.clientLine(text) : this.redactor.serverLine(text);
    this.emitTrace(direction, printable(shown));
  }

  private emitTrace(direction: "send" | "receive" | "info", text: string): void {
    if (!this.onTrace) return;
    try {
      this.onTrace({ direction, text, host: this.label, secure: this.secure });
    } catch {
      // A failing trace hook must not break the connection.
    }
  }

  private describeTls(): string {
    const info = this.tls;
    if (!info) return "TLS not active";
    return `TLS ${info.protocol ?? "?"} ${info.cipher}${info.sessionReused ? " (session reused)" : ""}`;
  }
}
