/**
 * AUTH (RFC 4954) through src/sasl's server mechanisms: PLAIN, LOGIN, CRAM-MD5 and SCRAM-SHA-256
 * against the configured users. Offered only over TLS unless the server opted in for tests
 * (`allowInsecureAuth`); `538 5.7.11` otherwise. Challenges go out as `334 BASE64`, `*` cancels,
 * `=` is an empty initial response. A failure says nothing about which part was wrong; after
 * `maxAuthFailures` failures the connection is closed.
 */
import { decodeBase64Strict } from "../../sasl/bytes.js";
import { createSaslServer } from "../../sasl/server.js";
import { normalizeMechanism, type SaslServerStep } from "../../sasl/types.js";
import { R, type Reply } from "./replies.js";
import { AUTH_LINE_LIMIT, type SmtpSession } from "./session.js";

/** Challenges one exchange may take before it is called off (SCRAM needs two). */
const MAX_ROUNDS = 8;

/** A client response: bytes, `cancel` for `*`, or undefined when it is not base64. */
function decodeResponse(text: string): Buffer | "cancel" | undefined {
  const trimmed = text.trim();
  if (trimmed === "*") return "cancel";
  if (trimmed === "=" || trimmed === "") return Buffer.alloc(0);
  return decodeBase64Strict(trimmed);
}

/** AUTH mechanism [initial-response] (RFC 4954 §4): runs the exchange; 235, 535, 501, 504 or 538. */
export async function auth(session: SmtpSession, argument: string): Promise<void> {
  if (!session.helo?.extended) return session.send(R.badSequence("Send EHLO first"));
  if (session.user !== undefined) return session.send(R.alreadyAuthenticated);
  if (session.transaction) return session.send(R.authInTransaction);
  if (!session.authOffered) {
    return session.send(
      session.settings.tls && !session.conn.secure ? R.encryptionRequired : R.notImplemented("AUTH"),
    );
  }
  const [name = "", initialText, extra] = argument.trim().split(/ +/);
  if (name === "" || extra !== undefined) return session.send(R.syntax("AUTH mechanism [initial-response]"));
  const mechanism = normalizeMechanism(name);
  if (mechanism === undefined || !session.settings.mechanisms.includes(mechanism)) {
    return session.send(R.unknownMechanism);
  }
  let response: Buffer | undefined;
  if (initialText !== undefined) {
    const decoded = decodeResponse(initialText);
    if (decoded === "cancel") return session.send(R.authCancelled);
    if (decoded === undefined) return session.send(R.badBase64);
    response = decoded;
  }
  const server = createSaslServer(mechanism, session.settings.directory.verifier, session.settings.sasl);
  for (let round = 0; ; round += 1) {
    const step: SaslServerStep = await server.step(response);
    if (step.kind === "success") {
      const { user, authzid } = step.identity;
      // Acting as another user is not something this server grants.
      if (authzid !== undefined && authzid !== user) return failed(session, R.authzidRefused);
      session.user = user;
      return session.send(R.authOk);
    }
    if (step.kind === "failure") return failed(session, R.authFailed);
    if (round >= MAX_ROUNDS) return failed(session, R.authFailed);
    session.sendRaw(`334 ${step.data.toString("base64")}`);
    const line = await session.readLine(AUTH_LINE_LIMIT);
    // Not UTF-8: readLine has answered 501 already, which ends the exchange.
    if (line === undefined) return;
    const decoded = decodeResponse(line);
    if (decoded === "cancel") return session.send(R.authCancelled);
    if (decoded === undefined) return session.send(R.badBase64);
    response = decoded;
  }
}

/** Answers a failed exchange; past the limit, says goodbye and ends the session. */
function failed(session: SmtpSession, answer: Reply): void {
  if (session.authFailed()) {
    session.send(R.tooManyAuthFailures);
    session.endAfterReply();
    return;
  }
  session.send(answer);
}
