/**
 * CRC-32 (ISO 3309 / ITU-T V.42, the one ZIP and gzip use). Node's `zlib.crc32` when the runtime
 * has it (Node 20.15+, 22.2+), else a table-driven fallback. Pure.
 */
import * as zlib from "node:zlib";

let table: Uint32Array | undefined;

function fallback(data: Uint8Array, value: number): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n += 1) {
      let c = n;
      for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = ~value >>> 0;
  for (let i = 0; i < data.length; i += 1) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** The CRC-32 of `data`, continuing from `value` (the CRC of what came before; 0 to start). */
export function crc32(data: Uint8Array, value = 0): number {
  return native ? native(data, value) : fallback(data, value);
}
