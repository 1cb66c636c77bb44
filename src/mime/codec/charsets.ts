/**
 * Charset labels (RFC 2045 `charset=`, RFC 2047 words) and text decoding.
 *
 * Decoding goes through Node's TextDecoder (WHATWG Encoding over ICU in Node 20) except where
 * WHATWG reads a Latin label as a Windows code page, or where Node 20's implementation was found
 * wrong (each checked by the tests against Python's codecs):
 *
 * - `iso-8859-1`/`latin1` (and its aliases) are decoded as true ISO-8859-1 (`Buffer#toString("latin1")`,
 *   0x80–0x9F stay C1 controls, as in Python), not as windows-1252; `decodedWith` says `iso-8859-1`.
 * - `us-ascii` (and aliases): pure ASCII is reported as `us-ascii`; 8-bit bytes under that label
 *   are decoded as ISO-8859-1 with an `invalid-charset-bytes` defect (`decodedWith: "iso-8859-1"`).
 *   (Python would turn them into U+FFFD; we keep the information.)
 * - `windows-1252` uses a table: Node 20's non-streaming TextDecoder decodes it as latin1.
 * - `euc-kr` uses a table harvested from ICU and completed with the UHC (cp949) syllables, which
 *   ICU's euc-kr lacks (euc-kr.ts), so it means what WHATWG and Korean mailers mean.
 * - `iso-8859-9` and `iso-8859-11` use exact ISO tables (WHATWG: windows-1254 / windows-874);
 *   `iso-8859-16` and `utf-7` (unknown to WHATWG) have their own decoders (legacy-decoders.ts).
 * - ICU's `shift_jis` and `ibm866` swap the control codes 0x1A/0x1C/0x7F; that is undone.
 * - GBK/GB18030 byte 0xFF (ICU: a private-use character) is an invalid byte, as in WHATWG and Python.
 *
 * Known gap: ICU's `big5` is Big5/cp950 without the HKSCS additions; those characters come out
 * as private-use characters, and as ICU reports no error, no defect can say so.
 *
 * Labels are matched case-insensitively, ignoring punctuation (`ISO_8859-15`, `iso8859_15`,
 * `Shift-JIS` all work), first against an alias table for the names mail software actually sends
 * (Microsoft code pages `cp932`, `cp936`, `cp949`, `cp950`, `ks_c_5601-1987`, `x-sjis`, …), then as
 * WHATWG labels. `gb2312` is decoded as `gbk`, `ks_c_5601-1987`/`cp949` as `euc-kr` (UHC, see
 * above), `cp950`/`big5-hkscs` as `big5`.
 *
 * Other choices: the UTF-8 and UTF-16 byte-order marks are removed (Python keeps a UTF-8 BOM);
 * `utf-16` without a BOM is read big-endian (RFC 2781 §4.3). With no charset declared, text that is
 * valid UTF-8 is UTF-8 (RFC 6532 practice), anything else windows-1252 with an
 * `invalid-charset-bytes` defect (the most common undeclared 8-bit charset in mail; Python would
 * use us-ascii and U+FFFD). An unknown label is never guessed at: UTF-8 with U+FFFD and an
 * `unknown-charset` defect.
 */
import { isAscii } from "node:buffer";
import { TextDecoder } from "node:util";
import { excerpt } from "../../textproto/excerpt.js";
import type { MimeDefect } from "../types.js";
import { asBuffer } from "./defect-log.js";
import { decodeEucKr } from "./euc-kr.js";
import { decodeSingleByte, decodeUtf7, type LegacyDecoded, SINGLE_BYTE_NAMES } from "./legacy-decoders.js";

/** The result of {@link decodeText}. */
export interface DecodedText {
  /** The decoded text. */
  text: string;
  /**
   * The decoder actually used: a TextDecoder encoding name (`utf-8`, `shift_jis`, `gbk`,
   * `windows-1252`, `utf-16le`, …) or one of ours (`iso-8859-1`, `us-ascii`, `iso-8859-9`,
   * `iso-8859-11`, `iso-8859-16`, `utf-7`).
   */
  decodedWith: string;
  /** `unknown-charset`, `invalid-charset-bytes`; empty when the bytes were fine. */
  defects: MimeDefect[];
}

