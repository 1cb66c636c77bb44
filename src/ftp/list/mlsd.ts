/**
 * MLSD/MLST entries (RFC 3659 §7): `fact=value;fact=value; name`, both ways.
 *
 *     type=file;size=1234;modify=20240131120000;perm=adfrw;UNIX.mode=0644; file.txt
 *     type=cdir;modify=20240131120000;perm=flcdmpe; .
 *     type=OS.unix=slink:/srv/target;modify=20240131120000; link
 *
 * Fact values never hold `;` (RFC 3659 §7.2), so the facts end at the first `; `; the name is
 * everything after it and may hold spaces and `;`. Fact names are case-insensitive and kept
 * lower-cased in `facts` (a null-prototype object: a fact named `__proto__` is plain data).
 */
import { InvalidArgumentError } from "../../errors.js";
import { excerpt } from "../../textproto/excerpt.js";
import { formatMdtm, parseTimeVal } from "../replies.js";
import type { FileInfo, FileType } from "../types.js";
import { modeToPermissions, parseOctalMode, permissionsToMode } from "./mode.js";

function unknownLine(line: string): FileInfo {
  return { name: line, type: "unknown", raw: line };
}

function sizeOf(text: string | undefined): number | undefined {
  if (text === undefined || text.length === 0 || text.length > 16) return undefined;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Fact names as servers spell them (RFC 3659 §7.5 and the `UNIX.*` facts of ProFTPD and
 * pure-ftpd), indexed by length: pairs of a spelling and its lower-cased form. A name found here is
 * matched in place and stored under a constant key, instead of being sliced and lower-cased once
 * per fact per line (most of an MLSD line's cost); any other spelling takes that slower way.
 */
const KNOWN_FACTS: readonly (readonly string[] | undefined)[] = knownFacts([
  "type",
  "size",
  "sizd",
  "modify",
  "create",
  "perm",
  "unique",
  "lang",
  "media-type",
  "charset",
  "UNIX.mode",
  "UNIX.owner",
  "UNIX.group",
  "UNIX.ownername",
  "UNIX.groupname",
  "UNIX.uid",
  "UNIX.gid",
]);

function knownFacts(names: readonly string[]): (string[] | undefined)[] {
  const byLength: (string[] | undefined)[] = [];
  for (const name of names) {
    const lower = name.toLowerCase();
    const spellings = new Set([name, lower, lower[0]!.toUpperCase() + lower.slice(1)]);
    for (const spelling of spellings) (byLength[spelling.length] ??= []).push(spelling, lower);
  }
  return byLength;
}

/** The lower-cased name of the fact `line[from..eq)`. */
function factName(line: string, from: number, eq: number): string {
  const known = KNOWN_FACTS[eq - from];
  if (known !== undefined) {
    for (let i = 0; i < known.length; i += 2) if (line.startsWith(known[i]!, from)) return known[i + 1]!;
  }
  return line.slice(from, eq).toLowerCase();
}

/** `a=b;c=d` with no blank: the facts of an MLST entry line rather than a name. */
function looksLikeFacts(text: string): boolean {
  if (text.includes(" ")) return false;
  return text.split(";").every((fact) => fact.indexOf("=") > 0);
}

/** The {@link FileType} of a `type` fact's value (`file`, `dir`, `cdir`, `pdir`, `OS.unix=slink…`). */
function typeOf(value: string | undefined): FileType {
  if (value === undefined) return "unknown";
  // The spellings servers send, before the general (lower-casing) comparison.
  if (value === "file") return "file";
  if (value === "dir" || value === "cdir" || value === "pdir") return "directory";
  const lower = value.toLowerCase();
  if (lower === "file") return "file";
  if (lower === "dir" || lower === "cdir" || lower === "pdir") return "directory";
  if (lower.startsWith("os.unix=slink") || lower.startsWith("os.unix=symlink")) return "symlink";
  return "unknown";
}

/**
 * Parses one MLSD line (or the entry line of an MLST reply, with its leading space). Returns
 * `undefined` for an empty or blank line; a line without the `facts; name` shape becomes
 * `{ type: "unknown", name: <the line>, raw }`. Never throws.
 *
 * - `type`: `file` → file; `dir`, `cdir`, `pdir` → directory (see {@link isDotEntry});
 *   `OS.unix=slink[:target]` / `OS.unix=symlink` → symlink; anything else or none → unknown.
 * - `size` → size, `modify` → modifiedAt (RFC 3659 time-val, UTC), `unix.mode` → permissions
 *   (`rwxr-xr-x`), `unix.ownername`/`unix.owner`/`unix.uid` → owner, the same for group.
 * - Malformed fact values are left out of those fields but kept in `facts`.
 */
export function parseMlsdLine(line: string): FileInfo | undefined {
  if (line.endsWith("\r")) line = line.slice(0, -1);
  if (line.trim().length === 0) return undefined;
  // The facts are line[factStart..factEnd); read in place, without splitting the text.
  let factStart = 0;
  let factEnd = 0;
  let name: string;
  const end = line.indexOf("; ");
  if (line.charCodeAt(0) !== 0x20) {
    if (end < 0) return unknownLine(line);
    factEnd = end;
    name = line.slice(end + 2);
  } else if (end > 1 && looksLikeFacts(line.slice(1, end))) {
    // MLST's entry line: a space, then facts.
    factStart = 1;
    factEnd = end;
    name = line.slice(end + 2);
  } else {
    // An MLSD entry without facts.
    name = line.slice(1);
  }
  if (name.length === 0) return unknownLine(line);
  const facts: Record<string, string> = Object.create(null);
  // `eq` is the next `=` at or after `from` (the line's length when there is none): found once per
  // `=`, never searched for again from every fact, so a hostile line of `;;;…` stays linear.
  let eq = -1;
  for (let from = factStart; from < factEnd; ) {
    // line[factEnd] is the `;` of `; `, so a `;` is always found by then.
    const semi = line.indexOf(";", from);
    if (eq < from) {
      eq = line.indexOf("=", from);
      if (eq < 0) eq = line.length;
    }
    if (eq > from && eq < semi) {
      const key = factName(line, from, eq);
      if (!(key in facts)) facts[key] = line.slice(eq + 1, semi);
    }
    from = semi + 1;
  }
  const typeFact = facts.type;
  const type = typeOf(typeFact);
  // ProFTPD's `OS.unix=slink:/target`.
  const colon = type === "symlink" ? typeFact!.indexOf(":") : -1;
  const target = colon < 0 ? undefined : typeFact!.slice(colon + 1);
  const size = sizeOf(facts.size);
  const modify = facts.modify;
  const modifiedAt = modify === undefined ? undefined : parseTimeVal(modify);
  const modeText = facts["unix.mode"];
  const mode = modeText === undefined ? undefined : parseOctalMode(modeText);
  const permissions = mode === undefined ? undefined : modeToPermissions(mode);
  const owner = facts["unix.ownername"] ?? facts["unix.owner"] ?? facts["unix.uid"];
  const group = facts["unix.groupname"] ?? facts["unix.group"] ?? facts["unix.gid"];
  if (
    target === undefined &&
    size !== undefined &&
    modifiedAt !== undefined &&
    permissions !== undefined &&
    owner !== undefined &&
    group !== undefined
  ) {
    // The usual file entry: one object of its final shape, fields in the order below.
    return { name, type, raw: line, size, modifiedAt, permissions, owner, group, facts };
  }
  const info: FileInfo = { name, type, raw: line };
  if (target !== undefined) info.target = target;
  if (size !== undefined) info.size = size;
  if (modifiedAt !== undefined) info.modifiedAt = modifiedAt;
  if (permissions !== undefined) info.permissions = permissions;
  if (owner !== undefined) info.owner = owner;
  if (group !== undefined) info.group = group;
  info.facts = facts;
  return info;
}

/** An entry for {@link formatMlsdLine}: a {@link FileInfo} (its `raw` is ignored) or the parts of one. */
export interface MlsdEntry
  extends Partial<Pick<FileInfo, "size" | "modifiedAt" | "permissions" | "owner" | "group" | "target">> {
  name: string;
  /** `cdir`/`pdir` mark the listed directory itself and its parent. */
  type: FileType | "cdir" | "pdir";
  /** The RFC 3659 §7.5.5 `perm` fact (`adfrw`, `flcdmpe`…). */
  perm?: string;
  /** The RFC 3659 §7.5.2 `unique` fact. */
  unique?: string;
  /** More facts; one whose name (any case) is already written from the fields above is skipped. */
  facts?: Readonly<Record<string, string>>;
}

/** A fact value must be non-empty-safe RFC 3659 text: no `;`, no blank, no control. */
function validValue(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || code === 0x3b) return false;
  }
  return true;
}

