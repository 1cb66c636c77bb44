// What the interop tests need and whether this machine has it: the peers' binaries (vsftpd from
// apt, ProFTPD unpacked into .peers/ by scripts/peers/install.sh), root, the test user, and the
// client programs. Tests call usable(): in CI a missing piece fails the test, elsewhere it skips.
import assert from "node:assert/strict";
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The local account both peers serve; scripts/peers/install.sh creates it with this password. */
export const FTP_TEST_USER = "inetkit-ftp";
/** Not a secret: a loopback-only test account whose shell is nologin. */
export const FTP_TEST_PASSWORD = "inetkit-ftp-secret";
/** The PAM service install.sh writes to /etc/pam.d for vsftpd. */
export const PAM_SERVICE = "inetkit-ftp";

/** The peers this module can start. */
export type PeerName = "vsftpd" | "proftpd";

/** Something an interop test needs: a peer, or a client program. */
export type Requirement = PeerName | "curl" | "lftp" | "python3";

const projectRoot = fileURLToPath(new URL("../../../", import.meta.url));
/** Where install.sh unpacks ProFTPD's packages (gitignored). */
export const PROFTPD_TREE = join(projectRoot, ".peers", "proftpd");
const INSTALL_HINT = "run scripts/peers/install.sh as root (docs/interop.md)";

/** The first executable named `name` on PATH or in `extra` folders, or undefined. */
export function findProgram(name: string, extra: readonly string[] = []): string | undefined {
  const folders = [...(process.env.PATH ?? "").split(delimiter), ...extra].filter(Boolean);
  return folders.map((folder) => join(folder, name)).find(isExecutable);
}

/**
 * The python3 the tests run: Debian's /usr/bin/python3 when present (apt's python3-* packages
 * install into it), else the first on PATH. ftplib is standard library, so either works.
 */
export function pythonPath(): string | undefined {
  return isExecutable("/usr/bin/python3") ? "/usr/bin/python3" : findProgram("python3");
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isReadable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** The test user's uid, gid and group name (from /etc/passwd and /etc/group), or undefined without it. */
export function testAccount(): { uid: number; gid: number; group: string } | undefined {
  const entry = (file: string, matches: (fields: string[]) => boolean) => {
    try {
      return readFileSync(file, "utf8")
        .split("\n")
        .map((line) => line.split(":"))
        .find(matches);
    } catch {
      return undefined;
    }
  };
  const user = entry("/etc/passwd", (f) => f[0] === FTP_TEST_USER);
  if (!user) return undefined;
  const uid = Number(user[2]);
  const gid = Number(user[3]);
  const group = entry("/etc/group", (f) => Number(f[2]) === gid && f[2] !== "")?.[0] ?? String(gid);
  return { uid, gid, group };
}

/** The vsftpd binary, or undefined when it is not installed. */
export function vsftpdBinary(): string | undefined {
  return findProgram("vsftpd", ["/usr/sbin", "/sbin"]);
}

/** The unpacked ProFTPD binary, or undefined unless install.sh finished unpacking it (its stamp). */
export function proftpdBinary(): string | undefined {
  const path = join(PROFTPD_TREE, "usr", "sbin", "proftpd");
  return isExecutable(path) && isReadable(join(PROFTPD_TREE, ".installed")) ? path : undefined;
}

/**
 * Why `requirement` cannot be used here, or undefined when it can. Peers need root, the test
 * user, and their binaries; clients need their program.
 */
export function unavailable(requirement: Requirement): string | undefined {
  switch (requirement) {
    case "curl":
    case "lftp":
      return findProgram(requirement) ? undefined : `${requirement} is not installed (${INSTALL_HINT})`;
    case "python3":
      return pythonPath() ? undefined : `python3 is not installed (${INSTALL_HINT})`;
    case "vsftpd":
    case "proftpd": {
      const binary = requirement === "vsftpd" ? vsftpdBinary() : proftpdBinary();
      if (!binary) {
        const where =
          requirement === "vsftpd" ? "vsftpd is not installed" : "ProFTPD is not unpacked in .peers/proftpd";
        return `${where} (${INSTALL_HINT})`;
      }
      if (process.getuid?.() !== 0)
        return `${requirement} must be started as root (it switches to the test user)`;
      if (!testAccount()) return `the local user ${FTP_TEST_USER} does not exist (${INSTALL_HINT})`;
      if (requirement === "vsftpd" && !isReadable(`/etc/pam.d/${PAM_SERVICE}`)) {
        return `the PAM service /etc/pam.d/${PAM_SERVICE} is missing (${INSTALL_HINT})`;
      }
      return undefined;
    }
  }
}

/** True when the environment says this is CI (`CI` set to anything but "", "0" or "false"). */
export function inCi(): boolean {
  const value = process.env.CI;
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/**
 * Checks a test's requirements. All present: true. Something missing in CI: throws, so the test
 * fails saying what is missing (interop tests never skip in CI). Missing elsewhere: marks the
 * test skipped with the reason and returns false (the caller returns at once).
 *
 * @throws {AssertionError} in CI when a requirement is missing.
 */
export function usable(t: { skip(message?: string): void }, ...requirements: Requirement[]): boolean {
  const reasons = requirements.map(unavailable).filter((r): r is string => r !== undefined);
  if (reasons.length === 0) return true;
  if (inCi()) assert.fail(`interop peers must be present in CI: ${reasons.join("; ")}`);
  t.skip(reasons.join("; "));
  return false;
}