const ALIASES = new Map<string, string>();

function alias(target: string, ...keys: string[]): void {
  for (const key of keys) ALIASES.set(key, target);
}

// Keys are labels lowercased with every non-alphanumeric character removed.
alias("us-ascii", "usascii", "ascii", "ansix341968", "ansix341986", "iso646us", "iso646irv1991", "cp367");
alias("us-ascii", "ibm367", "csascii", "isoir6", "us", "646");
alias("iso-8859-1", "iso88591", "iso885911987", "latin1", "l1", "isoir100", "cp819", "ibm819");
alias("iso-8859-1", "csisolatin1", "latin", "iso8859", "8859");
alias("iso-8859-9", "iso88599", "iso885991989", "latin5", "l5", "isoir148", "csisolatin5");
alias("iso-8859-11", "iso885911", "iso8859112001");
alias("iso-8859-16", "iso885916", "iso8859162001", "latin10", "l10", "isoir226");
alias("utf-7", "utf7", "u7", "unicode11utf7", "csunicode11utf7");
alias("utf-8", "utf8", "u8", "utf", "utf8sig", "unicode11utf8", "unicode20utf8", "xunicode20utf8");
alias("utf-16", "utf16", "u16");
alias("utf-16le", "utf16le", "unicodelittleunmarked");
alias("utf-16be", "utf16be", "unicodebigunmarked");
alias("shift_jis", "shiftjis", "sjis", "xsjis", "mskanji", "csshiftjis", "cp932", "ms932", "windows31j");
alias("shift_jis", "mscp932", "ibm943");
alias("euc-jp", "eucjp", "xeucjp", "ujis", "uxjis", "cseucpkdfmtjapanese");
alias("iso-2022-jp", "iso2022jp", "csiso2022jp");
alias("gbk", "gbk", "xgbk", "cp936", "ms936", "windows936", "gb2312", "gb231280", "csgb2312", "euccn");
alias("gbk", "xeuccn", "chinese", "isoir58");
alias("gb18030", "gb18030", "gb180302000");
alias("euc-kr", "euckr", "xeuckr", "cseuckr", "cp949", "ms949", "uhc", "windows949", "korean");
alias("euc-kr", "ksc5601", "ksc56011987", "ksc56011989", "ksx1001", "csksc56011987", "isoir149");
alias("big5", "big5", "big5tw", "csbig5", "cnbig5", "xxbig5", "cp950", "ms950", "windows950");
alias("big5", "big5hkscs", "hkscs");
alias("koi8-r", "koi8r", "cskoi8r", "koi8");
alias("koi8-u", "koi8u", "koi8ru");
alias("windows-874", "windows874", "cp874", "dos874", "tis620");
for (let n = 1250; n <= 1258; n++) alias(`windows-${n}`, `windows${n}`, `cp${n}`, `xcp${n}`, `ms${n}`);
for (const n of [2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15]) alias(`iso-8859-${n}`, `iso8859${n}`);
alias("iso-8859-8-i", "iso88598i", "csiso88598i", "logical");
alias("iso-8859-2", "latin2", "l2");
alias("iso-8859-3", "latin3", "l3");
alias("iso-8859-4", "latin4", "l4");
alias("iso-8859-5", "cyrillic");
alias("iso-8859-6", "arabic");
alias("iso-8859-7", "greek", "greek8");
alias("iso-8859-8", "hebrew");
alias("iso-8859-10", "latin6", "l6");
alias("iso-8859-13", "latin7", "l7");
alias("iso-8859-14", "latin8", "l8");
alias("iso-8859-15", "latin9", "l9");

const SINGLE_BYTE = new Set(SINGLE_BYTE_NAMES);

