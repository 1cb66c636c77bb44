/**
 * SMTP AUTH (RFC 4954) over the shared SASL mechanisms: the strongest mechanism both sides offer,
 * the initial response sent with the command (`=` when empty), `334` challenges in base64, `*` to
 * cancel, and a bound on the number of challenges. Every client line of the exchange is written
 * as a `secret()`, so neither traces nor error messages ever show it.
 */
import { ProtocolError } from "../errors.js";
import { authenticate } from "../sasl/authenticate.js";
import { chooseMechanism, createSaslClient } from "../sasl/client.js";
import type { SaslCredentials, SaslExchange, SaslStep } from "../sasl/types.js";
import type { NumericReply } from "../textproto/numeric-reply.js";
import { secret } from "../textproto/write-line.js";
import { assertPasswordMaySend } from "../transport/credentials.js";
import type { SmtpControl } from "./control.js";
import { authMechanisms } from "./extensions.js";
import { replyErrorOf } from "./replies.js";

/** Strict base64 (RFC 4648 §4), possibly empty. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The protocol half of a SASL exchange, for SMTP. */
class SmtpSaslExchange implements SaslExchange {
  /** `AUTH MECHANISM`: what a refusal names (the last line written is a masked response). */
  private command = "AUTH";

  constructor(
    private readonly control: SmtpControl,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async begin(mechanism: string, initial: Buffer | undefined): Promise<SaslStep> {
    this.command = `AUTH ${mechanism}`;
    const parts =
      initial === undefined
        ? ["AUTH", mechanism]
        : ["AUTH", mechanism, secret(initial.length === 0 ? "=" : initial.toString("base64"))];
    await this.control.write(parts, { signal: this.signal });
    return this.step(await this.control.readReply({ signal: this.signal }));
  }

  async respond(data: Buffer): Promise<SaslStep> {
    await this.control.write([secret(data.toString("base64"))], { signal: this.signal });
    return this.step(await this.control.readReply({ signal: this.signal }));
  }

  async abort(): Promise<void> {
    await this.control.write(["*"], { signal: this.signal });
    await this.control.readReply({ signal: this.signal });
  }

  private step(reply: NumericReply): SaslStep {
    if (reply.code === 235) return { kind: "success" };
    if (reply.code !== 334) {
      throw replyErrorOf(reply, { ...this.control.connection.context(), command: this.command });
    }
    const text = (reply.lines[0] ?? "").trim();
    if (!BASE64.test(text)) {
      throw new ProtocolError(
        "malformed-challenge",
        "the server's 334 challenge is not base64",
        this.control.connection.context(),
      );
    }
    return { kind: "challenge", data: Buffer.from(text, "base64") };
  }
}

/** What {@link smtpAuthenticate} needs: the credentials, the server's EHLO, and the caller's choices. */
export interface SmtpAuthOptions {
  credentials: SaslCredentials;
  extensions: ReadonlyMap<string, string>;
  preferred: readonly string[] | undefined;
  allowInsecureAuth: boolean | undefined;
  maxRounds: number | undefined;
  host: string;
  port: number;
  signal: AbortSignal | undefined;
}

/**
 * Authenticates with the strongest mechanism both sides offer (see `chooseMechanism`).
 *
 * @returns the mechanism used.
 * @throws {TlsError} (`insecure-auth`) on a connection without TLS unless `allowInsecureAuth`;
 *   nothing is sent then.
 * @throws {ProtocolError} (`auth-unavailable`) when the server offers no usable mechanism;
 *   (`malformed-challenge`) for a challenge that is not base64.
 * @throws {ReplyError} when the server refuses (535…); {@link LimitError} (`sasl-rounds`) after
 *   too many challenges (the exchange is cancelled with `*` first); {@link AbortError}.
 */
export async function smtpAuthenticate(control: SmtpControl, options: SmtpAuthOptions): Promise<string> {
  const offered = authMechanisms(options.extensions);
  const mechanism = chooseMechanism(offered, options.credentials, options.preferred);
  if (mechanism === undefined) {
    const context = control.connection.context();
    throw new ProtocolError(
      "auth-unavailable",
      offered.length === 0
        ? "credentials were given but the server offers no AUTH"
        : `no SASL mechanism in common with the server (it offers ${offered.join(" ")})`,
      context,
    );
  }
  assertPasswordMaySend({
    secure: control.connection.secure,
    allowInsecureAuth: options.allowInsecureAuth,
    host: control.connection.label,
    protocol: "smtp",
  });
  const client = createSaslClient(mechanism, options.credentials, { host: options.host, port: options.port });
  await authenticate(new SmtpSaslExchange(control, options.signal), client, {
    maxRounds: options.maxRounds,
    signal: options.signal,
  });
  return mechanism;
}
