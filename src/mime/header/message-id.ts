/**
 * Message identifiers: `Message-ID`, `In-Reply-To` and `References` (RFC 5322 §3.6.4).
 */
import { randomBytes } from "node:crypto";
import { domainToASCII } from "node:url";
import { InvalidArgumentError } from "../../errors.js";
import { excerpt } from "../../textproto/excerpt.js";
import { readComment, readQuoted } from "./scan.js";

/** The domain used by {@link generateMessageId} when none is given (RFC 2606 reserves `.invalid`). */
export const DEFAULT_MESSAGE_ID_DOMAIN = "inetkit.invalid";

/**
 * The message ids of a `Message-ID`, `In-Reply-To` or `References` value, in order, without
 * their angle brackets (`<a@b> <c@d>` → `["a@b", "c@d"]`). Tolerant of what real mailers send:
 * ids glued together or separated by commas; whitespace folded inside an id (removed); comments
 * and quoted text around them (`<a@b> (Alice's message of …)`, skipped); a missing `>` (the id
 * ends at whitespace, a comma or the next `<`); ids without brackets (a bare word holding an `@`
 * outside brackets, comments and quotes). Empty ids (`<>`) are skipped; duplicates are kept.
 * Never throws; linear time.
 */
export function parseMessageIds(value: string): string[] {
  const ids: string[] = [];
  let i = 0;
  while (i < value.length) {
    const c = value[i]!;
    if (c === "<") {
      let k = i + 1;
      let id = "";
      let from = k;
      for (; k < value.length; k++) {
        const d = value[k]!;
        if (d === ">" || d === "<") break;
        if (d === " " || d === "\t" || d === "\r" || d === "\n") {
          // Whitespace folded inside an id is dropped, unless the bracket is never closed: then
          // the id ends here.
          const next = continuesId(value, k);
          if (next < 0) break;
          id += value.slice(from, k);
          from = next;
          k = next - 1;
        }
      }
      id += value.slice(from, k);
      if (id !== "") ids.push(id);
      i = value[k] === ">" ? k + 1 : k;
    } else if (c === "(") {
      i = readComment(value, i);
    } else if (c === '"') {
      i = readQuoted(value, i).end;
    } else if (c === " " || c === "\t" || c === "\r" || c === "\n" || c === ",") {
      i++;
    } else {
      // A bare word: an id without brackets when it holds an "@".
      let k = i;
      while (k < value.length && !' \t\r\n,<("'.includes(value[k]!)) k++;
      const word = value.slice(i, k);
      if (word.includes("@") && !word.startsWith("@") && !word.endsWith("@"))
        ids.push(word.replace(/>$/, ""));
      i = k;
    }
  }
  return ids;
}

/**
 * At whitespace `k` inside `<…`: when the next word ends the id with `>`, the index where that
 * word starts (the whitespace was folded into the id); else -1.
 */
function continuesId(value: string, k: number): number {
  let m = k;
  while (m < value.length && " \t\r\n".includes(value[m]!)) m++;
  let n = m;
  while (n < value.length && !" \t\r\n<>".includes(value[n]!)) n++;
  return n > m && value[n] === ">" ? m : -1;
}

/**
 * A new, globally unique message id, with its angle brackets: `<time.random@domain>` where
 * `time` is the current time in base 36 and `random` 16 bytes from the system CSPRNG
 * (base64url). The domain defaults to {@link DEFAULT_MESSAGE_ID_DOMAIN}; no host name is looked
 * up (it would leak the machine's name); pass your own domain (e.g. the sender's) to use it.
 * A Unicode domain is converted to its ASCII (punycode) form.
 *
 * @throws InvalidArgumentError when `domain` is not a plausible domain (empty, whitespace,
 *   control characters, `<`, `>`, `@`, or one that IDNA rejects).
 */
export function generateMessageId(domain: string = DEFAULT_MESSAGE_ID_DOMAIN): string {
  let ascii = domain;
  if (!/^[\x21-\x7e]+$/.test(domain)) {
    ascii = /[\s\0-\x1f\x7f]/.test(domain) ? "" : domainToASCII(domain);
  }
  if (ascii === "" || /[<>@\s()[\]\\",;]/.test(ascii)) {
    throw new InvalidArgumentError(`not a domain for a message id: ${excerpt(domain)}`);
  }
  return `<${Date.now().toString(36)}.${randomBytes(16).toString("base64url")}@${ascii}>`;
}