// ICU's IBM-derived tables for these rotate three control codes (byte 0x1A → U+001C, 0x1C → U+007F,
// 0x7F → U+001A); WHATWG and Python map them to themselves. No other byte decodes to these three.
const ROTATED_CONTROLS = new Set(["shift_jis", "ibm866"]);
const UNROTATE: Record<string, string> = { "\x1c": "\x1a", "\x7f": "\x1c", "\x1a": "\x7f" };

/** Labels looked up through TextDecoder, cached (bounded: labels come from hostile messages). */
const whatwgCache = new Map<string, string | null>();
const WHATWG_CACHE_MAX = 512;

function whatwgEncoding(label: string): string | undefined {
  const cached = whatwgCache.get(label);
  if (cached !== undefined) return cached ?? undefined;
  let encoding: string | null = null;
  try {
    encoding = new TextDecoder(label).encoding;
  } catch {
    // not a WHATWG label (or one Node's ICU lacks)
  }
  if (whatwgCache.size < WHATWG_CACHE_MAX) whatwgCache.set(label, encoding);
  return encoding ?? undefined;
}

/**
 * Maps a MIME charset label to the canonical name of the decoder {@link decodeText} uses for it:
 * a TextDecoder encoding name (`utf-8`, `shift_jis`, `gbk`, `euc-kr`, `windows-1251`, …) or one of
 * ours (`us-ascii`, `iso-8859-1`, `iso-8859-9`, `iso-8859-11`, `iso-8859-16`, `utf-7`, `utf-16` —
 * the last meaning "by BOM, else big-endian"). Returns undefined for a label no decoder here knows.
 * Case and punctuation are ignored (see the module description), and an RFC 2231 `*language`
 * suffix is dropped. Never throws.
 */
