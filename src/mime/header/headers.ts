/**
 * The header block: splitting raw header bytes into fields (RFC 5322 §2.2, §3.6.8) and an
 * ordered, case-insensitive list of them.
 */
import { isUtf8 } from "node:buffer";
import { LimitError } from "../../errors.js";
import { excerpt } from "../../textproto/excerpt.js";
import type { HeaderField, HeaderList, MimeDefect, MimeLimits } from "../types.js";

/** Default of {@link MimeLimits.maxHeaders}. */
export const DEFAULT_MAX_HEADERS = 10_000;
/** Default of {@link MimeLimits.maxHeaderBytes}. */
export const DEFAULT_MAX_HEADER_BYTES = 2 * 1024 * 1024;

/**
 * An ordered, read-only header list with case-insensitive lookup (a map from the lowercased name
 * to the positions of its fields, built once: `get` and `has` are O(1)).
 */
export class Headers implements HeaderList {
  /** All fields in order (a frozen copy of what the constructor was given). */
  readonly fields: readonly HeaderField[];
  readonly #byName = new Map<string, string[]>();

  /** Copies `fields`; names keep their case, lookups ignore it. */
  constructor(fields: Iterable<HeaderField> = []) {
    const copy: HeaderField[] = [];
    for (const { name, value } of fields) {
      copy.push(Object.freeze({ name, value }));
      const key = name.toLowerCase();
      const values = this.#byName.get(key);
      if (values === undefined) this.#byName.set(key, [value]);
      else values.push(value);
    }
    this.fields = Object.freeze(copy);
  }

  /** The first field of that name (case-insensitive), its raw unfolded value; undefined when absent. */
  get(name: string): string | undefined {
    return this.#byName.get(name.toLowerCase())?.[0];
  }

  /** Every value of that name, in order (a new array; empty when absent). */
  getAll(name: string): string[] {
    return this.#byName.get(name.toLowerCase())?.slice() ?? [];
  }

  /** True when a field of that name exists. */
  has(name: string): boolean {
    return this.#byName.has(name.toLowerCase());
  }

  /** The number of fields. */
  get size(): number {
    return this.fields.length;
  }

  /** Iterates the fields in order. */
  [Symbol.iterator](): IterableIterator<HeaderField> {
    return this.fields[Symbol.iterator]();
  }
}

/** What {@link parseHeaderBlock} returns. */
export interface ParsedHeaderBlock {
  headers: Headers;
  defects: MimeDefect[];
  /**
   * Set when the header block ended before the end of `bytes`: the offset where the body starts.
   * A line that is not a header field (no colon, or a name with spaces or non-ASCII bytes) ends
   * the header block early, as Python's parser does, and the body starts at that line: the body
   * is then `bytes.subarray(bodyStart)`, the blank line that ended the block, and what followed
   * it. (An empty line in `bytes` also ends the block; the body starts after it.) Undefined when
   * every line was read as headers.
   */
  bodyStart?: number;
}

/**
 * Parses a header block: the bytes up to, but not including, the blank line that ends it.
 * Lines end in CRLF or a bare LF (a bare CR stays in the value); a line starting with SP or HTAB
 * continues the previous field (unfolding removes only the line break). Each field's value has
 * its leading whitespace removed and its trailing whitespace kept, and is decoded as UTF-8
 * (RFC 6532) when its bytes are valid UTF-8, else as latin1; names keep their case.
 *
 * Malformed lines follow Python's `email.feedparser` (each a `malformed-header` defect): a
 * continuation before the first field is dropped; a line starting with `:` (no name) is
 * dropped; an mbox `From ` line is skipped (silently when first); a line that is not a field
 * (no colon, or a name with a space, a control or a non-ASCII byte before the colon) ends the
 * header block there and {@link ParsedHeaderBlock.bodyStart} says where — except that obsolete
 * whitespace between the name and the colon (RFC 5322 §4.5, `Subject : x`) is accepted.
 * Never throws on malformed input.
 *
 * @throws LimitError `"mime-header-block"` when the block is longer than `maxHeaderBytes`, and
 *   `"mime-headers"` when it holds more than `maxHeaders` fields.
 */
