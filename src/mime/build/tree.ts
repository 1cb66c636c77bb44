/**
 * The part tree of a message being built, and its flattening into the pieces the writer emits:
 * header blocks, encoded bodies, boundary delimiters (RFC 2046 §5.1.1) and stream sources.
 *
 * Boundaries are `=_` followed by 32 characters from 24 random bytes (crypto). The `=_` pair can
 * never occur in base64 (no `_` in its alphabet) nor in quoted-printable (`=` is always followed
 * by two hex digits or a line break), so only the content written as it is (7bit, 8bit, binary
 * bodies, and every header block) can hold it: each boundary is checked not to occur there and
 * drawn again when it does. Streamed content written as it is (a forwarded message read from a
 * stream) cannot be checked before it is sent; a guess of 192 random bits is the safeguard there.
 */
import { randomBytes } from "node:crypto";
import type { HeaderField } from "../types.js";
import type { OutputEncoding } from "./body.js";
import { parameterized, serializeFields } from "./fields.js";
import type { LeafNode, StreamSource } from "./parts.js";

/** A multipart node: its subtype and children; its boundary is drawn when it is flattened. */
export interface MultipartNode {
  kind: "multipart";
  subtype: "mixed" | "alternative" | "related";
  children: PartNode[];
  /** Extra Content-Type parameters (`type=` of multipart/related, RFC 2387 §3.1). */
  params?: Record<string, string>;
}

export type PartNode = LeafNode | MultipartNode;

/** What the writer emits in order: bytes, or a source to read (and encode) at that point. */
export type Piece = Buffer | StreamSource;

/** A flattened (sub)tree: its header fields, its pieces, and the bytes its boundary must avoid. */
interface Flat {
  fields: HeaderField[];
  pieces: Piece[];
  /** Content written as it is (never base64/QP), where an enclosing boundary must not occur. */
  plain: Buffer[];
  encoding: OutputEncoding;
}

const CRLF = Buffer.from("\r\n");

/** Random bytes drawn 4 KiB at a time: one system call serves ~170 boundaries. */
let pool = Buffer.alloc(0);
let poolOffset = 0;

function randomChunk(size: number): Buffer {
  if (poolOffset + size > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  poolOffset += size;
  return pool.subarray(poolOffset - size, poolOffset);
}

/**
 * Draws a boundary (`=_` and 32 base64url characters from 24 random bytes) that occurs in none
 * of `plain`, drawing again until one does not. `random` is for tests.
 */
export function drawBoundary(
  plain: readonly Buffer[],
  random: (size: number) => Buffer = randomChunk,
): string {
  for (;;) {
    const boundary = `=_${random(24).toString("base64url")}`;
    if (!plain.some((bytes) => bytes.includes(boundary, 0, "latin1"))) return boundary;
  }
}

/** The widest of the identity encodings (RFC 2045 §6.4: a multipart's CTE covers its parts). */
function wider(a: OutputEncoding, b: OutputEncoding): OutputEncoding {
  const rank = (e: OutputEncoding) => (e === "binary" ? 2 : e === "8bit" ? 1 : 0);
  return rank(b) > rank(a) ? b : a;
}

function flattenNode(node: PartNode, outer: readonly HeaderField[]): Flat {
  if (node.kind === "leaf") {
    const fields = [...outer, ...node.fields];
    const head = serializeFields(fields);
    const plain = [head];
    if (Buffer.isBuffer(node.body) && node.encoding !== "base64" && node.encoding !== "quoted-printable") {
      plain.push(node.body);
    }
    return { fields, pieces: [head, node.body], plain, encoding: node.encoding };
  }
  const children = node.children.map((child) => flattenNode(child, []));
  const plain = children.flatMap((c) => c.plain);
  const boundary = drawBoundary(plain);
  let encoding: OutputEncoding = "7bit";
  for (const child of children) encoding = wider(encoding, child.encoding);
  const fields: HeaderField[] = [
    ...outer,
    {
      name: "Content-Type",
      value: parameterized(`multipart/${node.subtype}`, { ...node.params, boundary }),
    },
  ];
  if (encoding !== "7bit") fields.push({ name: "Content-Transfer-Encoding", value: encoding });
  const head = serializeFields(fields);
  const open = Buffer.from(`--${boundary}\r\n`, "latin1");
  const pieces: Piece[] = [head];
  for (const child of children) pieces.push(open, ...child.pieces, CRLF);
  pieces.push(Buffer.from(`--${boundary}--`, "latin1"));
  return { fields, pieces, plain: [...plain, head, open], encoding };
}

/**
 * Flattens the tree under the message's own header fields: returns every top-level field (the
 * message's, then the root part's content fields) and the pieces of the whole message, ending
 * CRLF after a multipart's closing delimiter. Adjacent byte pieces are joined. Throws
 * `InvalidArgumentError` when a header cannot be folded.
 */
export function flattenMessage(
  root: PartNode,
  messageFields: readonly HeaderField[],
): { fields: HeaderField[]; pieces: Piece[] } {
  const flat = flattenNode(root, messageFields);
  if (root.kind === "multipart") flat.pieces.push(CRLF);
  const pieces: Piece[] = [];
  let run: Buffer[] = [];
  for (const piece of flat.pieces) {
    if (Buffer.isBuffer(piece)) {
      if (piece.length > 0) run.push(piece);
      continue;
    }
    if (run.length > 0) pieces.push(run.length === 1 ? run[0]! : Buffer.concat(run));
    run = [];
    pieces.push(piece);
  }
  if (run.length > 0) pieces.push(run.length === 1 ? run[0]! : Buffer.concat(run));
  return { fields: flat.fields, pieces };
}
