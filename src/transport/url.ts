/**
 * Connection targets: one parser for every scheme inetkit dials.
 *
 * Node's WHATWG `URL` treats `ftp:` as a "special" scheme (lower-cased IDNA host, default port 21
 * dropped, `\` read as `/`) and every other scheme here as "non-special" (opaque, case-preserved,
 * percent-encoded host). This module smooths the two into one {@link Target}: the host is always
 * lower-case ASCII (IDNA applied, brackets removed from IPv6 literals), the port is always a number,
 * and user, password and path are percent-decoded and refused when they hold CR, LF or NUL — the
 * bytes that would let a URL inject a second command on the wire.
 *
 * No message built here ever contains a password: input is echoed only up to its last `@`.
 */
import { domainToASCII } from "node:url";
import { InvalidArgumentError } from "../errors.js";

/** The protocols inetkit speaks. */
export type Protocol = "ftp" | "smtp" | "pop3" | "imap" | "nntp";

/** How TLS is used: not at all, upgraded in-band (STARTTLS / AUTH TLS, required), or from the first byte. */
export type Security = "none" | "starttls" | "implicit";

/** A parsed, validated connection target. */
export interface Target {
  protocol: Protocol;
  /** The scheme as written, lower-cased (`ftpes`, `smtp+starttls`, `news`…). */
  scheme: string;
  security: Security;
  /** Lower-case ASCII host name or IP address; IPv6 literals without brackets. */
  host: string;
  /** 1–65535; the scheme's default port when the URL names none. */
  port: number;
  /** Percent-decoded user name, when the URL has one. */
  user?: string;
  /** Percent-decoded password, when the URL has one. */
  password?: string;
  /** Percent-decoded path, always starting with `/`. */
  path: string;
  /** The path exactly as it appears in the URL (still percent-encoded), always starting with `/`. */
  rawPath: string;
  /** The URL with its password removed (and its host normalized). */
  url: URL;
}

interface SchemeInfo {
  readonly protocol: Protocol;
  readonly security: Security;
  readonly port: number;
}

/** Every scheme accepted, with its protocol, TLS mode and default port (see DESIGN.md). */
export const SCHEMES: Readonly<Record<string, SchemeInfo>> = Object.freeze({
  ftp: { protocol: "ftp", security: "none", port: 21 },
  ftpes: { protocol: "ftp", security: "starttls", port: 21 },
  ftps: { protocol: "ftp", security: "implicit", port: 990 },
  smtp: { protocol: "smtp", security: "none", port: 25 },
  "smtp+starttls": { protocol: "smtp", security: "starttls", port: 587 },
  smtps: { protocol: "smtp", security: "implicit", port: 465 },
  pop3: { protocol: "pop3", security: "none", port: 110 },
  "pop3+starttls": { protocol: "pop3", security: "starttls", port: 110 },
  pop3s: { protocol: "pop3", security: "implicit", port: 995 },
  imap: { protocol: "imap", security: "none", port: 143 },
  "imap+starttls": { protocol: "imap", security: "starttls", port: 143 },
  imaps: { protocol: "imap", security: "implicit", port: 993 },
  nntp: { protocol: "nntp", security: "none", port: 119 },
  news: { protocol: "nntp", security: "none", port: 119 },
  "nntp+starttls": { protocol: "nntp", security: "starttls", port: 119 },
  nntps: { protocol: "nntp", security: "implicit", port: 563 },
});

const KNOWN = Object.keys(SCHEMES).join(", ");
const SCHEME_PREFIX = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const UNSAFE_DECODED = /[\r\n\0]/;

/**
 * Parses a connection target.
 *
 * Accepts `scheme://[user[:password]@]host[:port][/path]` for every scheme in {@link SCHEMES}, IPv6
 * literals in brackets (`imap://[::1]:1143`), and — only when `defaults.protocol` is given — a
 * bare `host` or `host:port` (plain security, that protocol's default port).
 *
 * @returns the normalized {@link Target}; `url` has the password removed.
 * @throws {InvalidArgumentError} for an unknown or missing scheme, a missing or invalid host, a
 *   port outside 1–65535, a malformed percent escape, or CR/LF/NUL in the user, password or path
 *   once decoded. The message names the field and never contains the password.
 */