export function parseHeaderBlock(bytes: Buffer, limits: MimeLimits = {}): ParsedHeaderBlock {
  const maxBytes = limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const maxHeaders = limits.maxHeaders ?? DEFAULT_MAX_HEADERS;
  if (bytes.length > maxBytes) throw new LimitError("mime-header-block", maxBytes);

  const fields: HeaderField[] = [];
  const defects: MimeDefect[] = [];
  const defect = (message: string): void => {
    if (defects.length < 100) defects.push({ kind: "malformed-header", message });
  };
  // The field being read: its name and the byte ranges of its value (first line, continuations).
  let name: string | undefined;
  let pieces: Buffer[] = [];
  const finish = (): void => {
    if (name === undefined) return;
    if (fields.length >= maxHeaders) throw new LimitError("mime-headers", maxHeaders);
    fields.push({ name, value: decodeValue(pieces) });
    name = undefined;
    pieces = [];
  };

  let lineStart = 0;
  let lineNo = 0;
  while (lineStart < bytes.length) {
    let lf = bytes.indexOf(0x0a, lineStart);
    if (lf < 0) lf = bytes.length;
    const lineEnd = lf > lineStart && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
    const line = bytes.subarray(lineStart, lineEnd);
    const here = lineStart;
    lineStart = lf + 1;
    const first = lineNo++ === 0;

    const c0 = line[0];
    if (c0 === 0x20 || c0 === 0x09) {
      if (name === undefined) {
        defect(`continuation line before the first header: ${excerpt(line)}`);
      } else {
        pieces.push(line);
      }
      continue;
    }
    finish();
    if (line.length === 0) {
      // The blank line that ends a header block (the caller passed more than the block).
      return { headers: new Headers(fields), defects, bodyStart: lineStart };
    }
    const colon = fieldNameEnd(line);
    if (colon === 0) {
      defect(`header line without a name: ${excerpt(line)}`);
      continue;
    }
    if (colon === -1) {
      if (startsWithFrom(line)) {
        if (!first) defect(`misplaced "From " line: ${excerpt(line)}`);
        continue;
      }
      defect(`not a header line; the body starts here: ${excerpt(line)}`);
      return { headers: new Headers(fields), defects, bodyStart: here };
    }
    const nameBytes = line.subarray(0, colon.nameEnd);
    name = nameBytes.toString("latin1");
    let v = colon.colon + 1;
    while (v < line.length && (line[v] === 0x20 || line[v] === 0x09)) v++;
    pieces.push(line.subarray(v));
  }
  finish();
  return { headers: new Headers(fields), defects };
}

/**
 * Finds the field name's end: `{ nameEnd, colon }`, 0 when the line starts with `:`, -1 when the
 * line is not a field (a byte before the colon that is not printable ASCII, or no colon).
 */
function fieldNameEnd(line: Buffer): { nameEnd: number; colon: number } | 0 | -1 {
  let k = 0;
  while (k < line.length) {
    const b = line[k]!;
    if (b === 0x3a) return k === 0 ? 0 : { nameEnd: k, colon: k };
    if (b < 0x21 || b > 0x7e) break;
    k++;
  }
  if (k === 0) return -1;
  // Obsolete syntax: WSP between the name and the colon.
  const nameEnd = k;
  while (k < line.length && (line[k] === 0x20 || line[k] === 0x09)) k++;
  if (k > nameEnd && line[k] === 0x3a) return { nameEnd, colon: k };
  return -1;
}

function startsWithFrom(line: Buffer): boolean {
  return line.length >= 5 && line.toString("latin1", 0, 5) === "From ";
}

/** The value's bytes decoded: UTF-8 when valid (RFC 6532), else latin1 (every byte kept). */
function decodeValue(pieces: Buffer[]): string {
  const bytes = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  let ascii = true;
  for (let k = 0; k < bytes.length; k++) {
    if (bytes[k]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return bytes.toString("latin1");
  return isUtf8(bytes) ? bytes.toString("utf8") : bytes.toString("latin1");
}
