/**
 * SASL (RFC 4422) for every inetkit protocol: PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER,
 * SCRAM-SHA-1 and SCRAM-SHA-256, client and server side.
 */
export { type AuthenticateOptions, authenticate } from "./authenticate.js";
export { chooseMechanism, createSaslClient, type SaslClientOptions } from "./client.js";
export { CramMd5Client } from "./cram-md5.js";
export { LoginClient } from "./login.js";
export { OAuthBearerClient, type OAuthBearerOptions, XOAuth2Client } from "./oauth.js";
export { PlainClient } from "./plain.js";
export { DEFAULT_MAX_SCRAM_ITERATIONS, ScramClient, type ScramClientOptions } from "./scram-client.js";
export { deriveScramKeys, deriveScramKeysAsync, saslPrepApprox } from "./scram-core.js";
export { DEFAULT_SCRAM_ITERATIONS } from "./scram-server.js";
export { createSaslServer } from "./server.js";
export type { SaslServerOptions } from "./server-base.js";
export {
  normalizeMechanism,
  SASL_MECHANISMS,
  type SaslClient,
  type SaslCredentials,
  type SaslExchange,
  type SaslFailureReason,
  type SaslIdentity,
  type SaslMechanism,
  type SaslSecret,
  type SaslServer,
  type SaslServerStep,
  type SaslStep,
  type SaslVerifier,
  type ScramHash,
  type ScramKeys,
} from "./types.js";