export function parseTarget(target: string | URL, defaults: { protocol?: Protocol } = {}): Target {
  if (target instanceof URL) return fromUrl(new URL(target.href), target.href);
  if (typeof target !== "string") throw new InvalidArgumentError("target must be a string or a URL");
  // WHATWG URL silently deletes tabs and newlines: refuse them instead of dialing something else.
  if (/[\0-\x1f\x7f]/.test(target)) throw new InvalidArgumentError("target contains a control character");
  const input = target.trim();
  if (input === "") throw new InvalidArgumentError("target is empty");

  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(input)) {
    schemeInfo(input.slice(0, input.indexOf(":")).toLowerCase());
    checkRawPort(input);
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      // No `cause`: Node's TypeError carries the whole input, password included.
      throw new InvalidArgumentError(`invalid URL: ${redactInput(input)}`);
    }
    return fromUrl(url, input);
  }

  const prefix = SCHEME_PREFIX.exec(input)?.[1]?.toLowerCase();
  // `news:119` is the host "news" on port 119; `news:host` is a URL missing its slashes.
  if (prefix !== undefined && Object.hasOwn(SCHEMES, prefix) && !/^[^:]+:\d*$/.test(input)) {
    throw new InvalidArgumentError(`a ${prefix} target must be written ${prefix}://host (with two slashes)`);
  }
  if (defaults.protocol === undefined) {
    throw new InvalidArgumentError(
      `target has no scheme: write scheme://host, where scheme is one of ${KNOWN}`,
    );
  }
  return parseBare(input, defaults.protocol);
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` — nothing else (no user, no path). */
function parseBare(input: string, protocol: Protocol): Target {
  const match = /^(?:(\[[^\]]*\])|([^:/?#@[\]\s\\]+))(?::([^:/?#@[\]\s\\]*))?$/.exec(input);
  if (match === null) {
    const hint = input.split(":").length > 2 ? " (write IPv6 addresses in brackets: [::1]:port)" : "";
    throw new InvalidArgumentError(`invalid host or host:port (user names and paths need scheme://)${hint}`);
  }
  if (match[3] !== undefined) parsePort(match[3]);
  const hostPart = match[1] ?? match[2]!;
  return parseTarget(`${protocol}://${hostPart}${match[3] ? `:${match[3]}` : ""}`);
}

function fromUrl(url: URL, input: string): Target {
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  const info = schemeInfo(scheme);
  // `ftp:h` and `ftp:///h` parse as special-scheme URLs with a host; insist on the authority form.
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]/.test(input)) {
    throw new InvalidArgumentError(`${scheme} target has no host: write ${scheme}://host`);
  }

  const host = normalizeHost(url.hostname, scheme);
  const port = url.port === "" ? info.port : parsePort(url.port);
  const user = url.username === "" ? undefined : decodeField(url.username, "user name");
  const password = url.password === "" ? undefined : decodeField(url.password, "password");
  const rawPath = url.pathname.startsWith("/") ? url.pathname : `/${url.pathname}`;
  const path = decodeField(rawPath, "path");

  const clean = new URL(url.href);
  clean.password = "";
  clean.hostname = host.includes(":") ? `[${host}]` : host;

  const result: Target = {
    protocol: info.protocol,
    scheme,
    security: info.security,
    host,
    port,
    path,
    rawPath,
    url: clean,
  };
  if (user !== undefined) result.user = user;
  if (password !== undefined) result.password = password;
  return result;
}

function schemeInfo(scheme: string): SchemeInfo {
  // hasOwn: `constructor://` must not find Object.prototype's members.
  const info = Object.hasOwn(SCHEMES, scheme) ? SCHEMES[scheme] : undefined;
  if (info === undefined)
    throw new InvalidArgumentError(`unknown scheme "${scheme}:" (known schemes: ${KNOWN})`);
  return info;
}

