/**
 * inetkit's protocol test harness, for inetkit's own tests and for its users' tests: a scripted
 * server that plays `S:` lines, records `C:` lines and misbehaves on cue, and in-process test
 * certificates (no openssl binary needed).
 */
export {
  type CertificateAuthority,
  type CertificateAuthorityOptions,
  type CertificateOptions,
  type IssuedCertificate,
  type KeyType,
  makeCertificate,
  makeCertificateAuthority,
  type TestCertificates,
  testCertificates,
} from "./certificates.js";
export type { Mismatch, RecordedLine, RecordedSession, SendLineOptions, TlsIdentity } from "./records.js";
export {
  type ScriptedServer,
  type ScriptedServerOptions,
  type ScriptFunction,
  startScriptedServer,
} from "./scripted-server.js";
export { ScriptedSession } from "./session.js";
export {
  type CertificateKind,
  type Expectation,
  parseTranscript,
  type Script,
  type ScriptStep,
} from "./transcript.js";
