/**
 * The server side of SCRAM-SHA-1 (RFC 5802) and SCRAM-SHA-256 (RFC 7677), without channel binding.
 *
 * An unknown user gets a stand-in salt and the usual iteration count, and the exchange runs to the
 * client-final message before failing, so that the server-first message does not tell a probe
 * which users exist.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { decodeBase64Strict, decodeUtf8 } from "./bytes.js";
import {
  deriveScramKeysAsync,
  digest,
  HASH_LENGTH,
  hmac,
  isValidNonce,
  parseAttributes,
  scramHashOf,
  unescapeSaslName,
  xor,
} from "./scram-core.js";
import { challenge, failure, type SaslServerOptions, ServerMechanism, standInSalt } from "./server-base.js";
import type { SaslIdentity, SaslServerStep, SaslVerifier, ScramHash, ScramKeys } from "./types.js";

/** The iteration count for accounts stored with a plain password and for unknown users. */
export const DEFAULT_SCRAM_ITERATIONS = 4096;

type State =
  | { at: "client-first"; askedOnce: boolean }
  | {
      at: "client-final";
      identity: SaslIdentity;
      gs2Header: string;
      clientFirstBare: string;
      serverFirst: string;
      nonce: string;
      keys: ScramKeys | undefined;
    }
  | { at: "ack"; identity: SaslIdentity };

// gs2-header = gs2-cbind-flag "," [ authzid ] "," (RFC 5802 §7); the bare message follows.
const GS2 = /^(n|y|p=[^,]*),(a=[^,]*)?,/;

/** A SCRAM-SHA-1 or SCRAM-SHA-256 server for one authentication attempt. */
export class ScramServer extends ServerMechanism {
  readonly mechanism: "SCRAM-SHA-1" | "SCRAM-SHA-256";
  readonly #hash: ScramHash;
  #state: State = { at: "client-first", askedOnce: false };

  constructor(
    mechanism: "SCRAM-SHA-1" | "SCRAM-SHA-256",
    verifier: SaslVerifier,
    options: SaslServerOptions,
  ) {
    super(verifier, options);
    this.mechanism = mechanism;
    this.#hash = scramHashOf(mechanism);
  }

  protected async next(response: Buffer | undefined): Promise<SaslServerStep> {
    const state = this.#state;
    if (state.at === "client-first") {
      if (response === undefined && !state.askedOnce) {
        // No initial response: an empty challenge asks for the client-first message (RFC 4422 §3.3).
        this.#state = { at: "client-first", askedOnce: true };
        return challenge(Buffer.alloc(0));
      }
      return this.#serverFirst(response);
    }
    if (state.at === "client-final") return this.#serverFinal(state, response);
    // The client's empty answer to a server-final sent as a challenge.
    return response === undefined || response.length === 0
      ? { kind: "success", identity: state.identity }
      : failure("malformed-response");
  }

  async #serverFirst(response: Buffer | undefined): Promise<SaslServerStep> {
    const text = response === undefined ? undefined : decodeUtf8(response);
    const gs2 = text === undefined ? null : GS2.exec(text);
    if (text === undefined || gs2 === null) return failure("malformed-response");
    if (gs2[1]!.startsWith("p=")) return failure("channel-binding-unsupported");
    // A "y" flag means the client could bind but thinks we cannot: true, we cannot, so go on.
    const authzid = gs2[2] === undefined ? undefined : unescapeSaslName(gs2[2].slice(2));
    if (gs2[2] !== undefined && !authzid) return failure("malformed-response");

    const gs2Header = gs2[0];
    const clientFirstBare = text.slice(gs2Header.length);
    const attrs = parseAttributes(clientFirstBare);
    if (attrs === undefined || attrs.length < 2) return failure("malformed-response");
    const [n, r] = [attrs[0]!, attrs[1]!];
    // An "m" first attribute is a mandatory extension we do not know: RFC 5802 §5.1 says fail.
    if (n.key !== "n" || r.key !== "r" || !isValidNonce(r.value)) return failure("malformed-response");
    const user = unescapeSaslName(n.value);
    if (!user) return failure("malformed-response");

    const secret = await this.verifier.lookup(user);
    let keys: ScramKeys | undefined;
    let salt: Buffer;
    let iterations: number;
    if (secret === undefined) {
      salt = standInSalt(this.mechanism, user);
      iterations = this.options.iterations ?? DEFAULT_SCRAM_ITERATIONS;
    } else if ("password" in secret) {
      salt = standInSalt(this.mechanism, user);
      iterations = this.options.iterations ?? DEFAULT_SCRAM_ITERATIONS;
      keys = await deriveScramKeysAsync(secret.password, salt, iterations, this.#hash);
    } else {
      if (secret.scram.hash !== this.#hash) return failure("unsupported-credentials");
      keys = secret.scram;
      salt = keys.salt;
      iterations = keys.iterations;
    }

    const nonce = r.value + (this.options.nonce ?? randomBytes(18).toString("base64"));
    const serverFirst = `r=${nonce},s=${salt.toString("base64")},i=${iterations}`;
    const identity: SaslIdentity = authzid === undefined ? { user } : { user, authzid };
    this.#state = { at: "client-final", identity, gs2Header, clientFirstBare, serverFirst, nonce, keys };
    return challenge(serverFirst);
  }

  #serverFinal(state: State & { at: "client-final" }, response: Buffer | undefined): SaslServerStep {
    const text = response === undefined ? undefined : decodeUtf8(response);
    // The proof is the last attribute (RFC 5802 §7 client-final-message).
    const cut = text?.lastIndexOf(",p=") ?? -1;
    if (text === undefined || cut < 0) return failure("malformed-response");
    const withoutProof = text.slice(0, cut);
    const proof = decodeBase64Strict(text.slice(cut + 3));
    const attrs = parseAttributes(withoutProof);
    if (proof === undefined || attrs === undefined || attrs.length < 2) return failure("malformed-response");
    const [c, r] = [attrs[0]!, attrs[1]!];
    if (c.key !== "c" || r.key !== "r") return failure("malformed-response");
    // Without channel binding, c= must carry the GS2 header exactly as the client first sent it.
    const binding = decodeBase64Strict(c.value);
    if (binding === undefined || !binding.equals(Buffer.from(state.gs2Header, "utf8"))) {
      return failure("malformed-response");
    }
    if (r.value !== state.nonce) return failure("malformed-response");
    const hash = this.#hash;
    if (proof.length !== HASH_LENGTH[hash]) return failure("malformed-response");

    const authMessage = Buffer.from(`${state.clientFirstBare},${state.serverFirst},${withoutProof}`, "utf8");
    // An unknown user is checked against keys nobody has, so that both failures cost the same.
    const keys = state.keys ?? { storedKey: Buffer.alloc(HASH_LENGTH[hash]), serverKey: Buffer.alloc(0) };
    // ClientKey = ClientProof XOR ClientSignature; the client is genuine when H(ClientKey) = StoredKey.
    const clientKey = xor(proof, hmac(hash, keys.storedKey, authMessage));
    const candidate = digest(hash, clientKey);
    const genuine = candidate.length === keys.storedKey.length && timingSafeEqual(candidate, keys.storedKey);
    if (state.keys === undefined) return failure("unknown-user");
    if (!genuine) return failure("invalid-credentials");
    const serverFinal = Buffer.from(
      `v=${hmac(hash, keys.serverKey, authMessage).toString("base64")}`,
      "utf8",
    );
    if (this.options.successData) return { kind: "success", identity: state.identity, data: serverFinal };
    this.#state = { at: "ack", identity: state.identity };
    return challenge(serverFinal);
  }
}
