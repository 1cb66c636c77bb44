/**
 * The EHLO reply (RFC 5321 §4.1.1.1): the server's domain on the first line, then one service
 * extension per line, `KEYWORD [params]`. Pure: no I/O.
 */

/** A parsed EHLO (or LHLO) reply. */
export interface EhloInfo {
  /** The first line: the server's domain and greeting text. */
  domain: string;
  /** Keyword (upper case) → its parameters as sent (`""` when none). Later duplicates are ignored. */
  extensions: Map<string, string>;
}

/** `ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")` (RFC 5321 §4.1.1.1). */
const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

/**
 * Reads the lines of a 250 EHLO reply. Lines whose keyword is not well-formed are skipped (a
 * server's junk must not become a capability). The pre-standard `AUTH=PLAIN LOGIN` form is read
 * as `AUTH`, merged with a proper `AUTH` line if both are present.
 */
export function parseEhloReply(lines: readonly string[]): EhloInfo {
  const extensions = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const trimmed = line.trim();
    if (trimmed === "") continue;
    const space = trimmed.search(/\s/);
    let keyword = (space < 0 ? trimmed : trimmed.slice(0, space)).toUpperCase();
    let params = space < 0 ? "" : trimmed.slice(space + 1).trim();
    if (keyword.startsWith("AUTH=")) {
      params = `${keyword.slice(5)} ${params}`.trim();
      keyword = "AUTH";
    }
    if (!KEYWORD.test(keyword)) continue;
    if (keyword === "AUTH" && extensions.has("AUTH")) {
      const merged = new Set([...splitWords(extensions.get("AUTH")!), ...splitWords(params)]);
      extensions.set("AUTH", [...merged].join(" "));
      continue;
    }
    if (!extensions.has(keyword)) extensions.set(keyword, params);
  }
  return { domain: lines[0] ?? "", extensions };
}

function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((word) => word !== "");
}

/**
 * The SIZE limit (RFC 1870 §4): a positive number of octets, or `undefined` when the server gave
 * none, gave 0 ("no fixed limit"), or gave something that is not a number.
 */
export function sizeLimit(extensions: ReadonlyMap<string, string>): number | undefined {
  const value = extensions.get("SIZE");
  if (value === undefined || !/^\d{1,15}$/.test(value.trim())) return undefined;
  const limit = Number(value.trim());
  return limit > 0 ? limit : undefined;
}

/** The SASL mechanisms the server offers (upper case), from AUTH. */
export function authMechanisms(extensions: ReadonlyMap<string, string>): string[] {
  return splitWords(extensions.get("AUTH") ?? "").map((name) => name.toUpperCase());
}
