/**
 * The client side of SCRAM-SHA-1 (RFC 5802) and SCRAM-SHA-256 (RFC 7677), without channel binding
 * (GS2 flag `n`).
 *
 * The exchange is: client-first (`n,,n=user,r=cnonce`) → server-first (`r=cnonce+snonce,s=salt,i=N`)
 * → client-final (`c=biws,r=…,p=proof`) → server-final (`v=signature` or `e=error`). The server-final
 * arrives either as a last challenge (answered with an empty response) or with the server's success;
 * both paths end in the same check, and a success without a valid signature is an error: SCRAM is
 * mutual authentication, and a server that cannot prove it knows the password is not trusted.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { InvalidArgumentError, LimitError, ProtocolError } from "../errors.js";
import {
  decodeBase64Strict,
  decodeUtf8,
  MAX_SASL_MESSAGE,
  malformedChallenge,
  quoteServerText,
  requireField,
  unexpectedChallenge,
} from "./bytes.js";
import {
  escapeSaslName,
  hmac,
  isValidNonce,
  keySchedule,
  parseAttributes,
  saltPasswordSync,
  scramHashOf,
  xor,
} from "./scram-core.js";
import type { SaslClient, SaslCredentials, ScramHash } from "./types.js";

/** The default highest iteration count a client accepts from a server (bounds the work a server can demand). */
export const DEFAULT_MAX_SCRAM_ITERATIONS = 1_000_000;

/** Options of {@link ScramClient}. */
export interface ScramClientOptions {
  /** The client nonce. For tests only: by default 24 random base64 characters from `randomBytes`. */
  nonce?: string | undefined;
  /** The highest iteration count accepted from the server (default {@link DEFAULT_MAX_SCRAM_ITERATIONS}). */
  maxIterations?: number | undefined;
}

type State = "initial" | "first-sent" | "final-sent" | "verified" | "failed";

/**
 * A SCRAM-SHA-1 or SCRAM-SHA-256 client for one authentication attempt.
 *
 * Names are escaped as RFC 5802 §5.1 says (`=`→`=3D`, `,`→`=2C`); the password goes through
 * `saslPrepApprox` (mapping tables and NFKC, an approximation of SASLprep; see scram-core.ts).
 */
export class ScramClient implements SaslClient {
  readonly mechanism: "SCRAM-SHA-1" | "SCRAM-SHA-256";
  readonly initialResponse = true;
  readonly #hash: ScramHash;
  readonly #password: string;
  readonly #gs2Header: string;
  readonly #clientFirstBare: string;
  readonly #nonce: string;
  readonly #maxIterations: number;
  #state: State = "initial";
  #serverSignature: Buffer | undefined;

  /** @throws InvalidArgumentError for a missing user or password, a NUL in them, or a bad injected nonce. */
  constructor(
    mechanism: "SCRAM-SHA-1" | "SCRAM-SHA-256",
    credentials: SaslCredentials,
    options: ScramClientOptions = {},
  ) {
    this.mechanism = mechanism;
    this.#hash = scramHashOf(mechanism);
    const user = requireField(mechanism, "user name", credentials.user, /\0/, "NUL");
    this.#password = requireField(mechanism, "password", credentials.password, /\0/, "NUL");
    const authzid = credentials.authzid;
    if (authzid !== undefined && authzid !== "" && authzid.includes("\0")) {
      throw new InvalidArgumentError(`${mechanism}: the authzid must not contain NUL`);
    }
    const nonce = options.nonce ?? randomBytes(18).toString("base64");
    if (!isValidNonce(nonce)) {
      throw new InvalidArgumentError(`${mechanism}: a nonce must be printable ASCII without ","`);
    }
    const maxIterations = options.maxIterations ?? DEFAULT_MAX_SCRAM_ITERATIONS;
    if (!Number.isSafeInteger(maxIterations) || maxIterations < 1) {
      throw new InvalidArgumentError(`${mechanism}: maxIterations must be a positive integer`);
    }
    this.#maxIterations = maxIterations;
    this.#nonce = nonce;
    this.#gs2Header = authzid ? `n,a=${escapeSaslName(authzid)},` : "n,,";
    this.#clientFirstBare = `n=${escapeSaslName(user)},r=${nonce}`;
  }

  get done(): boolean {
    return this.#state === "verified";
  }

