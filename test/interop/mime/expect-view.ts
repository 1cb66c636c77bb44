// Checks shared by the build tests: a built message's wire format, what Python's dump must show for
// it (subject, addresses, tree, leaves), and the same leaves in our own parse.
import assert from "node:assert/strict";
import type { MimePart, ParsedMessage } from "../../../src/mime/types.js";
import type { ExpectedLeaf } from "./build-cases.js";
import { bytesFact, textFact } from "./facts.js";
import type { PyBuilt, PyGroup, PyMessage, PyNode } from "./python.js";

/** What a reader must find in a message: its subject, mailboxes, tree of types and leaves. */
export interface ExpectedView {
  subject: string;
  addresses: { from: string[]; to: string[]; cc?: string[] };
  tree: unknown[];
  leaves: ExpectedLeaf[];
  /**
   * Set (with the reason) when the addresses hold raw UTF-8, which Python's headerregistry shows
   * surrogate-escaped (see {@link surrogateEscaped}); the expected addresses are given as text.
   */
  pythonRawAddresses?: string;
}

/** Line breaks made `eol`: CRLF is our builder's promise for text bodies; Python's as_bytes() may write LF. */
const lineEnds = (text: string, eol: string) => text.replace(/\r?\n/g, eol);

/** Every line ends CRLF (no bare CR or LF) and none is over 998 octets (RFC 5322 §2.1.1). */
export function checkWireFormat(name: string, bytes: Buffer): void {
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0d) assert.equal(bytes[i + 1], 0x0a, `${name}: bare CR at offset ${i}`);
    if (bytes[i] !== 0x0a) continue;
    assert.equal(bytes[i - 1], 0x0d, `${name}: bare LF at offset ${i}`);
    assert.ok(i - 1 - start <= 998, `${name}: a line of ${i - 1 - start} octets at offset ${start}`);
    start = i + 1;
  }
}

const mailbox = (name: string, addr: string) => (name ? `${name} <${addr}>` : `<${addr}>`);

function flatten(groups: PyGroup[] | unknown): string[] {
  assert.ok(Array.isArray(groups), `addresses: ${JSON.stringify(groups)}`);
  return (groups as PyGroup[]).flatMap((g) => g.members.map((m) => mailbox(m.name, m.addr)));
}

/** The tree of content types: `[type, ...children]`. */
function pyTypes(node: PyNode): unknown[] {
  return [node.contentType, ...node.children.map(pyTypes)];
}

function ourTypes(part: MimePart): unknown[] {
  return [part.contentType, ...part.children.map(ourTypes)];
}

/** Leaves in document order; a message/rfc822 part counts as one (its inside is checked apart). */
function pyLeaves(node: PyNode, exact: PyNode): [PyNode, PyNode][] {
  if (node.children.length === 0 || node.contentType === "message/rfc822") return [[node, exact]];
  return node.children.flatMap((child, i) => pyLeaves(child, exact.children[i]!));
}

function ourLeaves(part: MimePart): MimePart[] {
  if (part.children.length === 0 || part.contentType === "message/rfc822") return [part];
  return part.children.flatMap(ourLeaves);
}

/** One leaf as read: its fields, its decoded bytes and (text parts) its decoded text, as facts. */
interface ReadLeaf {
  type: string;
  filename: string | null;
  disposition: string | null;
  contentId: string | null;
  bytes: string | null;
  text: string | null;
}

/**
 * The read leaves and the expected ones in one comparable shape: a leaf expected with `bytes` is
 * compared by its decoded bytes, one expected with `text` by its decoded text (line ends `eol`).
 */
function comparable(read: ReadLeaf[], expected: ExpectedLeaf[], eol: string): [unknown[], unknown[]] {
  const fields = (l: {
    type: string;
    filename?: string | null;
    disposition?: string | null;
    contentId?: string | null;
  }) => ({
    type: l.type,
    filename: l.filename ?? null,
    disposition: l.disposition ?? null,
    contentId: l.contentId ?? null,
  });
  const want = expected.map((l) => ({
    ...fields(l),
    content: l.bytes ? bytesFact(l.bytes) : l.text !== undefined ? textFact(lineEnds(l.text, eol)) : null,
  }));
  const got = read.map((l, i) => ({
    ...fields(l),
    content: expected[i]?.bytes ? l.bytes : expected[i]?.text !== undefined ? l.text : null,
  }));
  return [got, want];
}

