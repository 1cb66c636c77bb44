/**
 * LOGIN (draft-murchison-sasl-login-00): the server prompts `Username:` then `Password:`, and the
 * client answers each in turn. Obsolete but still the only mechanism some servers offer.
 *
 * The client answers by position and ignores the prompts' wording, as the draft says. It cannot
 * carry an authorization identity. Like PLAIN, it shows the password: use it only inside TLS.
 */
import { decodeUtf8, refuseAuthzid, requireField, unexpectedChallenge } from "./bytes.js";
import { challenge, checkPassword, failure, ServerMechanism } from "./server-base.js";
import type { SaslClient, SaslCredentials, SaslServerStep } from "./types.js";

/** The LOGIN client for one attempt. */
export class LoginClient implements SaslClient {
  readonly mechanism = "LOGIN";
  readonly initialResponse = false;
  #pending: Buffer[];

  /** @throws InvalidArgumentError when the user or password is missing, holds NUL/CR/LF, or an authzid is given. */
  constructor(credentials: SaslCredentials) {
    refuseAuthzid("LOGIN", credentials.authzid);
    const user = requireField("LOGIN", "user name", credentials.user, /[\0\r\n]/, "NUL, CR or LF");
    const password = requireField("LOGIN", "password", credentials.password, /[\0\r\n]/, "NUL, CR or LF");
    this.#pending = [Buffer.from(user, "utf8"), Buffer.from(password, "utf8")];
  }

  get done(): boolean {
    return this.#pending.length === 0;
  }

  /** LOGIN is server-first: there is no initial response. */
  start(): undefined {
    return undefined;
  }

  /**
   * The user name for the first challenge, the password for the second.
   * @throws ProtocolError (`sasl-unexpected-challenge`) for a third.
   */
  respond(_challenge: Buffer): Buffer {
    const next = this.#pending.shift();
    if (next === undefined) throw unexpectedChallenge(this.mechanism);
    return next;
  }
}

/** The LOGIN server for one attempt. Accepts the user name as an initial response, as some clients send it. */
export class LoginServer extends ServerMechanism {
  readonly mechanism = "LOGIN";
  #state: "start" | "user" | "password" = "start";
  #user = "";

  protected async next(response: Buffer | undefined): Promise<SaslServerStep> {
    if (this.#state === "start" && (response === undefined || response.length === 0)) {
      // No initial response (an empty one counts as none): ask for the name.
      this.#state = "user";
      return challenge("Username:");
    }
    if (this.#state !== "password") {
      const user = response === undefined ? undefined : decodeUtf8(response);
      if (user === undefined || user === "" || user.includes("\0")) return failure("malformed-response");
      this.#user = user;
      this.#state = "password";
      return challenge("Password:");
    }
    const password = response === undefined ? undefined : decodeUtf8(response);
    if (password === undefined) return failure("malformed-response");
    const verdict = await checkPassword(this.verifier, this.#user, password);
    return verdict === "ok" ? { kind: "success", identity: { user: this.#user } } : failure(verdict);
  }
}
