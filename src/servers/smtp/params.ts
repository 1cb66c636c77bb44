/**
 * Reading the arguments of MAIL and RCPT (RFC 5321 §4.1.2, §3.3) and their ESMTP parameters:
 * SIZE (RFC 1870), BODY (RFC 6152, RFC 3030), SMTPUTF8 (RFC 6531), RET/ENVID/NOTIFY/ORCPT
 * (RFC 3461 DSN), AUTH (RFC 4954 §5). Pure: text in, a value or the reply that refuses it out.
 */
import { R, type Reply } from "./replies.js";

/** `FROM:<path> params` or `TO:<path> params`, taken apart. */
export interface PathArgument {
  /** The address between the brackets, source route dropped; `""` for the null path `<>`. */
  address: string;
  /** Parameters by upper-case keyword; `undefined` value for a keyword without `=`. */
  params: Map<string, string | undefined>;
}

/** What MAIL FROM's parameters say. */
export interface MailParameters {
  size?: number;
  body?: "7BIT" | "8BITMIME" | "BINARYMIME";
  smtputf8: boolean;
  ret?: "FULL" | "HDRS";
  envid?: string;
  /** RFC 4954 §5 `AUTH=`: the submitter the client claims (xtext-decoded), `<>` when unknown. */
  auth?: string;
}

/** What RCPT TO's parameters say. */
export interface RcptParameters {
  /** `["NEVER"]`, or some of SUCCESS, FAILURE, DELAY. */
  notify?: string[];
  /** `ORCPT=type;address`: the original recipient. */
  orcpt?: { type: string; address: string };
}

/** Either the value, or the reply refusing the command. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reply: Reply };

const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
// esmtp-value: any printable ASCII but "=" and space (RFC 5321 §4.1.2), UTF-8 too (RFC 6531 §3.3).
const VALUE = /^[\x21-\x3c\x3e-\x7e\u0080-\u{10ffff}]+$/u;
const XTEXT = /^(?:[\x21-\x2a\x2c-\x3c\x3e-\x7e]|\+[0-9A-F]{2})*$/;
const MAX_SIZE_DIGITS = 20;
const MAX_ENVID = 100;
const MAX_ORCPT = 500;

const fail = <T>(reply: Reply): Parsed<T> => ({ ok: false, reply });

/**
 * Splits `FROM:<a@b> SIZE=10 BODY=8BITMIME` (the keyword is `FROM` or `TO`, any case). A space
 * after the colon is tolerated (common, though RFC 5321 has none); the brackets are required.
 * A quoted local part may hold `>`. Source routes (`<@a,@b:user@c>`) are read and dropped
 * (RFC 5321 §4.1.2 asks servers to accept them and C.1 to ignore them).
 */
export function parsePathArgument(argument: string, keyword: "FROM" | "TO"): Parsed<PathArgument> {
  const usage = keyword === "FROM" ? "MAIL FROM:<address> [parameters]" : "RCPT TO:<address> [parameters]";
  const head = `${keyword}:`;
  if (argument.slice(0, head.length).toUpperCase() !== head) return fail(R.syntax(usage));
  let rest = argument.slice(head.length).replace(/^ +/, "");
  if (!rest.startsWith("<")) return fail(R.syntax(usage));
  const close = closingBracket(rest);
  if (close < 0) return fail(R.syntax(usage));
  let address = rest.slice(1, close);
  rest = rest.slice(close + 1);
  if (address.startsWith("@")) {
    const colon = address.indexOf(":");
    if (colon < 0 || !/^@[^,:@\s]+(?:,@[^,:@\s]+)*$/.test(address.slice(0, colon))) {
      return fail(R.syntax(usage));
    }
    address = address.slice(colon + 1);
  }
  if (rest !== "" && !rest.startsWith(" ")) return fail(R.syntax(usage));
  const params = new Map<string, string | undefined>();
  for (const item of rest.split(" ")) {
    if (item === "") continue;
    const equals = item.indexOf("=");
    const name = equals < 0 ? item : item.slice(0, equals);
    const value = equals < 0 ? undefined : item.slice(equals + 1);
    if (!KEYWORD.test(name) || (value !== undefined && !VALUE.test(value))) {
      return fail(R.badParameter(`Bad parameter syntax: ${name.slice(0, 40)}`));
    }
    const upper = name.toUpperCase();
    if (params.has(upper)) return fail(R.badParameter(`Parameter ${upper} given twice`));
    params.set(upper, value);
  }
  return { ok: true, value: { address, params } };
}