/**
 * How Python's headerregistry shows raw UTF-8 (RFC 6532) in an address header it read from bytes:
 * every octet over 0x7f as a lone surrogate U+DC80-U+DCFF (its surrogateescape decoding).
 */
export function surrogateEscaped(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8"))
    out += String.fromCharCode(byte < 0x80 ? byte : 0xdc00 + byte);
  return out;
}

/** Python's dump shows exactly what `view` says (bodies from the tree that keeps line endings). */
export function checkPythonView(name: string, dump: PyMessage, view: ExpectedView, eol = "\r\n"): void {
  assert.equal(dump.subject, view.subject, `${name}: subject as Python decodes it`);
  const asPython = (list: string[] | undefined) =>
    (list ?? []).map(view.pythonRawAddresses ? surrogateEscaped : (a) => a);
  assert.deepEqual(flatten(dump.from), asPython(view.addresses.from), `${name}: From`);
  assert.deepEqual(flatten(dump.to), asPython(view.addresses.to), `${name}: To`);
  assert.deepEqual(flatten(dump.cc), asPython(view.addresses.cc), `${name}: Cc`);
  assert.deepEqual(pyTypes(dump.root), view.tree, `${name}: tree`);
  const read = pyLeaves(dump.root, dump.exactRoot).map(([node, exact]) => ({
    type: node.contentType,
    filename: node.filename,
    disposition: node.disposition,
    contentId: typeof node.contentId === "string" ? node.contentId.replace(/^\s*<(.*)>\s*$/, "$1") : null,
    bytes: exact.body ? `${exact.body.length}:${exact.body.sha256}` : null,
    text: exact.text && "sha256" in exact.text ? `${exact.text.length}:${exact.text.sha256}` : null,
  }));
  const [got, want] = comparable(read, view.leaves, eol);
  assert.deepEqual(got, want, `${name}: leaves as Python reads them`);
}

/** Our parse shows the same subject, tree and leaves. */
export async function checkOurView(
  name: string,
  parsed: ParsedMessage,
  view: ExpectedView,
  eol = "\r\n",
): Promise<void> {
  assert.equal(parsed.subject, view.subject, `${name}: subject as we decode it`);
  assert.deepEqual(ourTypes(parsed.root), view.tree, `${name}: tree`);
  const read: ReadLeaf[] = [];
  for (const part of ourLeaves(parsed.root)) {
    read.push({
      type: part.contentType,
      filename: part.filename ?? null,
      disposition: part.disposition ?? null,
      contentId: part.contentId ?? null,
      bytes: part.contentType === "message/rfc822" ? null : bytesFact(await part.content()),
      text: part.text === undefined ? null : textFact(part.text),
    });
  }
  const [got, want] = comparable(read, view.leaves, eol);
  assert.deepEqual(got, want, `${name}: leaves as we read them`);
}

/** Our parse of a Python-built message holds what py-build.py put in, with no defect but bare LFs. */
export async function checkPyBuilt(m: PyBuilt, parsed: ParsedMessage, bytes: Buffer): Promise<void> {
  assert.equal(parsed.subject, m.subject, `${m.name}: subject`);
  // as_bytes() with the default and compat32 policies ends lines with a bare LF, and we say so.
  const bareLf = bytes.includes("\n") && !bytes.includes("\r\n");
  assert.deepEqual(
    [...new Set(parsed.defects.map((d) => d.kind))],
    bareLf ? ["bare-line-ending"] : [],
    `${m.name}: defects`,
  );
  const leaves = allLeaves(parsed.root);
  assert.deepEqual(
    leaves.map((p) => [p.contentType, p.filename ?? null, p.disposition ?? null, p.contentId ?? null]),
    m.leaves.map((l) => [l.type, l.filename, l.disposition, l.contentId]),
    `${m.name}: leaves`,
  );
  for (const [j, want] of m.leaves.entries()) {
    const part = leaves[j]!;
    if (want.text !== undefined) {
      assert.equal(part.text?.replace(/\r\n/g, "\n"), want.text, `${m.name} leaf ${j}: text`);
    } else {
      assert.equal(
        bytesFact(await part.content()),
        `${want.length}:${want.sha256}`,
        `${m.name} leaf ${j}: bytes`,
      );
    }
  }
}

/** Every leaf in document order, inside forwarded messages too. */
function allLeaves(part: MimePart): MimePart[] {
  return part.children.length === 0 ? [part] : part.children.flatMap(allLeaves);
}
