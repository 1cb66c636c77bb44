/**
 * The one place where command lines are turned into bytes.
 *
 * Every protocol sends its commands through {@link encodeCommandLine} (directly, or through the
 * transport's `Connection.writeLine`), so the rule that no argument may carry CR, LF or NUL is
 * enforced once, before any byte is written: a value such as `"x\r\nRCPT TO:<evil>"` can never
 * become a second command (RFC 5321 §2.3.8, RFC 959 §4.1, RFC 3501 §4.3, curl CVE-2012-0036).
 *
 * Arguments wrapped in {@link secret} are written as they are but shown as `****` in the
 * redacted form that traces and error messages use.
 */
import { InvalidArgumentError } from "../errors.js";

/** A command argument that must never be shown: a password, a token, a SASL response. */
export class Secret {
  readonly value: string | Buffer;

  constructor(value: string | Buffer) {
    this.value = value;
  }

  /** Never the value: a Secret printed by mistake shows as `****`. */
  toString(): string {
    return "****";
  }

  toJSON(): string {
    return "****";
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "Secret(****)";
  }
}

/** Marks a command argument as secret (see {@link Secret}). */
export function secret(value: string | Buffer): Secret {
  return new Secret(value);
}

/** One part of a command line: joined to the others by a single space. */
export type CommandPart = string | number | bigint | Buffer | Secret;

/** A command line ready to send: the wire bytes (CRLF included) and a redacted text for traces. */
export interface EncodedLine {
  bytes: Buffer;
  /** The line as text without CRLF, each secret replaced by `****`. */
  redacted: string;
}

const FORBIDDEN = [0x0d, 0x0a, 0x00] as const;
const NAMES: Record<number, string> = { 13: "CR", 10: "LF", 0: "NUL" };

function toBytes(part: CommandPart): Buffer {
  if (part instanceof Secret) return toBytes(part.value);
  if (Buffer.isBuffer(part)) return part;
  if (typeof part === "string") return Buffer.from(part, "utf8");
  if (typeof part === "number" && !Number.isFinite(part)) {
    throw new InvalidArgumentError(`a command argument must be a finite number, got ${part}`);
  }
  return Buffer.from(String(part), "latin1");
}

/** Throws {@link InvalidArgumentError} if `bytes` hold CR, LF or NUL; `label` names the argument (never its value). */
export function assertLineSafe(bytes: Buffer | string, label: string): void {
  const buffer = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
  for (const byte of FORBIDDEN) {
    if (buffer.includes(byte)) {
      throw new InvalidArgumentError(
        `${label} contains ${NAMES[byte]}, which is not allowed in a command line`,
      );
    }
  }
}

/**
 * Encodes command parts into one CRLF-terminated line. Throws {@link InvalidArgumentError} when
 * there are no parts or any part contains CR, LF or NUL; nothing is returned (so nothing can be
 * written) in that case.
 */
export function encodeCommandLine(parts: readonly CommandPart[]): EncodedLine {
  if (parts.length === 0) throw new InvalidArgumentError("a command line needs at least one part");
  return encodePlainLine(parts) ?? encodeParts(parts);
}

/**
 * The common case, with one check and one conversion for the whole line: every part a string or
 * a safe integer, and none holding CR, LF or NUL. `undefined` otherwise, and {@link encodeParts}
 * then handles the line (and names the offending part).
 */
function encodePlainLine(parts: readonly CommandPart[]): EncodedLine | undefined {
  const text = plainLineText(parts);
  if (text === undefined) return undefined;
  return { bytes: Buffer.from(`${text}\r\n`, "utf8"), redacted: text };
}

/** Command lines checked and encoded together, to go out in one write (pipelining). */
export interface CommandGroup {
  /** Every line with its CRLF: one string when every part is plain text, else bytes. */
  readonly wire: string | Buffer;
  /** Each line as traces and errors show it: without CRLF, each secret as `****`. */
  readonly shown: readonly string[];
}

/**
 * Encodes several command lines as {@link encodeCommandLine} encodes one: a group made once can
 * be written many times (an SMTP envelope sent again for the next message).
 * @throws {InvalidArgumentError} when there are no lines, or as {@link encodeCommandLine} throws.
 */
export function encodeCommandGroup(lines: readonly (readonly CommandPart[])[]): CommandGroup {
  if (lines.length === 0) throw new InvalidArgumentError("a command group needs at least one line");
  // The usual group (plain strings and numbers) is one string: no Buffer per line.
  const texts: string[] = [];
  for (const parts of lines) {
    const text = plainLineText(parts);
    if (text === undefined) break;
    texts.push(text);
  }
  if (texts.length === lines.length) return { wire: `${texts.join("\r\n")}\r\n`, shown: texts };
  const encoded = lines.map((parts) => encodeCommandLine(parts));
  return {
    wire: Buffer.concat(encoded.map((line) => line.bytes)),
    shown: encoded.map((line) => line.redacted),
  };
}

/**
 * The text of a command line made only of strings and safe integers, without its CRLF, when it
 * holds no CR, LF or NUL; `undefined` otherwise (then {@link encodeCommandLine} decides, and names
 * the offending part). Such a line shows as it is sent: it has no {@link Secret} to mask.
 */
export function plainLineText(parts: readonly CommandPart[]): string | undefined {
  if (parts.length === 0) return undefined;
  let text = "";
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index];
    let piece: string;
    if (typeof part === "string") piece = part;
    else if (typeof part === "number" && Number.isSafeInteger(part)) piece = String(part);
    else return undefined;
    text = index === 0 ? piece : `${text} ${piece}`;
  }
  return UNSAFE.test(text) ? undefined : text;
}

const UNSAFE = /[\r\n\0]/;

function encodeParts(parts: readonly CommandPart[]): EncodedLine {
  const buffers: Buffer[] = [];
  const shown: string[] = [];
  parts.forEach((part, index) => {
    const bytes = toBytes(part);
    assertLineSafe(bytes, index === 0 ? "the command" : `argument ${index}`);
    buffers.push(bytes);
    shown.push(part instanceof Secret ? "****" : bytes.toString("utf8"));
  });
  const pieces: Buffer[] = [];
  buffers.forEach((bytes, index) => {
    if (index > 0) pieces.push(SPACE);
    pieces.push(bytes);
  });
  pieces.push(CRLF);
  return { bytes: Buffer.concat(pieces), redacted: shown.join(" ") };
}

/** Anything a line can be written to. */
export interface LineSink {
  write(bytes: Buffer): unknown;
}

/**
 * Encodes `parts` (see {@link encodeCommandLine}) and writes the line to `sink` in one write.
 * Returns the encoded line so the caller can trace its redacted form.
 */
export function writeLine(sink: LineSink, parts: readonly CommandPart[]): EncodedLine {
  const line = encodeCommandLine(parts);
  sink.write(line.bytes);
  return line;
}

const SPACE = Buffer.from(" ");
const CRLF = Buffer.from("\r\n");
