/**
 * Opening an FTP session for an `inet ftp` command: from a URL (`ftpes://alice@host/pub`) or a
 * bookmark name, with the password taken from the URL, the bookmark, `~/.netrc`, the environment
 * (`INET_FTP_PASSWORD`, `INET_PASSWORD`) or — on a terminal — a prompt that does not echo.
 *
 * A password goes over plain `ftp://` only with `--insecure`, and then with a warning on stderr.
 * The options every ftp command shares (`--insecure`, `--active`, `--timeout`, `--ca`) are
 * declared once here as {@link ftpConnectOptions}.
 */
import { getMaxListeners, setMaxListeners } from "node:events";
import { readFile } from "node:fs/promises";
import { InvalidArgumentError } from "../../../errors.js";
import { FtpClient, type FtpConnectOptions } from "../../../ftp/client.js";
import { FtpPool } from "../../../ftp/pool.js";
import { resolveCredentials } from "../../../transport/credentials.js";
import { formatTarget, parseTarget, type Target } from "../../../transport/url.js";
import {
  type CommandContext,
  type OptionSpec,
  type ParsedArgs,
  parseSeconds,
  stringOption,
} from "../../command.js";
import type { Bookmark, InetConfig } from "../../config.js";
import type { CliIo } from "../../output.js";

/** The options every `inet ftp` command takes for its connection. */
export const ftpConnectOptions: readonly OptionSpec[] = [
  {
    name: "insecure",
    type: "boolean",
    description: "allow sending a password over plain ftp:// (in the clear; prefer ftpes://)",
  },
  { name: "active", type: "boolean", description: "active mode: the server connects back (EPRT/PORT)" },
  {
    name: "timeout",
    type: "string",
    value: "SECONDS",
    description: "give up on a silent server after this long (default 30)",
  },
  {
    name: "ca",
    type: "string",
    value: "FILE",
    description: "trust the server certificates signed by this CA (PEM), for ftpes:// and ftps://",
  },
];

/** The default timeout of every phase, in seconds. */
export const DEFAULT_FTP_TIMEOUT_SECONDS = 30;

