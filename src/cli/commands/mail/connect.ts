/**
 * Choosing the SMTP server and the login for `inet mail send`: `--server URL`, else the account's
 * server (`--account NAME`, else the config's default account); the password from the URL, the
 * account (only when the user stored it), `~/.netrc`, `INET_SMTP_PASSWORD` / `INET_PASSWORD`, or —
 * on a terminal — a prompt that does not echo.
 *
 * A password goes over plain `smtp://` only with `--insecure`, and then with a warning on stderr.
 * An account's user name and stored password are used only for the account's own server: naming
 * another one with `--server` never sends them there.
 */
import { readFile } from "node:fs/promises";
import { InvalidArgumentError } from "../../../errors.js";
import { SmtpClient, type SmtpConnectOptions } from "../../../smtp/index.js";
import { resolveCredentials } from "../../../transport/credentials.js";
import { formatTarget, parseTarget, type Target } from "../../../transport/url.js";
import {
  type CommandContext,
  type OptionSpec,
  type ParsedArgs,
  parseSeconds,
  stringOption,
} from "../../command.js";
import type { InetConfig, MailAccount } from "../../config.js";
import { isInteractive, promptSecret } from "../ftp/connect.js";

/** The options of `inet mail send` that choose and reach the server. */
export const mailConnectOptions: readonly OptionSpec[] = [
  {
    name: "server",
    type: "string",
    value: "URL",
    description: "smtp+starttls://HOST (587), smtps://HOST (465) or smtp://HOST (25); default: the account's",
  },
  {
    name: "account",
    short: "a",
    type: "string",
    value: "NAME",
    description: "send as this account of the config file (default: the default account)",
  },
  {
    name: "insecure",
    type: "boolean",
    description: "allow sending a password over plain smtp:// (in the clear; prefer smtp+starttls://)",
  },
  {
    name: "ca",
    type: "string",
    value: "FILE",
    description: "trust the server certificates signed by this CA (PEM)",
  },
  {
    name: "timeout",
    type: "string",
    value: "SECONDS",
    description: "give up on a silent server after this long (default 30)",
  },
];

/** The default timeout of every phase, in seconds. */
export const DEFAULT_MAIL_TIMEOUT_SECONDS = 30;

/** What the command line and the config say about where to send. */
export interface MailServerChoice {
  /** The server, when one is known. */
  target?: Target;
  /** The URL to print: never with a password. */
  url?: string;
  /** The account in use (named, or the default one). */
  accountName?: string;
  account?: MailAccount;
  /** Whether the server is the account's own (its user and stored password then apply). */
  accountServer: boolean;
}

/**
 * The account (`--account`, else the default account) and the server (`--server`, else the
 * account's). Neither is required here: a dry run needs no server.
 *
 * @throws {InvalidArgumentError} for an unknown account, or a server that is not an SMTP URL.
 */
export function chooseMailServer(args: ParsedArgs, config: InetConfig): MailServerChoice {
  const accounts = config.mail?.accounts ?? {};
  const named = stringOption(args, "account");
  if (named !== undefined && !Object.hasOwn(accounts, named)) {
    const known = Object.keys(accounts).sort().join(", ");
    throw new InvalidArgumentError(
      `no mail account named ${JSON.stringify(named)}${known ? ` (accounts: ${known})` : " (see 'inet mail accounts add')"}`,
    );
  }
  const accountName = named ?? config.mail?.defaultAccount;
  const account = accountName !== undefined ? accounts[accountName] : undefined;
  const accountTarget = account
    ? smtpTarget(account.server, `the server of account ${accountName}`)
    : undefined;
  const serverText = stringOption(args, "server");
  const target = serverText !== undefined ? smtpTarget(serverText, "--server") : accountTarget;
  const accountServer =
    target !== undefined &&
    accountTarget !== undefined &&
    target.host === accountTarget.host &&
    target.port === accountTarget.port;
  return {
    ...(target ? { target, url: formatTarget(target) } : {}),
    ...(accountName !== undefined && account ? { accountName, account } : {}),
    accountServer,
  };
}

/**
 * Parses an SMTP server URL.
 *
 * @throws {InvalidArgumentError} for a bad URL, one without a scheme, or a non-SMTP scheme.
 */
export function smtpTarget(text: string, what: string): Target {
  if (!text.includes("://")) {
    throw new InvalidArgumentError(
      `${what} must be a URL: smtp+starttls://HOST (STARTTLS, port 587), smtps://HOST (TLS, 465) or smtp://HOST (plain, 25)`,
    );
  }
  const target = parseTarget(text);
  if (target.protocol !== "smtp") {
    throw new InvalidArgumentError(
      `${what} is not an SMTP URL: use smtp+starttls://, smtps:// or smtp:// (got ${target.scheme}://)`,
    );
  }
  return target;
}

