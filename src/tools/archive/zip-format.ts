/**
 * The records of a ZIP file (PKWARE APPNOTE.TXT 6.3.x) as pure encoders: local file header
 * (4.3.7), data descriptor (4.3.9), central directory header (4.3.12), ZIP64 end of central
 * directory record and locator (4.3.14, 4.3.15), end of central directory record (4.3.16), the
 * ZIP64 extended information extra field (4.5.3) and Info-ZIP's extended timestamp (0x5455).
 * All numbers are little-endian. No I/O.
 */

export const SIG_LOCAL = 0x04034b50;
export const SIG_DESCRIPTOR = 0x08074b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_ZIP64_END = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;
export const SIG_END = 0x06054b50;

/** General-purpose flag bit 3: CRC and sizes follow the data in a data descriptor. */
export const FLAG_DESCRIPTOR = 0x0008;
/** General-purpose flag bit 11: the name is UTF-8 (APPNOTE appendix D). */
export const FLAG_UTF8 = 0x0800;
/** General-purpose flag bit 0: the entry is encrypted (never written; refused when read). */
export const FLAG_ENCRYPTED = 0x0001;

export const METHOD_STORE = 0;
export const METHOD_DEFLATE = 8;

export const EXTRA_ZIP64 = 0x0001;
export const EXTRA_TIMESTAMP = 0x5455;

/** "Version needed to extract": 2.0 for deflate and folders, 4.5 with ZIP64. */
export const VERSION_DEFLATE = 20;
export const VERSION_ZIP64 = 45;
/** "Version made by": UNIX (3) in the high byte, so readers honour the mode in the external attributes. */
export const MADE_BY_UNIX = (3 << 8) | VERSION_ZIP64;

export const MAX_U16 = 0xffff;
export const MAX_U32 = 0xffffffff;

/** S_IFREG and S_IFDIR, for the external attributes' high half. */
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
export const S_IFMT = 0o170000;

/** A zero-filled buffer from Node's shared pool (headers are small and many: `Buffer.alloc` costs a whole allocation each). */
function zeroed(size: number): Buffer {
  return Buffer.allocUnsafe(size).fill(0);
}

/** MS-DOS date and time (local time, 2-second steps, 1980–2107; outside that range clamped). */
export function dosDateTime(date: Date): { time: number; date: number } {
  let year = date.getFullYear();
  if (!Number.isFinite(year) || year < 1980) return { time: 0, date: (1 << 5) | 1 }; // 1980-01-01 00:00
  if (year > 2107) return { time: (23 << 11) | (59 << 5) | 29, date: (127 << 9) | (12 << 5) | 31 };
  year -= 1980;
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1),
    date: (year << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

/** The moment an MS-DOS date and time stand for, read as local time; undefined when invalid. */
export function fromDosDateTime(time: number, date: number): Date | undefined {
  const day = date & 0x1f;
  const month = (date >> 5) & 0x0f;
  if (day === 0 || month === 0 || month > 12) return undefined;
  const result = new Date(
    1980 + (date >> 9),
    month - 1,
    day,
    time >> 11,
    (time >> 5) & 0x3f,
    (time & 0x1f) * 2,
  );
  return Number.isFinite(result.getTime()) ? result : undefined;
}

/** Info-ZIP extended timestamp with the modification time only, or an empty buffer when it does not fit an int32. */
export function timestampExtra(date: Date): Buffer {
  const seconds = Math.floor(date.getTime() / 1000);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 0x7fffffff) return zeroed(0);
  const extra = zeroed(9);
  extra.writeUInt16LE(EXTRA_TIMESTAMP, 0);
  extra.writeUInt16LE(5, 2);
  extra.writeUInt8(1, 4); // bit 0: modification time present
  extra.writeUInt32LE(seconds, 5);
  return extra;
}

/** A ZIP64 extended information extra field holding `values` (8 bytes each, in APPNOTE's order). */
export function zip64Extra(values: readonly number[]): Buffer {
  const extra = zeroed(4 + 8 * values.length);
  extra.writeUInt16LE(EXTRA_ZIP64, 0);
  extra.writeUInt16LE(8 * values.length, 2);
  values.forEach((value, index) => {
    extra.writeBigUInt64LE(BigInt(value), 4 + 8 * index);
  });
  return extra;
}

export interface LocalHeaderFields {
  flags: number;
  method: number;
  versionNeeded: number;
  dos: { time: number; date: number };
  crc: number;
  compressedSize: number;
  size: number;
  name: Buffer;
  extra: Buffer;
}