/** What {@link openFtp} needs besides the target. */
export interface OpenFtpOptions {
  context: CommandContext;
  /** Bookmarks are looked up here; defaults (timeout, passive, parallel) apply from it. */
  config?: InetConfig;
  /** `--insecure`: a password may go over a connection without TLS. */
  insecure?: boolean;
  /** Every phase but idle, in ms. */
  timeoutMs?: number;
  /** Active mode (EPRT/PORT) instead of passive. */
  active?: boolean;
  /** More than 1: transfers also get an {@link FtpPool} of this many connections. */
  parallel?: number;
  /** PEM certificates to trust (from `--ca FILE`). */
  ca?: string | Buffer;
  /** Environment for credentials (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** An open session. */
export interface OpenedFtp {
  client: FtpClient;
  /** Present when `parallel` was above 1. */
  pool?: FtpPool;
  /** The remote path the URL (or bookmark) names; `/` when none. */
  path: string;
  /** The URL to print: never with a password. */
  url: string;
  target: Target;
  /** Says goodbye on the pool and the client; never rejects. */
  close(): Promise<void>;
}

/** What a target names before any connection: the URL, its path, and a stored password. */
export interface ResolvedFtpTarget {
  target: Target;
  path: string;
  bookmark?: Bookmark;
}

/**
 * Turns a command-line target into a parsed URL: a `scheme://…` URL as it is, or the name of a
 * bookmark in `config` (its `remotePath` replaces the URL's path).
 *
 * @throws {InvalidArgumentError} for a bad URL, a non-FTP scheme, or an unknown bookmark.
 */
export function resolveFtpTarget(text: string, config?: InetConfig): ResolvedFtpTarget {
  if (!text.includes("://")) {
    const bookmark = config && Object.hasOwn(config.bookmarks, text) ? config.bookmarks[text] : undefined;
    if (bookmark === undefined) {
      throw new InvalidArgumentError(
        `${JSON.stringify(text)} is neither an FTP URL (ftp://, ftpes://, ftps://) nor a bookmark`,
      );
    }
    const target = ftpTarget(bookmark.url);
    return { target, path: bookmark.remotePath ?? target.path, bookmark };
  }
  const target = ftpTarget(text);
  return { target, path: target.path };
}

function ftpTarget(url: string): Target {
  const target = parseTarget(url);
  if (target.protocol !== "ftp") {
    throw new InvalidArgumentError(
      `not an FTP URL: use ftp://, ftpes:// or ftps:// (got ${target.scheme}://)`,
    );
  }
  return target;
}

/**
 * The connection options shared by the client and its pool, from parsed `--insecure`, `--active`,
 * `--timeout` and `--ca` (see {@link ftpConnectOptions}), with the config's defaults under them.
 *
 * @throws {InvalidArgumentError} for a bad `--timeout`; Node's ENOENT/EACCES for an unreadable `--ca`.
 */
export async function connectOptionsFrom(
  args: ParsedArgs,
  config?: InetConfig,
): Promise<Pick<OpenFtpOptions, "insecure" | "timeoutMs" | "active" | "ca">> {
  const defaults = config?.defaults ?? {};
  const caFile = stringOption(args, "ca");
  return {
    insecure: args.values.insecure === true,
    timeoutMs: parseSeconds(
      stringOption(args, "timeout"),
      "timeout",
      defaults.timeoutSeconds ?? DEFAULT_FTP_TIMEOUT_SECONDS,
    ),
    active: args.values.active === true || defaults.passive === false,
    ...(caFile !== undefined ? { ca: await readFile(caFile) } : {}),
  };
}

/**
 * Connects and logs in to the server `target` names (a URL or a bookmark name).
 *
 * Credentials, first found wins: the URL (or bookmark) user and password; `~/.netrc` for the
 * exact host; `INET_FTP_PASSWORD` / `INET_PASSWORD`; then, when a user is known but no password
 * and both stdin and stderr are terminals, a prompt that does not echo. With no user at all the
 * login is anonymous (and no stored password is ever sent).
 *
 * @returns the client (and pool when `parallel` > 1), the URL's path, and a printable URL.
 * @throws {InvalidArgumentError} for a bad target, an unknown bookmark, or a password over plain
 *   `ftp://` without `insecure` (the message says to use ftpes:// or pass --insecure);
 *   the client's errors when the connection or login fails (TlsError, ReplyError on 530,
 *   TimeoutError, ConnectionClosedError), AbortError on Ctrl-C.
 */
export async function openFtp(text: string, options: OpenFtpOptions): Promise<OpenedFtp> {
  const { context } = options;
  const env = options.env ?? process.env;
  const { target, path, bookmark } = resolveFtpTarget(text, options.config);
  const resolved = await resolveCredentials({
    target,
    ...(bookmark?.password !== undefined && target.password === undefined
      ? { password: bookmark.password }
      : {}),
    env,
  });
  const user = resolved.user;
  const anonymous = user === undefined || user === "anonymous" || user === "ftp";
  let password = anonymous ? undefined : resolved.password;
  const plain = target.security === "none";
  const url = formatTarget({ ...target, rawPath: encodePath(path) });

  if (!anonymous && plain && !options.insecure) {
    throw new InvalidArgumentError(
      `refusing to log in as ${user} over plain ftp:// (the password would travel in the clear): ` +
        "use ftpes:// (or ftps://), or pass --insecure to send it anyway",
    );
  }
  if (!anonymous && password === undefined && isInteractive(context.io)) {
    password = await promptSecret(context, `Password for ${user}@${target.host}: `);
  }
  if (!anonymous && plain)
    context.out.note(`inet: warning: sending the password for ${user} in the clear (--insecure)`);

  const connectOptions: FtpConnectOptions = {
    // Credentials are settled here; the client must not look them up again (an anonymous
    // login would otherwise send INET_FTP_PASSWORD as its "e-mail address").
    user: anonymous ? "anonymous" : user,
    ...(password !== undefined ? { password } : {}),
    netrc: false,
    env: {},
    allowInsecureAuth: options.insecure === true,
    mode: options.active ? "active" : "passive",
    signal: context.signal,
    onTrace: context.out.onTrace,
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
    ...(options.ca !== undefined ? { tls: { ca: options.ca } } : {}),
  };
  const parallel = options.parallel ?? 1;
  // Every connection waits on the command's signal, a few times at once (control reply, data
  // stream, data connect): with a pool that is legitimately more than Node's default of 10.
  const listeners = 10 + 4 * (parallel + 1);
  if (getMaxListeners(context.signal) < listeners) setMaxListeners(listeners, context.signal);
  const client = await FtpClient.connect(target.url, connectOptions);
  const pool = parallel > 1 ? new FtpPool(target.url, { ...connectOptions, size: parallel }) : undefined;
  return {
    client,
    ...(pool ? { pool } : {}),
    path,
    url,
    target,
    async close() {
      await pool?.close().catch(() => {});
      await client.quit().catch(() => client.close());
    },
  };
}

/** Percent-encodes a decoded path for display in a URL (slashes kept). */
function encodePath(path: string): string {
  return path
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
}

/** Whether a prompt can be shown and answered: stdin and stderr are both terminals. */
export function isInteractive(io: CliIo): boolean {
  return io.stdin.isTTY === true && io.stderr.isTTY === true;
}

/**
 * Asks for a secret on the terminal without echoing it: the question on stderr, the answer read
 * from stdin in raw mode (Backspace edits; Enter ends; Ctrl-C interrupts the command; Ctrl-D on an
 * empty line ends with an empty answer).
 *
 * @throws {AbortError} on Ctrl-C (through `context.interrupt()`), or when the command is aborted.
 */
export function promptSecret(context: CommandContext, question: string): Promise<string> {
  const { stdin, stderr } = context.io;
  const raw = stdin as typeof stdin & { setRawMode?: (mode: boolean) => unknown; isRaw?: boolean };
  return new Promise<string>((resolve, reject) => {
    let answer = "";
    const wasRaw = raw.isRaw === true;
    const finish = (error?: unknown) => {
      stdin.off("data", onData);
      context.signal.removeEventListener("abort", onAbort);
      raw.setRawMode?.(wasRaw);
      stdin.pause();
      stderr.write("\n");
      if (error) reject(error);
      else resolve(answer);
    };
    const onAbort = () => finish(context.signal.reason);
    const onData = (chunk: Buffer | string) => {
      for (const char of typeof chunk === "string" ? chunk : chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") return finish();
        if (char === "\u0003") {
          context.interrupt();
          return;
        }
        if (char === "\u0004") {
          if (answer === "") return finish();
          continue;
        }
        if (char === "\u007f" || char === "\b") answer = answer.slice(0, -1);
        else if (char === "\u0015")
          answer = ""; // Ctrl-U: start over.
        else if (char >= " ") answer += char;
      }
    };
    if (context.signal.aborted) {
      reject(context.signal.reason);
      return;
    }
    context.signal.addEventListener("abort", onAbort, { once: true });
    stderr.write(question);
    raw.setRawMode?.(true);
    stdin.on("data", onData);
    stdin.resume();
  });
}
