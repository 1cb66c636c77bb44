/**
 * The few decoders MIME mail needs that Node's TextDecoder (WHATWG Encoding) lacks or replaces:
 *
 * - exact ISO-8859-9 and ISO-8859-11: WHATWG reads those labels as windows-1254 / windows-874,
 *   which differ in 0x80–0x9F (and windows-874 maps unassigned bytes to private-use characters);
 *   the ISO tables keep 0x80–0x9F as the C1 controls, as Python does;
 * - ISO-8859-16, which WHATWG does not know at all;
 * - UTF-7 (RFC 2152), still seen in old mail and which Python decodes;
 * - windows-1252: Node 20's TextDecoder decodes it as latin1 when not streaming (0x80 gives
 *   U+0080 instead of "€"; only `{ stream: true }` is right), so it gets a table too.
 *
 * ISO-8859-1 needs no table: `Buffer#toString("latin1")` is exact.
 */

import { TextDecoder } from "node:util";

/** A decoded string and whether some bytes were not valid (and became U+FFFD). */
export interface LegacyDecoded {
  text: string;
  invalid: boolean;
}

/** A byte → code point table; -1 marks an unassigned byte. */
type Table = Int32Array;

const REPLACEMENT = 0xfffd;

/** 0x00–0x9F as themselves, 0xA0–0xFF from a WHATWG single-byte superset, private-use → unassigned. */
function tableFromWhatwg(encoding: string): Table {
  const table = new Int32Array(256);
  for (let b = 0; b < 0xa0; b++) table[b] = b;
  const decoder = new TextDecoder(encoding, { fatal: true });
  for (let b = 0xa0; b < 0x100; b++) {
    let code = -1;
    try {
      code = decoder.decode(Uint8Array.of(b)).codePointAt(0) ?? -1;
    } catch {
      // unassigned in the superset as well
    }
    table[b] = code >= 0xe000 && code <= 0xf8ff ? -1 : code;
  }
  return table;
}

// ISO/IEC 8859-16 (Latin-10): latin1 except at these bytes.
const ISO_8859_16_CHANGES: ReadonlyArray<readonly [number, number]> = [
  [0xa1, 0x0104],
  [0xa2, 0x0105],
  [0xa3, 0x0141],
  [0xa4, 0x20ac],
  [0xa5, 0x201e],
  [0xa6, 0x0160],
  [0xa8, 0x0161],
  [0xaa, 0x0218],
  [0xac, 0x0179],
  [0xae, 0x017a],
  [0xaf, 0x017b],
  [0xb2, 0x010c],
  [0xb3, 0x0142],
  [0xb4, 0x017d],
  [0xb5, 0x201d],
  [0xb8, 0x017e],
  [0xb9, 0x010d],
  [0xba, 0x0219],
  [0xbc, 0x0152],
  [0xbd, 0x0153],
  [0xbe, 0x0178],
  [0xbf, 0x017c],
  [0xc3, 0x0102],
  [0xc5, 0x0106],
  [0xd0, 0x0110],
  [0xd1, 0x0143],
  [0xd5, 0x0150],
  [0xd7, 0x015a],
  [0xd8, 0x0170],
  [0xdd, 0x0118],
  [0xde, 0x021a],
  [0xe3, 0x0103],
  [0xe5, 0x0107],
  [0xf0, 0x0111],
  [0xf1, 0x0144],
  [0xf5, 0x0151],
  [0xf7, 0x015b],
  [0xf8, 0x0171],
  [0xfd, 0x0119],
  [0xfe, 0x021b],
];

// windows-1252: latin1 except 0x80–0x9F. The five bytes Microsoft leaves unassigned (0x81, 0x8D,
// 0x8F, 0x90, 0x9D) stay C1 controls, as in WHATWG.
const WINDOWS_1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d,
  0x017d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
  0x0153, 0x9d, 0x017e, 0x0178,
];

function windows1252(): Table {
  const table = new Int32Array(256);
  for (let b = 0; b < 256; b++) table[b] = b;
  WINDOWS_1252_HIGH.forEach((code, i) => {
    table[0x80 + i] = code;
  });
  return table;
}