  /** The client-first message (RFC 5802 §7 `client-first-message`). */
  start(): Buffer {
    if (this.#state !== "initial") throw new Error(`${this.mechanism} client already started`);
    this.#state = "first-sent";
    return Buffer.from(this.#gs2Header + this.#clientFirstBare, "utf8");
  }

  /**
   * Answers the server-first message with the client-final message, and the server-final message
   * (when it comes as a challenge) with an empty response once its signature is verified.
   * @throws ProtocolError `sasl-malformed-challenge`, `sasl-nonce-mismatch`, `sasl-iterations`,
   *   `sasl-server-error` (the server's `e=`), `sasl-server-signature`, `sasl-unexpected-challenge`;
   *   LimitError for a challenge over 64 KiB.
   */
  respond(challenge: Buffer): Buffer {
    try {
      switch (this.#state) {
        case "initial":
          // No inline initial response: the server's first, empty challenge asks for it (RFC 4422 §3.3).
          return this.start();
        case "first-sent":
          return this.#clientFinal(challenge);
        case "final-sent":
          this.#checkServerFinal(challenge);
          return Buffer.alloc(0);
        default:
          throw unexpectedChallenge(this.mechanism);
      }
    } catch (error) {
      this.#state = "failed";
      throw error;
    }
  }

  /**
   * Called with the data that came with the server's success (if any). Passes when the server
   * signature was verified, here or earlier as a challenge.
   * @throws ProtocolError `sasl-server-signature` when there was no valid server signature.
   */
  verifyFinal(data: Buffer | undefined): void {
    if (data !== undefined && data.length > 0) {
      if (this.#state !== "final-sent" && this.#state !== "verified") {
        this.#state = "failed";
        throw malformedChallenge(this.mechanism, "success data before the client-final message");
      }
      this.#checkServerFinal(data);
      return;
    }
    if (this.#state !== "verified") {
      this.#state = "failed";
      throw new ProtocolError(
        "sasl-server-signature",
        `${this.mechanism}: the server reported success without proving it knows the password (no server signature)`,
      );
    }
  }

  #decode(challenge: Buffer, what: string): string {
    if (challenge.length > MAX_SASL_MESSAGE) throw new LimitError("sasl-challenge", MAX_SASL_MESSAGE);
    const text = decodeUtf8(challenge);
    if (text === undefined) throw malformedChallenge(this.mechanism, `${what} is not UTF-8`);
    return text;
  }

  #serverError(value: string): ProtocolError {
    return new ProtocolError(
      "sasl-server-error",
      `${this.mechanism}: the server reported ${quoteServerText(value)}`,
    );
  }

  #clientFinal(challenge: Buffer): Buffer {
    const serverFirst = this.#decode(challenge, "server-first message");
    const attrs = parseAttributes(serverFirst);
    if (attrs?.[0]?.key === "e") throw this.#serverError(attrs[0].value);
    if (attrs?.[0]?.key === "m") throw malformedChallenge(this.mechanism, "unsupported mandatory extension");
    if (attrs === undefined || attrs.length < 3)
      throw malformedChallenge(this.mechanism, "server-first message");
    const r = attrs[0]!;
    const s = attrs[1]!;
    const i = attrs[2]!;
    if (r.key !== "r" || s.key !== "s" || i.key !== "i") {
      throw malformedChallenge(this.mechanism, "server-first message must be r=…,s=…,i=…");
    }
    if (!isValidNonce(r.value) || !r.value.startsWith(this.#nonce)) {
      throw new ProtocolError(
        "sasl-nonce-mismatch",
        `${this.mechanism}: the server nonce does not extend the client nonce`,
      );
    }
    const salt = decodeBase64Strict(s.value);
    if (salt === undefined || salt.length === 0) throw malformedChallenge(this.mechanism, "salt");
    const iterations = /^[0-9]{1,10}$/.test(i.value) ? Number(i.value) : Number.NaN;
    if (!(iterations >= 1 && iterations <= this.#maxIterations)) {
      throw new ProtocolError(
        "sasl-iterations",
        `${this.mechanism}: iteration count ${quoteServerText(i.value, 20)} is outside 1..${this.#maxIterations}`,
      );
    }

    const hash = this.#hash;
    const { clientKey, storedKey, serverKey } = keySchedule(
      hash,
      saltPasswordSync(hash, this.#password, salt, iterations),
    );
    const withoutProof = `c=${Buffer.from(this.#gs2Header, "utf8").toString("base64")},r=${r.value}`;
    // AuthMessage (RFC 5802 §3) over the exact bytes the server sent.
    const authMessage = Buffer.concat([
      Buffer.from(`${this.#clientFirstBare},`, "utf8"),
      challenge,
      Buffer.from(`,${withoutProof}`, "utf8"),
    ]);
    const proof = xor(clientKey, hmac(hash, storedKey, authMessage));
    this.#serverSignature = hmac(hash, serverKey, authMessage);
    this.#state = "final-sent";
    return Buffer.from(`${withoutProof},p=${proof.toString("base64")}`, "utf8");
  }

  #checkServerFinal(data: Buffer): void {
    const text = this.#decode(data, "server-final message");
    const attrs = parseAttributes(text);
    if (attrs?.[0]?.key === "e") throw this.#serverError(attrs[0].value);
    const v = attrs?.[0]?.key === "v" ? decodeBase64Strict(attrs[0].value) : undefined;
    if (v === undefined) throw malformedChallenge(this.mechanism, "server-final message");
    const expected = this.#serverSignature!;
    if (v.length !== expected.length || !timingSafeEqual(v, expected)) {
      throw new ProtocolError(
        "sasl-server-signature",
        `${this.mechanism}: the server signature does not match (the server does not know the password, or someone is in between)`,
      );
    }
    this.#state = "verified";
  }
}
