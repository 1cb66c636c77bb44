/**
 * CRAM-MD5 (RFC 2195): the server sends a unique challenge `<random.timestamp@hostname>`; the
 * client answers `user SP hex(HMAC-MD5(password, challenge))`.
 *
 * The password does not cross the wire, but the server must store it in the clear, and MD5 is
 * weak: prefer SCRAM. The mechanism cannot carry an authorization identity.
 */
import { createHmac, randomBytes } from "node:crypto";
import { hostname } from "node:os";
import {
  decodeUtf8,
  malformedChallenge,
  refuseAuthzid,
  requireField,
  safeEqual,
  unexpectedChallenge,
} from "./bytes.js";
import { challenge, failure, ServerMechanism } from "./server-base.js";
import type { SaslClient, SaslCredentials, SaslServerStep } from "./types.js";

function hmacMd5Hex(password: string, data: Buffer): string {
  return createHmac("md5", Buffer.from(password, "utf8")).update(data).digest("hex");
}

/** The CRAM-MD5 client for one attempt (RFC 2195 §2). */
export class CramMd5Client implements SaslClient {
  readonly mechanism = "CRAM-MD5";
  readonly initialResponse = false;
  readonly #user: string;
  #password: string | undefined;

  /** @throws InvalidArgumentError when the user or password is missing, holds NUL/CR/LF, or an authzid is given. */
  constructor(credentials: SaslCredentials) {
    refuseAuthzid("CRAM-MD5", credentials.authzid);
    this.#user = requireField("CRAM-MD5", "user name", credentials.user, /[\0\r\n]/, "NUL, CR or LF");
    this.#password = requireField("CRAM-MD5", "password", credentials.password, /\0/, "NUL");
  }

  get done(): boolean {
    return this.#password === undefined;
  }

  /** CRAM-MD5 is server-first: there is no initial response. */
  start(): undefined {
    return undefined;
  }

  /**
   * The digest response to the server's challenge (lower-case hex, as RFC 2195 requires).
   * @throws ProtocolError `sasl-malformed-challenge` for an empty challenge (it would make the
   *   response replayable), `sasl-unexpected-challenge` for a second challenge.
   */
  respond(serverChallenge: Buffer): Buffer {
    const password = this.#password;
    if (password === undefined) throw unexpectedChallenge(this.mechanism);
    if (serverChallenge.length === 0) throw malformedChallenge(this.mechanism, "empty challenge");
    this.#password = undefined;
    return Buffer.from(`${this.#user} ${hmacMd5Hex(password, serverChallenge)}`, "utf8");
  }
}

/** A fresh challenge in the RFC 2195 form: `<random.timestamp@hostname>`. */
function makeChallenge(host: string | undefined): string {
  const safeHost = (host ?? hostname()).replace(/[^A-Za-z0-9.-]/g, "") || "localhost";
  return `<${randomBytes(8).readBigUInt64BE()}.${Date.now()}@${safeHost}>`;
}

/** The CRAM-MD5 server for one attempt. It needs the plain password from the verifier. */
export class CramMd5Server extends ServerMechanism {
  readonly mechanism = "CRAM-MD5";
  #challenge: Buffer | undefined;

  protected async next(response: Buffer | undefined): Promise<SaslServerStep> {
    if (this.#challenge === undefined) {
      // Server-first: the client has nothing to say before the challenge.
      if (response !== undefined) return failure("unexpected-initial-response");
      this.#challenge = Buffer.from(this.options.challenge ?? makeChallenge(this.options.hostname), "utf8");
      return challenge(this.#challenge);
    }
    const text = response === undefined ? undefined : decodeUtf8(response);
    // The user name may itself hold spaces: the digest is what follows the last one.
    const cut = text?.lastIndexOf(" ") ?? -1;
    if (text === undefined || cut <= 0) return failure("malformed-response");
    const user = text.slice(0, cut);
    const given = text.slice(cut + 1).toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(given)) return failure("malformed-response");

    const secret = await this.verifier.lookup(user);
    if (secret !== undefined && !("password" in secret)) return failure("unsupported-credentials");
    const expected = hmacMd5Hex(secret?.password ?? "", this.#challenge);
    const match = safeEqual(Buffer.from(given, "latin1"), Buffer.from(expected, "latin1"));
    if (secret === undefined) return failure("unknown-user");
    return match ? { kind: "success", identity: { user } } : failure("invalid-credentials");
  }
}