function checkedValue(name: string, value: string): string {
  if (!validValue(value)) throw new InvalidArgumentError(`MLSD fact ${name} cannot hold ${excerpt(value)}`);
  return value;
}

function typeFact(entry: MlsdEntry): string | undefined {
  switch (entry.type) {
    case "file":
      return "file";
    case "directory": {
      // Keep cdir/pdir when the entry came from a parsed MLSD line.
      const given = entry.facts?.type?.toLowerCase();
      return given === "cdir" || given === "pdir" ? given : "dir";
    }
    case "cdir":
    case "pdir":
      return entry.type;
    case "symlink":
      // A target that the grammar cannot carry is left out rather than refusing the whole entry.
      return entry.target !== undefined && entry.target.length > 0 && validValue(entry.target)
        ? `OS.unix=slink:${entry.target}`
        : "OS.unix=slink";
    default:
      return undefined;
  }
}

/**
 * Formats one MLSD line (RFC 3659 §7.2), facts in the order `type`, `size`, `modify`, `perm`,
 * `unique`, `UNIX.mode`, `UNIX.owner`, `UNIX.group`, then the extra `facts`:
 * `type=file;size=1234;modify=20240131120000;perm=adfrw;UNIX.mode=0644; file.txt`. The modify
 * time is written in whole seconds, UTC. Without a trailing CRLF.
 *
 * @throws InvalidArgumentError when the name is empty or holds CR or LF; a fact value holds `;`,
 *   a blank or a control character; a fact name is not one token without `=`; the permissions are
 *   not an `ls` permission string; the size is not a non-negative safe integer; the date cannot
 *   be written (see `formatMdtm`); or there are no facts and the name itself looks like facts.
 */
