/**
 * The names of a Maildir (cr.yp.to/proto/maildir.html, as Python's `mailbox.Maildir` and
 * Dovecot write them): unique delivery names, keys, and the `:2,FLAGS` info suffix. Pure.
 */
import { hostname } from "node:os";
import { performance } from "node:perf_hooks";
import { InvalidArgumentError } from "../../errors.js";

/** What a file name in `new/` or `cur/` says: `KEY` or `KEY:INFO`, the flags when INFO is `2,FLAGS`. */
export interface MaildirName {
  key: string;
  /** The text after the first `:`, undefined when there is none. */
  info: string | undefined;
  /** The flags of a `2,FLAGS` info, `""` otherwise. */
  flags: string;
}

/** Splits a file name at its first `:` (Python's `mailbox.Maildir` does the same). */
export function parseMaildirName(name: string): MaildirName {
  const colon = name.indexOf(":");
  if (colon < 0) return { key: name, info: undefined, flags: "" };
  const info = name.slice(colon + 1);
  return { key: name.slice(0, colon), info, flags: info.startsWith("2,") ? info.slice(2) : "" };
}

/**
 * Why `key` may not name a message, or undefined when it may: a key is one file name without
 * its info, so it must not be empty, start with `.` (so neither `.` nor `..`), hold `/`, `:`,
 * NUL or another control character, or be longer than 255 bytes (W1). A `\` is allowed except on
 * Windows: the Maildir spec itself escapes `/` and `:` in host names as `\057` and `\072`.
 */
export function unsafeKeyReason(key: string): string | undefined {
  if (typeof key !== "string" || key === "") return "is empty";
  if (key.startsWith(".")) return "starts with a dot";
  if (/[/:]/.test(key) || (process.platform === "win32" && key.includes("\\"))) {
    return "holds a path separator or a colon";
  }
  if (/[\x00-\x1f\x7f]/.test(key)) return "holds a control character";
  if (Buffer.byteLength(key) > 255) return "is longer than 255 bytes";
  return undefined;
}

/** @throws InvalidArgumentError when `key` fails {@link unsafeKeyReason}. */
export function checkKey(key: string): string {
  const reason = unsafeKeyReason(key);
  if (reason !== undefined) throw new InvalidArgumentError(`a Maildir key ${reason}: ${JSON.stringify(key)}`);
  return key;
}

/**
 * The flags as stored: each letter once, in ASCII order (`"SFR"` → `"FRS"`), as the Maildir
 * spec asks and Python's `MaildirMessage.set_flags` does. Standard flags are upper case
 * (`D`raft, `F`lagged, `P`assed, `R`eplied, `S`een, `T`rashed); lower-case letters are the
 * keywords some servers use.
 *
 * @throws InvalidArgumentError for anything but ASCII letters.
 */
export function normalizeFlags(flags: string): string {
  if (typeof flags !== "string" || !/^[A-Za-z]*$/.test(flags)) {
    throw new InvalidArgumentError(`Maildir flags must be ASCII letters: ${JSON.stringify(flags)}`);
  }
  return [...new Set(flags)].sort().join("");
}

/** The file name in `cur/` for `key` with `flags` (already normalized): `KEY:2,FLAGS`. */
export function curName(key: string, flags: string): string {
  return `${key}:2,${flags}`;
}

let deliveries = 0;

/** This host's name as a delivery name may hold it: `/` and `:` escaped as Python does (`\057`, `\072`). */
function safeHost(): string {
  const name = hostname().replace(/\//g, "\\057").replace(/:/g, "\\072");
  return name.replace(/[\x00-\x1f\x7f]/g, "") || "localhost";
}

/**
 * A new unique delivery name, `SECONDS.M<microseconds>P<pid>Q<count>.HOST` (the Maildir spec's
 * modern form, as Python's `mailbox.Maildir` makes it). The count grows with every call in this
 * process, so two names from one process never collide; the caller still creates the file
 * exclusively.
 */
export function uniqueName(): string {
  const now = performance.timeOrigin + performance.now(); // milliseconds, with microseconds
  const seconds = Math.floor(now / 1000);
  const micros = Math.floor((now - seconds * 1000) * 1000);
  deliveries += 1;
  return `${seconds}.M${micros}P${process.pid}Q${deliveries}.${safeHost()}`;
}
