/**
 * Lists a ZIP file from its central directory (APPNOTE 4.3.12–4.3.16, ZIP64 included) and reads
 * entries back with their CRC-32 checked. Meant for archives of any origin: the end record is
 * searched only within the last 64 KiB + 22 bytes, offsets and sizes must lie inside the file,
 * extra fields must be well formed, entries are capped, names are checked against `..`, absolute
 * paths and NUL, and an entry never yields more bytes than its header declares.
 */
import { type FileHandle, open } from "node:fs/promises";
import { Readable } from "node:stream";
import { createInflateRaw } from "node:zlib";
import { LimitError, ProtocolError } from "../../errors.js";
import { crc32 } from "./crc32.js";
import {
  type ArchiveEntry,
  type ArchiveReadOptions,
  checkReadName,
  collect,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_MAX_READ_BYTES,
  malformed,
} from "./entry.js";
import {
  EXTRA_TIMESTAMP,
  EXTRA_ZIP64,
  FLAG_ENCRYPTED,
  FLAG_UTF8,
  fromDosDateTime,
  MAX_U16,
  MAX_U32,
  METHOD_DEFLATE,
  METHOD_STORE,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  SIG_CENTRAL,
  SIG_END,
  SIG_LOCAL,
  SIG_ZIP64_END,
  SIG_ZIP64_LOCATOR,
} from "./zip-format.js";

/** A ZIP entry: the common facts plus what a ZIP says about its storage. */
export interface ZipEntry extends ArchiveEntry {
  compressedSize: number;
  /** 0 stored, 8 deflated (the only methods read). */
  method: number;
  crc: number;
  encrypted: boolean;
  /** Where its local header starts. */
  offset: number;
}

/** Central directory read per file read. */
const READ_CHUNK = 1024 * 1024;

/** IBM code page 437, bytes 0x80–0xFF: the names of entries without the UTF-8 flag (APPNOTE appendix D). */
const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Lists the entries of the ZIP file at `path`.
 *
 * @throws ProtocolError (`malformed-archive`, `unsupported-archive`, `unsafe-entry-name`) for
 *   what is not a readable ZIP or holds an unsafe name; LimitError past `maxEntries`; Node's file
 *   system error.
 */
export async function readZipEntries(path: string, options: ArchiveReadOptions = {}): Promise<ZipEntry[]> {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const handle = await open(path, "r");
  try {
    const { size: fileSize } = await handle.stat();
    const end = await readEnd(handle, fileSize);
    if (end.entries > maxEntries) throw new LimitError("archive-entries", maxEntries);
    if (end.directoryOffset + end.directorySize > end.limit) {
      throw malformed("the central directory lies outside the file");
    }
    if (end.entries * 46 > end.directorySize) throw malformed("the central directory is too short");
    const entries: ZipEntry[] = [];
    let position = end.directoryOffset;
    let buffer = Buffer.alloc(0);
    let cursor = 0;
    const need = async (bytes: number): Promise<void> => {
      if (buffer.length - cursor >= bytes) return;
      const available = end.directoryOffset + end.directorySize - position;
      const wanted = Math.min(Math.max(bytes - (buffer.length - cursor), READ_CHUNK), available);
      if (buffer.length - cursor + wanted < bytes) throw malformed("the central directory is cut short");
      const chunk = await readAt(handle, position, wanted);
      position += wanted;
      buffer = Buffer.concat([buffer.subarray(cursor), chunk]);
      cursor = 0;
    };
    for (let index = 0; index < end.entries; index += 1) {
      await need(46);
      if (buffer.readUInt32LE(cursor) !== SIG_CENTRAL)
        throw malformed("a central directory header is missing");
      const length = 46 + buffer.readUInt16LE(cursor + 28) + buffer.readUInt16LE(cursor + 30);
      const total = length + buffer.readUInt16LE(cursor + 32);
      await need(total);
      entries.push(centralEntry(path, buffer.subarray(cursor, cursor + length), end.directoryOffset));
      cursor += total;
    }
    return entries;
  } finally {
    await handle.close();
  }
}

