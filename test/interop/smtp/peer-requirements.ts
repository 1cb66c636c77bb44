// What the mail interop tests need and whether this machine has it: Postfix, Dovecot, smtp-sink,
// Debian's python3 with aiosmtpd, swaks, curl, root, and the local user delivered mail belongs to
// (all installed by scripts/peers/install.sh → mail.sh). Tests call usable(): in CI a missing piece
// fails the test, elsewhere it skips.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { findProgram, inCi } from "../ftp/peer-requirements.js";

export { findProgram, inCi } from "../ftp/peer-requirements.js";

/** The local account Dovecot and Postfix's virtual(8) store mail as; mail.sh creates it. */
export const MAIL_USER = "inetkit-mail";

/** Something a mail interop test needs: a peer, or a client program. */
export type MailRequirement = "postfix" | "dovecot" | "aiosmtpd" | "smtp-sink" | "swaks" | "curl" | "python3";

const INSTALL_HINT = "run scripts/peers/install.sh as root (docs/interop.md)";
const SBIN = ["/usr/sbin", "/sbin"];
/** Debian's daemon_directory holds master; never on PATH. */
const POSTFIX_MASTER = "/usr/lib/postfix/sbin/master";
/** dovecot-lmtpd's service binary: without it Dovecot starts but LMTP connections fail. */
const DOVECOT_LMTP = "/usr/lib/dovecot/lmtp";

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Postfix's master daemon (run directly, in the foreground), or undefined. */
export function postfixMaster(): string | undefined {
  return isExecutable(POSTFIX_MASTER) ? POSTFIX_MASTER : undefined;
}

/** The `postfix` command (used for `postfix check`, which creates the queue folders), or undefined. */
export function postfixCommand(): string | undefined {
  return findProgram("postfix", SBIN);
}

/** Dovecot's master binary, or undefined. */
export function dovecotBinary(): string | undefined {
  return findProgram("dovecot", SBIN);
}

/** Postfix's smtp-sink, or undefined. */
export function smtpSinkBinary(): string | undefined {
  return findProgram("smtp-sink", SBIN);
}

/**
 * Debian's python3: aiosmtpd comes from apt (python3-aiosmtpd), so it is only importable by
 * /usr/bin/python3, not by another python3 that may come first on PATH.
 */
export const DEBIAN_PYTHON = "/usr/bin/python3";

let aiosmtpdChecked: string | undefined | null = null;

/** Why aiosmtpd cannot run (cached), or undefined. */
function aiosmtpdMissing(): string | undefined {
  if (aiosmtpdChecked !== null) return aiosmtpdChecked;
  const run = spawnSync(DEBIAN_PYTHON, ["-c", "import aiosmtpd"], { stdio: "ignore" });
  aiosmtpdChecked =
    run.status === 0
      ? undefined
      : `${DEBIAN_PYTHON} cannot import aiosmtpd (python3-aiosmtpd; ${INSTALL_HINT})`;
  return aiosmtpdChecked;
}

/** The mail user's uid and gid (from /etc/passwd), or undefined without it. */
export function mailAccount(): { uid: number; gid: number } | undefined {
  try {
    const fields = readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .map((line) => line.split(":"))
      .find((f) => f[0] === MAIL_USER);
    return fields ? { uid: Number(fields[2]), gid: Number(fields[3]) } : undefined;
  } catch {
    return undefined;
  }
}

/** Why `requirement` cannot be used here, or undefined when it can. */
export function unavailable(requirement: MailRequirement): string | undefined {
  const missing = (what: string) => `${what} is not installed (${INSTALL_HINT})`;
  switch (requirement) {
    case "swaks":
    case "curl":
      return findProgram(requirement) ? undefined : missing(requirement);
    case "python3":
      return findProgram("python3") ? undefined : missing("python3");
    case "aiosmtpd":
      return aiosmtpdMissing();
    case "smtp-sink":
      // It drops privileges to a user we name (-u) when started as root, and runs as anyone else.
      return smtpSinkBinary() ? undefined : missing("smtp-sink (package postfix)");
    case "postfix":
    case "dovecot": {
      if (!postfixCommand() || !postfixMaster()) return missing("postfix");
      if (!dovecotBinary()) return missing("dovecot-core");
      if (!isExecutable(DOVECOT_LMTP)) return missing("dovecot-lmtpd");
      if (process.getuid?.() !== 0) return "Postfix and Dovecot must be started as root";
      if (!mailAccount()) return `the local user ${MAIL_USER} does not exist (${INSTALL_HINT})`;
      return undefined;
    }
  }
}

/**
 * Checks a test's requirements. All present: true. Something missing in CI: throws, so the test
 * fails saying what is missing (interop tests never skip in CI). Missing elsewhere: marks the
 * test skipped with the reason and returns false (the caller returns at once).
 *
 * @throws {AssertionError} in CI when a requirement is missing.
 */
export function usable(t: { skip(message?: string): void }, ...requirements: MailRequirement[]): boolean {
  const reasons = requirements.map(unavailable).filter((r): r is string => r !== undefined);
  if (reasons.length === 0) return true;
  if (inCi()) assert.fail(`interop peers must be present in CI: ${reasons.join("; ")}`);
  t.skip(reasons.join("; "));
  return false;
}
