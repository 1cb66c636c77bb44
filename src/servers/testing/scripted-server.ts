/**
 * A scripted protocol server for tests: it plays the `S:` lines of a script, checks and records
 * the client's `C:` lines, and misbehaves on cue (stalls, drips, split and bare-LF lines, oversized
 * lines, early closes, STARTTLS injection, bad certificates, plaintext where TLS should be).
 *
 * It listens on loopback only, port 0, and never lets a misbehaving client crash the process.
 */
import { createServer, type Socket } from "node:net";
import { ConnectionClosedError, InvalidArgumentError } from "../../errors.js";
import { type TestCertificates, testCertificates } from "./certificates.js";
import type { RecordedSession, TlsIdentity } from "./records.js";
import { ScriptedSession } from "./session.js";
import { type CertificateKind, parseTranscript, type Script, type ScriptStep } from "./transcript.js";

export interface ScriptedServerOptions {
  /** Loopback address to listen on. Default `"127.0.0.1"`. */
  host?: "127.0.0.1" | "::1";
  /**
   * The server's TLS identity. Given, each connection starts with a TLS handshake (implicit TLS)
   * unless `implicitTls` is false; either way STARTTLS upgrades present it. Default identity:
   * `testCertificates().localhost`, with plain connections.
   */
  tls?: TlsIdentity;
  /** Default: true when `tls` is given. */
  implicitTls?: boolean;
  /** After a client line that does not match: `"close"` (default) ends the session, `"continue"` goes on. */
  onMismatch?: "close" | "continue";
  /** Longest client line recorded; longer ones are a `line-too-long` mismatch. Default 1 MiB. */
  maxLineLength?: number;
  /** Where the certificate kinds of `TLS kind` steps come from. Default {@link testCertificates}(). */
  certificates?: TestCertificates;
}

/** A running scripted server. */
export interface ScriptedServer {
  readonly host: "127.0.0.1" | "::1";
  readonly port: number;
  /** `scheme://127.0.0.1:port` (or `scheme://[::1]:port`). */
  url(scheme: string): string;
  /** Every session so far, in connection order. */
  readonly sessions: readonly RecordedSession[];
  /**
   * The session with this 0-based index, once its connection has been accepted.
   * @throws {ConnectionClosedError} when the server closes first.
   */
  session(index?: number): Promise<RecordedSession>;
  /** All sessions' S:/C: lines so far (each session after a `# session N` line when there are several). */
  transcript(): string;
  /** Destroys every open session, stops listening, and resolves once all of it is done. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A script as a function: it drives the session itself. */
export type ScriptFunction = (session: ScriptedSession) => Promise<void>;

/**
 * Starts a scripted server on loopback, port 0. Each connection gets its own run of the script
 * (transcript text, steps, or a function). Data scripts stop at the first mismatch (by default),
 * at `close`/`reset`/`stall`, or at their end; then the connection is ended.
 *
 * @throws {InvalidArgumentError} when transcript text does not parse, or options are out of range.
 */
export async function startScriptedServer(
  script: Script | ScriptFunction,
  options: ScriptedServerOptions = {},
): Promise<ScriptedServer> {
  const host = options.host ?? "127.0.0.1";
  if (host !== "127.0.0.1" && host !== "::1") throw new InvalidArgumentError(`not a loopback host: ${host}`);
  const maxLineLength = options.maxLineLength ?? 1024 * 1024;
  if (!Number.isSafeInteger(maxLineLength) || maxLineLength < 1) {
    throw new InvalidArgumentError("maxLineLength must be a positive integer");
  }
  const run: ScriptFunction =
    typeof script === "function"
      ? script
      : stepsRunner(typeof script === "string" ? parseTranscript(script) : script);
  const implicitTls = options.implicitTls ?? options.tls !== undefined;
  const context = {
    maxLineLength,
    stopOnMismatch: options.onMismatch !== "continue",
    identity(kind: CertificateKind | undefined): TlsIdentity {
      if (kind === undefined) return options.tls ?? (options.certificates ?? testCertificates()).localhost;
      return (options.certificates ?? testCertificates())[kind];
    },
  };

  const sessions: ScriptedSession[] = [];
  const waiters: Array<() => void> = [];
  let closing = false;
  const server = createServer((socket: Socket) => {
    if (closing) {
      socket.on("error", () => {});
      socket.destroy();
      return;
    }
    const session = new ScriptedSession(sessions.length + 1, socket, context);
    sessions.push(session);
    for (const wake of waiters.splice(0)) wake();
    void session.run(async (s) => {
      if (implicitTls) await s.startTls();
      await run(s);
    });
  });
  // A listener error after listen() succeeded (rare: EMFILE on accept) must not crash the test process.
  const listenerErrors: Error[] = [];
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => {
      server.off("error", reject);
      server.on("error", (error) => listenerErrors.push(error));
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  const close = async (): Promise<void> => {
    closing = true;
    const listenerClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const session of sessions) session.destroy();
    for (const wake of waiters.splice(0)) wake();
    await Promise.all(sessions.map((s) => s.done));
    await listenerClosed;
  };

  return {
    host,
    port,
    url: (scheme) => `${scheme}://${host === "::1" ? "[::1]" : host}:${port}`,
    sessions,
    async session(index = 0) {
      while (sessions.length <= index) {
        if (closing) throw new ConnectionClosedError(`the server closed before session ${index} connected`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      return sessions[index]!;
    },
    transcript() {
      if (sessions.length === 1) return sessions[0]!.transcript();
      return sessions.map((s) => `# session ${s.id}\n${s.transcript()}`).join("");
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Turns data steps into a script function: each step is one session call. */
function stepsRunner(steps: readonly ScriptStep[]): ScriptFunction {
  return async (session) => {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      session.currentStep = i;
      switch (step.op) {
        case "send": {
          // inject steps right after an S: line go out in the same write as that line.
          const injected: Buffer[] = [];
          while (steps[i + 1]?.op === "inject") injected.push((steps[++i] as { data: Buffer }).data);
          await session.sendLine(step.text, injected.length > 0 ? { inject: Buffer.concat(injected) } : {});
          break;
        }
        case "expect":
          await session.expectLine(step.expect);
          break;
        case "delay":
          await session.delay(step.ms);
          break;
        case "stall":
          await session.stall();
          return;
        case "drip":
          session.drip(step.intervalMs);
          break;
        case "closeAfterBytes":
          session.closeAfterBytes(step.bytes);
          break;
        case "close":
          session.close();
          return;
        case "reset":
          session.reset();
          return;
        case "closeAt":
          session.closeAt(step.command);
          break;
        case "bareLF":
          session.bareLF(step.enabled);
          break;
        case "split":
          session.split(step.at);
          break;
        case "oversized":
          await session.oversized(step.bytes);
          break;
        case "inject":
        case "raw":
          await session.send(step.data);
          break;
        case "tls":
          await session.startTls(step.certificate ? { certificate: step.certificate } : {});
          break;
        case "plaintextInsteadOfTls":
          await session.plaintextInsteadOfTls(step.data);
          break;
      }
    }
  };
}
