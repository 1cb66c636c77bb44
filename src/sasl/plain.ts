/**
 * PLAIN (RFC 4616): one client message, `[authzid] NUL authcid NUL passwd`, in UTF-8.
 *
 * PLAIN shows the password to the server and to anyone on the path: use it only inside TLS.
 */
import { InvalidArgumentError } from "../errors.js";
import { decodeUtf8, requireField, unexpectedChallenge } from "./bytes.js";
import { challenge, checkPassword, failure, ServerMechanism } from "./server-base.js";
import type { SaslClient, SaslCredentials, SaslServerStep } from "./types.js";

/** The PLAIN client for one attempt (RFC 4616 §2). */
export class PlainClient implements SaslClient {
  readonly mechanism = "PLAIN";
  readonly initialResponse = true;
  #message: Buffer | undefined;

  /** @throws InvalidArgumentError when the user or password is missing or empty, or any field holds NUL. */
  constructor(credentials: SaslCredentials) {
    const user = requireField("PLAIN", "user name", credentials.user, /\0/, "NUL");
    const password = requireField("PLAIN", "password", credentials.password, /\0/, "NUL");
    const authzid = credentials.authzid ?? "";
    if (authzid.includes("\0")) throw new InvalidArgumentError("PLAIN: the authzid must not contain NUL");
    this.#message = Buffer.from(`${authzid}\0${user}\0${password}`, "utf8");
  }

  get done(): boolean {
    return this.#message === undefined;
  }

  /** The one message of the mechanism. */
  start(): Buffer {
    const message = this.#message;
    if (message === undefined) throw new Error("PLAIN client already started");
    // Keep no copy of the password once it has been handed over.
    this.#message = undefined;
    return message;
  }

  /**
   * Answers the empty challenge of a protocol without initial response with the message.
   * @throws ProtocolError (`sasl-unexpected-challenge`) for any later challenge.
   */
  respond(_challenge: Buffer): Buffer {
    if (this.#message === undefined) throw unexpectedChallenge(this.mechanism);
    return this.start();
  }
}

/** The PLAIN server for one attempt: parses the message and checks the password with the verifier. */
export class PlainServer extends ServerMechanism {
  readonly mechanism = "PLAIN";
  #askedOnce = false;

  protected async next(response: Buffer | undefined): Promise<SaslServerStep> {
    if (response === undefined) {
      if (this.#askedOnce) return failure("malformed-response");
      this.#askedOnce = true;
      return challenge(Buffer.alloc(0));
    }
    const text = decodeUtf8(response);
    const parts = text?.split("\0");
    if (parts?.length !== 3) return failure("malformed-response");
    const [authzid, user, password] = parts as [string, string, string];
    if (user === "" || password === "") return failure("malformed-response");
    const verdict = await checkPassword(this.verifier, user, password);
    if (verdict !== "ok") return failure(verdict);
    return { kind: "success", identity: authzid === "" ? { user } : { user, authzid } };
  }
}