/**
 * The run of 26 bytes both file headers share, from "version needed to extract" to "extra field
 * length" (4.3.7, 4.3.12): the central header has "version made by" in front, so it starts 2 later.
 */
function writeSharedFields(header: Buffer, fields: LocalHeaderFields, at: number): void {
  header.writeUInt16LE(fields.versionNeeded, at);
  header.writeUInt16LE(fields.flags, at + 2);
  header.writeUInt16LE(fields.method, at + 4);
  header.writeUInt16LE(fields.dos.time, at + 6);
  header.writeUInt16LE(fields.dos.date, at + 8);
  header.writeUInt32LE(fields.crc >>> 0, at + 10);
  header.writeUInt32LE(fields.compressedSize, at + 14);
  header.writeUInt32LE(fields.size, at + 18);
  header.writeUInt16LE(fields.name.length, at + 22);
  header.writeUInt16LE(fields.extra.length, at + 24);
}

/** Local file header (4.3.7): 30 bytes, the name, the extra field. */
export function localHeader(fields: LocalHeaderFields): Buffer {
  const header = zeroed(30 + fields.name.length + fields.extra.length);
  header.writeUInt32LE(SIG_LOCAL, 0);
  writeSharedFields(header, fields, 4);
  fields.name.copy(header, 30);
  fields.extra.copy(header, 30 + fields.name.length);
  return header;
}

/** Data descriptor (4.3.9) with its optional signature; 8-byte sizes when `zip64`. */
export function dataDescriptor(crc: number, compressedSize: number, size: number, zip64: boolean): Buffer {
  const record = zeroed(zip64 ? 24 : 16);
  record.writeUInt32LE(SIG_DESCRIPTOR, 0);
  record.writeUInt32LE(crc >>> 0, 4);
  if (zip64) {
    record.writeBigUInt64LE(BigInt(compressedSize), 8);
    record.writeBigUInt64LE(BigInt(size), 16);
  } else {
    record.writeUInt32LE(compressedSize, 8);
    record.writeUInt32LE(size, 12);
  }
  return record;
}

export interface CentralHeaderFields extends LocalHeaderFields {
  externalAttributes: number;
  localHeaderOffset: number;
}

/** Central directory file header (4.3.12), no comment. */
export function centralHeader(fields: CentralHeaderFields): Buffer {
  const header = zeroed(46 + fields.name.length + fields.extra.length);
  header.writeUInt32LE(SIG_CENTRAL, 0);
  header.writeUInt16LE(MADE_BY_UNIX, 4);
  writeSharedFields(header, fields, 6);
  // Comment length, disk number start and internal attributes stay 0.
  header.writeUInt32LE(fields.externalAttributes >>> 0, 38);
  header.writeUInt32LE(fields.localHeaderOffset, 42);
  fields.name.copy(header, 46);
  fields.extra.copy(header, 46 + fields.name.length);
  return header;
}

/** The ZIP64 end of central directory record (4.3.14, version 1) followed by its locator (4.3.15). */
export function zip64End(entries: number, directorySize: number, directoryOffset: number): Buffer {
  const record = zeroed(56 + 20);
  record.writeUInt32LE(SIG_ZIP64_END, 0);
  record.writeBigUInt64LE(44n, 4); // size of the rest of the record
  record.writeUInt16LE(MADE_BY_UNIX, 12);
  record.writeUInt16LE(VERSION_ZIP64, 14);
  // Disk numbers (16, 20) stay 0.
  record.writeBigUInt64LE(BigInt(entries), 24);
  record.writeBigUInt64LE(BigInt(entries), 32);
  record.writeBigUInt64LE(BigInt(directorySize), 40);
  record.writeBigUInt64LE(BigInt(directoryOffset), 48);
  const locatorAt = 56;
  record.writeUInt32LE(SIG_ZIP64_LOCATOR, locatorAt);
  // Disk with the ZIP64 end record (4) stays 0; its offset is where this record starts.
  record.writeBigUInt64LE(BigInt(directoryOffset + directorySize), locatorAt + 8);
  record.writeUInt32LE(1, locatorAt + 16); // total number of disks
  return record;
}

/**
 * End of central directory record (4.3.16). The caller passes 0xFFFF/0xFFFFFFFF for values that
 * the ZIP64 end record holds instead.
 */
export function endOfCentralDirectory(
  entries: number,
  directorySize: number,
  directoryOffset: number,
): Buffer {
  const record = zeroed(22);
  record.writeUInt32LE(SIG_END, 0);
  record.writeUInt16LE(entries, 8);
  record.writeUInt16LE(entries, 10);
  record.writeUInt32LE(directorySize, 12);
  record.writeUInt32LE(directoryOffset, 16);
  return record;
}
