/**
 * Formatting parameterized header values (RFC 2045 §5.1, RFC 2183) with RFC 2231 encoding and
 * continuations where a value needs them.
 */
import { InvalidArgumentError } from "../../errors.js";
import { excerpt } from "../../textproto/excerpt.js";
import { isAttributeChar, isToken } from "./scan.js";

/** The longest a `name*N*=piece;` should be so that it fits on a folded line of 78. */
const LINE = 76;

/**
 * Formats `value; name=param; …` as one unfolded line (pass it to {@link foldHeader}): a value
 * made of token characters stays bare, other ASCII values are quoted (`"` and `\` escaped);
 * non-ASCII values use RFC 2231 `name*=utf-8''%XX…`, and values too long for one line use RFC
 * 2231 continuations (`name*0*=…; name*1*=…`, or `name*0="…"` for ASCII), split between
 * characters. No RFC 2047 fallback is added (a second `filename` would be a duplicate).
 *
 * @throws InvalidArgumentError when `value` is not `token` or `token/token`, when a parameter
 *   name is not an RFC 2231 attribute, or when a value contains CR, LF or NUL.
 */
export function formatParameterized(value: string, params: Record<string, string>): string {
  const slash = value.indexOf("/");
  const mainOk =
    slash < 0 ? isToken(value) : isToken(value.slice(0, slash)) && isToken(value.slice(slash + 1));
  if (!mainOk) throw new InvalidArgumentError(`not a MIME value: ${excerpt(value)}`);
  const parts = [value];
  for (const [name, param] of Object.entries(params)) {
    if (name === "" || ![...name].every((ch) => isAttributeChar(ch.charCodeAt(0)))) {
      throw new InvalidArgumentError(`not a MIME parameter name: ${excerpt(name)}`);
    }
    if (/[\r\n\0]/.test(param)) {
      throw new InvalidArgumentError(`parameter ${name} contains CR, LF or NUL: ${excerpt(param)}`);
    }
    parts.push(...formatParameter(name, param));
  }
  return parts.join("; ");
}

function formatParameter(name: string, param: string): string[] {
  const ascii = /^[\x20-\x7e]*$/.test(param);
  if (ascii) {
    // Bare only when every character is an RFC 2231 attribute-char: a bare `*`, `'` or `%` is a
    // valid token but trips parsers (Python's among them).
    const bare = param !== "" && [...param].every((ch) => isAttributeChar(ch.charCodeAt(0)));
    const simple = bare ? param : `"${param.replace(/["\\]/g, "\\$&")}"`;
    if (name.length + 1 + simple.length <= LINE) return [`${name}=${simple}`];
    // Long ASCII: quoted continuations, split where the escapes allow.
    const out: string[] = [];
    let piece = "";
    for (const ch of param) {
      const escaped = ch === '"' || ch === "\\" ? `\\${ch}` : ch;
      const head = `${name}*${out.length}="`;
      if (head.length + piece.length + escaped.length + 1 > LINE && piece !== "") {
        out.push(`${head}${piece}"`);
        piece = "";
      }
      piece += escaped;
    }
    out.push(`${name}*${out.length}="${piece}"`);
    return out;
  }
  // Non-ASCII (or control characters): RFC 2231 extended value in UTF-8.
  const encodedChars: string[] = [];
  for (const ch of param) {
    let e = "";
    for (const b of Buffer.from(ch, "utf8")) {
      e += isAttributeChar(b) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    }
    encodedChars.push(e);
  }
  const whole = `${name}*=utf-8''${encodedChars.join("")}`;
  if (whole.length <= LINE) return [whole];
  const out: string[] = [];
  let piece = "";
  for (const e of encodedChars) {
    const head = out.length === 0 ? `${name}*0*=utf-8''` : `${name}*${out.length}*=`;
    if (head.length + piece.length + e.length > LINE && piece !== "") {
      out.push(`${head}${piece}`);
      piece = "";
    }
    piece += e;
  }
  out.push(`${out.length === 0 ? `${name}*0*=utf-8''` : `${name}*${out.length}*=`}${piece}`);
  return out;
}