export function formatMlsdLine(entry: MlsdEntry): string {
  const { name } = entry;
  if (name.length === 0 || name.includes("\r") || name.includes("\n")) {
    throw new InvalidArgumentError(`an MLSD name must be non-empty without CR or LF: ${excerpt(name)}`);
  }
  const out: string[] = [];
  const written = new Set<string>();
  const add = (fact: string, value: string): void => {
    out.push(`${fact}=${checkedValue(fact, value)};`);
    written.add(fact.toLowerCase());
  };
  const type = typeFact(entry);
  if (type !== undefined) {
    out.push(`type=${type};`);
    written.add("type");
  }
  if (entry.size !== undefined) {
    if (!Number.isSafeInteger(entry.size) || entry.size < 0) {
      throw new InvalidArgumentError(`bad size: ${String(entry.size)}`);
    }
    add("size", String(entry.size));
  }
  if (entry.modifiedAt !== undefined) add("modify", formatMdtm(entry.modifiedAt));
  if (entry.perm !== undefined) add("perm", entry.perm);
  if (entry.unique !== undefined) add("unique", entry.unique);
  if (entry.permissions !== undefined) {
    const mode = permissionsToMode(entry.permissions);
    if (mode === undefined) throw new InvalidArgumentError(`bad permissions: ${excerpt(entry.permissions)}`);
    add("UNIX.mode", mode.toString(8).padStart(4, "0"));
  }
  if (entry.owner !== undefined) add("UNIX.owner", entry.owner);
  if (entry.group !== undefined) add("UNIX.group", entry.group);
  for (const [fact, value] of Object.entries(entry.facts ?? {})) {
    if (fact.length === 0 || fact.includes("=") || !validValue(fact)) {
      throw new InvalidArgumentError(`bad MLSD fact name: ${excerpt(fact)}`);
    }
    if (written.has(fact.toLowerCase())) continue;
    add(fact, value);
  }
  if (out.length === 0) {
    // Without facts the line is ` name`, which the parser would take for an MLST entry line if
    // the name itself looked like facts.
    const end = name.indexOf("; ");
    if (end > 0 && looksLikeFacts(name.slice(0, end))) {
      throw new InvalidArgumentError(`an MLSD name without facts cannot look like facts: ${excerpt(name)}`);
    }
  }
  return `${out.join("")} ${name}`;
}

/**
 * True for the `.` and `..` entries a listing may include: the names `.` and `..`, and MLSD's
 * `type=cdir` / `type=pdir` entries (whatever name the server gave them). Callers usually skip
 * these.
 */
export function isDotEntry(info: FileInfo): boolean {
  if (info.name === "." || info.name === "..") return true;
  const type = info.facts?.type?.toLowerCase();
  return type === "cdir" || type === "pdir";
}