/** What {@link openSmtp} needs besides the server. */
export interface OpenSmtpOptions {
  context: CommandContext;
  /** `--insecure`: a password may go over a connection without TLS. */
  insecure?: boolean;
  /** Every phase but idle, in ms. */
  timeoutMs?: number;
  /** PEM certificates to trust (from `--ca FILE`). */
  ca?: string | Buffer;
  /** Environment for credentials (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** The connection options from `--insecure`, `--timeout` and `--ca`, with the config's default timeout under them. */
export async function smtpOptionsFrom(
  args: ParsedArgs,
  config: InetConfig,
): Promise<Pick<OpenSmtpOptions, "insecure" | "timeoutMs" | "ca">> {
  const caFile = stringOption(args, "ca");
  return {
    insecure: args.values.insecure === true,
    timeoutMs: parseSeconds(
      stringOption(args, "timeout"),
      "timeout",
      config.defaults.timeoutSeconds ?? DEFAULT_MAIL_TIMEOUT_SECONDS,
    ),
    ...(caFile !== undefined ? { ca: await readFile(caFile) } : {}),
  };
}

/**
 * Connects to the chosen server and logs in when a user name is known.
 *
 * The user name: the URL's, else the account's (for its own server), else `INET_SMTP_USER` /
 * `INET_USER`, else the login of the `~/.netrc` entry for the host. Without one, no AUTH is
 * attempted (a server taking mail for its own domains needs none). The password, first found
 * wins: the URL; the account's stored one (for its own server); `~/.netrc`; `INET_SMTP_PASSWORD`,
 * `INET_PASSWORD`; a prompt when stdin and stderr are terminals.
 *
 * @returns the connected client.
 * @throws {InvalidArgumentError} when no server is known, for a password over plain `smtp://`
 *   without `insecure`, or a user name without any password (and no terminal to ask on); the
 *   client's errors (TlsError, ReplyError for a refused AUTH, TimeoutError, ConnectionClosedError,
 *   ProtocolError) and AbortError on Ctrl-C.
 */
export async function openSmtp(choice: MailServerChoice, options: OpenSmtpOptions): Promise<SmtpClient> {
  const { context } = options;
  const target = choice.target;
  if (target === undefined) {
    throw new InvalidArgumentError(
      "no server to send through: pass --server URL (smtp+starttls://HOST…), or add an account " +
        "with 'inet mail accounts add NAME --from ADDR --server URL --default'",
    );
  }
  const account = choice.accountServer ? choice.account : undefined;
  const user = target.user ?? account?.user;
  const resolved = await resolveCredentials({
    target: user !== undefined ? { ...target, user } : target,
    ...(target.password === undefined && account?.password !== undefined
      ? { password: account.password }
      : {}),
    env: options.env ?? process.env,
  });
  const plain = target.security === "none";
  let password: string | undefined;
  if (resolved.user !== undefined) {
    password = resolved.password;
    const who = `${resolved.user}@${target.host}`;
    if (plain && !options.insecure) {
      throw new InvalidArgumentError(
        `refusing to log in as ${resolved.user} over plain smtp:// (the password would travel in the clear): ` +
          "use smtp+starttls:// (or smtps://), or pass --insecure to send it anyway",
      );
    }
    if (password === undefined && isInteractive(context.io)) {
      password = await promptSecret(context, `Password for ${who}: `);
    }
    if (password === undefined || password === "") {
      throw new InvalidArgumentError(
        `no password for ${who}: put it in ~/.netrc, INET_SMTP_PASSWORD or INET_PASSWORD, or run on a terminal to be asked`,
      );
    }
    if (plain)
      context.out.note(`inet: warning: sending the password for ${resolved.user} in the clear (--insecure)`);
  }
  const connectOptions: SmtpConnectOptions = {
    // Credentials are settled here: the client must not look them up again.
    ...(resolved.user !== undefined && password !== undefined ? { user: resolved.user, password } : {}),
    netrc: false,
    env: {},
    allowInsecureAuth: options.insecure === true,
    signal: context.signal,
    ...(context.out.onTrace ? { onTrace: context.out.onTrace } : {}),
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
    ...(options.ca !== undefined ? { tls: { ca: options.ca } } : {}),
  };
  // The URL without its user name: the user is passed on its own (and a password never is in it).
  return SmtpClient.connect(formatTarget({ ...target, user: undefined, rawPath: "/" }), connectOptions);
}
