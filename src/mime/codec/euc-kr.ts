/**
 * EUC-KR as WHATWG and every Korean mailer mean it: Microsoft's UHC (cp949, `ks_c_5601-1987`).
 *
 * Node 20's TextDecoder("euc-kr") (ICU) is plain KS X 1001: the 8,822 Hangul syllables of the UHC
 * extension (leads 0x81–0xC6 with trails from 0x41) come out as C1 controls and ASCII, with no
 * error. So the pair table is harvested once, lazily, from ICU (pairs that decode to exactly one
 * non-ASCII character) and completed algorithmically: the UHC extension is precisely the Hangul
 * syllables KS X 1001 lacks, in code point order. The byte structure follows the WHATWG Encoding
 * Standard: lead 0x81–0xFE, trail 0x41–0xFE; a bad pair gives U+FFFD, and an ASCII byte after a
 * lead is not swallowed by it.
 */
import { TextDecoder } from "node:util";
import type { LegacyDecoded } from "./legacy-decoders.js";

const REPLACEMENT = 0xfffd;

/** Index of a lead/trail pair in the table. */
const at = (lead: number, trail: number): number => ((lead - 0x81) << 8) | trail;
const isLead = (b: number): boolean => b >= 0x81 && b <= 0xfe;

let table: Int32Array | undefined;

function build(): Int32Array {
  const built = new Int32Array(0x7e * 256).fill(-1);
  const decoder = new TextDecoder("euc-kr");
  const pair = new Uint8Array(2);
  for (let lead = 0xa1; lead <= 0xfe; lead++) {
    for (let trail = 0xa1; trail <= 0xfe; trail++) {
      pair[0] = lead;
      pair[1] = trail;
      const text = decoder.decode(pair);
      const code = text.codePointAt(0) ?? -1;
      // Private-use results are ICU fallbacks for unassigned pairs (WHATWG and Python reject them).
      const privateUse = code >= 0xe000 && code <= 0xf8ff;
      if (text.length === 1 && code >= 0x80 && code !== REPLACEMENT && !privateUse)
        built[at(lead, trail)] = code;
    }
  }
  // KS X 1001:1998 and :2002 additions that ICU's table lacks (WHATWG and cp949 have them).
  built[at(0xa2, 0xe6)] = 0x20ac;
  built[at(0xa2, 0xe7)] = 0x00ae;
  built[at(0xa2, 0xe8)] = 0x327e;
  // UHC: the syllables missing from KS X 1001's Hangul rows (leads 0xB0–0xC8), in order, fill
  // leads 0x81–0xA0 (trails 41–5A, 61–7A, 81–FE) then 0xA1–0xC6 (trails 41–5A, 61–7A, 81–A0).
  const inKsx = new Set<number>();
  for (let lead = 0xb0; lead <= 0xc8; lead++) {
    for (let trail = 0xa1; trail <= 0xfe; trail++) inKsx.add(built[at(lead, trail)]!);
  }
  let syllable = 0xac00;
  for (let lead = 0x81; lead <= 0xc6; lead++) {
    for (let trail = 0x41; trail <= (lead <= 0xa0 ? 0xfe : 0xa0); trail++) {
      if ((trail > 0x5a && trail < 0x61) || (trail > 0x7a && trail < 0x81)) continue;
      while (syllable <= 0xd7a3 && inKsx.has(syllable)) syllable++;
      if (syllable > 0xd7a3) return built;
      built[at(lead, trail)] = syllable++;
    }
  }
  return built;
}

/** Decodes EUC-KR/UHC (see the module description); invalid input → U+FFFD and `invalid`. */
export function decodeEucKr(bytes: Uint8Array): LegacyDecoded {
  table ??= build();
  const parts: string[] = [];
  const units = new Uint16Array(Math.min(bytes.length, 8192));
  let n = 0;
  let invalid = false;
  const length = bytes.length;
  let i = 0;
  while (i < length) {
    if (n === units.length) {
      parts.push(String.fromCharCode.apply(null, units as unknown as number[]));
      n = 0;
    }
    const b = bytes[i]!;
    if (b < 0x80) {
      units[n++] = b;
      i++;
      continue;
    }
    const trail = i + 1 < length ? bytes[i + 1]! : -1;
    const code = isLead(b) && trail >= 0x41 ? table[at(b, trail)]! : -1;
    if (code >= 0) {
      units[n++] = code;
      i += 2;
      continue;
    }
    invalid = true;
    units[n++] = REPLACEMENT;
    // A lead takes a non-ASCII trail down with it; an ASCII byte is read again (WHATWG).
    i += isLead(b) && trail >= 0x80 ? 2 : 1;
  }
  parts.push(String.fromCharCode.apply(null, units.subarray(0, n) as unknown as number[]));
  return { text: parts.join(""), invalid };
}