function iso885916(): Table {
  const table = new Int32Array(256);
  for (let b = 0; b < 256; b++) table[b] = b;
  for (const [byte, code] of ISO_8859_16_CHANGES) table[byte] = code;
  return table;
}

const builders: Record<string, () => Table> = {
  "iso-8859-9": () => tableFromWhatwg("windows-1254"),
  "iso-8859-11": () => tableFromWhatwg("windows-874"),
  "iso-8859-16": iso885916,
  "windows-1252": windows1252,
};
const tables = new Map<string, Table>();

/** The names {@link decodeSingleByte} knows. */
export const SINGLE_BYTE_NAMES: readonly string[] = Object.keys(builders);

/** Decodes with one of the exact ISO tables ({@link SINGLE_BYTE_NAMES}); unassigned bytes → U+FFFD. */
export function decodeSingleByte(name: string, bytes: Uint8Array): LegacyDecoded {
  let table = tables.get(name);
  if (table === undefined) {
    const build = builders[name];
    if (build === undefined) throw new RangeError(`no single-byte table named ${name}`);
    table = build();
    tables.set(name, table);
  }
  const units = new Uint16Array(bytes.length);
  let invalid = false;
  for (let i = 0; i < bytes.length; i++) {
    const code = table[bytes[i]!]!;
    if (code < 0) invalid = true;
    units[i] = code < 0 ? REPLACEMENT : code;
  }
  return { text: fromUnits(units, units.length), invalid };
}

const BASE64_VALUE = new Int8Array(128).fill(-1);
{
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < 64; i++) BASE64_VALUE[alphabet.charCodeAt(i)] = i;
}

/**
 * Decodes UTF-7 (RFC 2152): ASCII passes as is, `+-` is `+`, `+` starts a run of modified base64
 * holding UTF-16 code units, ended by `-` (absorbed) or any other non-base64 byte (kept). Bytes
 * ≥ 0x80, leftover bits that are not zero padding, and lone surrogates become U+FFFD.
 */
export function decodeUtf7(bytes: Uint8Array): LegacyDecoded {
  // One UTF-16 unit per input byte at most (base64 packs 16 bits into 2.67 bytes).
  const units = new Uint16Array(bytes.length);
  let n = 0;
  let invalid = false;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b >= 0x80) {
      units[n++] = REPLACEMENT;
      invalid = true;
      i++;
      continue;
    }
    if (b !== 0x2b) {
      units[n++] = b;
      i++;
      continue;
    }
    i++;
    if (bytes[i] === 0x2d) {
      units[n++] = 0x2b;
      i++;
      continue;
    }
    let bits = 0;
    let count = 0;
    while (i < bytes.length) {
      const v = bytes[i]! < 0x80 ? BASE64_VALUE[bytes[i]!]! : -1;
      if (v < 0) break;
      bits = ((bits << 6) | v) & 0x3fffff;
      count += 6;
      if (count >= 16) {
        count -= 16;
        units[n++] = (bits >>> count) & 0xffff;
      }
      i++;
    }
    // What is left must be fewer than 6 bits, all zero (RFC 2152: "discarded" padding).
    if (count >= 6 || (bits & ((1 << count) - 1)) !== 0) {
      units[n++] = REPLACEMENT;
      invalid = true;
    }
    if (bytes[i] === 0x2d) i++;
  }
  invalid = replaceLoneSurrogates(units, n) || invalid;
  return { text: fromUnits(units, n), invalid };
}

/** Replaces unpaired surrogates in `units[0..n)` with U+FFFD; true when there were any. */
function replaceLoneSurrogates(units: Uint16Array, n: number): boolean {
  let found = false;
  for (let i = 0; i < n; i++) {
    const u = units[i]!;
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = i + 1 < n ? units[i + 1]! : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      units[i] = REPLACEMENT;
      found = true;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      units[i] = REPLACEMENT;
      found = true;
    }
  }
  return found;
}

/** Builds a string from UTF-16 units, a slice at a time (no huge argument lists). */
function fromUnits(units: Uint16Array, n: number): string {
  const parts: string[] = [];
  for (let start = 0; start < n; start += 8192) {
    const slice = units.subarray(start, Math.min(n, start + 8192));
    parts.push(String.fromCharCode.apply(null, slice as unknown as number[]));
  }
  return parts.join("");
}
