/**
 * One connection to the scripted server: what a function script drives, and what a test reads
 * back afterwards (every S:/C: line, mismatches, socket errors, the sizes of the server's writes).
 *
 * Misbehaving clients never crash the process: every socket gets an 'error' listener, failures
 * end up in `errors` or `mismatches`, and teardown clears every timer this session started.
 */
import type { Socket } from "node:net";
import { createSecureContext, TLSSocket } from "node:tls";
import { ConnectionClosedError, LimitError, ProtocolError, TlsError } from "../../errors.js";
import { FaultWriter } from "./fault-writer.js";
import { LineReader, preview } from "./line-reader.js";
import type {
  Mismatch,
  RecordedLine,
  RecordedSession,
  SendLineOptions,
  SessionContext,
  TlsIdentity,
} from "./records.js";
import {
  type CertificateKind,
  describeExpectation,
  type Expectation,
  matchesExpectation,
} from "./transcript.js";

const MAX_RECORDS = 100_000;
const OVERSIZED_CHUNK = 64 * 1024;
const DEFAULT_JUNK = "this is not a TLS handshake\r\n";

/**
 * The server's side of one connection. A function script calls these methods in order; a data
 * script is run through them step by step. Tests read the recorded fields (see {@link RecordedSession}).
 */
export class ScriptedSession implements RecordedSession {
  readonly lines: RecordedLine[] = [];
  readonly mismatches: Mismatch[] = [];
  readonly errors: Error[] = [];
  secure = false;
  closed = false;
  readonly done: Promise<void>;
  /** The data-script step being run, so mismatches can name it. */
  currentStep: number | undefined;

  private socket: Socket;
  private readonly sockets: Socket[] = [];
  private readonly reader: LineReader;
  /** Set once the server decided to end the session: a ConnectionClosedError after it is expected. */
  private ending = false;
  private handshaking = false;
  private bareLFMode = false;
  private readonly writer: FaultWriter;
  private readonly closeAtCommands: string[] = [];
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly closeWaiters: Array<() => void> = [];
  /** Errors already accounted for by a mismatch record (so the runner does not record them twice). */
  private readonly accounted = new WeakSet<object>();
  private settleScript!: () => void;

  constructor(
    readonly id: number,
    socket: Socket,
    private readonly context: SessionContext,
  ) {
    this.socket = socket;
    this.reader = new LineReader(context.maxLineLength);
    this.writer = new FaultWriter({
      socket: () => this.socket,
      assertOpen: () => this.assertOpen(),
      delay: (ms) => this.delay(ms),
      destroy: () => this.destroy(),
      account: (error) => this.account(error),
    });
    socket.setNoDelay(true);
    this.watch(socket);
    this.reader.attach(socket);
    const scriptDone = new Promise<void>((resolve) => {
      this.settleScript = resolve;
    });
    const socketClosed = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    this.done = Promise.all([scriptDone, socketClosed]).then(() => undefined);
  }

