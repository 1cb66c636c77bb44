/**
 * The state machine of one message level: a header block, then either a body or a multipart
 * (RFC 2046 §5.1) whose parts — multiparts themselves, to any depth — follow each other between
 * boundary delimiters. Multiparts nest on an explicit stack of frames (no recursion, so no depth
 * can overflow the call stack). An encapsulated message (message/rfc822, message/global) is a
 * body at this level whose decoded bytes feed the next level down, through the parser's queue.
 *
 * Which bytes belong where follows RFC 2046 §5.1.1: the preamble and the epilogue are ignored,
 * the line ending before a delimiter belongs to the delimiter, a delimiter of an enclosing
 * multipart ends the inner ones (each then gets a `missing-closing-boundary` defect), and the end
 * of the input ends everything still open.
 */

import { type BodyForward, BodyReader, type BodyTargets } from "./body-reader.js";
import { BoundaryTable, boundaryByteLength, type DelimiterMatch } from "./boundaries.js";
import { HeaderCollector } from "./header-collector.js";
import { limitError, type ResolvedLimits } from "./limits.js";
import { EOL_LF, type Eol, type LineHandler, LineScanner, STREAM, WHOLE } from "./line-scanner.js";
import { PartNode } from "./part.js";

/** What a level needs from the parser that owns it. */
export interface LevelContext {
  readonly limits: ResolvedLimits;
  /** Counts one more node of the tree; throws LimitError (`mime-parts`) past `maxParts`. */
  countPart(): void;
  /** Where the body of `part` (a leaf or an encapsulated message) at `level` goes. */
  targetsFor(part: PartNode, level: number): BodyTargets;
  /** Opens the level below `level` for the message rooted at `root`; returns where its bytes go. */
  openMessage(root: PartNode, level: number): BodyForward;
  /** True when the top level should stop after the current line (an attachment event is due). */
  readonly paused: boolean;
}

const HEADERS = 0;
const BODY = 1;
const PREAMBLE = 2;
const EPILOGUE = 3;

/** An open multipart. */
interface Frame {
  part: PartNode;
  closed: boolean;
  /** The longest boundary (bytes) of this frame and the frames below it. */
  longest: number;
}

/** One message: its header block, then its body or its parts. */
export class MessageLevel implements LineHandler {
  mode = WHOLE;
  readonly root: PartNode;
  readonly #ctx: LevelContext;
  readonly #index: number;
  readonly #scanner: LineScanner;
  #state = HEADERS;
  /** The part being read: its headers or body, or the multipart whose preamble/epilogue it is. */
  #current: PartNode;
  #collector: HeaderCollector | undefined;
  #body: BodyReader | undefined;
  readonly #frames: Frame[] = [];
  readonly #table = new BoundaryTable();
  #bareSeen = false;

  /** A level for the message rooted at `root` (already counted), `index` levels down. */
  constructor(ctx: LevelContext, root: PartNode, index: number) {
    this.#ctx = ctx;
    this.#index = index;
    this.root = root;
    this.#current = root;
    const limits = ctx.limits;
    this.#scanner = new LineScanner(this, limits.maxLineLength, () => limitError(limits, "maxLineLength"));
    this.#collector = new HeaderCollector(limits, root.defects);
  }

  get paused(): boolean {
    return this.#index === 0 && this.#ctx.paused;
  }

  /** Bytes this level holds: a held line, a header block, a kept body. */
  get bufferedBytes(): number {
    return (
      this.#scanner.bufferedBytes + (this.#collector?.bufferedBytes ?? 0) + (this.#body?.bufferedBytes ?? 0)
    );
  }

  /** Reads `chunk` from `start`; returns where it paused (see {@link LineScanner.push}). */
  push(chunk: Buffer, start = 0): number {
    return this.#scanner.push(chunk, start);
  }

