/**
 * What every server mechanism shares: the options, the size bound on client responses, the
 * "one exchange, one step at a time" rule, and password checking against either a stored password
 * or stored SCRAM keys.
 */
import { createHmac, randomBytes } from "node:crypto";
import { MAX_SASL_MESSAGE, safeEqual } from "./bytes.js";
import { keySchedule, saltPassword } from "./scram-core.js";
import type { SaslFailureReason, SaslServer, SaslServerStep, SaslVerifier } from "./types.js";

/** Options of `createSaslServer`. Every field is optional; the ones marked "tests only" make runs repeatable. */
export interface SaslServerOptions {
  /** The largest client response accepted, in bytes (default 64 KiB); a larger one is a failure. */
  maxResponseBytes?: number | undefined;
  /**
   * True when the protocol can carry data with its success reply (IMAP4rev2 `OK`, NNTP 283). When
   * false (the default, right for SMTP, POP3 and IMAP4rev1), SCRAM sends its server-final message as
   * a last challenge and succeeds on the client's empty response (RFC 4422 §3.6, §4).
   */
  successData?: boolean | undefined;
  /** SCRAM: the server's part of the nonce. Tests only; by default 24 random base64 characters. */
  nonce?: string | undefined;
  /** SCRAM: the iteration count used when the verifier returns a plain password (default 4096). */
  iterations?: number | undefined;
  /** CRAM-MD5: the host name in the challenge (default: this machine's host name). */
  hostname?: string | undefined;
  /** CRAM-MD5: the whole challenge. Tests only; by default `<random.timestamp@hostname>`. */
  challenge?: string | undefined;
  /** XOAUTH2/OAUTHBEARER: the `scope` to put in the error sent for a rejected token. */
  oauthScope?: string | undefined;
  /** OAUTHBEARER: the `openid-configuration` URL to put in that error (RFC 7628 §3.2.2). */
  openidConfiguration?: string | undefined;
}

/** A secret made once per process: it keys the stand-in salts, so a user's salt stays stable between attempts. */
const PROCESS_SECRET = randomBytes(32);

/**
 * A salt that depends only on the user name (and this process): used for unknown users, so that a
 * probe cannot tell them from real ones by their salt, and for users stored with a plain password.
 */
export function standInSalt(mechanism: string, user: string): Buffer {
  return createHmac("sha256", PROCESS_SECRET).update(`${mechanism}\0${user}`).digest().subarray(0, 16);
}

/** A failure result. */
export function failure(reason: SaslFailureReason): SaslServerStep {
  return { kind: "failure", reason };
}

/** A challenge result. */
export function challenge(data: Buffer | string): SaslServerStep {
  return { kind: "challenge", data: typeof data === "string" ? Buffer.from(data, "utf8") : data };
}

/**
 * The shared frame of a server mechanism: bounds each response, refuses steps after the end and
 * steps that overlap, and marks the exchange finished on success or failure.
 */
export abstract class ServerMechanism implements SaslServer {
  abstract readonly mechanism: string;
  protected readonly verifier: SaslVerifier;
  protected readonly options: SaslServerOptions;
  #finished = false;
  #busy = false;

  constructor(verifier: SaslVerifier, options: SaslServerOptions) {
    this.verifier = verifier;
    this.options = options;
  }

  /**
   * Runs one step. Client input never makes it throw; errors thrown by the verifier propagate.
   * @returns the next challenge, the success with the identity, or the failure with its reason.
   */
  async step(response: Buffer | undefined): Promise<SaslServerStep> {
    if (this.#finished || this.#busy) return failure("exchange-finished");
    if (response !== undefined && response.length > (this.options.maxResponseBytes ?? MAX_SASL_MESSAGE)) {
      this.#finished = true;
      return failure("response-too-large");
    }
    this.#busy = true;
    try {
      const result = await this.next(response);
      if (result.kind !== "challenge") this.#finished = true;
      return result;
    } catch (error) {
      this.#finished = true;
      throw error;
    } finally {
      this.#busy = false;
    }
  }

  /** The mechanism's own state machine. */
  protected abstract next(response: Buffer | undefined): Promise<SaslServerStep>;
}

/** The outcome of checking a password. */
export type PasswordCheck = "ok" | "unknown-user" | "invalid-credentials";

/**
 * Checks `password` for `user`: against the stored password in constant time, or, when only SCRAM
 * keys are stored, by deriving StoredKey from it and comparing that (so PLAIN and LOGIN work with
 * SCRAM-only account stores).
 */
export async function checkPassword(
  verifier: SaslVerifier,
  user: string,
  password: string,
): Promise<PasswordCheck> {
  const secret = await verifier.lookup(user);
  if (secret === undefined) {
    // Spend a comparison anyway, so an unknown user costs about what a wrong password costs.
    safeEqual(Buffer.from(password, "utf8"), PROCESS_SECRET);
    return "unknown-user";
  }
  if ("password" in secret) {
    return safeEqual(Buffer.from(password, "utf8"), Buffer.from(secret.password, "utf8"))
      ? "ok"
      : "invalid-credentials";
  }
  const { hash, salt, iterations, storedKey } = secret.scram;
  const derived = keySchedule(hash, await saltPassword(hash, password, salt, iterations));
  return safeEqual(derived.storedKey, storedKey) ? "ok" : "invalid-credentials";
}
