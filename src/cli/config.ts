/**
 * The `inet` configuration file: FTP bookmarks, the table of sites (`inet ftp sites`), mail
 * accounts (`inet mail accounts`) and defaults, kept as JSON in the XDG config folder (`$XDG_CONFIG_HOME/inetkit/config.json`, else
 * `~/.config/inetkit/config.json`; `INET_CONFIG` names another file). It may hold a password the
 * user asked to store, so it is written atomically with mode 0600 in a folder of mode 0700, and a
 * file others can read is reported when loaded.
 *
 * Also where state files live (shell history): `$XDG_STATE_HOME/inetkit/`, else
 * `~/.local/state/inetkit/`.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { InvalidArgumentError } from "../errors.js";

/** A saved FTP destination, opened by name (`inet ftp ls NAME`, `open NAME` in the shell). */
export interface Bookmark {
  /** `ftp://`, `ftpes://` or `ftps://` URL, without a password. */
  url: string;
  /** The folder to start in, when not the URL's own path. */
  remotePath?: string;
  /** Only when the user asked to store it. */
  password?: string;
}

/** One row of the book's table of sites: what to fetch from where, into which local folder. */
export interface Site {
  url: string;
  remotePath?: string;
  /** A glob the file names must match (`*.py`, `doc*.pdf`). */
  pattern?: string;
  /** The local folder files are fetched into. */
  local: string;
}

/** A mail identity and the server it sends through (`inet mail send --account NAME`). */
export interface MailAccount {
  /** The sender (`Alice <alice@example.org>`), used when `--from` is not given. */
  from: string;
  /** `smtp://`, `smtp+starttls://` or `smtps://` URL, without a password. */
  server: string;
  /** The login name, when the URL does not hold one. */
  user?: string;
  /** Only when the user asked to store it. */
  password?: string;
}

/** The `mail` section. Absent from files written before it existed (and then not written back). */
export interface MailConfig {
  accounts: Record<string, MailAccount>;
  /** The account used when none is named; its server is the default server. */
  defaultAccount?: string;
}

/** The whole file. */
export interface InetConfig {
  bookmarks: Record<string, Bookmark>;
  sites: Record<string, Site>;
  defaults: { parallel?: number; passive?: boolean; timeoutSeconds?: number };
  /** Present only when the file has a `mail` section (an FTP-only file keeps its shape). */
  mail?: MailConfig;
}

/** What {@link loadConfig} found. */
export interface LoadedConfig {
  config: InetConfig;
  /** The file read (or that would have been read). */
  path: string;
  /** Whether the file exists. */
  exists: boolean;
  /** The file can be read or written by others than its owner (mode looser than 0600): warn. */
  looseMode: boolean;
}

/** The largest config file read, in bytes: it holds a few bookmarks, not a database. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** An empty configuration (what a missing file means). */
export function emptyConfig(): InetConfig {
  return { bookmarks: {}, sites: {}, defaults: {} };
}

function home(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.HOME;
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : homedir();
}

/** An XDG base folder: the variable when it holds an absolute path (the spec ignores others), else the fallback. */
function xdgBase(env: NodeJS.ProcessEnv, variable: string, ...fallback: string[]): string {
  const value = env[variable];
  return value !== undefined && isAbsolute(value) ? value : join(home(env), ...fallback);
}

/**
 * The config file's path: `INET_CONFIG` when set, else `$XDG_CONFIG_HOME/inetkit/config.json`,
 * else `~/.config/inetkit/config.json`. Throws nothing.
 */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.INET_CONFIG;
  if (explicit !== undefined && explicit !== "") return explicit;
  return join(xdgBase(env, "XDG_CONFIG_HOME", ".config"), "inetkit", "config.json");
}

/**
 * The path of the state file `name` (for example `ftp-history`): `$XDG_STATE_HOME/inetkit/NAME`,
 * else `~/.local/state/inetkit/NAME`. The folder may not exist yet. Throws nothing.
 */
export function statePath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(xdgBase(env, "XDG_STATE_HOME", ".local", "state"), "inetkit", name);
}

/**
 * Reads the config file (default {@link configPath}). A missing file is an empty configuration.
 *
 * @throws {InvalidArgumentError} naming the file when it is not a regular file, is larger than
 *   {@link MAX_CONFIG_BYTES}, is not JSON, or does not have the shape of {@link InetConfig}.
 *   Other I/O errors (EACCES…) propagate as Node's system errors.
 */
export async function loadConfig(path: string = configPath()): Promise<LoadedConfig> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { config: emptyConfig(), path, exists: false, looseMode: false };
    if (code === "ELOOP") throw new InvalidArgumentError(`the config file ${path} is a symlink; refusing it`);
    throw error;
  }
  let text: string;
  let looseMode = false;
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new InvalidArgumentError(`the config file ${path} is not a regular file`);
    if (info.size > MAX_CONFIG_BYTES) {
      throw new InvalidArgumentError(`the config file ${path} is larger than ${MAX_CONFIG_BYTES} bytes`);
    }
    looseMode = process.platform !== "win32" && (info.mode & 0o077) !== 0;
    text = await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
  return { config: parseConfig(text, path), path, exists: true, looseMode };
}

