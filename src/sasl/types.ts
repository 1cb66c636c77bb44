/**
 * The shapes shared by every SASL mechanism (RFC 4422), on both sides of the wire.
 *
 * Everything here is protocol-agnostic: challenges and responses are raw bytes, and the protocol
 * layer (SMTP `AUTH`, IMAP `AUTHENTICATE`, POP3 `AUTH`, NNTP `AUTHINFO SASL`) does the base64 and
 * the framing. No I/O lives in this folder.
 */

/** The mechanisms this module implements, strongest first within each family. */
export const SASL_MECHANISMS = [
  "OAUTHBEARER",
  "XOAUTH2",
  "SCRAM-SHA-256",
  "SCRAM-SHA-1",
  "CRAM-MD5",
  "PLAIN",
  "LOGIN",
] as const;

/** A mechanism name this module implements (upper case, as registered with IANA). */
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** The upper-case registered name when `name` is one this module implements (any case), else `undefined`. */
export function normalizeMechanism(name: string): SaslMechanism | undefined {
  const upper = name.trim().toUpperCase();
  return (SASL_MECHANISMS as readonly string[]).includes(upper) ? (upper as SaslMechanism) : undefined;
}

/** What a client authenticates with. Which fields a mechanism needs is listed in `createSaslClient`. */
export interface SaslCredentials {
  /** The authentication identity (authcid): the user name. */
  user: string;
  /** The password, for PLAIN, LOGIN, CRAM-MD5 and SCRAM-*. */
  password?: string | undefined;
  /** The identity to act as, when it differs from `user` (PLAIN, SCRAM-*, OAUTHBEARER only). */
  authzid?: string | undefined;
  /** An OAuth 2.0 bearer token, for XOAUTH2 and OAUTHBEARER. */
  accessToken?: string | undefined;
}

/**
 * The client end of one mechanism run (one authentication attempt; create a new one per attempt).
 *
 * The protocol layer (or {@link authenticate}) sends `start()` as the initial response when the
 * mechanism is client-first and the protocol can carry one, then feeds every server challenge to
 * `respond()` and sends back what it returns. After the server's success it calls `verifyFinal()`
 * when the mechanism has it (SCRAM checks the server's signature there).
 */
export interface SaslClient {
  /** The registered name, upper case (`SCRAM-SHA-256`). */
  readonly mechanism: string;
  /** True when the client speaks first (PLAIN, SCRAM-*, XOAUTH2, OAUTHBEARER). */
  readonly initialResponse: boolean;
  /** The initial response of a client-first mechanism; `undefined` for server-first ones. */
  start(): Buffer | undefined;
  /**
   * The response to one server challenge. For a client-first mechanism whose initial response was
   * not sent inline, the first (empty) challenge is answered with that initial response.
   * @throws ProtocolError when the challenge is malformed, unexpected, or reports a server error.
   */
  respond(challenge: Buffer): Buffer;
  /**
   * Checks what came with the server's success (SCRAM: the server signature, which may instead have
   * arrived as a last challenge).
   * @throws ProtocolError (reason `sasl-server-signature`) when the server did not prove itself.
   */
  verifyFinal?(data: Buffer | undefined): void;
  /** True once the client has nothing more to send (and, for SCRAM, has verified the server). */
  readonly done: boolean;
}

/** One server message as the protocol layer hands it to the driver. */
export type SaslStep = { kind: "challenge"; data: Buffer } | { kind: "success"; data?: Buffer | undefined };

/**
 * The protocol's side of a SASL exchange, implemented by each protocol client.
 *
 * A server failure (SMTP 535, IMAP NO, POP3 -ERR, NNTP 481) is thrown by the exchange itself as a
 * `ReplyError`. An exchange that cannot carry `initial` inline (no SASL-IR, or a line too long)
 * sends the command without it and answers the server's first, empty challenge with `initial` itself.
 */
export interface SaslExchange {
  /** Sends the authentication command naming `mechanism`, with the initial response if there is one. */
  begin(mechanism: string, initial: Buffer | undefined): Promise<SaslStep>;
  /** Sends one response to the last challenge. */
  respond(data: Buffer): Promise<SaslStep>;
  /** Cancels the exchange the way the protocol says (`*` line) and reads the server's answer. */
  abort(): Promise<void>;
}

/** Parameters a server stores instead of a password (RFC 5802 §3: StoredKey, ServerKey). */
export interface ScramKeys {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
  hash: ScramHash;
}

/** The hash of a SCRAM mechanism: `sha1` for SCRAM-SHA-1, `sha256` for SCRAM-SHA-256. */
export type ScramHash = "sha1" | "sha256";

/** What a verifier knows about a user: the password itself, or only SCRAM keys. */
export type SaslSecret = { password: string } | { scram: ScramKeys };

/**
 * The application's account store, as the server mechanisms see it.
 *
 * `lookup` returns `undefined` for an unknown user. Errors it throws are the application's and
 * propagate out of `SaslServer.step()` unchanged.
 */
export interface SaslVerifier {
  lookup(user: string): Promise<SaslSecret | undefined>;
  /** Needed for XOAUTH2 and OAUTHBEARER: true when `token` is valid for `user`. */
  verifyToken?(user: string, token: string): Promise<boolean>;
}

/**
 * Who authenticated. `authzid` is the identity the client asked to act as; whether `user` may act
 * as it is the application's decision, not this module's.
 */
export interface SaslIdentity {
  user: string;
  authzid?: string | undefined;
}

/**
 * Why a server exchange failed. Shown in server logs; a protocol should answer the client with a
 * generic failure so that `unknown-user` and `invalid-credentials` look the same from outside.
 */
export type SaslFailureReason =
  | "malformed-response"
  | "response-too-large"
  | "unexpected-initial-response"
  | "channel-binding-unsupported"
  | "unsupported-credentials"
  | "unknown-user"
  | "invalid-credentials"
  | "invalid-token"
  | "exchange-finished";

/** One server decision. */
export type SaslServerStep =
  | { kind: "challenge"; data: Buffer }
  | { kind: "success"; identity: SaslIdentity; data?: Buffer | undefined }
  | { kind: "failure"; reason: SaslFailureReason };

/**
 * The server end of one mechanism run (one per attempt).
 *
 * The protocol calls `step()` first with the client's initial response (`undefined` when none was
 * sent), then with every client response, and relays each challenge. A client's cancel (`*`) is the
 * protocol's business: it just drops this object. Client-controlled input never makes `step()`
 * throw: bad input is a `failure`.
 */
export interface SaslServer {
  readonly mechanism: string;
  step(response: Buffer | undefined): Promise<SaslServerStep>;
}
