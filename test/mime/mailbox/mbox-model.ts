// Test helpers: a plain, whole-file model of mbox splitting (Python's `_generate_toc` read line by
// line, with `\r\n` counted as blank too) and of From-quoting, to check the streaming scanner and
// quoter against; and a way to run the scanner over any chunking.
import type { MboxEvent, MboxFormat } from "../../../src/mime/mailbox/mbox-scanner.js";
import { MboxScanner } from "../../../src/mime/mailbox/mbox-scanner.js";

export interface ModelMessage {
  offset: number;
  end: number;
  fromLine: string;
  content: string;
}

/** Splits `text` (latin1: one char per byte) into lines that keep their `\n`. */
function lines(text: string): { at: number; line: string }[] {
  const out: { at: number; line: string }[] = [];
  let at = 0;
  while (at < text.length) {
    const newline = text.indexOf("\n", at);
    const stop = newline < 0 ? text.length : newline + 1;
    out.push({ at, line: text.slice(at, stop) });
    at = stop;
  }
  return out;
}

/** One line unquoted the way a reader of `format` does it. */
export function unquoteLine(line: string, format: MboxFormat): string {
  if (format === "mboxrd") return /^>+From /.test(line) ? line.slice(1) : line;
  return line.startsWith(">From ") ? line.slice(1) : line;
}

/** One line quoted the way a writer of `format` does it. */
export function quoteLine(line: string, format: MboxFormat): string {
  if (format === "mboxrd") return /^>*From /.test(line) ? `>${line}` : line;
  return line.startsWith("From ") ? `>${line}` : line;
}

/** The messages of a whole mbox `file` (latin1 string), by the model. */
export function modelRead(file: string, format: MboxFormat): ModelMessage[] {
  const all = lines(file);
  const found: ModelMessage[] = [];
  let current: { offset: number; fromLine: string; body: { at: number; line: string }[] } | undefined;
  const close = (stopAt: number) => {
    if (!current) return;
    let body = current.body;
    let end = stopAt;
    const last = body[body.length - 1];
    if (last && (last.line === "\n" || last.line === "\r\n")) {
      body = body.slice(0, -1);
      end = last.at;
    }
    found.push({
      offset: current.offset,
      end,
      fromLine: current.fromLine,
      content: body.map((l) => unquoteLine(l.line, format)).join(""),
    });
  };
  for (const entry of all) {
    if (entry.line.startsWith("From ")) {
      close(entry.at);
      let fromLine = entry.line.endsWith("\n") ? entry.line.slice(0, -1) : entry.line;
      if (fromLine.endsWith("\r")) fromLine = fromLine.slice(0, -1);
      current = { offset: entry.at, fromLine: fromLine.slice(0, 4096), body: [] };
    } else if (current) {
      current.body.push(entry);
    }
  }
  close(file.length);
  return found;
}

/** The stored form of one message by the model: quoted lines, a final line ending when missing. */
export function modelQuote(message: string, format: MboxFormat): string {
  let out = lines(message)
    .map((l) => quoteLine(l.line, format))
    .join("");
  if (message.length > 0 && !message.endsWith("\n")) {
    const first = message.indexOf("\n");
    out += first > 0 && message[first - 1] === "\r" ? "\r\n" : "\n";
  }
  return out;
}

/** Runs the scanner over `chunks` and gathers whole messages. */
export function scanChunks(chunks: readonly Buffer[], format: MboxFormat): ModelMessage[] {
  const scanner = new MboxScanner(format);
  const events: MboxEvent[] = [];
  for (const chunk of chunks) scanner.push(chunk, events);
  scanner.end(events);
  return gather(events);
}

/** Whole messages from a list of events (checking their order on the way). */
export function gather(events: readonly MboxEvent[]): ModelMessage[] {
  const out: ModelMessage[] = [];
  let open: { offset: number; fromLine: string; parts: Buffer[] } | undefined;
  for (const event of events) {
    if (event.type === "start") {
      if (open) throw new Error("start inside a message");
      open = { offset: event.offset, fromLine: event.fromLine.toString("latin1"), parts: [] };
    } else if (event.type === "data") {
      if (!open) throw new Error("data outside a message");
      if (event.bytes.length === 0) throw new Error("empty data event");
      open.parts.push(event.bytes);
    } else {
      if (!open) throw new Error("end outside a message");
      out.push({
        offset: open.offset,
        end: event.end,
        fromLine: open.fromLine,
        content: Buffer.concat(open.parts).toString("latin1"),
      });
      open = undefined;
    }
  }
  if (open) throw new Error("a message never ended");
  return out;
}

/** `bytes` cut at the given offsets (sorted, deduplicated). */
export function cut(bytes: Buffer, at: readonly number[]): Buffer[] {
  const points = [...new Set(at)].filter((p) => p > 0 && p < bytes.length).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    out.push(bytes.subarray(from, point));
    from = point;
  }
  out.push(bytes.subarray(from));
  return out;
}
