// Python's dump and our parse, both flattened to "facts" (a path and a field → a JSON value) so two
// readings of one message compare field by field, and a legitimate difference can be named
// precisely, with its reason and what we must produce instead.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { decodeEncodedWords } from "../../../src/mime/header/encoded-words.js";
import type { Address, MimePart, ParsedMessage } from "../../../src/mime/types.js";
import type { PyError, PyGroup, PyMessage, PyNode, PyText } from "./python.js";

/**
 * Fact key → value. Keys: `subject`, `from`, `to`, `cc`, `text` and `html` (the main bodies), and
 * `<path> <field>` per part, the path being `/` for the root, `/1` for its second child, `/1/0`...
 */
export type Facts = Record<string, unknown>;

/** The fields every part has: see {@link partFacts}. */
export const PART_FIELDS = [
  "type",
  "charset",
  "boundary",
  "filename",
  "disposition",
  "contentId",
  "subject",
  "children",
];

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** The fact for decoded body bytes: `length:sha256`. */
export function bytesFact(data: Uint8Array): string {
  return `${data.length}:${sha256(data)}`;
}

/** The fact for decoded text: `utf8-length:sha256` of its UTF-8 form. */
export function textFact(text: string): string {
  return bytesFact(Buffer.from(text, "utf8"));
}

const errorText = (value: unknown) =>
  value && typeof value === "object" && "error" in value ? `error: ${(value as PyError).error}` : value;

const pyText = (text: PyText | null | undefined) =>
  text == null ? null : "error" in text ? `error: ${text.error}` : `${text.length}:${text.sha256}`;

const stripBrackets = (id: string) => id.trim().replace(/^<(.*)>$/, "$1");

/** Python's facts: the structure from `root`, bodies and texts from `exactRoot` (line endings kept). */
export function pythonFacts(dump: PyMessage): Facts {
  return {
    subject: errorText(dump.subject),
    from: errorText(dump.from),
    to: errorText(dump.to),
    cc: errorText(dump.cc),
    text: pyText(dump.mainText),
    html: pyText(dump.mainHtml),
    ...pythonTreeFacts(dump.root, dump.exactRoot),
  };
}

/** The part facts of a Python (sub)tree, its root at path `/`; bodies and texts from `exact`. */
export function pythonTreeFacts(root: PyNode, exactRoot: PyNode | undefined): Facts {
  const facts: Facts = {};
  const walk = (node: PyNode, exact: PyNode | undefined, path: string) => {
    const contentId = errorText(node.contentId);
    Object.assign(facts, {
      [`${path} type`]: node.contentType,
      [`${path} charset`]: node.charset,
      [`${path} boundary`]: node.boundary,
      [`${path} filename`]: node.filename,
      [`${path} disposition`]: node.disposition,
      [`${path} contentId`]: typeof contentId === "string" ? stripBrackets(contentId) : contentId,
      [`${path} subject`]: errorText(node.subject),
      [`${path} children`]: node.children.length,
    });
    if (node.children.length === 0) {
      // Both Python trees have the same shape for every corpus message; say so if one ever does not.
      facts[`${path} body`] = exact?.body ? `${exact.body.length}:${exact.body.sha256}` : "no exact body";
      facts[`${path} text`] = pyText(exact?.text);
    }
    for (const [i, child] of node.children.entries())
      walk(child, exact?.children[i], `${path === "/" ? "" : path}/${i}`);
  };
  walk(root, exactRoot, "/");
  return facts;
}

function groups(addresses: readonly Address[]): PyGroup[] {
  return addresses.map((a) =>
    "group" in a
      ? { group: a.group, members: a.members.map((m) => ({ name: m.name, addr: m.address })) }
      : { group: null, members: [{ name: a.name, addr: a.address }] },
  );
}

function isLeaf(part: MimePart): boolean {
  return part.children.length === 0 && !part.contentType.startsWith("multipart/");
}

