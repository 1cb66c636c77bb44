/**
 * The boundary delimiters open at one message level (RFC 2046 §5.1.1): which multiparts are
 * waiting for their next `--boundary` line, and which of them a line closes.
 *
 * A delimiter line is `--` + the boundary, optionally `--` (the close delimiter), then only
 * transport padding (SP, HT) — the whole line, so a longer boundary sharing a prefix with a
 * shorter one is never mistaken for it. Every enclosing multipart's boundary counts, not only the
 * innermost one's: an outer delimiter ends the inner multiparts too. Lookups go through a map,
 * so the cost of a line does not grow with the nesting depth.
 */

const DASH = 0x2d;
const SP = 0x20;
const HT = 0x09;

/** A delimiter line, matched: which frame's boundary, and whether it is the close delimiter. */
export interface DelimiterMatch {
  frame: number;
  close: boolean;
}

/** Open boundaries by their bytes, each with the stack of frames (by index) using it. */
export class BoundaryTable {
  readonly #byKey = new Map<string, number[]>();
  /** The keys each open frame was registered under. */
  readonly #keysOf = new Map<number, string[]>();

  /** How many boundaries are open. */
  get size(): number {
    return this.#keysOf.size;
  }

  /** Opens `boundary` for the frame at `frame` (frames are numbered outermost first, one boundary each). */
  add(frame: number, boundary: string): void {
    const keys = keysOf(boundary);
    this.#keysOf.set(frame, keys);
    for (const key of keys) {
      const stack = this.#byKey.get(key);
      if (stack) stack.push(frame);
      else this.#byKey.set(key, [frame]);
    }
  }

  /** Closes what {@link add} opened for `frame`. */
  remove(frame: number): void {
    const keys = this.#keysOf.get(frame);
    if (keys === undefined) return;
    this.#keysOf.delete(frame);
    for (const key of keys) {
      const stack = this.#byKey.get(key);
      if (!stack) continue;
      const at = stack.lastIndexOf(frame);
      if (at >= 0) stack.splice(at, 1);
      if (stack.length === 0) this.#byKey.delete(key);
    }
  }

  /** The delimiter `line` (without its line ending) is, or undefined; the innermost frame wins. */
  match(line: Buffer): DelimiterMatch | undefined {
    if (this.#keysOf.size === 0 || line.length < 3 || line[0] !== DASH || line[1] !== DASH) return undefined;
    let end = line.length;
    while (end > 2 && (line[end - 1] === SP || line[end - 1] === HT)) end -= 1;
    const rest = line.toString("latin1", 2, end);
    let best: DelimiterMatch | undefined;
    const open = this.#byKey.get(rest);
    if (open) best = { frame: open[open.length - 1]!, close: false };
    if (rest.endsWith("--")) {
      const closing = this.#byKey.get(rest.slice(0, -2));
      const frame = closing?.[closing.length - 1];
      if (frame !== undefined && (best === undefined || frame > best.frame)) best = { frame, close: true };
    }
    return best;
  }
}

/** Byte length of `boundary` as it may appear on the wire (the longer of its two readings). */
export function boundaryByteLength(boundary: string): number {
  return Buffer.byteLength(boundary, "utf8");
}

/**
 * The boundary's bytes as latin1 keys: its UTF-8 bytes, and — when every character fits in a
 * byte — its latin1 bytes (header bytes that were not UTF-8 were read as latin1).
 */
function keysOf(boundary: string): string[] {
  const utf8 = Buffer.from(boundary, "utf8").toString("latin1");
  const fitsLatin1 = !/[^\u0000-\u00ff]/.test(boundary);
  return fitsLatin1 && utf8 !== boundary ? [utf8, boundary] : [utf8];
}