  /**
   * Runs a script function to its end, records what it threw (unless it is a mismatch already
   * recorded, or the connection ending as planned), then ends the connection. Never rejects.
   */
  async run(script: (session: ScriptedSession) => Promise<void>): Promise<void> {
    try {
      await script(this);
    } catch (error) {
      if (!this.isAccounted(error))
        this.errors.push(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.close();
      this.settleScript();
    }
  }

  /** The size of every socket write the server made, in order (the first 100 000). */
  get writes(): readonly number[] {
    return this.writer.writes;
  }

  /** The most bytes ever queued in the socket's write buffer. */
  get maxQueuedBytes(): number {
    return this.writer.maxQueuedBytes;
  }

  // ----- sending ---------------------------------------------------------------------------

  /** Writes raw bytes (recorded as S: lines split at LF). Honours drip, split and closeAfterBytes. */
  async send(data: string | Buffer): Promise<void> {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    this.recordSent(bytes);
    await this.writer.emit(bytes);
  }

  /**
   * Sends `text` and its terminator (CRLF, or LF under {@link bareLF}), plus `inject` in the same
   * write. @throws {ConnectionClosedError} when the connection is gone (or closeAfterBytes ran out).
   */
  async sendLine(text: string, options: SendLineOptions = {}): Promise<void> {
    this.record({ from: "S", text });
    const parts: Buffer[] = [Buffer.from(text + (this.bareLFMode ? "\n" : "\r\n"), "utf8")];
    if (options.inject !== undefined) {
      const injected =
        typeof options.inject === "string" ? Buffer.from(options.inject, "utf8") : options.inject;
      this.recordSent(injected);
      parts.push(injected);
    }
    await this.writer.emit(Buffer.concat(parts));
  }

  /**
   * Sends `bytes` bytes of `x` with no line ending, in 64 KiB writes, each waiting until the
   * previous one is flushed: the line is never held whole in memory.
   */
  async oversized(bytes: number): Promise<void> {
    this.record({ from: "S", text: `[${bytes} bytes without a line ending]` });
    const chunk = Buffer.alloc(Math.min(OVERSIZED_CHUNK, bytes), "x");
    for (let left = bytes; left > 0; left -= chunk.length) {
      await this.writer.write(left >= chunk.length ? chunk : chunk.subarray(0, left));
    }
  }

  /**
   * Waits for the client's first bytes after a go-ahead (its ClientHello) and answers them with
   * plaintext junk instead of a ServerHello. The session stays plaintext; what the client sent
   * stays unread.
   */
  async plaintextInsteadOfTls(junk: string | Buffer = DEFAULT_JUNK): Promise<void> {
    await this.reader.waitForData();
    await this.send(junk);
  }

  // ----- fault modes -------------------------------------------------------------------------

  /** Terminates the following lines with LF only (`false` restores CRLF). */
  bareLF(enabled = true): void {
    this.bareLFMode = enabled;
  }

  /** Sends each following send in 1-byte writes (`"bytes"`), in two writes split at an offset, or normally (`"off"`). */
  split(at: number | "bytes" | "off" = "bytes"): void {
    this.writer.split = at;
  }

  /** Sends the next send one byte at a time, `intervalMs` apart. */
  drip(intervalMs = 10): void {
    this.writer.dripNext = intervalMs;
  }

  /** Lets only `bytes` more bytes out, then destroys the connection (0: destroys it now). */
  closeAfterBytes(bytes: number): void {
    this.writer.byteBudget = bytes;
    if (bytes === 0) this.destroy();
  }

  /** Ends the connection, unanswered, when the client sends this command (case-insensitive verb or prefix). */
  closeAt(command: string): void {
    this.closeAtCommands.push(command.toUpperCase());
  }

  /** Waits `ms` (cut short, without error, when the session is torn down). */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        resolve,
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
      };
      this.sleepers.add(sleeper);
    });
  }

  /** Stops answering; resolves when the client or the server closes the connection. */
  stall(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  // ----- reading -----------------------------------------------------------------------------

  /**
   * The next client line, recorded as a C: line exactly as received (UTF-8, no terminator).
   * @throws {ConnectionClosedError} when the client closes first, or at a `closeAt` command.
   * @throws {LimitError} for a line over the limit (recorded as a mismatch; the connection is destroyed).
   */
  async readLine(): Promise<string> {
    let line: { text: string; bareLF: boolean };
    try {
      if (this.ending) throw new ConnectionClosedError("the session is closed");
      line = await this.reader.readLine();
    } catch (error) {
      if (error instanceof LimitError) {
        this.mismatches.push({
          step: this.currentStep,
          expected: `a line of at most ${this.context.maxLineLength} bytes`,
          actual: undefined,
          reason: "line-too-long",
        });
        this.destroy();
      }
      throw this.account(error);
    }
    this.record(line.bareLF ? { from: "C", text: line.text, bareLF: true } : { from: "C", text: line.text });
    const upper = line.text.toUpperCase();
    const stop = this.closeAtCommands.find((c) => upper === c || upper.startsWith(`${c} `));
    if (stop) {
      this.close();
      throw this.account(new ConnectionClosedError(`closed at ${stop} as scripted`));
    }
    return line.text;
  }

  /**
   * Reads a client line and checks it: an exact string, a RegExp, an {@link Expectation}, or
   * anything when omitted. A mismatch is recorded; unless the server runs with
   * `onMismatch: "continue"`, the connection is then closed and a ProtocolError thrown.
   * @throws {ProtocolError} (`reason: "unexpected-line"`) on a mismatch.
   * @throws {ConnectionClosedError} / {@link LimitError} as {@link readLine} (recorded as mismatches).
   */
  async expectLine(expected?: string | RegExp | Expectation): Promise<string> {
    const expectation: Expectation =
      expected === undefined
        ? { type: "any" }
        : typeof expected === "string"
          ? { type: "exact", text: expected }
          : expected instanceof RegExp
            ? { type: "regex", pattern: expected }
            : expected;
    let line: string;
    try {
      line = await this.readLine();
    } catch (error) {
      if (error instanceof ConnectionClosedError && !this.ending) {
        this.mismatches.push({
          step: this.currentStep,
          expected: describeExpectation(expectation),
          actual: await this.reader.pending(),
          reason: "closed",
        });
      }
      throw error;
    }
    if (matchesExpectation(expectation, line)) return line;
    const expectedText = describeExpectation(expectation);
    this.mismatches.push({
      step: this.currentStep,
      expected: expectedText,
      actual: line,
      reason: "unexpected-line",
    });
    if (!this.context.stopOnMismatch) return line;
    this.close();
    throw this.account(
      new ProtocolError(
        "unexpected-line",
        `expected ${JSON.stringify(expectedText)}, client sent ${JSON.stringify(line)}`,
      ),
    );
  }

  /** Exactly `count` bytes from the client (recorded as `C: [count bytes]`). @throws {ConnectionClosedError} */
  async readBytes(count: number): Promise<Buffer> {
    const bytes = await this.reader.readBytes(count).catch((error: unknown) => {
      throw this.account(error);
    });
    this.record({ from: "C", text: `[${count} bytes]` });
    return bytes;
  }

  // ----- TLS ---------------------------------------------------------------------------------

  /**
   * The server side of a TLS upgrade on this connection (STARTTLS, or at once for implicit TLS),
   * presenting the server's identity, one of the test certificate kinds, or the given one.
   * Bytes the client sent before the handshake are recorded as a `data-before-tls` mismatch.
   * @throws {TlsError} (`reason: "handshake"`) when the handshake fails (the client refused the
   *   certificate…); it is also recorded in `errors`, with the socket's error as its cause.
   */
  async startTls(options: { certificate?: CertificateKind | TlsIdentity } = {}): Promise<void> {
    this.assertOpen();
    const identity =
      typeof options.certificate === "object"
        ? options.certificate
        : this.context.identity(options.certificate);
    const early = await this.reader.detach();
    if (early.length > 0) {
      this.mismatches.push({
        step: this.currentStep,
        expected: "a TLS handshake",
        actual: preview(early),
        reason: "data-before-tls",
      });
    }
    const secure = new TLSSocket(this.socket, {
      isServer: true,
      secureContext: createSecureContext({ cert: identity.cert, key: identity.key }),
      requestCert: false,
      rejectUnauthorized: false,
    });
    this.socket = secure;
    this.handshaking = true;
    this.watch(secure);
    await new Promise<void>((resolve, reject) => {
      const fail = (cause?: unknown) => {
        secure.off("secure", succeed);
        this.handshaking = false;
        const error = new TlsError("handshake", "TLS handshake with the client failed", { cause });
        // The server tearing the session down mid-handshake is not the client's failure.
        if (!this.ending) this.errors.push(error);
        reject(this.account(error));
      };
      const succeed = () => {
        this.handshaking = false;
        secure.off("error", fail);
        secure.off("close", fail);
        resolve();
      };
      secure.once("secure", succeed);
      secure.once("error", fail);
      secure.once("close", fail);
    });
    this.secure = true;
    this.reader.attach(secure);
  }

  // ----- ending ------------------------------------------------------------------------------

  /** Ends the connection politely (FIN after pending writes). */
  close(): void {
    this.ending = true;
    if (!this.socket.destroyed) this.socket.end();
  }

  /** Destroys the connection at once. */
  destroy(): void {
    this.ending = true;
    this.teardown();
    for (const socket of this.sockets) socket.destroy();
  }

  /** Destroys the connection with a TCP RST. */
  reset(): void {
    this.ending = true;
    this.teardown();
    const tcp = this.sockets[0];
    if (tcp && !tcp.destroyed) tcp.resetAndDestroy();
    for (const socket of this.sockets) socket.destroy();
  }

  transcript(): string {
    return this.lines.map((line) => `${line.from}: ${line.text}\n`).join("");
  }

  // ----- internals ---------------------------------------------------------------------------

  private watch(socket: Socket): void {
    this.sockets.push(socket);
    socket.on("error", (error) => {
      // A handshake failure is recorded once, as the TlsError that wraps this error.
      if (!this.handshaking) this.errors.push(error);
    });
    // Whichever layer closes first (TCP under TLS, or TLS over TCP), the session is over.
    socket.on("close", () => {
      for (const other of this.sockets) other.destroy();
      this.onClosed();
    });
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.teardown();
    for (const resolve of this.closeWaiters.splice(0)) resolve();
  }

  private teardown(): void {
    this.reader.end();
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.resolve();
    }
    this.sleepers.clear();
  }

  private assertOpen(): void {
    if (this.ending || this.closed || this.socket.destroyed) {
      throw this.account(new ConnectionClosedError("the session is closed"));
    }
  }

  private recordSent(bytes: Buffer): void {
    if (bytes.length > 4096) {
      this.record({ from: "S", text: `[${bytes.length} bytes]` });
      return;
    }
    const pieces = bytes.toString("utf8").split("\n");
    if (pieces[pieces.length - 1] === "") pieces.pop();
    for (const piece of pieces)
      this.record({ from: "S", text: piece.endsWith("\r") ? piece.slice(0, -1) : piece });
  }

  private record(line: RecordedLine): void {
    if (this.lines.length < MAX_RECORDS) this.lines.push(line);
  }

  private account<T>(error: T): T {
    if (typeof error === "object" && error !== null) this.accounted.add(error);
    return error;
  }

  private isAccounted(error: unknown): boolean {
    if (typeof error === "object" && error !== null && this.accounted.has(error)) return true;
    // The connection ending as planned (or the client hanging up) is how scripts stop.
    return error instanceof ConnectionClosedError;
  }
}
