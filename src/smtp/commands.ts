/**
 * SMTP command lines as pure formatters: every argument is validated here, before the transport's
 * `writeLine` (which refuses CR/LF/NUL once more) sees it. ESMTP parameters follow RFC 5321
 * §4.1.2 (`esmtp-keyword`, `esmtp-value`); DSN values are xtext (RFC 3461 §4) and, for UTF-8
 * original recipients, utf-8-addr-xtext (RFC 6533 §3).
 */

import { isIPv4, isIPv6 } from "node:net";
import { hostname } from "node:os";
import { InvalidArgumentError } from "../errors.js";
import type { CommandPart } from "../textproto/write-line.js";
import type { DsnOptions } from "./types.js";

/** `esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")`. */
const ESMTP_KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
/** `esmtp-value = 1*(%d33-60 / %d62-126)`: printable ASCII but `=`, no space. */
const ESMTP_VALUE = /^[\x21-\x3c\x3e-\x7e]+$/;
/** A host-name label (RFC 5321 §4.1.2 `sub-domain`, RFC 1123). */
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** One ESMTP parameter: `KEYWORD` or `KEYWORD=value`. */
export interface EsmtpParam {
  keyword: string;
  value?: string;
}

/**
 * Formats ESMTP parameters. Throws {@link InvalidArgumentError} for a keyword or value outside
 * RFC 5321 §4.1.2 (a value with a space, `=`, a control or a non-ASCII character).
 */
export function formatParams(params: readonly EsmtpParam[]): string[] {
  return params.map(({ keyword, value }) => {
    if (!ESMTP_KEYWORD.test(keyword)) {
      throw new InvalidArgumentError(`invalid ESMTP parameter keyword ${JSON.stringify(keyword)}`);
    }
    if (value === undefined) return keyword;
    if (!ESMTP_VALUE.test(value)) {
      throw new InvalidArgumentError(`invalid value for the ESMTP parameter ${keyword}`);
    }
    return `${keyword}=${value}`;
  });
}

/**
 * `MAIL FROM:<address> params` (RFC 5321 §4.1.1.2); `""` is the null reverse-path `<>`. The
 * address must already be a valid envelope address (see envelope.ts).
 */
export function mailFromCommand(address: string, params: readonly EsmtpParam[] = []): CommandPart[] {
  return ["MAIL", `FROM:<${pathText(address, "sender")}>`, ...formatParams(params)];
}

/** `RCPT TO:<address> params` (RFC 5321 §4.1.1.3). */
export function rcptToCommand(address: string, params: readonly EsmtpParam[] = []): CommandPart[] {
  if (address === "") throw new InvalidArgumentError("a recipient address cannot be empty");
  return ["RCPT", `TO:<${pathText(address, "recipient")}>`, ...formatParams(params)];
}

/** Last line of defence: a path never holds a space, angle bracket or control character. */
function pathText(address: string, what: string): string {
  if (/[\s<>\x00-\x1f\x7f]/.test(address)) {
    throw new InvalidArgumentError(`the ${what} address contains a character a path cannot hold`);
  }
  return address;
}

/**
 * xtext (RFC 3461 §4): printable ASCII other than `+` and `=` as is, every other byte as `+HH`.
 * Throws {@link InvalidArgumentError} for a non-ASCII character (xtext carries ASCII text here).
 */