/**
 * Parses the text of a config file; `path` only names it in messages. Unknown top-level keys are
 * dropped; missing sections are empty, except `mail`, which stays absent when the file has none
 * (so a file written before mail accounts existed is written back in the same shape).
 *
 * @throws {InvalidArgumentError} naming the file and the bad entry.
 */
export function parseConfig(text: string, path: string): InetConfig {
  let raw: unknown;
  try {
    raw = text.trim() === "" ? {} : JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new InvalidArgumentError(`the config file ${path} is not valid JSON: ${detail}`);
  }
  const bad = (what: string) => new InvalidArgumentError(`the config file ${path} is malformed: ${what}`);
  if (!isRecord(raw)) throw bad("it must hold a JSON object");
  const config = emptyConfig();
  const checkName = (name: string, kind: string) => {
    // JSON.parse makes "__proto__" an own key; assigning it would set the object's prototype.
    if (name === "__proto__" || name === "") throw bad(`a ${kind} cannot be named ${JSON.stringify(name)}`);
  };
  const section = (name: string): Record<string, unknown> => {
    const value = raw[name];
    if (value === undefined) return {};
    if (!isRecord(value)) throw bad(`"${name}" must be an object`);
    return value;
  };
  for (const [name, value] of Object.entries(section("bookmarks"))) {
    checkName(name, "bookmark");
    if (!isRecord(value) || typeof value.url !== "string")
      throw bad(`bookmark "${name}" needs a "url" string`);
    const bookmark: Bookmark = { url: value.url };
    if (typeof value.remotePath === "string") bookmark.remotePath = value.remotePath;
    if (typeof value.password === "string") bookmark.password = value.password;
    config.bookmarks[name] = bookmark;
  }
  for (const [name, value] of Object.entries(section("sites"))) {
    checkName(name, "site");
    if (!isRecord(value) || typeof value.url !== "string" || typeof value.local !== "string") {
      throw bad(`site "${name}" needs "url" and "local" strings`);
    }
    const site: Site = { url: value.url, local: value.local };
    if (typeof value.remotePath === "string") site.remotePath = value.remotePath;
    if (typeof value.pattern === "string") site.pattern = value.pattern;
    config.sites[name] = site;
  }
  const defaults = section("defaults");
  if (defaults.parallel !== undefined) {
    if (!Number.isInteger(defaults.parallel) || (defaults.parallel as number) < 1) {
      throw bad('"defaults.parallel" must be a whole number of 1 or more');
    }
    config.defaults.parallel = defaults.parallel as number;
  }
  if (defaults.passive !== undefined) {
    if (typeof defaults.passive !== "boolean") throw bad('"defaults.passive" must be true or false');
    config.defaults.passive = defaults.passive;
  }
  if (defaults.timeoutSeconds !== undefined) {
    const seconds = defaults.timeoutSeconds;
    if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds <= 0) {
      throw bad('"defaults.timeoutSeconds" must be a positive number');
    }
    config.defaults.timeoutSeconds = seconds;
  }
  if (raw.mail !== undefined) config.mail = parseMailSection(raw.mail, bad, checkName);
  return config;
}

/** The `mail` section: accounts by name, and a default account that must be one of them. */
function parseMailSection(
  value: unknown,
  bad: (what: string) => InvalidArgumentError,
  checkName: (name: string, kind: string) => void,
): MailConfig {
  if (!isRecord(value)) throw bad('"mail" must be an object');
  const mail: MailConfig = { accounts: {} };
  const accounts = value.accounts ?? {};
  if (!isRecord(accounts)) throw bad('"mail.accounts" must be an object');
  for (const [name, entry] of Object.entries(accounts)) {
    checkName(name, "mail account");
    if (!isRecord(entry) || typeof entry.from !== "string" || typeof entry.server !== "string") {
      throw bad(`mail account "${name}" needs "from" and "server" strings`);
    }
    const account: MailAccount = { from: entry.from, server: entry.server };
    for (const field of ["user", "password"] as const) {
      const text = entry[field];
      if (text === undefined) continue;
      if (typeof text !== "string") throw bad(`"${field}" of mail account "${name}" must be a string`);
      account[field] = text;
    }
    mail.accounts[name] = account;
  }
  if (value.defaultAccount !== undefined) {
    const name = value.defaultAccount;
    if (typeof name !== "string" || !Object.hasOwn(mail.accounts, name)) {
      throw bad('"mail.defaultAccount" must name one of "mail.accounts"');
    }
    mail.defaultAccount = name;
  }
  return mail;
}

/**
 * Writes the config file (default {@link configPath}) atomically: a temporary file in the same
 * folder, created with mode 0600, flushed, then renamed over the old one — a crash leaves either
 * the old file or the new one. The folder is created with mode 0700 when missing.
 *
 * @throws Node's system errors (EACCES, ENOSPC…); the temporary file is removed on failure.
 */
export async function saveConfig(config: InetConfig, path: string = configPath()): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const temporary = join(folder, `.config-${process.pid}-${randomBytes(6).toString("hex")}.tmp`);
  const text = `${JSON.stringify(config, null, 2)}\n`;
  try {
    const handle = await open(
      temporary,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    try {
      // The umask cannot widen 0600, but an odd one could narrow it to 0400: say it exactly.
      await handle.chmod(0o600);
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
