/**
 * What the scripted server records about a session, and the small types a session shares with
 * its server. Types only.
 */
import type { CertificateKind } from "./transcript.js";

/** One line as it crossed the wire: `S` from the server, `C` from the client (without its terminator). */
export interface RecordedLine {
  from: "S" | "C";
  text: string;
  /** On a client line: it ended in LF alone. */
  bareLF?: true;
}

/** A client line that did not match the script (or a client that did not send one). */
export interface Mismatch {
  /** Index of the script step, for data scripts. */
  step: number | undefined;
  expected: string;
  /** What came instead; undefined when the connection closed with nothing pending. */
  actual: string | undefined;
  reason: "unexpected-line" | "closed" | "line-too-long" | "data-before-tls";
}

/** What a test can read about a session, during it and after it. */
export interface RecordedSession {
  /** 1 for the first connection, 2 for the next… */
  readonly id: number;
  readonly lines: readonly RecordedLine[];
  readonly mismatches: readonly Mismatch[];
  /** Socket errors and errors thrown by the script (not those a mismatch already records). */
  readonly errors: readonly Error[];
  /** The size of every socket write the server made, in order (the first 100 000). */
  readonly writes: readonly number[];
  /** The most bytes ever queued in the socket's write buffer: stays small when backpressure holds. */
  readonly maxQueuedBytes: number;
  /** Whether TLS is up on this session. */
  readonly secure: boolean;
  /** Whether the socket has closed. */
  readonly closed: boolean;
  /** Settles (never rejects) once the script has finished and the socket has closed. */
  readonly done: Promise<void>;
  /** This session's lines as transcript text: `S: …` / `C: …`, one per line. */
  transcript(): string;
}

/** A TLS identity: certificate chain and private key, PEM. */
export interface TlsIdentity {
  cert: string;
  key: string;
}

/** What a session needs from its server. */
export interface SessionContext {
  maxLineLength: number;
  stopOnMismatch: boolean;
  /** The identity to present for a kind, or the server's own when `kind` is undefined. */
  identity(kind: CertificateKind | undefined): TlsIdentity;
}

export interface SendLineOptions {
  /** Bytes written right after the line's terminator in the same socket write (the STARTTLS injection). */
  inject?: string | Buffer;
}
