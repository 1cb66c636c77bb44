/**
 * The two OAuth 2.0 bearer-token mechanisms:
 *
 * - XOAUTH2 (Google's, also Microsoft's): `user=U ^A auth=Bearer T ^A ^A`.
 * - OAUTHBEARER (RFC 7628): a GS2 header `n,a=U,` then `^A host=H ^A port=P ^A auth=Bearer T ^A ^A`.
 *
 * Both share the error dance: a rejected token gets a JSON challenge (RFC 7628 §3.2.2), which the
 * client must answer (XOAUTH2: empty; OAUTHBEARER: a single ^A, RFC 7628 §3.2.3) before the server
 * sends its failure. The client keeps the JSON as `errorDetail` for the caller.
 */
import { InvalidArgumentError } from "../errors.js";
import { decodeUtf8, refuseAuthzid, requireField, unexpectedChallenge } from "./bytes.js";
import { escapeSaslName, unescapeSaslName } from "./scram-core.js";
import { challenge, failure, ServerMechanism } from "./server-base.js";
import type { SaslClient, SaslCredentials, SaslServerStep } from "./types.js";

const SOH = "\x01";
// A bearer token is printable ASCII without spaces (RFC 6750 §2.1 b64token is narrower still);
// anything else could break the framing, so it is refused before it reaches the wire.
const NOT_TOKEN = /[^\x21-\x7e]/;

/** Options of the OAUTHBEARER client: the optional `host` and `port` key/value pairs (RFC 7628 §3.1). */
export interface OAuthBearerOptions {
  host?: string | undefined;
  port?: number | undefined;
}

type ClientState = "initial" | "sent" | "error-answered";

abstract class BearerClient implements SaslClient {
  abstract readonly mechanism: "XOAUTH2" | "OAUTHBEARER";
  readonly initialResponse = true;
  #state: ClientState = "initial";
  #message: Buffer | undefined;
  #errorDetail: string | undefined;

  protected constructor(message: Buffer) {
    this.#message = message;
  }

  /**
   * The server's error challenge (RFC 7628 §3.2.2 JSON: `status`, `scope`, `openid-configuration`)
   * as it sent it, at most 4096 characters, when the token was refused. Untrusted text.
   */
  get errorDetail(): string | undefined {
    return this.#errorDetail;
  }

  get done(): boolean {
    return this.#state !== "initial";
  }

  /** The one client message, carrying the token. */
  start(): Buffer {
    const message = this.#message;
    if (message === undefined) throw new Error(`${this.mechanism} client already started`);
    this.#message = undefined;
    this.#state = "sent";
    return message;
  }

  /**
   * Answers the empty challenge of a protocol without initial response with the message, and the
   * JSON error challenge with the mechanism's dummy response (the server then fails the exchange).
   * @throws ProtocolError (`sasl-unexpected-challenge`) for any further challenge.
   */
  respond(serverChallenge: Buffer): Buffer {
    if (this.#state === "initial") return this.start();
    if (this.#state === "error-answered") throw unexpectedChallenge(this.mechanism);
    this.#state = "error-answered";
    // Kept as data (bounded), not as a message: quote it before showing it on a terminal.
    const text = decodeUtf8(serverChallenge) ?? serverChallenge.toString("latin1");
    this.#errorDetail = text.slice(0, 4096);
    return this.errorAnswer();
  }

  protected abstract errorAnswer(): Buffer;
}

function requireToken(mechanism: string, token: string | undefined): string {
  return requireField(mechanism, "access token", token, NOT_TOKEN, "spaces or control characters");
}

/** The XOAUTH2 client for one attempt. */
export class XOAuth2Client extends BearerClient {
  readonly mechanism = "XOAUTH2";

  /** @throws InvalidArgumentError when the user or token is missing or malformed, or an authzid is given. */
  constructor(credentials: SaslCredentials) {
    refuseAuthzid("XOAUTH2", credentials.authzid);
    const user = requireField(
      "XOAUTH2",
      "user name",
      credentials.user,
      /[\0-\x1f\x7f]/,
      "control characters",
    );
    const token = requireToken("XOAUTH2", credentials.accessToken);
    super(Buffer.from(`user=${user}${SOH}auth=Bearer ${token}${SOH}${SOH}`, "utf8"));
  }

  protected errorAnswer(): Buffer {
    return Buffer.alloc(0);
  }
}

/** The OAUTHBEARER client for one attempt (RFC 7628 §3.1). `a=` is the authzid when given, else the user. */
export class OAuthBearerClient extends BearerClient {
  readonly mechanism = "OAUTHBEARER";

  /** @throws InvalidArgumentError when the user, token, host or port is missing or malformed. */
  constructor(credentials: SaslCredentials, options: OAuthBearerOptions = {}) {
    const authzid = credentials.authzid || credentials.user;
    const who = requireField("OAUTHBEARER", "user name", authzid, /[\0-\x1f\x7f]/, "control characters");
    const token = requireToken("OAUTHBEARER", credentials.accessToken);
    let pairs = "";
    if (options.host !== undefined) {
      pairs += `host=${requireField("OAUTHBEARER", "host", options.host, /[\0-\x20\x7f]/, "spaces or controls")}${SOH}`;
    }
    if (options.port !== undefined) {
      if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
        throw new InvalidArgumentError("OAUTHBEARER: port must be an integer from 1 to 65535");
      }
      pairs += `port=${options.port}${SOH}`;
    }
    super(Buffer.from(`n,a=${escapeSaslName(who)},${SOH}${pairs}auth=Bearer ${token}${SOH}${SOH}`, "utf8"));
  }

  protected errorAnswer(): Buffer {
    return Buffer.from(SOH, "latin1");
  }
}

/** Splits `k=v ^A k=v ^A … ^A` (the trailing ^A included) into a map; `undefined` when malformed. */
function parsePairs(text: string, keyPattern: RegExp): Map<string, string> | undefined {
  if (!text.endsWith(SOH)) return undefined;
  const pairs = new Map<string, string>();
  for (const field of text.slice(0, -1).split(SOH)) {
    const eq = field.indexOf("=");
    const key = field.slice(0, eq);
    if (eq <= 0 || !keyPattern.test(key) || pairs.has(key)) return undefined;
    pairs.set(key, field.slice(eq + 1));
  }
  return pairs;
}

/** The token of an `auth` value `Bearer <token>` (scheme case-insensitive); `undefined` otherwise. */
function bearerToken(auth: string | undefined): string | undefined {
  const match = auth === undefined ? null : /^bearer ([\x21-\x7e]+)$/i.exec(auth);
  return match?.[1];
}

abstract class BearerServer extends ServerMechanism {
  abstract override readonly mechanism: "XOAUTH2" | "OAUTHBEARER";
  #state: "start" | "asked" | "error-sent" = "start";

