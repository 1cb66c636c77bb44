/**
 * Choosing and creating client mechanisms by name.
 */
import { InvalidArgumentError } from "../errors.js";
import { CramMd5Client } from "./cram-md5.js";
import { LoginClient } from "./login.js";
import { OAuthBearerClient, XOAuth2Client } from "./oauth.js";
import { PlainClient } from "./plain.js";
import { ScramClient } from "./scram-client.js";
import { normalizeMechanism, type SaslClient, type SaslCredentials, type SaslMechanism } from "./types.js";

/** Options of {@link createSaslClient}. None is needed in normal use. */
export interface SaslClientOptions {
  /** SCRAM: the client nonce. Tests only: by default it comes from `randomBytes`. */
  nonce?: string | undefined;
  /** SCRAM: the highest iteration count accepted from a server (default 1,000,000). */
  maxIterations?: number | undefined;
  /** OAUTHBEARER: the server host name to send (RFC 7628 §3.1 `host`), optional. */
  host?: string | undefined;
  /** OAUTHBEARER: the server port to send (RFC 7628 §3.1 `port`), optional. */
  port?: number | undefined;
}

/** Token mechanisms, strongest first. */
const TOKEN_ORDER: readonly SaslMechanism[] = ["OAUTHBEARER", "XOAUTH2"];
/** Password mechanisms, strongest first: SCRAM proves both sides and hides the password; PLAIN/LOGIN show it. */
const PASSWORD_ORDER: readonly SaslMechanism[] = [
  "SCRAM-SHA-256",
  "SCRAM-SHA-1",
  "CRAM-MD5",
  "PLAIN",
  "LOGIN",
];
/** Mechanisms that have no place for an authorization identity. */
const NO_AUTHZID: ReadonlySet<SaslMechanism> = new Set(["CRAM-MD5", "LOGIN", "XOAUTH2"]);

function usable(mechanism: SaslMechanism, credentials: SaslCredentials): boolean {
  if (credentials.authzid && NO_AUTHZID.has(mechanism)) return false;
  return TOKEN_ORDER.includes(mechanism) ? !!credentials.accessToken : !!credentials.password;
}

/**
 * The strongest mechanism that the server offers, this module implements, and the credentials can
 * feed: with an access token OAUTHBEARER then XOAUTH2; with a password SCRAM-SHA-256, SCRAM-SHA-1,
 * CRAM-MD5, PLAIN, LOGIN (token mechanisms first when both are given). Mechanisms that cannot carry
 * an authzid are skipped when one is given. Names compare case-insensitively.
 *
 * @param preferred the caller's own order (and selection); unknown names in it are ignored.
 * @returns the upper-case mechanism name, or `undefined` when there is none in common.
 */
export function chooseMechanism(
  serverOffered: Iterable<string>,
  credentials: SaslCredentials,
  preferred?: readonly string[],
): SaslMechanism | undefined {
  const offered = new Set<string>();
  for (const name of serverOffered) offered.add(name.trim().toUpperCase());
  const order = preferred === undefined ? [...TOKEN_ORDER, ...PASSWORD_ORDER] : preferred;
  for (const name of order) {
    const mechanism = normalizeMechanism(name);
    if (mechanism !== undefined && offered.has(mechanism) && usable(mechanism, credentials)) return mechanism;
  }
  return undefined;
}

/**
 * A client for one authentication attempt with `mechanism` (any case).
 *
 * Needs `user` always; `password` for PLAIN, LOGIN, CRAM-MD5 and SCRAM-*; `accessToken` for
 * XOAUTH2 and OAUTHBEARER. `authzid` is carried by PLAIN, SCRAM-* and OAUTHBEARER only.
 * @throws InvalidArgumentError for an unknown mechanism, a missing credential, a credential with a
 *   character the mechanism cannot carry (NUL in PLAIN, RFC 4616 §2), or an authzid the mechanism
 *   cannot carry. The message names the field, never its value.
 */
export function createSaslClient(
  mechanism: string,
  credentials: SaslCredentials,
  options: SaslClientOptions = {},
): SaslClient {
  const name = normalizeMechanism(mechanism);
  switch (name) {
    case "PLAIN":
      return new PlainClient(credentials);
    case "LOGIN":
      return new LoginClient(credentials);
    case "CRAM-MD5":
      return new CramMd5Client(credentials);
    case "XOAUTH2":
      return new XOAuth2Client(credentials);
    case "OAUTHBEARER":
      return new OAuthBearerClient(credentials, { host: options.host, port: options.port });
    case "SCRAM-SHA-1":
    case "SCRAM-SHA-256":
      return new ScramClient(name, credentials, {
        nonce: options.nonce,
        maxIterations: options.maxIterations,
      });
    default:
      throw new InvalidArgumentError(`unsupported SASL mechanism ${JSON.stringify(mechanism.slice(0, 40))}`);
  }
}
