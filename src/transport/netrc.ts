/**
 * `~/.netrc`: the file where ftp(1), curl and Python's netrc module keep passwords per host.
 *
 * The parser is pure and bounded. {@link readNetrc} refuses a file that others can read or that
 * belongs to someone else, as ftp(1) does, and {@link findNetrcEntry} binds an entry to exactly
 * one host name: `example.com` is never used for `evil-example.com` or `example.com.evil`.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError } from "../errors.js";

/** One `machine` (or `default`) block of a netrc file. */
export interface NetrcEntry {
  /** The host name as written; `undefined` for the `default` entry. */
  machine?: string;
  login?: string;
  password?: string;
  account?: string;
}

/** A netrc file larger than this is refused rather than read. */
export const MAX_NETRC_BYTES = 1024 * 1024;
/** A single token (a password, say) longer than this is refused. */
export const MAX_NETRC_TOKEN = 64 * 1024;

const WHITESPACE = new Set([" ", "\t", "\n", "\r", "\f", "\v"]);
const ESCAPES: Readonly<Record<string, string>> = { n: "\n", r: "\r", t: "\t" };

/** Splits netrc text into tokens; comments and `macdef` bodies never become tokens. */
class Tokenizer {
  private pos = 0;

  constructor(private readonly text: string) {}

  /** The next token, or `undefined` at the end of the text. */
  next(): string | undefined {
    for (;;) {
      while (this.pos < this.text.length && WHITESPACE.has(this.text[this.pos]!)) this.pos++;
      if (this.pos >= this.text.length) return undefined;
      // A `#` opens a comment only where a token would start; inside a token it is a character.
      if (this.text[this.pos] !== "#") break;
      this.skipLine();
    }
    return this.text[this.pos] === '"' ? this.quoted() : this.bare();
  }

  /** Skips the rest of the current line, then every line up to and including an empty one. */
  skipMacro(): void {
    this.skipLine();
    while (this.pos < this.text.length) {
      const end = this.text.indexOf("\n", this.pos);
      const line = this.text.slice(this.pos, end < 0 ? this.text.length : end);
      this.pos = end < 0 ? this.text.length : end + 1;
      if (line === "" || line === "\r") return;
    }
  }

  private skipLine(): void {
    const end = this.text.indexOf("\n", this.pos);
    this.pos = end < 0 ? this.text.length : end + 1;
  }

  private bare(): string {
    const start = this.pos;
    while (this.pos < this.text.length && !WHITESPACE.has(this.text[this.pos]!)) {
      this.pos++;
      if (this.pos - start > MAX_NETRC_TOKEN) tooLong();
    }
    return this.text.slice(start, this.pos);
  }

  private quoted(): string {
    this.pos++; // opening quote
    let out = "";
    for (;;) {
      if (this.pos >= this.text.length) throw new InvalidArgumentError("netrc: unterminated quoted token");
      const ch = this.text[this.pos++]!;
      if (ch === '"') return out;
      if (ch === "\\" && this.pos < this.text.length) {
        const escaped = this.text[this.pos++]!;
        out += ESCAPES[escaped] ?? escaped;
      } else {
        out += ch;
      }
      if (out.length > MAX_NETRC_TOKEN) tooLong();
    }
  }
}

function tooLong(): never {
  throw new InvalidArgumentError(`netrc: a token is longer than ${MAX_NETRC_TOKEN} characters`);
}

/**
 * Parses the text of a netrc file.
 *
 * Tokens are separated by whitespace; a token may be double-quoted, with `\"`, `\\`, `\n`, `\r`,
 * `\t` escapes (as curl reads them). `#` at the start of a token comments out the rest of the line.
 * `macdef NAME` and the lines after it, up to an empty line, are skipped. `login`, `password` and
 * `account` attach to the latest `machine`/`default`; other keywords are ignored.
 *
 * @returns the entries in file order (`machine` is `undefined` for `default`).
 * @throws {InvalidArgumentError} when the text is over {@link MAX_NETRC_BYTES}, a token is over
 *   {@link MAX_NETRC_TOKEN}, a quote is not closed, or a login/password/account holds CR, LF or
 *   NUL. Messages never contain a value other than a machine name.
 */
