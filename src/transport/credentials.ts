/**
 * One credential policy for every protocol: where a user name and password come from, and when a
 * password may be sent at all.
 *
 * Order (first that yields a password wins):
 * 1. `options.user` / `options.password` — explicit options override the URL;
 * 2. the URL's `user:password@`;
 * 3. `~/.netrc` (or `$NETRC`, or `netrcPath`), bound to the exact host name;
 * 4. environment variables — see {@link resolveCredentials} for the names.
 */
import { InvalidArgumentError, TlsError } from "../errors.js";
import { defaultNetrcPath, findNetrcEntry, readNetrc } from "./netrc.js";
import type { Protocol, Target } from "./url.js";

/** Where the resolved password (or, with no password, the user name) came from. */
export type CredentialSource = "url" | "options" | "netrc" | "env" | "none";

export interface ResolvedCredentials {
  user?: string;
  password?: string;
  source: CredentialSource;
}

export interface ResolveCredentialsOptions {
  target: Target;
  /** Overrides the URL's user name. */
  user?: string;
  /** Overrides the URL's password. */
  password?: string;
  /** The environment to read `INET_*` and `NETRC` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The netrc file to read (default `$NETRC`, else `~/.netrc`). */
  netrcPath?: string;
  /** Whether to consult netrc at all (default true). */
  useNetrc?: boolean;
  /** Whether netrc's `default` entry may supply credentials for a host it does not name (default false). */
  allowDefaultNetrc?: boolean;
}

/**
 * Resolves the user name and password for a target.
 *
 * 1. `options.password` (source `"options"`); `options.user` replaces the URL's user name, and the
 *    URL's password is then used only if the user name is unchanged.
 * 2. The URL's password (source `"url"`).
 * 3. netrc (source `"netrc"`): the first entry for exactly `target.host` whose `login` is the user
 *    name (or any login when there is no user name yet — its login then becomes the user name).
 *    A netrc file others can read is refused, not skipped.
 * 4. The environment (source `"env"`), for the password:
 *    `INET_<PROTOCOL>_PASSWORD` (`INET_FTP_PASSWORD`, `INET_SMTP_PASSWORD`, `INET_POP3_PASSWORD`,
 *    `INET_IMAP_PASSWORD`, `INET_NNTP_PASSWORD`), then `INET_PASSWORD`; and, only when no user name
 *    came from anywhere else, `INET_<PROTOCOL>_USER` then `INET_USER`. Empty variables are unset.
 *
 * `source` names where the password came from; with no password, where the user name came from;
 * `"none"` when neither was found.
 *
 * @returns the credentials (either field may be absent).
 * @throws {InvalidArgumentError} when a resolved user name or password contains CR, LF or NUL
 *   (naming the source, never the value), or when the netrc file is refused by {@link readNetrc}.
 */
export async function resolveCredentials(options: ResolveCredentialsOptions): Promise<ResolvedCredentials> {
  const { target, env = process.env, useNetrc = true, allowDefaultNetrc = false } = options;
  let user: string | undefined;
  let userSource: CredentialSource = "none";
  if (options.user !== undefined) [user, userSource] = [options.user, "options"];
  else if (target.user !== undefined) [user, userSource] = [target.user, "url"];

  const done = (password: string | undefined, source: CredentialSource): ResolvedCredentials => {
    if (user === undefined) {
      const envUser = variable(env, target.protocol, "USER");
      if (envUser !== undefined) [user, userSource] = [envUser, "env"];
    }
    const result: ResolvedCredentials = { source: password !== undefined ? source : userSource };
    if (user !== undefined) result.user = checked(user, "user name", result.source);
    if (password !== undefined) result.password = checked(password, "password", source);
    return result;
  };

  if (options.password !== undefined) return done(options.password, "options");
  if (target.password !== undefined && (options.user === undefined || options.user === target.user)) {
    return done(target.password, "url");
  }

  if (useNetrc) {
    const entries = await readNetrc(options.netrcPath ?? defaultNetrcPath(env));
    const entry = findNetrcEntry(entries, target.host, user, { allowDefault: allowDefaultNetrc });
    if (entry !== undefined) {
      if (user === undefined && entry.login !== undefined) [user, userSource] = [entry.login, "netrc"];
      if (entry.password !== undefined) return done(entry.password, "netrc");
    }
  }

  return done(variable(env, target.protocol, "PASSWORD"), "env");
}

function variable(env: NodeJS.ProcessEnv, protocol: Protocol, kind: "USER" | "PASSWORD"): string | undefined {
  for (const name of [`INET_${protocol.toUpperCase()}_${kind}`, `INET_${kind}`]) {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

function checked(value: string, field: string, source: CredentialSource): string {
  if (/[\r\n\0]/.test(value)) {
    throw new InvalidArgumentError(`the ${field} (from ${source}) contains CR, LF or NUL`);
  }
  return value;
}

const TLS_SCHEMES: Readonly<Record<Protocol, string>> = {
  ftp: "ftpes:// or ftps://",
  smtp: "smtps:// or smtp+starttls://",
  pop3: "pop3s:// or pop3+starttls://",
  imap: "imaps:// or imap+starttls://",
  nntp: "nntps:// or nntp+starttls://",
};

/**
 * The one gate every client passes before sending a password (or any SASL secret): refuses when
 * the connection is not protected by TLS, unless the caller opted in with `allowInsecureAuth: true`.
 *
 * @throws {TlsError} with reason `insecure-auth`; the message names the host and the two fixes
 *   (a TLS scheme, or `allowInsecureAuth: true`) and never contains the password.
 */
export function assertPasswordMaySend(options: {
  secure: boolean;
  allowInsecureAuth?: boolean;
  host: string;
  protocol: Protocol;
}): void {
  if (options.secure || options.allowInsecureAuth === true) return;
  throw new TlsError(
    "insecure-auth",
    `refusing to send a ${options.protocol.toUpperCase()} password over a connection without TLS: ` +
      `use a TLS scheme (${TLS_SCHEMES[options.protocol]}), ` +
      "or pass allowInsecureAuth: true to send it in the clear anyway",
    { host: options.host },
  );
}