export function xtext(value: string): string {
  let out = "";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code > 0x7f) throw new InvalidArgumentError("xtext values must be ASCII");
    out +=
      code >= 0x21 && code <= 0x7e && ch !== "+" && ch !== "="
        ? ch
        : `+${code.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * utf-8-addr-xtext (RFC 6533 §3): printable ASCII but `+`, `=` and `\` as is, every other
 * character as `\x{HEX}` (upper-case hex, no leading zeros, at least two digits).
 */
export function utf8AddrXtext(value: string): string {
  let out = "";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    const plain = code >= 0x21 && code <= 0x7e && ch !== "+" && ch !== "=" && ch !== "\\";
    out += plain ? ch : `\\x{${code.toString(16).toUpperCase().padStart(2, "0")}}`;
  }
  return out;
}

const NOTIFY_WORDS = new Set(["SUCCESS", "FAILURE", "DELAY"]);

/** Checks DSN options once, whatever the server offers. Throws {@link InvalidArgumentError}. */
export function checkDsn(dsn: DsnOptions | undefined): void {
  if (dsn === undefined) return;
  if (dsn.notify !== undefined && dsn.notify !== "NEVER") {
    if (!Array.isArray(dsn.notify) || dsn.notify.length === 0) {
      throw new InvalidArgumentError(
        'dsn.notify must be "NEVER" or a non-empty list of SUCCESS, FAILURE, DELAY',
      );
    }
    for (const word of dsn.notify) {
      if (!NOTIFY_WORDS.has(word))
        throw new InvalidArgumentError(`unknown dsn.notify value ${JSON.stringify(word)}`);
    }
  }
  if (dsn.ret !== undefined && dsn.ret !== "FULL" && dsn.ret !== "HDRS") {
    throw new InvalidArgumentError('dsn.ret must be "FULL" or "HDRS"');
  }
  if (dsn.envid !== undefined) {
    // RFC 3461 §4.4: printable ASCII, at most 100 characters.
    if (typeof dsn.envid !== "string" || !/^[\x20-\x7e]{1,100}$/.test(dsn.envid)) {
      throw new InvalidArgumentError("dsn.envid must be 1 to 100 printable ASCII characters");
    }
  }
}

/** The MAIL FROM parameters of a DSN request (RET, ENVID). */
export function dsnMailParams(dsn: DsnOptions | undefined): EsmtpParam[] {
  const params: EsmtpParam[] = [];
  if (dsn?.ret !== undefined) params.push({ keyword: "RET", value: dsn.ret });
  if (dsn?.envid !== undefined) params.push({ keyword: "ENVID", value: xtext(dsn.envid) });
  return params;
}

/** The RCPT TO parameters of a DSN request for one recipient (NOTIFY, ORCPT). */
export function dsnRcptParams(dsn: DsnOptions | undefined, recipient: string): EsmtpParam[] {
  const params: EsmtpParam[] = [];
  if (dsn?.notify !== undefined) {
    params.push({
      keyword: "NOTIFY",
      value: dsn.notify === "NEVER" ? "NEVER" : [...new Set(dsn.notify)].join(","),
    });
  }
  const original =
    dsn?.orcpt === undefined
      ? undefined
      : dsn.orcpt === true
        ? recipient
        : typeof dsn.orcpt === "string"
          ? dsn.orcpt
          : Object.hasOwn(dsn.orcpt, recipient)
            ? dsn.orcpt[recipient]
            : undefined;
  if (original !== undefined) params.push({ keyword: "ORCPT", value: orcptValue(original) });
  return params;
}

/** `rfc822;xtext` for an ASCII address, `utf-8;utf-8-addr-xtext` otherwise (RFC 3461 §4.2, RFC 6533 §3). */
export function orcptValue(address: string): string {
  if (typeof address !== "string" || address === "" || /[\x00-\x1f\x7f]/.test(address)) {
    throw new InvalidArgumentError("dsn.orcpt must be a non-empty address without control characters");
  }
  return /^[\x00-\x7f]*$/.test(address) ? `rfc822;${xtext(address)}` : `utf-8;${utf8AddrXtext(address)}`;
}

/**
 * Checks the name said in EHLO/HELO/LHLO: a domain (host-name labels, at most 255 octets) or an
 * address literal (`[192.0.2.1]`, `[IPv6:2001:db8::1]`), RFC 5321 §4.1.1.1, §4.1.3.
 * Throws {@link InvalidArgumentError}.
 */
export function checkHeloName(name: string): string {
  if (typeof name !== "string" || name === "" || name.length > 255) {
    throw new InvalidArgumentError("the EHLO name must be a domain or an address literal of 1 to 255 octets");
  }
  if (name.startsWith("[") && name.endsWith("]")) {
    const inner = name.slice(1, -1);
    if (isIPv4(inner) || (/^IPv6:/i.test(inner) && isIPv6(inner.slice(5)))) return name;
    throw new InvalidArgumentError(`invalid address literal in the EHLO name: ${JSON.stringify(name)}`);
  }
  const labels = name.endsWith(".") ? name.slice(0, -1).split(".") : name.split(".");
  if (!labels.every((label) => LABEL.test(label))) {
    throw new InvalidArgumentError(`invalid EHLO name: ${JSON.stringify(name)}`);
  }
  return name;
}

/**
 * The default EHLO name: this machine's host name when it is a dotted, valid domain, else the
 * local address as an address literal (RFC 5321 §4.1.4 asks for an FQDN or, failing one, a literal).
 */
export function defaultHeloName(localAddress: string | undefined): string {
  const host = hostname();
  if (host.includes(".")) {
    try {
      return checkHeloName(host);
    } catch {
      // Fall through to the address literal.
    }
  }
  let address = localAddress ?? "127.0.0.1";
  if (address.startsWith("::ffff:") && isIPv4(address.slice(7))) address = address.slice(7);
  if (isIPv4(address)) return `[${address}]`;
  if (isIPv6(address)) return `[IPv6:${address.split("%")[0]}]`;
  return "[127.0.0.1]";
}

/**
 * Checks the argument of VRFY (RFC 5321 §4.1.1.6: a user name or mailbox): printable text, no
 * control characters, at most 512 octets. Throws {@link InvalidArgumentError}.
 */
export function checkVrfyArgument(value: string): string {
  if (typeof value !== "string" || value.trim() === "" || Buffer.byteLength(value) > 512) {
    throw new InvalidArgumentError("VRFY needs a user name or address of 1 to 512 octets");
  }
  if (/[\x00-\x1f\x7f]/.test(value)) {
    throw new InvalidArgumentError("the VRFY argument contains a control character");
  }
  return value;
}
