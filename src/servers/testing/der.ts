/**
 * A small DER (ITU-T X.690 §10) encoder and reader: just what building and reading X.509
 * certificates needs, no more. Everything works on Buffers; nothing here knows about certificates.
 */

/** Universal tag numbers (X.680 §8.6) used by X.509, with the constructed bit where it applies. */
export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** Encodes a DER length: short form below 128, else the long form with the fewest octets (X.690 §8.1.3). */
function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const octets: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) octets.unshift(n % 256);
  return Buffer.from([0x80 | octets.length, ...octets]);
}

/** One tag-length-value element. `tag` is the whole identifier octet (class, constructed bit, number < 31). */
export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

/** SEQUENCE of the already-encoded elements, in order. */
export function sequence(...items: Buffer[]): Buffer {
  return tlv(Tag.sequence, Buffer.concat(items));
}

/** SET OF the already-encoded elements, sorted by their encodings as DER requires (X.690 §11.6). */
export function set(...items: Buffer[]): Buffer {
  return tlv(Tag.set, Buffer.concat([...items].sort(Buffer.compare)));
}

/** BOOLEAN: TRUE is 0xFF in DER (X.690 §11.1). */
export function boolean(value: boolean): Buffer {
  return tlv(Tag.boolean, Buffer.from([value ? 0xff : 0x00]));
}

/** NULL. */
export function nullValue(): Buffer {
  return tlv(Tag.null, Buffer.alloc(0));
}

/**
 * INTEGER from a non-negative number or from big-endian unsigned bytes: leading zero octets are
 * dropped and one is added back when the top bit is set, so the value stays positive and minimal.
 */
export function integer(value: number | Buffer): Buffer {
  let bytes: Buffer;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a DER integer: ${value}`);
    const octets: number[] = [];
    for (let n = value; n > 0; n = Math.floor(n / 256)) octets.unshift(n % 256);
    bytes = Buffer.from(octets);
  } else {
    let start = 0;
    while (start < value.length - 1 && value[start] === 0) start++;
    bytes = value.subarray(start);
  }
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(Tag.integer, bytes);
}

/** OBJECT IDENTIFIER from dotted text (`1.2.840.10045.4.3.2`), X.690 §8.19. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split(".").map((arc) => {
    if (!/^\d+$/.test(arc)) throw new RangeError(`not an OID: ${dotted}`);
    return Number(arc);
  });
  if (arcs.length < 2) throw new RangeError(`not an OID: ${dotted}`);
  const [first = 0, second = 0, ...rest] = arcs;
  const out: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const septets: number[] = [arc % 128];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) septets.unshift(0x80 | (n % 128));
    out.push(...septets);
  }
  return tlv(Tag.oid, Buffer.from(out));
}

/** BIT STRING whose content is whole octets plus `unusedBits` (0–7) padding bits in the last one. */
export function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  return tlv(Tag.bitString, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

/**
 * A named-bit BIT STRING (like keyUsage) from bit numbers, bit 0 being the most significant bit of
 * the first octet; trailing zero bits are removed as DER requires (X.690 §11.2.2).
 */
export function namedBits(bits: readonly number[]): Buffer {
  if (bits.length === 0) return bitString(Buffer.alloc(0));
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)]! |= 0x80 >> (bit % 8);
  return bitString(bytes, 7 - (highest % 8));
}

/** OCTET STRING. */
export function octetString(bytes: Buffer): Buffer {
  return tlv(Tag.octetString, bytes);
}

/** UTF8String. */
export function utf8String(text: string): Buffer {
  return tlv(Tag.utf8String, Buffer.from(text, "utf8"));
}

/** Whether every character is in PrintableString's alphabet (X.680 §41.4). */
export function isPrintable(text: string): boolean {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text);
}

/** PrintableString; throws RangeError when a character is outside its alphabet. */
export function printableString(text: string): Buffer {
  if (!isPrintable(text)) throw new RangeError(`not a PrintableString: ${JSON.stringify(text)}`);
  return tlv(Tag.printableString, Buffer.from(text, "latin1"));
}

/** IA5String (ASCII). */
export function ia5String(text: string): Buffer {
  return tlv(Tag.ia5String, Buffer.from(text, "latin1"));
}

/**
 * A certificate Time (RFC 5280 §4.1.2.5): UTCTime for the years 1950–2049, GeneralizedTime
 * otherwise, always in UTC with whole seconds and a `Z`.
 */
export function time(date: Date): Buffer {
  const year = date.getUTCFullYear();
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const rest =
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds());
  if (year >= 1950 && year < 2050)
    return tlv(Tag.utcTime, Buffer.from(`${pad(year % 100)}${rest}Z`, "latin1"));
  return tlv(Tag.generalizedTime, Buffer.from(`${pad(year, 4)}${rest}Z`, "latin1"));
}

/** `[n] EXPLICIT`: a constructed context-specific tag wrapping one whole element. */
export function explicit(n: number, element: Buffer): Buffer {
  return tlv(0xa0 | n, element);
}

/** `[n] IMPLICIT` over a primitive type: the content octets under a context-specific tag. */
export function implicit(n: number, content: Buffer): Buffer {
  return tlv(0x80 | n, content);
}

/** One element found by {@link readElement}: its tag and where its header and content lie. */
export interface Element {
  tag: number;
  /** Offset of the identifier octet. */
  start: number;
  /** Offset of the first content octet. */
  contentStart: number;
  /** Offset just past the content. */
  end: number;
}

/**
 * Reads the element that starts at `offset` (single-octet tags, definite lengths only, as DER has).
 * Throws RangeError on anything malformed or running past the end of `der`.
 */
export function readElement(der: Buffer, offset = 0): Element {
  const tag = der[offset];
  let lengthByte = der[offset + 1];
  if (tag === undefined || lengthByte === undefined) throw new RangeError("DER: truncated header");
  let position = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 4) throw new RangeError("DER: unsupported length");
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = der[position++];
      if (lengthByte === undefined) throw new RangeError("DER: truncated length");
      length = length * 256 + lengthByte;
    }
  }
  const end = position + length;
  if (end > der.length) throw new RangeError("DER: element runs past the end");
  return { tag, start: offset, contentStart: position, end };
}

/** The elements directly inside a constructed element, in order. */
export function childrenOf(der: Buffer, parent: Element): Element[] {
  const out: Element[] = [];
  for (let offset = parent.contentStart; offset < parent.end; ) {
    const child = readElement(der, offset);
    out.push(child);
    offset = child.end;
  }
  return out;
}

/** The dotted text of an OBJECT IDENTIFIER element. */
export function readOid(der: Buffer, element: Element): string {
  const arcs: number[] = [];
  let value = 0;
  for (let i = element.contentStart; i < element.end; i++) {
    const byte = der[i]!;
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0)
        arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join(".");
}
