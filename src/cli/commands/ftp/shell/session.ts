/**
 * What the shell keeps between commands: the open connection (if any), the remote and local
 * working folders, the connection options given on the command line, and a per-session cache of
 * remote listings (for completion and globs; dropped after every command that changes the remote
 * side). The local folder is tracked here, never with `process.chdir`, so the shell can run
 * in-process beside other work.
 */
import { readdir } from "node:fs/promises";
import { homedir } from "node:os";
import { posix, resolve } from "node:path";
import { InvalidArgumentError } from "../../../../errors.js";
import type { FileInfo } from "../../../../ftp/types.js";
import type { CommandContext } from "../../../command.js";
import { configPath, type InetConfig, type LoadedConfig, loadConfig } from "../../../config.js";
import type { Output } from "../../../output.js";
import {
  type OpenedFtp,
  type OpenFtpOptions,
  openFtp,
  type ResolvedFtpTarget,
  resolveFtpTarget,
} from "../connect.js";
import type { CompletionEntry } from "./completion.js";

/** Remote folders whose listing is kept at once (oldest dropped first). */
const LISTING_CACHE_SIZE = 64;

/** How long completion waits for a listing before giving up. */
const COMPLETION_LISTING_MS = 5000;

/** The connection options given to `inet ftp shell`, applied to every `open`. */
export type ShellConnectOptions = Pick<OpenFtpOptions, "insecure" | "timeoutMs" | "active" | "ca" | "env">;

/** An open connection and what the shell knows about it. */
export interface ShellConnection extends OpenedFtp {
  /** What `open` was given, resolved (holds the URL's password or the bookmark's, if any). */
  resolved: ResolvedFtpTarget;
  /** The remote folder the session started in (`cd` with no argument goes back there). */
  home: string;
}

export class ShellSession {
  readonly out: Output;
  readonly connectOptions: ShellConnectOptions;
  /** Where the config file is (bookmarks). */
  readonly configFile: string;
  /** Whether transfers show progress (off with `--quiet`). */
  readonly quiet: boolean;
  connection: ShellConnection | undefined;
  /** The remote working folder (as PWD said), when connected. */
  remoteCwd = "/";
  /** The local working folder (absolute). */
  localCwd: string;
  /** Set by `quit`: the loop ends after the current command. */
  quitting = false;
  private readonly listings = new Map<string, FileInfo[]>();

  constructor(options: {
    out: Output;
    connectOptions?: ShellConnectOptions;
    configFile?: string;
    localCwd?: string;
    quiet?: boolean;
  }) {
    this.out = options.out;
    this.connectOptions = options.connectOptions ?? {};
    this.configFile = options.configFile ?? configPath(options.connectOptions?.env);
    this.localCwd = resolve(options.localCwd ?? process.cwd());
    this.quiet = options.quiet ?? false;
  }

  /** The environment for credentials and `~` (default `process.env`). */
  get env(): NodeJS.ProcessEnv {
    return this.connectOptions.env ?? process.env;
  }

  /** Reads the config file (bookmarks); warns once per load when others may read it. */
  async loadConfig(): Promise<LoadedConfig> {
    const loaded = await loadConfig(this.configFile);
    if (loaded.looseMode) {
      this.out.note(`inet: warning: ${loaded.path} can be read by others (chmod 600 it)`);
    }
    return loaded;
  }

  /**
   * Connects to `text` (a URL or a bookmark), closing the current connection first, and moves to
   * the folder the URL names (the login folder for `/`).
   *
   * @throws what `openFtp` throws (InvalidArgumentError, TlsError, ReplyError, …); ReplyError
   *   when the URL's folder does not exist (the connection is then closed).
   */
  async open(text: string, context: CommandContext, options: { insecure?: boolean } = {}): Promise<void> {
    await this.close();
    const config: InetConfig = (await this.loadConfig()).config;
    const resolved = resolveFtpTarget(text, config);
    const opened = await openFtp(text, {
      ...this.connectOptions,
      ...(options.insecure ? { insecure: true } : {}),
      context,
      config,
    });
    try {
      // `/` in a URL means the login folder; a bookmark's folder is always where it was saved.
      if ((opened.path !== "/" && opened.path !== "") || resolved.bookmark?.remotePath !== undefined) {
        await opened.client.cd(opened.path, { signal: context.signal });
      }
      const cwd = await opened.client.pwd({ signal: context.signal });
      this.connection = { ...opened, resolved, home: cwd };
      this.remoteCwd = cwd;
    } catch (error) {
      await opened.close();
      throw error;
    }
  }

