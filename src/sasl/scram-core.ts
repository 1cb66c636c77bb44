/**
 * The arithmetic and the small grammar pieces of SCRAM (RFC 5802, RFC 7677), shared by the client
 * and the server: Hi() and the key schedule, saslname escaping, attribute lists, and an
 * approximation of SASLprep.
 */
import { createHash, createHmac, pbkdf2, pbkdf2Sync } from "node:crypto";
import { promisify } from "node:util";
import { InvalidArgumentError } from "../errors.js";
import type { ScramHash, ScramKeys } from "./types.js";

const pbkdf2Async = promisify(pbkdf2);

/** The output length in bytes of each SCRAM hash. */
export const HASH_LENGTH: Record<ScramHash, number> = { sha1: 20, sha256: 32 };

/** The hash a SCRAM mechanism name stands for. */
export function scramHashOf(mechanism: "SCRAM-SHA-1" | "SCRAM-SHA-256"): ScramHash {
  return mechanism === "SCRAM-SHA-1" ? "sha1" : "sha256";
}

// RFC 3454 table B.1 ("commonly mapped to nothing") and C.1.2 (non-ASCII spaces), as RFC 4013 §2.1
// uses them. B.1 is applied first, as common implementations do for U+200B, which is in both.
// biome-ignore lint/suspicious/noMisleadingCharacterClass: each code point is removed alone, on purpose.
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;

/**
 * An approximation of SASLprep (RFC 4013) for passwords: maps the "commonly mapped to nothing"
 * characters to nothing and non-ASCII spaces to U+0020, then applies NFKC with the runtime's
 * Unicode tables (`String.prototype.normalize`).
 *
 * It is not the full profile: it neither rejects prohibited output (controls, private use,
 * non-characters) nor checks bidirectional text, and it uses a newer Unicode version than the
 * Unicode 3.2 that stringprep pins. For ASCII passwords it is the identity, as the real one is.
 */
export function saslPrepApprox(value: string): string {
  return value.replace(MAPPED_TO_NOTHING, "").replace(NON_ASCII_SPACE, " ").normalize("NFKC");
}

/** Escapes a name for a SCRAM/GS2 `n=` or `a=` attribute (RFC 5802 §5.1): `=`→`=3D`, `,`→`=2C`. */
export function escapeSaslName(name: string): string {
  return name.replace(/=/g, "=3D").replace(/,/g, "=2C");
}

/** Undoes {@link escapeSaslName}; `undefined` when an `=` is not followed by `2C` or `3D`. */
export function unescapeSaslName(name: string): string | undefined {
  if (/=(?!2C|3D)/.test(name)) return undefined;
  return name.replace(/=2C/g, ",").replace(/=3D/g, "=");
}

/** One `x=value` attribute of a SCRAM message. */
export interface ScramAttribute {
  key: string;
  value: string;
}

/**
 * Splits a SCRAM message into its attributes (RFC 5802 §7: `attr-val *("," attr-val)`, each key a
 * single ASCII letter); `undefined` when the text does not have that shape.
 */
export function parseAttributes(text: string): ScramAttribute[] | undefined {
  const out: ScramAttribute[] = [];
  for (const part of text.split(",")) {
    if (!/^[A-Za-z]=/.test(part)) return undefined;
    out.push({ key: part[0]!, value: part.slice(2) });
  }
  return out;
}

/** True for a valid nonce: printable ASCII except `,` (RFC 5802 §7 `printable`), at least one. */
export function isValidNonce(nonce: string): boolean {
  return /^[\x21-\x2b\x2d-\x7e]+$/.test(nonce);
}

/** HMAC(key, data) with the mechanism's hash. */
export function hmac(hash: ScramHash, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(hash, key).update(data).digest();
}

/** H(data) with the mechanism's hash. */
export function digest(hash: ScramHash, data: Buffer): Buffer {
  return createHash(hash).update(data).digest();
}

/** Byte-wise XOR of two buffers of the same length. */
export function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** The keys derived from SaltedPassword (RFC 5802 §3). */
export interface ScramKeySchedule {
  clientKey: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** ClientKey, StoredKey and ServerKey from SaltedPassword = Hi(password, salt, i). */
export function keySchedule(hash: ScramHash, saltedPassword: Buffer): ScramKeySchedule {
  const clientKey = hmac(hash, saltedPassword, "Client Key");
  return {
    clientKey,
    storedKey: digest(hash, clientKey),
    serverKey: hmac(hash, saltedPassword, "Server Key"),
  };
}

/** Hi(password, salt, i) (RFC 5802 §2.2) — PBKDF2 with the mechanism's HMAC — run synchronously. */
export function saltPasswordSync(
  hash: ScramHash,
  password: string,
  salt: Buffer,
  iterations: number,
): Buffer {
  return pbkdf2Sync(Buffer.from(saslPrepApprox(password), "utf8"), salt, iterations, HASH_LENGTH[hash], hash);
}

/** Hi(password, salt, i) on the thread pool, for servers that must not block their event loop. */
export function saltPassword(
  hash: ScramHash,
  password: string,
  salt: Buffer,
  iterations: number,
): Promise<Buffer> {
  return pbkdf2Async(
    Buffer.from(saslPrepApprox(password), "utf8"),
    salt,
    iterations,
    HASH_LENGTH[hash],
    hash,
  );
}

function checkKeyParameters(salt: Buffer, iterations: number, hash: ScramHash): void {
  if (hash !== "sha1" && hash !== "sha256") {
    throw new InvalidArgumentError(`SCRAM hash must be "sha1" or "sha256"`);
  }
  if (!Buffer.isBuffer(salt) || salt.length === 0) {
    throw new InvalidArgumentError("SCRAM salt must be a non-empty Buffer");
  }
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new InvalidArgumentError(`SCRAM iteration count must be a positive integer, got ${iterations}`);
  }
}

/**
 * The SCRAM keys (RFC 5802 §3: StoredKey and ServerKey) for a password, so that a server can store
 * them instead of the password. The password goes through {@link saslPrepApprox} first, as the
 * client's does. RFC 7677 §4 recommends at least 4096 iterations and a random salt of 16 bytes or more.
 * @throws InvalidArgumentError for an empty salt, an iteration count below 1, or an unknown hash.
 */
export function deriveScramKeys(
  password: string,
  salt: Buffer,
  iterations: number,
  hash: ScramHash,
): ScramKeys {
  checkKeyParameters(salt, iterations, hash);
  const { storedKey, serverKey } = keySchedule(hash, saltPasswordSync(hash, password, salt, iterations));
  return { salt: Buffer.from(salt), iterations, storedKey, serverKey, hash };
}

/** {@link deriveScramKeys} without blocking the event loop. Same contract. */
export async function deriveScramKeysAsync(
  password: string,
  salt: Buffer,
  iterations: number,
  hash: ScramHash,
): Promise<ScramKeys> {
  checkKeyParameters(salt, iterations, hash);
  const { storedKey, serverKey } = keySchedule(hash, await saltPassword(hash, password, salt, iterations));
  return { salt: Buffer.from(salt), iterations, storedKey, serverKey, hash };
}
