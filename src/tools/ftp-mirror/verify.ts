/**
 * `verify`: after a transfer, the local file is checked against the remote one — by size (SIZE,
 * RFC 3659 §4), and by a digest when the server offers one: HASH (draft-bryan-ftpext-hash) with
 * the algorithm FEAT marks as selected, else XSHA256, XSHA1 or XMD5 (non-standard, common in
 * Windows servers). Digest commands go out through `client.send`, which refuses CR/LF/NUL.
 */
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { lstat, open } from "node:fs/promises";
import { ProtocolError, ReplyError } from "../../errors.js";
import type { FtpClient } from "../../ftp/client.js";
import type { FtpFeatures } from "../../ftp/types.js";

/** Digests Node computes that FTP servers offer. */
export type DigestAlgorithm = "md5" | "sha1" | "sha256" | "sha512";

const HEX_LENGTH: Record<DigestAlgorithm, number> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };

/** `SHA-256` / `sha256` / `MD5`… → the Node name, or undefined for one Node cannot compute here (CRC32). */
export function digestAlgorithm(name: string): DigestAlgorithm | undefined {
  const plain = name.toLowerCase().replace(/-/g, "");
  return plain === "md5" || plain === "sha1" || plain === "sha256" || plain === "sha512" ? plain : undefined;
}

/** The digest command to use with these features, or undefined when there is none we can check. */
export function digestCommand(
  features: FtpFeatures,
): { command: "HASH" | "XSHA256" | "XSHA1" | "XMD5"; algorithm: DigestAlgorithm } | undefined {
  const hash = features.get("HASH");
  if (hash !== undefined) {
    // `SHA-256*;SHA-1;MD5`: the starred one is what HASH uses until OPTS HASH changes it.
    const selected = hash.split(";").find((name) => name.trim().endsWith("*"));
    const algorithm = selected === undefined ? undefined : digestAlgorithm(selected.trim().slice(0, -1));
    if (algorithm !== undefined) return { command: "HASH", algorithm };
  }
  if (features.has("XSHA256")) return { command: "XSHA256", algorithm: "sha256" };
  if (features.has("XSHA1")) return { command: "XSHA1", algorithm: "sha1" };
  if (features.has("XMD5")) return { command: "XMD5", algorithm: "md5" };
  return undefined;
}

/**
 * The hex digest in a HASH or X… reply (`213 SHA-256 0-49 169c… name`, `250 169c…`): the first
 * word of exactly the algorithm's length made of hex digits, lower-cased; undefined when none.
 */
export function findDigest(lines: readonly string[], algorithm: DigestAlgorithm): string | undefined {
  const length = HEX_LENGTH[algorithm];
  for (const word of lines.join(" ").split(/\s+/)) {
    if (word.length === length && /^[0-9a-fA-F]+$/.test(word)) return word.toLowerCase();
  }
  return undefined;
}

/** The digest of a local file, read without following a symlink. */
export async function localDigest(path: string, algorithm: DigestAlgorithm): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const hash = createHash(algorithm);
    for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
    return hash.digest("hex");
  } finally {
    await handle.close();
  }
}

/**
 * Checks that `localFile` and `remote` hold the same bytes: sizes first (SIZE when offered, else
 * `expectedSize`), then a digest when the server offers one.
 *
 * @throws ProtocolError (`verify-size`, `verify-digest`) on a difference; errors of the client.
 */
export async function verifyTransfer(
  client: FtpClient,
  remote: string,
  localFile: string,
  options: { features: FtpFeatures; expectedSize?: number | undefined; signal?: AbortSignal | undefined },
): Promise<void> {
  const { features, signal } = options;
  const localSize = (await lstat(localFile)).size;
  let remoteSize = options.expectedSize;
  if (features.has("SIZE")) {
    try {
      remoteSize = await client.size(remote, { signal });
    } catch (error) {
      if (!(error instanceof ReplyError)) throw error;
    }
  }
  if (remoteSize !== undefined && remoteSize !== localSize) {
    throw new ProtocolError("verify-size", `${remote}: ${remoteSize} bytes on the server, ${localSize} here`);
  }
  const digest = digestCommand(features);
  if (digest === undefined) return;
  const reply = await client.send(`${digest.command} ${remote}`, { signal });
  if (reply.code < 200 || reply.code > 299) return; // The server would not say: size is all we have.
  const theirs = findDigest(reply.lines, digest.algorithm);
  if (theirs === undefined) return;
  const ours = await localDigest(localFile, digest.algorithm);
  if (theirs !== ours) {
    throw new ProtocolError("verify-digest", `${remote}: the ${digest.algorithm} digests differ`);
  }
}