  protected async next(response: Buffer | undefined): Promise<SaslServerStep> {
    if (this.#state === "error-sent") return failure("invalid-token");
    if (response === undefined) {
      if (this.#state === "asked") return failure("malformed-response");
      this.#state = "asked";
      return challenge(Buffer.alloc(0));
    }
    const text = decodeUtf8(response);
    const parsed = text === undefined ? undefined : this.parse(text);
    if (parsed === undefined) return failure("malformed-response");
    const verifyToken = this.verifier.verifyToken;
    if (verifyToken === undefined) return failure("unsupported-credentials");
    if (await verifyToken.call(this.verifier, parsed.user, parsed.token)) {
      return { kind: "success", identity: { user: parsed.user } };
    }
    this.#state = "error-sent";
    return challenge(JSON.stringify(this.errorJson()));
  }

  protected abstract parse(text: string): { user: string; token: string } | undefined;
  protected abstract errorJson(): Record<string, string>;
}

/** The XOAUTH2 server for one attempt. Needs `verifier.verifyToken`. */
export class XOAuth2Server extends BearerServer {
  readonly mechanism = "XOAUTH2";

  protected parse(text: string): { user: string; token: string } | undefined {
    if (!text.endsWith(SOH + SOH)) return undefined;
    const pairs = parsePairs(text.slice(0, -1), /^[a-z]+$/i);
    const user = pairs?.get("user");
    const token = bearerToken(pairs?.get("auth"));
    return user && token ? { user, token } : undefined;
  }

  protected errorJson(): Record<string, string> {
    const scope = this.options.oauthScope;
    return scope === undefined
      ? { status: "401", schemes: "bearer" }
      : { status: "401", schemes: "bearer", scope };
  }
}

/** The OAUTHBEARER server for one attempt (RFC 7628 §3). Needs `verifier.verifyToken` and an `a=` user. */
export class OAuthBearerServer extends BearerServer {
  readonly mechanism = "OAUTHBEARER";

  protected parse(text: string): { user: string; token: string } | undefined {
    // gs2-header kvsep *kvpair kvsep (RFC 7628 §3.1); channel binding is not supported.
    const gs2 = /^(?:n|y),(a=[^,]*)?,\x01/.exec(text);
    if (gs2 === null || !text.endsWith(SOH + SOH)) return undefined;
    const user = gs2[1] === undefined ? undefined : unescapeSaslName(gs2[1].slice(2));
    const pairs = parsePairs(text.slice(gs2[0].length, -1), /^[A-Za-z]+$/);
    const token = bearerToken(pairs?.get("auth"));
    return user && token ? { user, token } : undefined;
  }

  protected errorJson(): Record<string, string> {
    const json: Record<string, string> = { status: "invalid_token" };
    if (this.options.oauthScope !== undefined) json.scope = this.options.oauthScope;
    if (this.options.openidConfiguration !== undefined) {
      json["openid-configuration"] = this.options.openidConfiguration;
    }
    return json;
  }
}
