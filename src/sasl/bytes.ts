/**
 * Small byte helpers shared by the SASL mechanisms: strict UTF-8 decoding, constant-time
 * comparison, strict base64, and a safe way to quote a server's text inside an error message.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { InvalidArgumentError, ProtocolError } from "../errors.js";

/** The largest client response a server mechanism accepts, and the largest challenge a client parses. */
export const MAX_SASL_MESSAGE = 64 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes strict UTF-8; `undefined` when the bytes are not UTF-8 (never throws). */
export function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Compares two secrets in time that depends on neither their content nor their lengths: both are
 * hashed first, so `timingSafeEqual` always sees equal lengths.
 */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes canonical base64 (RFC 4648 §4, padded); `undefined` for anything else. */
export function decodeBase64Strict(text: string): Buffer | undefined {
  return BASE64.test(text) ? Buffer.from(text, "base64") : undefined;
}

/**
 * A server's text made safe to put in an error message: truncated, quoted, and with every control
 * character escaped so that it cannot drive a terminal.
 */
export function quoteServerText(text: string, max = 200): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The error a client throws when the server sends something its mechanism cannot parse. */
export function malformedChallenge(mechanism: string, what: string): ProtocolError {
  return new ProtocolError("sasl-malformed-challenge", `${mechanism}: malformed server message (${what})`);
}

/** The error a client throws when the server challenges after the mechanism has finished. */
export function unexpectedChallenge(mechanism: string): ProtocolError {
  return new ProtocolError(
    "sasl-unexpected-challenge",
    `${mechanism}: the server sent a challenge after the mechanism had finished`,
  );
}

/**
 * Checks one credential field before it reaches the wire: present, non-empty, and free of the
 * characters the mechanism uses as separators. The message names the field, never its value.
 * @throws InvalidArgumentError when the field is missing, empty, or holds a forbidden character.
 */
export function requireField(
  mechanism: string,
  field: string,
  value: string | undefined,
  forbidden: RegExp,
  forbiddenName: string,
): string {
  if (value === undefined || value === "") {
    throw new InvalidArgumentError(`${mechanism} needs a non-empty ${field}`);
  }
  if (forbidden.test(value)) {
    throw new InvalidArgumentError(`${mechanism}: the ${field} must not contain ${forbiddenName}`);
  }
  return value;
}

/** Throws when a mechanism that cannot carry an authorization identity is given one. */
export function refuseAuthzid(mechanism: string, authzid: string | undefined): void {
  if (authzid !== undefined && authzid !== "") {
    throw new InvalidArgumentError(`${mechanism} cannot carry an authorization identity (authzid)`);
  }
}
