/**
 * Creating server mechanisms by name.
 */
import { InvalidArgumentError } from "../errors.js";
import { CramMd5Server } from "./cram-md5.js";
import { LoginServer } from "./login.js";
import { OAuthBearerServer, XOAuth2Server } from "./oauth.js";
import { PlainServer } from "./plain.js";
import { isValidNonce } from "./scram-core.js";
import { ScramServer } from "./scram-server.js";
import type { SaslServerOptions } from "./server-base.js";
import { normalizeMechanism, type SaslServer, type SaslVerifier } from "./types.js";

/**
 * A server for one authentication attempt with `mechanism` (any case), checking credentials with
 * `verifier`.
 *
 * PLAIN and LOGIN work with stored passwords or stored SCRAM keys; SCRAM-* with either (keys of
 * the matching hash); CRAM-MD5 needs stored passwords; XOAUTH2 and OAUTHBEARER need
 * `verifier.verifyToken`. LOGIN prompts `Username:` and `Password:`; CRAM-MD5 challenges with
 * `<random.timestamp@hostname>`. Responses over `options.maxResponseBytes` (64 KiB) fail.
 * @throws InvalidArgumentError for an unknown mechanism, a token mechanism without
 *   `verifier.verifyToken`, or bad options (these are the server's configuration, not client input).
 */
export function createSaslServer(
  mechanism: string,
  verifier: SaslVerifier,
  options: SaslServerOptions = {},
): SaslServer {
  const name = normalizeMechanism(mechanism);
  const { maxResponseBytes, iterations, nonce } = options;
  if (maxResponseBytes !== undefined && !(Number.isSafeInteger(maxResponseBytes) && maxResponseBytes > 0)) {
    throw new InvalidArgumentError("maxResponseBytes must be a positive integer");
  }
  if (iterations !== undefined && !(Number.isSafeInteger(iterations) && iterations > 0)) {
    throw new InvalidArgumentError("iterations must be a positive integer");
  }
  if (nonce !== undefined && !isValidNonce(nonce)) {
    throw new InvalidArgumentError('a SCRAM nonce must be printable ASCII without ","');
  }
  if ((name === "XOAUTH2" || name === "OAUTHBEARER") && typeof verifier.verifyToken !== "function") {
    throw new InvalidArgumentError(`${name} needs a verifier with verifyToken()`);
  }
  switch (name) {
    case "PLAIN":
      return new PlainServer(verifier, options);
    case "LOGIN":
      return new LoginServer(verifier, options);
    case "CRAM-MD5":
      return new CramMd5Server(verifier, options);
    case "XOAUTH2":
      return new XOAuth2Server(verifier, options);
    case "OAUTHBEARER":
      return new OAuthBearerServer(verifier, options);
    case "SCRAM-SHA-1":
    case "SCRAM-SHA-256":
      return new ScramServer(name, verifier, options);
    default:
      throw new InvalidArgumentError(`unsupported SASL mechanism ${JSON.stringify(mechanism.slice(0, 40))}`);
  }
}