interface EndFacts {
  entries: number;
  directorySize: number;
  directoryOffset: number;
  /** Where the end records begin: the central directory must end at or before it. */
  limit: number;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw malformed("the file ends too soon");
    done += bytesRead;
  }
  return buffer;
}

function safeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(`the ${what} is implausibly large`);
  return Number(value);
}

/** Finds the end of central directory record (and the ZIP64 one when there is a locator). */
async function readEnd(handle: FileHandle, fileSize: number): Promise<EndFacts> {
  const tailLength = Math.min(fileSize, 22 + MAX_U16);
  if (tailLength < 22) throw malformed("too short to be a zip file");
  const tailStart = fileSize - tailLength;
  const tail = await readAt(handle, tailStart, tailLength);
  let at = -1;
  for (let i = tailLength - 22; i >= 0; i -= 1) {
    if (tail.readUInt32LE(i) === SIG_END && i + 22 + tail.readUInt16LE(i + 20) === tailLength) {
      at = i;
      break;
    }
  }
  if (at < 0) throw malformed("no end of central directory record");
  if (tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0) {
    throw new ProtocolError("unsupported-archive", "multi-part zip archives are not supported");
  }
  const endAt = tailStart + at;
  const facts: EndFacts = {
    entries: tail.readUInt16LE(at + 10),
    directorySize: tail.readUInt32LE(at + 12),
    directoryOffset: tail.readUInt32LE(at + 16),
    limit: endAt,
  };
  if (endAt < 20) return facts;
  const locator = await readAt(handle, endAt - 20, 20);
  // Without a locator, saturated fields are taken at their word (the bounds checks follow).
  if (locator.readUInt32LE(0) !== SIG_ZIP64_LOCATOR) return facts;
  const recordAt = safeNumber(locator.readBigUInt64LE(8), "ZIP64 end record offset");
  if (recordAt + 56 > endAt - 20) throw malformed("the ZIP64 end record lies outside the file");
  const record = await readAt(handle, recordAt, 56);
  if (record.readUInt32LE(0) !== SIG_ZIP64_END) throw malformed("the ZIP64 end record is missing");
  return {
    entries: safeNumber(record.readBigUInt64LE(32), "entry count"),
    directorySize: safeNumber(record.readBigUInt64LE(40), "central directory size"),
    directoryOffset: safeNumber(record.readBigUInt64LE(48), "central directory offset"),
    limit: recordAt,
  };
}

function decodeName(bytes: Buffer, utf8Flag: boolean): string {
  if (utf8Flag) {
    try {
      return utf8.decode(bytes);
    } catch {
      throw malformed("an entry name flagged UTF-8 is not valid UTF-8");
    }
  }
  let name = "";
  for (const byte of bytes) name += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
  return name;
}