/** Index of the `>` that closes the path opened at index 0, skipping quoted strings; -1 if none. */
function closingBracket(text: string): number {
  let quoted = false;
  for (let index = 1; index < text.length; index += 1) {
    const char = text[index];
    if (quoted) {
      if (char === "\\") index += 1;
      else if (char === '"') quoted = false;
    } else if (char === '"') {
      quoted = true;
    } else if (char === ">") {
      return index;
    } else if (char === "<") {
      return -1;
    }
  }
  return -1;
}

/** True for RFC 3461 §4 xtext. */
export function isXtext(value: string): boolean {
  return XTEXT.test(value);
}

/** Decodes xtext (`+2B` → `+`). The caller checked it with {@link isXtext}. */
export function decodeXtext(value: string): string {
  return value.replace(/\+([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/**
 * Checks MAIL FROM's parameters. `extended` is false after HELO (no parameter is allowed then).
 * Unknown keywords get 555 (RFC 5321 §4.1.1.11); bad values 501.
 */
export function readMailParameters(
  params: ReadonlyMap<string, string | undefined>,
  extended: boolean,
): Parsed<MailParameters> {
  const out: MailParameters = { smtputf8: false };
  if (params.size > 0 && !extended) return fail(R.unknownParameter);
  for (const [name, value] of params) {
    switch (name) {
      case "SIZE":
        if (value === undefined || !/^\d+$/.test(value) || value.length > MAX_SIZE_DIGITS) {
          return fail(R.badParameter("SIZE needs a number of octets"));
        }
        out.size = Number(value);
        break;
      case "BODY": {
        const body = value?.toUpperCase();
        if (body !== "7BIT" && body !== "8BITMIME" && body !== "BINARYMIME") {
          return fail(R.badParameter("BODY must be 7BIT, 8BITMIME or BINARYMIME"));
        }
        out.body = body;
        break;
      }
      case "SMTPUTF8":
        if (value !== undefined) return fail(R.badParameter("SMTPUTF8 takes no value"));
        out.smtputf8 = true;
        break;
      case "RET": {
        const ret = value?.toUpperCase();
        if (ret !== "FULL" && ret !== "HDRS") return fail(R.badParameter("RET must be FULL or HDRS"));
        out.ret = ret;
        break;
      }
      case "ENVID":
        if (value === undefined || value === "" || !isXtext(value) || decodeXtext(value).length > MAX_ENVID) {
          return fail(R.badParameter("ENVID must be xtext of at most 100 characters"));
        }
        out.envid = decodeXtext(value);
        break;
      case "AUTH":
        if (value === undefined || (value !== "<>" && !isXtext(value))) {
          return fail(R.badParameter("AUTH= must be <> or xtext"));
        }
        out.auth = value === "<>" ? value : decodeXtext(value);
        break;
      default:
        return fail(R.unknownParameter);
    }
  }
  return { ok: true, value: out };
}

/** Checks RCPT TO's parameters (DSN's NOTIFY and ORCPT, RFC 3461 §4.1, §4.2). */
export function readRcptParameters(
  params: ReadonlyMap<string, string | undefined>,
  extended: boolean,
): Parsed<RcptParameters> {
  const out: RcptParameters = {};
  if (params.size > 0 && !extended) return fail(R.unknownParameter);
  for (const [name, value] of params) {
    switch (name) {
      case "NOTIFY": {
        const items = value?.toUpperCase().split(",") ?? [];
        const known = items.every((item) => ["SUCCESS", "FAILURE", "DELAY"].includes(item));
        const never = items.length === 1 && items[0] === "NEVER";
        if (items.length === 0 || (!never && !known) || new Set(items).size !== items.length) {
          return fail(R.badParameter("NOTIFY must be NEVER, or SUCCESS, FAILURE and DELAY joined by commas"));
        }
        out.notify = items;
        break;
      }
      case "ORCPT": {
        const semicolon = value?.indexOf(";") ?? -1;
        const type = value?.slice(0, semicolon) ?? "";
        const address = value?.slice(semicolon + 1) ?? "";
        const utf8 = type.toLowerCase() === "utf-8";
        const valid =
          value !== undefined &&
          value.length <= MAX_ORCPT &&
          semicolon > 0 &&
          /^[A-Za-z0-9-]+$/.test(type) &&
          address !== "" &&
          (utf8 ? !/[\s\0-\x1f\x7f]/.test(address) : isXtext(address));
        if (!valid) return fail(R.badParameter("ORCPT must be addr-type;xtext"));
        out.orcpt = { type, address: utf8 ? address : decodeXtext(address) };
        break;
      }
      default:
        return fail(R.unknownParameter);
    }
  }
  return { ok: true, value: out };
}