export function resolveCharset(label: string): string | undefined {
  // RFC 2231 §5 lets an encoded word's charset carry a language: `utf-8*en`.
  const star = label.indexOf("*");
  const lower = (star >= 0 ? label.slice(0, star) : label).trim().toLowerCase();
  if (lower.length === 0 || lower.length > 64) return undefined;
  // RFC 2978 §2.3 charset name characters (plus ".:()" seen in registered aliases); anything else
  // (controls, quotes, "?", "=") is not a charset name.
  if (!/^[a-z0-9!#$%&'+\-^_`{}~.:()]+$/.test(lower)) return undefined;
  const key = lower.replace(/[^a-z0-9]/g, "");
  const known = ALIASES.get(key);
  if (known !== undefined) return known;
  // WHATWG labels this table does not list (macintosh, ibm866, x-mac-cyrillic, …). The alias table
  // already catches every label WHATWG maps onto a Windows code page that we decode differently.
  return whatwgEncoding(lower) ?? whatwgEncoding(lower.replace(/_/g, "-"));
}

const decoders = new Map<string, { fatal: TextDecoder; lenient: TextDecoder }>();

function decoderPair(encoding: string): { fatal: TextDecoder; lenient: TextDecoder } {
  let pair = decoders.get(encoding);
  if (pair === undefined) {
    pair = { fatal: new TextDecoder(encoding, { fatal: true }), lenient: new TextDecoder(encoding) };
    decoders.set(encoding, pair);
  }
  return pair;
}

/** TextDecoder in `encoding`; invalid sequences become U+FFFD and set `invalid`. */
function decodeWhatwg(encoding: string, bytes: Uint8Array): LegacyDecoded {
  const { fatal, lenient } = decoderPair(encoding);
  try {
    return { text: fatal.decode(bytes), invalid: false };
  } catch {
    return { text: lenient.decode(bytes), invalid: true };
  }
}

function invalidBytes(name: string, declared: string): MimeDefect {
  return {
    kind: "invalid-charset-bytes",
    message: `text declared as "${excerpt(declared, 40)}" has bytes that are not valid ${name}; replaced with U+FFFD`,
  };
}

/**
 * Decodes the bytes of a text part (or of an RFC 2047 word) in the `declared` charset, following
 * the choices in the module description, and reports which decoder was used.
 *
 * - `declared` undefined or blank: UTF-8 when valid, else windows-1252 + `invalid-charset-bytes`.
 * - `declared` unknown: UTF-8 with U+FFFD for invalid bytes + `unknown-charset` (and
 *   `invalid-charset-bytes` when there were invalid bytes).
 * - bytes invalid in a known charset: U+FFFD for them + `invalid-charset-bytes`.
 *
 * Never throws.
 */
export function decodeText(bytes: Uint8Array, declared: string | undefined): DecodedText {
  const buffer = asBuffer(bytes);
  if (declared === undefined || declared.trim() === "") {
    const utf8 = decodeWhatwg("utf-8", buffer);
    if (!utf8.invalid) return { text: utf8.text, decodedWith: "utf-8", defects: [] };
    return {
      text: decodeSingleByte("windows-1252", buffer).text,
      decodedWith: "windows-1252",
      defects: [
        {
          kind: "invalid-charset-bytes",
          message: "no charset declared and the text is not valid UTF-8; decoded as windows-1252",
        },
      ],
    };
  }
  const name = resolveCharset(declared);
  if (name === undefined) {
    const utf8 = decodeWhatwg("utf-8", buffer);
    const defects: MimeDefect[] = [
      { kind: "unknown-charset", message: `unknown charset "${excerpt(declared, 40)}"; decoded as UTF-8` },
    ];
    if (utf8.invalid) defects.push(invalidBytes("utf-8", declared));
    return { text: utf8.text, decodedWith: "utf-8", defects };
  }
  if (name === "us-ascii") {
    if (isAscii(buffer)) return { text: buffer.toString("latin1"), decodedWith: "us-ascii", defects: [] };
    const message = `text declared as "${excerpt(declared, 40)}" has 8-bit bytes; decoded as iso-8859-1`;
    return {
      text: buffer.toString("latin1"),
      decodedWith: "iso-8859-1",
      defects: [{ kind: "invalid-charset-bytes", message }],
    };
  }
  if (name === "iso-8859-1") return { text: buffer.toString("latin1"), decodedWith: name, defects: [] };
  let decodedWith = name;
  let result: LegacyDecoded;
  if (name === "utf-7") {
    result = decodeUtf7(buffer);
  } else if (name === "utf-16") {
    // RFC 2781 §4.3: the BOM decides; without one, big-endian.
    decodedWith = buffer[0] === 0xff && buffer[1] === 0xfe ? "utf-16le" : "utf-16be";
    result = decodeWhatwg(decodedWith, buffer);
  } else if (SINGLE_BYTE.has(name)) {
    result = decodeSingleByte(name, buffer);
  } else if (name === "euc-kr") {
    result = decodeEucKr(buffer);
  } else if ((name === "gbk" || name === "gb18030") && buffer.includes(0xff)) {
    // ICU turns 0xFF into a private-use character without an error; it is never part of a valid
    // GBK/GB18030 sequence (WHATWG and Python reject it).
    const pieces: string[] = [];
    let start = 0;
    for (let end = buffer.indexOf(0xff); end >= 0; end = buffer.indexOf(0xff, start)) {
      pieces.push(decodeWhatwg(name, buffer.subarray(start, end)).text, "\ufffd");
      start = end + 1;
    }
    pieces.push(decodeWhatwg(name, buffer.subarray(start)).text);
    result = { text: pieces.join(""), invalid: true };
  } else {
    result = decodeWhatwg(name, buffer);
    if (ROTATED_CONTROLS.has(name) && /[\x1a\x1c\x7f]/.test(result.text)) {
      result.text = result.text.replace(/[\x1a\x1c\x7f]/g, (c) => UNROTATE[c]!);
    }
  }
  return {
    text: result.text,
    decodedWith,
    defects: result.invalid ? [invalidBytes(decodedWith, declared)] : [],
  };
}