/** One central directory header (without its comment) as an entry. */
function centralEntry(path: string, header: Buffer, dataLimit: number): ZipEntry {
  const madeBy = header.readUInt16LE(4);
  const flags = header.readUInt16LE(8);
  const method = header.readUInt16LE(10);
  const time = header.readUInt16LE(12);
  const date = header.readUInt16LE(14);
  const crc = header.readUInt32LE(16);
  let compressedSize = header.readUInt32LE(20);
  let size = header.readUInt32LE(24);
  const nameLength = header.readUInt16LE(28);
  const extraLength = header.readUInt16LE(30);
  const attributes = header.readUInt32LE(38);
  let offset = header.readUInt32LE(42);
  const rawName = decodeName(header.subarray(46, 46 + nameLength), (flags & FLAG_UTF8) !== 0);
  const extra = header.subarray(46 + nameLength, 46 + nameLength + extraLength);

  let modifiedAt = fromDosDateTime(time, date);
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    const body = extra.subarray(at + 4, at + 4 + length);
    if (body.length !== length) throw malformed("an extra field runs past its end");
    if (id === EXTRA_ZIP64) {
      // Only the fields whose 32-bit value is saturated are present, in this order (4.5.3).
      let field = 0;
      const next = (what: string): number => {
        if (field + 8 > body.length) throw malformed("a ZIP64 extra field is too short");
        const value = safeNumber(body.readBigUInt64LE(field), what);
        field += 8;
        return value;
      };
      if (size === MAX_U32) size = next("size");
      if (compressedSize === MAX_U32) compressedSize = next("compressed size");
      if (offset === MAX_U32) offset = next("offset");
    } else if (id === EXTRA_TIMESTAMP && length >= 5 && (body[0]! & 1) !== 0) {
      modifiedAt = new Date(body.readUInt32LE(1) * 1000);
    }
    at += 4 + length;
  }

  const unixType = madeBy >> 8 === 3 ? (attributes >>> 16) & S_IFMT : 0;
  const folder = rawName.endsWith("/") || unixType === S_IFDIR || (attributes & 0x10) !== 0;
  const type: ZipEntry["type"] =
    unixType === S_IFLNK
      ? "symlink"
      : folder
        ? "directory"
        : unixType === 0 || unixType === S_IFREG
          ? "file"
          : "other";
  const name = checkReadName(rawName.endsWith("/") ? rawName.slice(0, -1) : rawName);
  if (offset + 30 > dataLimit || offset + compressedSize > dataLimit) {
    throw malformed("an entry lies outside the file's data");
  }
  const entry: ZipEntry = {
    name,
    type,
    size,
    compressedSize,
    modifiedAt,
    mode: madeBy >> 8 === 3 && attributes >>> 16 !== 0 ? (attributes >>> 16) & 0o7777 : undefined,
    method,
    crc,
    encrypted: (flags & FLAG_ENCRYPTED) !== 0,
    offset,
    open: () => Readable.from(entryBytes(path, entry, dataLimit)),
    read: async (options = {}) => {
      const maxBytes = options.maxBytes ?? DEFAULT_MAX_READ_BYTES;
      if (entry.size > maxBytes) throw new LimitError("archive-entry", maxBytes);
      return collect(entry.open(), maxBytes);
    },
  };
  return entry;
}

/** An entry's bytes, inflated and checked against the central directory's CRC and size. */
async function* entryBytes(path: string, entry: ZipEntry, dataLimit: number): AsyncGenerator<Buffer> {
  if (entry.encrypted)
    throw new ProtocolError("unsupported-archive", "encrypted zip entries are not supported");
  if (entry.method !== METHOD_STORE && entry.method !== METHOD_DEFLATE) {
    throw new ProtocolError("unsupported-archive", `zip compression method ${entry.method} is not supported`);
  }
  const handle = await open(path, "r");
  let raw: Readable | undefined;
  let output: Readable | undefined;
  try {
    const header = await readAt(handle, entry.offset, 30);
    if (header.readUInt32LE(0) !== SIG_LOCAL) throw malformed("a local file header is missing");
    const start = entry.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    if (start + entry.compressedSize > dataLimit) throw malformed("an entry's data lies outside the file");
    raw = Readable.from(rawBytes(handle, start, entry.compressedSize));
    output = raw;
    if (entry.method === METHOD_DEFLATE) {
      const inflate = createInflateRaw();
      raw.on("error", (error) => inflate.destroy(error));
      output = raw.pipe(inflate);
    }
    let crc = 0;
    let size = 0;
    for await (const chunk of output as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > entry.size) throw malformed("an entry holds more bytes than its header declares");
      crc = crc32(chunk, crc);
      yield chunk;
    }
    if (size !== entry.size) throw malformed("an entry holds fewer bytes than its header declares");
    if (crc !== entry.crc)
      throw new ProtocolError("archive-crc-mismatch", "an entry's CRC-32 does not match");
  } catch (error) {
    if (error instanceof Error && "code" in error && String(error.code).startsWith("Z_")) {
      throw malformed(`an entry's compressed data is corrupt (${error.message})`);
    }
    throw error;
  } finally {
    output?.destroy();
    raw?.destroy();
    await handle.close();
  }
}

/** `length` bytes of the open file from `start`, in chunks. */
async function* rawBytes(handle: FileHandle, start: number, length: number): AsyncGenerator<Buffer> {
  for (let done = 0; done < length; ) {
    const chunk = await readAt(handle, start + done, Math.min(READ_CHUNK, length - done));
    done += chunk.length;
    yield chunk;
  }
}
