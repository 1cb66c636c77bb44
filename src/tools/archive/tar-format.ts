/**
 * POSIX tar headers (IEEE Std 1003.1-2017, pax: "ustar Interchange Format" and "pax Extended
 * Header") as pure encoders and decoders: the 512-byte ustar header with its checksum, and the
 * `length key=value\n` records of a PAX extended header. No I/O.
 */

export const BLOCK = 512;

/** Largest size or time the 11 octal digits of a ustar field can hold (8 GiB − 1). */
export const MAX_OCTAL_11 = 0o77777777777;

export const TYPE_FILE = "0";
export const TYPE_DIRECTORY = "5";
export const TYPE_PAX = "x";
export const TYPE_PAX_GLOBAL = "g";
export const TYPE_GNU_LONG_NAME = "L";

export interface UstarFields {
  /** ASCII, at most 100 bytes (the caller moves anything else into a PAX header). */
  name: string;
  mode: number;
  size: number;
  /** Whole seconds since the epoch, 0 … {@link MAX_OCTAL_11}. */
  mtime: number;
  type: string;
}

function writeOctal(header: Buffer, value: number, offset: number, length: number): void {
  header.write(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length, "ascii");
}

/** A ustar header block. A size past 11 octal digits is written in base-256 (the GNU form readers accept). */
export function ustarHeader(fields: UstarFields): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(fields.name, 0, 100, "utf8");
  writeOctal(header, fields.mode, 100, 8);
  writeOctal(header, 0, 108, 8); // uid
  writeOctal(header, 0, 116, 8); // gid
  if (fields.size <= MAX_OCTAL_11) writeOctal(header, fields.size, 124, 12);
  else {
    header[124] = 0x80;
    header.writeBigUInt64BE(BigInt(fields.size), 124 + 4);
  }
  writeOctal(header, fields.mtime, 136, 12);
  header.write(fields.type, 156, 1, "ascii");
  header.write("ustar\u000000", 257, 8, "ascii");
  header.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
  return header;
}

/** One PAX record: `"<length> <key>=<value>\n"`, where length counts the whole record in bytes. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = Buffer.byteLength(body, "utf8");
  let length = bodyBytes + 1;
  while (String(length).length + bodyBytes !== length) length = String(length).length + bodyBytes;
  return `${length}${body}`;
}

/** A PAX time: seconds with up to 3 decimals (the milliseconds a Date holds). */
export function paxTime(date: Date): string {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  const fraction = ms - seconds * 1000;
  return fraction === 0 ? String(seconds) : `${seconds}.${String(fraction).padStart(3, "0")}`;
}

/**
 * A PAX time (`1234567890`, `1234567890.25`, `-5.5`) in whole milliseconds, parsed as decimal text
 * so that no floating-point error creeps in; undefined when malformed.
 */
export function parsePaxTime(text: string): number | undefined {
  const match = /^(-?)(\d{1,15})(?:\.(\d*))?$/.exec(text);
  if (!match) return undefined;
  const ms = Number(match[2]) * 1000 + Number((match[3] ?? "").slice(0, 3).padEnd(3, "0"));
  return match[1] === "-" ? -ms : ms;
}

/** Parses PAX records. @returns key → value (later records win). @throws Error text for the caller to wrap. */
export function parsePaxRecords(data: Buffer): Map<string, string> | string {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    if (data[at] === 0) break; // padding
    const space = data.indexOf(0x20, at);
    if (space < 0 || space - at > 20) return "a PAX record has no length";
    const length = Number(data.toString("ascii", at, space));
    if (!Number.isSafeInteger(length) || length <= space - at + 1 || at + length > data.length) {
      return "a PAX record's length is wrong";
    }
    if (data[at + length - 1] !== 0x0a) return "a PAX record does not end with a newline";
    const record = data.toString("utf8", space + 1, at + length - 1);
    const equals = record.indexOf("=");
    if (equals <= 0) return "a PAX record has no key";
    records.set(record.slice(0, equals), record.slice(equals + 1));
    at += length;
  }
  return records;
}

/** Reads a numeric header field: octal (NUL/space-terminated) or base-256. `undefined` when malformed. */
export function readNumber(header: Buffer, offset: number, length: number): number | undefined {
  const first = header[offset]!;
  if (first & 0x80) {
    if (first !== 0x80) return undefined; // negative or absurdly large
    let value = 0n;
    for (let i = offset + 1; i < offset + length; i += 1) value = (value << 8n) | BigInt(header[i]!);
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
  }
  const text = header
    .toString("ascii", offset, offset + length)
    .replace(/[\0 ]+$/, "")
    .replace(/^ +/, "");
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) return undefined;
  return Number.parseInt(text, 8);
}

/** Whether a header's checksum is right (the unsigned sum; some old writers used signed bytes). */
export function checksumMatches(header: Buffer): boolean {
  const stored = readNumber(header, 148, 8);
  if (stored === undefined) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i += 1) {
    const byte = i >= 148 && i < 156 ? 0x20 : header[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** A NUL-terminated string field as raw bytes. */
export function readField(header: Buffer, offset: number, length: number): Buffer {
  const field = header.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return end < 0 ? field : field.subarray(0, end);
}