  /** The end of this message's bytes: everything open is closed. */
  end(): void {
    this.#scanner.end();
    this.#endCurrent();
    while (this.#frames.length > 0) this.#popFrame();
    this.#state = EPILOGUE;
  }

  // LineHandler

  data(bytes: Buffer): void {
    if (this.#state === BODY) this.#body!.write(bytes);
  }

  line(content: Buffer, eol: Eol): boolean {
    const match = this.#table.match(content);
    if (match) {
      if (eol === EOL_LF) this.#bareLineEnding();
      this.#delimiter(match);
      return true;
    }
    if (this.#state !== HEADERS) return false;
    const result = this.#collector!.line(content, eol);
    if (result === "body") {
      this.#headersDone();
      return false;
    }
    if (eol === EOL_LF) this.#bareLineEnding();
    if (result === "end") this.#headersDone();
    return true;
  }

  keepsLastEol(): boolean {
    // A body running to the end of the message keeps its last line ending; a part of a multipart
    // cut short by the end does not (as if its delimiter had come: Python's reading too).
    return !(this.#state === BODY && this.#frames.length > 0);
  }

  // The machine

  /**
   * A header line or a delimiter ended in a bare LF. Recorded once per message (one written with
   * bare LFs has them everywhere), and only for these structural lines: inside a body a LF is
   * content (a binary body is full of them) and is kept as it came.
   */
  #bareLineEnding(): void {
    if (this.#bareSeen) return;
    this.#bareSeen = true;
    this.root.defects.push({
      kind: "bare-line-ending",
      message: "lines of this message end in a bare LF instead of CRLF",
    });
  }

  #updateMode(): void {
    if (this.#state === HEADERS) this.mode = WHOLE;
    else if (this.#table.size === 0) this.mode = STREAM;
    // `--` + boundary + `--`: the longest line (trailing blanks aside) that can be a delimiter.
    else this.mode = 4 + this.#frames[this.#frames.length - 1]!.longest;
  }

  #checkDepth(nesting: number): void {
    if (nesting > this.#ctx.limits.maxDepth) throw limitError(this.#ctx.limits, "maxDepth");
  }

  /** The header block of the current part is complete: read it and decide what follows. */
  #headersDone(): void {
    const part = this.#current;
    const headers = this.#collector!.finish();
    this.#collector = undefined;
    const parent = part === this.root ? undefined : this.#frames[this.#frames.length - 1]?.part;
    part.describe(headers, parent?.contentType === "multipart/digest");
    if (part.isMultipart) {
      this.#checkDepth(part.depth + 1);
      part.markContainer();
      const below = this.#frames[this.#frames.length - 1];
      const boundary = part.boundary!;
      this.#table.add(this.#frames.length, boundary);
      this.#frames.push({
        part,
        closed: false,
        longest: Math.max(below?.longest ?? 0, boundaryByteLength(boundary)),
      });
      this.#state = PREAMBLE;
    } else {
      let forward: BodyForward | undefined;
      if (part.isMessage) {
        this.#checkDepth(part.depth + 1);
        this.#ctx.countPart();
        const child = new PartNode(part.depth + 1);
        part.children.push(child);
        forward = this.#ctx.openMessage(child, this.#index);
      }
      const targets = this.#ctx.targetsFor(part, this.#index);
      this.#body = new BodyReader(part, { ...targets, forward });
      this.#state = BODY;
    }
    this.#updateMode();
  }

  /** Ends the part being read (its headers or its body), as a delimiter or the end of input does. */
  #endCurrent(): void {
    if (this.#state === HEADERS) {
      if (this.#collector!.started) {
        this.#current.defects.push({
          kind: "truncated-headers",
          message: "the part ended inside its header block (no blank line before the end)",
        });
      }
      this.#headersDone();
    }
    if (this.#state === BODY) {
      const body = this.#body!;
      this.#body = undefined;
      body.end();
      this.#state = EPILOGUE;
    }
  }

  #delimiter(match: DelimiterMatch): void {
    this.#endCurrent();
    while (this.#frames.length - 1 > match.frame) this.#popFrame();
    const frame = this.#frames[match.frame]!;
    if (match.close) {
      frame.closed = true;
      this.#table.remove(match.frame);
      this.#state = EPILOGUE;
      this.#current = frame.part;
    } else {
      this.#ctx.countPart();
      const child = new PartNode(frame.part.depth + 1);
      frame.part.children.push(child);
      this.#current = child;
      this.#collector = new HeaderCollector(this.#ctx.limits, child.defects);
      this.#state = HEADERS;
    }
    this.#updateMode();
  }

  /** Closes the innermost multipart, noting what it lacked. */
  #popFrame(): void {
    const frame = this.#frames.pop()!;
    const part = frame.part;
    if (!frame.closed) {
      this.#table.remove(this.#frames.length);
      part.defects.push({
        kind: "missing-closing-boundary",
        message: `the closing delimiter of ${part.contentType} never came`,
      });
    }
    if (part.children.length === 0) {
      part.defects.push({ kind: "no-parts", message: `${part.contentType} has no part` });
    }
    const outer = this.#frames[this.#frames.length - 1];
    this.#current = outer?.part ?? this.root;
    this.#state = EPILOGUE;
    this.#updateMode();
  }
}