/** The facts of one of our parts and its subtree (a multipart without children has no body fact). */
async function partFacts(part: MimePart, path: string, facts: Facts): Promise<void> {
  const subject = part.headers.get("subject");
  Object.assign(facts, {
    [`${path} type`]: part.contentType,
    [`${path} charset`]: part.params.charset?.toLowerCase() ?? null,
    [`${path} boundary`]: part.params.boundary ?? null,
    [`${path} filename`]: part.filename ?? null,
    [`${path} disposition`]: part.disposition ?? null,
    [`${path} contentId`]: part.contentId ?? null,
    [`${path} subject`]: subject === undefined ? null : decodeEncodedWords(subject).text,
    [`${path} children`]: part.children.length,
  });
  if (isLeaf(part)) {
    const body = await part.content();
    // Not a comparison with Python: our own part must agree with itself.
    assert.equal(part.size, body.length, `${path}: size and content() disagree`);
    facts[`${path} body`] = bytesFact(body);
    facts[`${path} text`] = part.text === undefined ? null : textFact(part.text);
  }
  for (const [i, child] of part.children.entries()) {
    await partFacts(child, `${path === "/" ? "" : path}/${i}`, facts);
  }
}

/** Our facts for a parsed message. */
export async function ourFacts(parsed: ParsedMessage): Promise<Facts> {
  const facts: Facts = {
    subject: parsed.subject ?? null,
    from: groups(parsed.from),
    to: groups(parsed.to),
    cc: groups(parsed.cc),
    text: parsed.text === undefined ? null : textFact(parsed.text),
    html: parsed.html === undefined ? null : textFact(parsed.html),
  };
  await partFacts(parsed.root, "/", facts);
  return facts;
}

/** A difference between Python and us that is right, stated with its reason. */
export interface ExpectedDifference {
  /** A fact key (`/1 text`), or a prefix ending in `*` (`/1/0*`) for every fact under a part. */
  facts: string;
  /** Why we differ from Python, in words. */
  reason: string;
  /** What we must produce there: the value of that fact, or for a prefix every one of our facts under it. */
  ours: unknown;
}

/** Whether a fact key is `pattern` or, for `/1*`, belongs to part `/1` or a part under it. */
function matches(key: string, pattern: string): boolean {
  if (!pattern.endsWith("*")) return key === pattern;
  const part = pattern.slice(0, -1);
  const path = key.split(" ")[0]!;
  return part === "/" ? path.startsWith("/") : path === part || path.startsWith(`${part}/`);
}

function select(facts: Facts, pattern: string): Facts | unknown {
  if (!pattern.endsWith("*")) return facts[pattern];
  return Object.fromEntries(Object.entries(facts).filter(([key]) => matches(key, pattern)));
}

function remove(facts: Facts, pattern: string): void {
  for (const key of Object.keys(facts)) if (matches(key, pattern)) delete facts[key];
}

/**
 * Asserts our facts equal Python's except where a difference is expected; each expected difference
 * must still be one (a stale entry fails) and our side must be exactly what it says.
 */
export function compareFacts(
  name: string,
  ours: Facts,
  python: Facts,
  differences: readonly ExpectedDifference[],
): void {
  const left = { ...ours };
  const right = { ...python };
  for (const d of differences) {
    const mine = select(left, d.facts);
    const theirs = select(right, d.facts);
    assert.notDeepStrictEqual(
      mine,
      theirs,
      `${name}: "${d.facts}" was expected to differ from Python (${d.reason}), but it no longer does`,
    );
    assert.deepStrictEqual(mine, d.ours, `${name}: "${d.facts}" (${d.reason}) is not what we expected`);
    remove(left, d.facts);
    remove(right, d.facts);
  }
  assert.deepStrictEqual(left, right, `${name}: our parse differs from Python's`);
}

/**
 * Every fact of a part with the given fields and nulls elsewhere (for stating our side of an
 * expected difference at a whole part): `partOf("/1/0", { type: "text/plain", body: … })`.
 */
export function partOf(path: string, fields: Record<string, unknown>): Facts {
  const facts: Facts = {};
  for (const field of PART_FIELDS) facts[`${path} ${field}`] = fields[field] ?? null;
  facts[`${path} children`] = fields.children ?? 0;
  if (facts[`${path} children`] === 0) {
    facts[`${path} body`] = fields.body ?? null;
    facts[`${path} text`] = fields.text ?? null;
  }
  return facts;
}