export function parseNetrc(text: string): NetrcEntry[] {
  if (Buffer.byteLength(text, "utf8") > MAX_NETRC_BYTES) {
    throw new InvalidArgumentError(`netrc: the file is larger than ${MAX_NETRC_BYTES} bytes`);
  }
  const tokens = new Tokenizer(text);
  const entries: NetrcEntry[] = [];
  let current: NetrcEntry | undefined;
  for (let token = tokens.next(); token !== undefined; token = tokens.next()) {
    switch (token) {
      case "machine": {
        const name = tokens.next();
        if (name === undefined) throw new InvalidArgumentError("netrc: `machine` without a host name");
        current = { machine: name };
        entries.push(current);
        break;
      }
      case "default":
        current = {};
        entries.push(current);
        break;
      case "login":
      case "password":
      case "account": {
        const value = tokens.next();
        if (value === undefined) throw new InvalidArgumentError(`netrc: \`${token}\` without a value`);
        // Outside any entry (before the first `machine`) a value has no host to belong to.
        if (current === undefined) break;
        if (/[\r\n\0]/.test(value)) {
          const where =
            current.machine === undefined
              ? "the default entry"
              : `machine ${JSON.stringify(current.machine)}`;
          throw new InvalidArgumentError(`netrc: the ${token} of ${where} contains CR, LF or NUL`);
        }
        current[token] = value;
        break;
      }
      case "macdef":
        tokens.next(); // the macro's name
        tokens.skipMacro();
        break;
      default:
        // Unknown keywords (and stray values) are tolerated, as other netrc readers do.
        break;
    }
  }
  return entries;
}

/**
 * The netrc path used when none is given: `$NETRC` when set and not empty, else `~/.netrc`.
 *
 * @returns an absolute path (or `$NETRC` as given). Throws nothing.
 */
export function defaultNetrcPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.NETRC;
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : join(homedir(), ".netrc");
}

/**
 * Refuses a netrc file that is not private to the current user: any group or other permission
 * bit set, or an owner other than `uid`. Skipped on Windows, where mode bits do not describe
 * access.
 *
 * @throws {InvalidArgumentError} telling the fix (`chmod 600 <path>`, or whose file it is).
 */
export function checkNetrcPermissions(
  stats: { mode: number; uid: number },
  path: string,
  uid: number | undefined = process.getuid?.(),
  platform: NodeJS.Platform = process.platform,
): void {
  if (platform === "win32") return;
  if (uid !== undefined && stats.uid !== uid) {
    throw new InvalidArgumentError(
      `netrc: ${path} belongs to uid ${stats.uid}, not to the current user (uid ${uid}); refusing to use its passwords`,
    );
  }
  if ((stats.mode & 0o077) !== 0) {
    const mode = (stats.mode & 0o777).toString(8).padStart(3, "0");
    throw new InvalidArgumentError(
      `netrc: ${path} is readable or writable by others (mode ${mode}); refusing to use it — fix with: chmod 600 ${path}`,
    );
  }
}

/**
 * Reads and parses a netrc file (default: {@link defaultNetrcPath}).
 *
 * @returns the entries, or `[]` when the file does not exist.
 * @throws {InvalidArgumentError} when the file is not a regular file, is group- or
 *   world-accessible or not owned by the current user ({@link checkNetrcPermissions}), is over
 *   {@link MAX_NETRC_BYTES}, or does not parse ({@link parseNetrc}). Other I/O errors propagate.
 */
export async function readNetrc(path: string = defaultNetrcPath()): Promise<NetrcEntry[]> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: opening a FIFO planted at the path must not hang; fstat then refuses it.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new InvalidArgumentError(`netrc: ${path} is not a regular file`);
    checkNetrcPermissions(stats, path);
    if (stats.size > MAX_NETRC_BYTES) {
      throw new InvalidArgumentError(`netrc: ${path} is larger than ${MAX_NETRC_BYTES} bytes`);
    }
    // Read at most one byte past the bound, in case the file grew after fstat.
    const buffer = Buffer.alloc(MAX_NETRC_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_NETRC_BYTES) {
        throw new InvalidArgumentError(`netrc: ${path} is larger than ${MAX_NETRC_BYTES} bytes`);
      }
    }
    return parseNetrc(buffer.toString("utf8", 0, length));
  } finally {
    await handle.close();
  }
}

function bareHost(host: string): string {
  const h = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return h.toLowerCase();
}

/**
 * Finds the entry for `host` (and `user`, when given).
 *
 * Host names match exactly, ignoring case and IPv6 brackets — no suffix, prefix or port matching.
 * With `user`, only entries whose `login` equals it (or that have no `login`) match. The first
 * match in file order wins; the `default` entry is considered only when `allowDefault` is true.
 *
 * @returns the entry, or `undefined`. Throws nothing.
 */
export function findNetrcEntry(
  entries: readonly NetrcEntry[],
  host: string,
  user?: string,
  { allowDefault = false }: { allowDefault?: boolean } = {},
): NetrcEntry | undefined {
  const wanted = bareHost(host);
  const userMatches = (entry: NetrcEntry) =>
    user === undefined || entry.login === undefined || entry.login === user;
  const exact = entries.find(
    (entry) => entry.machine !== undefined && bareHost(entry.machine) === wanted && userMatches(entry),
  );
  if (exact !== undefined || !allowDefault) return exact;
  return entries.find((entry) => entry.machine === undefined && userMatches(entry));
}