  /** Says goodbye to the server, if connected. Never rejects. */
  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.listings.clear();
    this.remoteCwd = "/";
    if (connection) await connection.close();
  }

  /**
   * The open connection.
   *
   * @throws {InvalidArgumentError} when not connected, or when the connection has dropped (it is
   *   then forgotten, so `open` can be used again).
   */
  requireConnection(): ShellConnection {
    const connection = this.connection;
    if (!connection) throw new InvalidArgumentError("not connected: use 'open URL' or 'open BOOKMARK' first");
    if (!connection.client.isOpen) {
      this.connection = undefined;
      this.listings.clear();
      throw new InvalidArgumentError("the connection was closed: use 'open' to connect again");
    }
    return connection;
  }

  /** A remote path made absolute against the remote working folder (`~`-free, `/`-separated). */
  remotePath(path: string): string {
    return posix.resolve(this.remoteCwd, path === "" ? "." : path);
  }

  /** A local path made absolute against the local working folder; `~` and `~/…` are the home folder. */
  localPath(path: string): string {
    const home = this.env.HOME || homedir();
    if (path === "~") return home;
    if (path.startsWith("~/")) return resolve(home, path.slice(2));
    return resolve(this.localCwd, path === "" ? "." : path);
  }

  /**
   * The listing of the remote folder `path`, from the cache when this session already listed it
   * since the last change.
   *
   * @throws the client's errors (ReplyError for a missing folder…).
   */
  async list(path: string, signal?: AbortSignal): Promise<FileInfo[]> {
    const { client } = this.requireConnection();
    const absolute = this.remotePath(path);
    const cached = this.listings.get(absolute);
    if (cached) {
      // Most recently used goes last, so the oldest is dropped first.
      this.listings.delete(absolute);
      this.listings.set(absolute, cached);
      return cached;
    }
    const entries = await client.list(absolute, signal ? { signal } : {});
    this.listings.set(absolute, entries);
    while (this.listings.size > LISTING_CACHE_SIZE) {
      this.listings.delete(this.listings.keys().next().value as string);
    }
    return entries;
  }

  /** Forgets every cached listing (after anything that may have changed the remote side). */
  invalidateListings(): void {
    this.listings.clear();
  }

  /** Forgets the cached listing of one remote folder. */
  invalidateListing(path: string): void {
    this.listings.delete(this.remotePath(path));
  }

  /** Remote entries for completion; empty when not connected. Gives up after a few seconds. */
  async completeRemote(folder: string): Promise<CompletionEntry[]> {
    if (!this.connection?.client.isOpen) return [];
    const entries = await this.list(folder, AbortSignal.timeout(COMPLETION_LISTING_MS));
    return entries.map((entry) => ({
      name: entry.name,
      type: entry.type === "unknown" ? "other" : entry.type,
    }));
  }

  /** Local entries for completion (symlinks reported as such). */
  async completeLocal(folder: string): Promise<CompletionEntry[]> {
    const entries = await readdir(this.localPath(folder === "" ? "." : folder), { withFileTypes: true });
    return entries.map((entry) => ({
      name: entry.name,
      type: entry.isDirectory()
        ? "directory"
        : entry.isSymbolicLink()
          ? "symlink"
          : entry.isFile()
            ? "file"
            : "other",
    }));
  }

  /** The prompt: `ftp> ` when not connected, else `ftp HOST:FOLDER> ` (remote text escaped). */
  prompt(sanitize: (text: string) => string): string {
    const connection = this.connection;
    if (!connection) return "ftp> ";
    return `ftp ${sanitize(connection.target.host)}:${sanitize(this.remoteCwd)}> `;
  }
}