/** Lower-case ASCII for both special (already IDNA'd) and opaque (percent-encoded, as typed) hosts. */
function normalizeHost(hostname: string, scheme: string): string {
  if (hostname === "") throw new InvalidArgumentError(`${scheme} target has no host`);
  if (hostname.startsWith("[")) return hostname.slice(1, -1).toLowerCase();
  const decoded = decodeField(hostname, "host");
  // domainToASCII applies the same host rules as a special scheme: IDNA, lower case, IPv4 forms.
  const ascii = domainToASCII(decoded);
  if (ascii === "" || ascii.startsWith("[")) {
    throw new InvalidArgumentError(`${scheme} target has an invalid host: ${JSON.stringify(decoded)}`);
  }
  return ascii;
}

/** Validates the port in the authority of a raw URL string, for a better message than "Invalid URL". */
function checkRawPort(input: string): void {
  const rest = input.slice(input.indexOf("://") + 3);
  const authority = rest.split(/[/?#\\]/, 1)[0] ?? "";
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  const afterHost = hostPort.startsWith("[") ? hostPort.slice(hostPort.indexOf("]") + 1) : hostPort;
  const colon = afterHost.indexOf(":");
  if (colon >= 0 && afterHost.slice(colon + 1) !== "") parsePort(afterHost.slice(colon + 1));
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text))
    throw new InvalidArgumentError("invalid port: it must be a number from 1 to 65535");
  const port = Number(text);
  if (port < 1 || port > 65535) throw new InvalidArgumentError(`port ${port} is out of range 1-65535`);
  return port;
}

/**
 * Percent-decodes one URL field as UTF-8.
 *
 * @throws {InvalidArgumentError} naming `field` (never its value) for a malformed escape, bytes
 *   that are not UTF-8, or CR/LF/NUL after decoding.
 */
export function decodeField(raw: string, field: string): string {
  if (/%(?![0-9A-Fa-f]{2})/.test(raw))
    throw new InvalidArgumentError(`malformed percent escape in the ${field}`);
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new InvalidArgumentError(`the ${field} is not valid UTF-8 once percent-decoded`);
  }
  if (UNSAFE_DECODED.test(decoded)) throw new InvalidArgumentError(`the ${field} contains CR, LF or NUL`);
  return decoded;
}

/** Echoes input only after its last `@`, so no password (always before an `@`) can appear. */
function redactInput(input: string): string {
  const at = input.lastIndexOf("@");
  if (at < 0) return JSON.stringify(input);
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(input)?.[0] ?? "";
  return JSON.stringify(`${scheme}…@${input.slice(at + 1)}`);
}

/**
 * Formats a target as a URL for messages and logs: `scheme://user@host[:port]/path`. The password
 * is never included, whatever the target holds; the port is shown when it is not the scheme's
 * default.
 *
 * @returns the URL text. Throws nothing.
 */
export function formatTarget(target: Target, _options: { withPassword?: false } = {}): string {
  const user = target.user === undefined ? "" : `${encodeURIComponent(target.user)}@`;
  const defaultPort = Object.hasOwn(SCHEMES, target.scheme) ? SCHEMES[target.scheme]?.port : undefined;
  const host = target.host.includes(":") ? `[${target.host}]` : target.host;
  const port = target.port === defaultPort ? "" : `:${target.port}`;
  const path = target.rawPath === "/" ? "" : target.rawPath;
  return `${target.scheme}://${user}${host}${port}${path}`;
}

/**
 * `host:port`, with IPv6 literals in brackets (`[::1]:2121`), for messages and error context.
 *
 * @returns the label. Throws nothing.
 */
export function describeHost(host: string, port: number): string {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return bare.includes(":") ? `[${bare}]:${port}` : `${bare}:${port}`;
}
