/**
 * Gathers the lines of one header block (RFC 5322 §2.2, §3.5) as the scanner delivers them,
 * within the block's bounds, and hands the block to the header parser (header/headers.ts).
 *
 * Where the block ends follows Python's email.feedparser, the oracle: at the blank line, or —
 * for a message that omits it — at the first line that is neither a field (`name:` with a name of
 * printable ASCII), a continuation (leading SP or HT) nor an mbox `From ` line; that line is then
 * the first line of the body, with a `malformed-header` defect. A `From ` line first in the block
 * is the mbox envelope line and is skipped; later in the block it is skipped with a defect.
 */
import { excerpt } from "../../textproto/excerpt.js";
import { parseHeaderBlock } from "../header/headers.js";
import type { HeaderList, MimeDefect } from "../types.js";
import { limitError, type ResolvedLimits } from "./limits.js";
import { EOL_CRLF, type Eol } from "./line-scanner.js";

const CRLF = Buffer.from("\r\n");
const LF = Buffer.from("\n");
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

/** What a line did to the block. */
export type HeaderLineResult =
  /** A field or continuation line: the block goes on. */
  | "field"
  /** The blank line: the block is complete and the body follows. */
  | "end"
  /** Not a header line: the block is complete and this line is the first line of the body. */
  | "body";

/** One header block being read. */
export class HeaderCollector {
  readonly #limits: ResolvedLimits;
  readonly #defects: MimeDefect[];
  #lines: Buffer[] = [];
  /** Bytes of the block so far, line endings included (what `maxHeaderBytes` bounds). */
  #bytes = 0;
  #fields = 0;
  #lineCount = 0;

  /** Defects the collector finds go to `defects` (the part's list). */
  constructor(limits: ResolvedLimits, defects: MimeDefect[]) {
    this.#limits = limits;
    this.#defects = defects;
  }

  /** Bytes held so far. */
  get bufferedBytes(): number {
    return this.#bytes;
  }

  /** True once any byte of the block arrived (a part cut short before any is simply empty). */
  get started(): boolean {
    return this.#lineCount > 0;
  }

  /**
   * Takes one line (without its ending). Throws `LimitError` (`mime-header-block`, `mime-headers`)
   * when the block grows past its bounds.
   */
  line(content: Buffer, eol: Eol): HeaderLineResult {
    const lineNumber = this.#lineCount;
    this.#lineCount += 1;
    if (content.length === 0) return "end";
    const kind = classify(content);
    if (kind === "other") {
      this.#defects.push({
        kind: "malformed-header",
        message: `header block ended by a line that is not a header field (no blank line before the body): ${excerpt(content)}`,
      });
      return "body";
    }
    this.#bytes += content.length + (eol === EOL_CRLF ? 2 : 1);
    if (this.#bytes > this.#limits.maxHeaderBytes) throw limitError(this.#limits, "maxHeaderBytes");
    if (kind === "from") {
      if (lineNumber !== 0) {
        this.#defects.push({
          kind: "malformed-header",
          message: `mbox "From " line inside a header block, ignored: ${excerpt(content)}`,
        });
      }
      return "field";
    }
    if (kind === "field") {
      this.#fields += 1;
      if (this.#fields > this.#limits.maxHeaders) throw limitError(this.#limits, "maxHeaders");
    }
    // Kept as a copy (the scanner's bytes may be a view of an input chunk), with its own line
    // ending, so the header parser sees the block as it came (and counts the same bytes).
    this.#lines.push(Buffer.from(content), eol === EOL_CRLF ? CRLF : LF);
    return "field";
  }

  /** The block parsed (its defects appended to the part's list); the collector is spent. */
  finish(): HeaderList {
    const lines = this.#lines;
    this.#lines = [];
    if (lines.length > 0) lines.pop();
    const { headers, defects } = parseHeaderBlock(Buffer.concat(lines), this.#limits);
    for (const defect of defects) this.#defects.push(defect);
    return headers;
  }
}

/** `field` (`name:`), `continuation`, `from` (mbox envelope line) or `other`. */
function classify(line: Buffer): "field" | "continuation" | "from" | "other" {
  const first = line[0]!;
  if (first === SP || first === HT) return "continuation";
  if (
    line.length >= 5 &&
    first === 0x46 &&
    line[1] === 0x72 &&
    line[2] === 0x6f &&
    line[3] === 0x6d &&
    line[4] === SP
  ) {
    return "from";
  }
  // A field name is printable ASCII without the colon (RFC 5322 §2.2), up to the first colon.
  for (let i = 0; i < line.length; i += 1) {
    const b = line[i]!;
    if (b === COLON) return "field";
    if (b < 0x21 || b > 0x7e) return "other";
  }
  return "other";
}
