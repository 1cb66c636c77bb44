/**
 * Shared helpers of the parser tests: feeding a message in given chunks, and a plain summary of
 * the part tree (types, names, decoded bodies) to compare whole trees with one deepEqual.
 */
import type { MimePart, ParsedMessage } from "../../../src/mime/types.js";

/** `lines` joined with CRLF. */
export function crlf(...lines: string[]): string {
  return lines.join("\r\n");
}

/** An async iterable yielding `chunks` one by one. */
export async function* chunked(chunks: readonly Buffer[]): AsyncGenerator<Buffer> {
  for (const chunk of chunks) yield chunk;
}

/** `bytes` cut at the given offsets (sorted, clamped). */
export function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const sorted = [...cuts].map((c) => Math.max(0, Math.min(bytes.length, c))).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of sorted) {
    out.push(bytes.subarray(from, cut));
    from = cut;
  }
  out.push(bytes.subarray(from));
  return out;
}

/** One node of {@link summarize}'s output. */
export interface PartSummary {
  type: string;
  filename: string | undefined;
  disposition: string | undefined;
  size: number | undefined;
  /** The kept body (latin1), or null when the part has none. */
  body: string | null;
  text: string | undefined;
  defects: string[];
  children: PartSummary[];
}

/** A plain copy of the tree, with each kept body read. Recursive: for small test trees only. */
export async function summarize(part: MimePart): Promise<PartSummary> {
  let body: string | null = null;
  if (part.children.length === 0 || part.contentType.startsWith("message/")) {
    body = await part.content().then(
      (bytes) => bytes.toString("latin1"),
      () => null,
    );
  }
  const children: PartSummary[] = [];
  for (const child of part.children) children.push(await summarize(child));
  return {
    type: part.contentType,
    filename: part.filename,
    disposition: part.disposition,
    size: part.size,
    body,
    text: part.text,
    defects: part.defects.map((d) => d.kind),
    children,
  };
}

/** The kinds of the message's defects, in order. */
export function defectKinds(message: ParsedMessage): string[] {
  return message.defects.map((d) => d.kind);
}

/** Content types of the tree in document order (pre-order), indented by depth. */
export function outline(part: MimePart): string[] {
  const out: string[] = [];
  const stack: [MimePart, number][] = [[part, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    out.push(`${"  ".repeat(depth)}${node.contentType}`);
    for (let i = node.children.length - 1; i >= 0; i -= 1) stack.push([node.children[i]!, depth + 1]);
  }
  return out;
}
