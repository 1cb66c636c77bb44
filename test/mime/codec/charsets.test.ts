import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TextDecoder } from "node:util";
import { decodeText, resolveCharset } from "../../../src/mime/codec/charsets.js";
import { python } from "./helpers.js";

/** Names decodeText handles itself; every other resolved name must be a TextDecoder encoding name. */
const OWN = new Set([
  "us-ascii",
  "iso-8859-1",
  "iso-8859-9",
  "iso-8859-11",
  "iso-8859-16",
  "utf-7",
  "utf-16",
]);
OWN.add("windows-1252");

function rejectedByTextDecoder(label: string): boolean {
  try {
    new TextDecoder(label);
    return false;
  } catch {
    return true;
  }
}

describe("resolveCharset", () => {
  const expected: Record<string, string> = {
    "utf-8": "utf-8",
    utf8: "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "utf-8-sig": "utf-8",
    "us-ascii": "us-ascii",
    ascii: "us-ascii",
    "ansi_x3.4-1968": "us-ascii",
    "iso-8859-1": "iso-8859-1",
    latin1: "iso-8859-1",
    "latin-1": "iso-8859-1",
    "iso_8859-1:1987": "iso-8859-1",
    "windows-1252": "windows-1252",
    cp1252: "windows-1252",
    "iso-8859-2": "iso-8859-2",
    "iso-8859-9": "iso-8859-9",
    "iso-8859-11": "iso-8859-11",
    "iso-8859-15": "iso-8859-15",
    "ISO_8859-15": "iso-8859-15",
    iso8859_15: "iso-8859-15",
    "iso-8859-16": "iso-8859-16",
    "windows-1250": "windows-1250",
    "windows-1251": "windows-1251",
    "windows-1258": "windows-1258",
    "koi8-r": "koi8-r",
    "koi8-u": "koi8-u",
    shift_jis: "shift_jis",
    "Shift-JIS": "shift_jis",
    cp932: "shift_jis",
    "windows-31j": "shift_jis",
    ms_kanji: "shift_jis",
    "x-sjis": "shift_jis",
    "euc-jp": "euc-jp",
    "iso-2022-jp": "iso-2022-jp",
    gb2312: "gbk",
    gbk: "gbk",
    "x-gbk": "gbk",
    cp936: "gbk",
    "euc-cn": "gbk",
    gb18030: "gb18030",
    big5: "big5",
    "big5-hkscs": "big5",
    cp950: "big5",
    "euc-kr": "euc-kr",
    euc_kr: "euc-kr",
    "ks_c_5601-1987": "euc-kr",
    ks_c_5601: "euc-kr",
    cp949: "euc-kr",
    "utf-16": "utf-16",
    "utf-16le": "utf-16le",
    "UTF-16BE": "utf-16be",
    "utf-7": "utf-7",
    "unicode-1-1-utf-7": "utf-7",
    macintosh: "macintosh",
    ibm866: "ibm866",
    "tis-620": "windows-874",
    " UTF-8 ": "utf-8",
    "utf-8*en": "utf-8",
    "ISO-8859-1*fr-CA": "iso-8859-1",
  };

  it("maps mail's charset labels to the decoder used", () => {
    for (const [label, name] of Object.entries(expected)) assert.equal(resolveCharset(label), name, label);
  });

  it("only ever names decoders that exist", () => {
    for (const name of new Set(Object.values(expected))) {
      if (OWN.has(name)) continue;
      assert.equal(new TextDecoder(name).encoding, name, `${name} is a TextDecoder encoding name`);
    }
  });

  it("knows labels Node's TextDecoder rejects", () => {
    const rejected = ["cp932", "cp936", "euc-cn", "cp949", "ks_c_5601", "euc_kr", "cp950", "big5hkscs"];
    rejected.push("iso-8859-16", "utf-7", "unicode-1-1-utf-7", "latin-1", "utf-8-sig");
    for (const label of rejected) {
      assert.ok(rejectedByTextDecoder(label), `${label} is rejected by TextDecoder (if not, trim this list)`);
      assert.notEqual(resolveCharset(label), undefined, label);
    }
  });

  it("does not read Latin labels as Windows code pages", () => {
    // WHATWG maps these to windows-1252/1254/874; we decode the ISO charsets they name.
    assert.equal(new TextDecoder("iso-8859-1").encoding, "windows-1252");
    for (const label of ["iso-8859-1", "latin1", "l1", "us-ascii", "iso-8859-9", "latin5", "iso-8859-11"]) {
      assert.ok(OWN.has(resolveCharset(label)!), label);
    }
  });

  it("returns undefined for unknown labels", () => {
    for (const label of [
      "",
      "  ",
      "bogus",
      "x-unknown",
      "iso-2022-kr",
      "hz-gb-2312",
      "utf-8\x00",
      "a".repeat(100),
    ]) {
      assert.equal(resolveCharset(label), undefined, JSON.stringify(label));
    }
  });
});

describe("decodeText", () => {
  it("without a declared charset: UTF-8 when valid, else windows-1252 with a defect", () => {
    assert.deepEqual(decodeText(Buffer.from("plain"), undefined), {
      text: "plain",
      decodedWith: "utf-8",
      defects: [],
    });
    assert.deepEqual(decodeText(Buffer.from("héllo €"), ""), {
      text: "héllo €",
      decodedWith: "utf-8",
      defects: [],
    });
    const fallback = decodeText(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x80]), undefined);
    assert.equal(fallback.text, "café€");
    assert.equal(fallback.decodedWith, "windows-1252");
    assert.deepEqual(
      fallback.defects.map((d) => d.kind),
      ["invalid-charset-bytes"],
    );
  });

  it("an unknown charset is UTF-8 with a defect, never windows-1252", () => {
    const ok = decodeText(Buffer.from("héllo"), "x-klingon");
    assert.equal(ok.text, "héllo");
    assert.equal(ok.decodedWith, "utf-8");
    assert.deepEqual(
      ok.defects.map((d) => d.kind),
      ["unknown-charset"],
    );
    assert.match(ok.defects[0]!.message, /x-klingon/);
    const bad = decodeText(Buffer.from([0x61, 0xe9]), "x-klingon\x1b[2J");
    assert.equal(bad.text, "a\ufffd");
    assert.deepEqual(
      bad.defects.map((d) => d.kind),
      ["unknown-charset", "invalid-charset-bytes"],
    );
    assert.ok(!bad.defects[0]!.message.includes("\x1b"), "control characters are escaped");
  });

  it("us-ascii: ASCII as such, 8-bit bytes as iso-8859-1 with a defect", () => {
    assert.deepEqual(decodeText(Buffer.from("abc"), "US-ASCII"), {
      text: "abc",
      decodedWith: "us-ascii",
      defects: [],
    });
    const eight = decodeText(Buffer.from([0x61, 0x80, 0xe9]), "us-ascii");
    assert.equal(eight.text, "a\x80é");
    assert.equal(eight.decodedWith, "iso-8859-1");
    assert.deepEqual(
      eight.defects.map((d) => d.kind),
      ["invalid-charset-bytes"],
    );
  });

  it("iso-8859-1 is exact latin1 (0x80 stays U+0080), windows-1252 is not", () => {
    assert.deepEqual(decodeText(Buffer.from([0x80, 0xe9]), "iso-8859-1"), {
      text: "\x80é",
      decodedWith: "iso-8859-1",
      defects: [],
    });
    assert.equal(decodeText(Buffer.from([0x80]), "windows-1252").text, "€");
  });

  it("decodes windows-1252 right although Node 20's TextDecoder does not", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    // The streaming path of TextDecoder is right; the one-shot path decodes latin1 on Node 20.
    const streaming = new TextDecoder("windows-1252");
    const reference = streaming.decode(all, { stream: true }) + streaming.decode();
    assert.equal(reference[0x80], "€");
    for (const label of ["windows-1252", "cp1252", "x-cp1252"]) {
      assert.deepEqual(decodeText(all, label), { text: reference, decodedWith: "windows-1252", defects: [] });
    }
  });

  it("keeps ASCII control codes as they are in every ASCII-compatible charset", () => {
    // ICU's shift_jis and ibm866 rotate 0x1A, 0x1C and 0x7F; decodeText undoes it.
    const ascii = Uint8Array.from({ length: 128 }, (_, i) => i);
    const expected = Buffer.from(ascii).toString("latin1");
    for (const label of [
      "shift_jis",
      "ibm866",
      "euc-jp",
      "big5",
      "gbk",
      "gb18030",
      "euc-kr",
      "koi8-r",
      "macintosh",
    ]) {
      assert.equal(decodeText(ascii, label).text, expected, label);
    }
  });

  it("reports invalid bytes in a known charset", () => {
    const result = decodeText(Buffer.from([0x82, 0xa0, 0x82]), "shift_jis");
    assert.equal(result.text, "あ\ufffd");
    assert.equal(result.decodedWith, "shift_jis");
    assert.deepEqual(
      result.defects.map((d) => d.kind),
      ["invalid-charset-bytes"],
    );
    const gbk = decodeText(Buffer.from([0x41, 0xff, 0xc4, 0xe3]), "gb2312");
    assert.deepEqual([gbk.text, gbk.decodedWith, gbk.defects.length], ["A\ufffd你", "gbk", 1]);
    const utf7 = decodeText(Buffer.from("a+AGE\xe9", "latin1"), "utf-7");
    assert.equal(utf7.defects.length, 1);
  });

  it("utf-16 follows the BOM, else reads big-endian; BOMs are removed", () => {
    assert.deepEqual(decodeText(Buffer.from([0xff, 0xfe, 0x41, 0x00]), "utf-16"), {
      text: "A",
      decodedWith: "utf-16le",
      defects: [],
    });
    assert.equal(decodeText(Buffer.from([0xfe, 0xff, 0x00, 0x41]), "utf-16").text, "A");
    assert.equal(decodeText(Buffer.from([0x00, 0x41]), "utf-16").decodedWith, "utf-16be");
    assert.equal(decodeText(Buffer.from([0xef, 0xbb, 0xbf, 0x41]), "utf-8").text, "A");
  });

  it("stays linear on 1 MB of hostile UTF-7", () => {
    const hostile = Buffer.from("+A-".repeat(350_000), "latin1");
    const result = decodeText(hostile, "utf-7");
    assert.equal(result.text.length, 350_000 * 1);
    assert.equal(result.defects.length, 1);
  });

  describe("against Python's codecs", () => {
    const samples: Array<[string, string, string]> = [
      // [Python codec, MIME label, text]
      ["shift_jis", "shift_jis", "日本語のテキスト、半角ｶﾅ"],
      ["cp932", "cp932", "①丸数字と髙橋"],
      ["euc_jp", "euc-jp", "日本語のテキスト"],
      ["iso2022_jp", "iso-2022-jp", "日本語のテキスト ABC"],
      ["gb2312", "gb2312", "简体中文文本"],
      ["gbk", "gbk", "简体中文，繁體"],
      ["gb18030", "gb18030", "简体中文 😀"],
      ["big5", "big5", "繁體中文文字"],
      ["euc_kr", "euc-kr", "한국어 텍스트"],
      ["cp949", "ks_c_5601-1987", "한국어 똠방각하"],
      ["koi8_r", "koi8-r", "Русский текст"],
      ["koi8_u", "koi8-u", "Українська ґ"],
      ["cp1251", "windows-1251", "Русский текст"],
      ["cp1250", "windows-1250", "Zażółć gęślą"],
      ["iso8859_2", "iso-8859-2", "Zażółć gęślą"],
      ["iso8859_5", "iso-8859-5", "Русский"],
      ["iso8859_7", "iso-8859-7", "Ελληνικά"],
      ["iso8859_9", "iso-8859-9", "Türkçe ığş"],
      ["iso8859_15", "iso-8859-15", "€uro œ"],
      ["iso8859_16", "iso-8859-16", "Română ășț"],
      ["utf_7", "utf-7", "Hi Mom -☺- + 😀 A+B"],
      ["utf_16", "utf-16", "UTF-16 text 😀"],
      ["utf_16_be", "utf-16be", "big endian"],
      ["latin_1", "iso-8859-1", "Ça déjà"],
    ];
    const tables = ["iso8859_1", "iso8859_9", "iso8859_11", "iso8859_16", "koi8_r", "koi8_u"];
    for (const n of [2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15]) tables.push(`iso8859_${n}`);
    const script = `
import json, sys
req = json.load(sys.stdin)
def pairs(codec):
    out = {}
    for lead in range(0x81, 0xff):
        for trail in range(0x41, 0xff):
            try:
                out["%02x%02x" % (lead, trail)] = bytes([lead, trail]).decode(codec)
            except UnicodeDecodeError:
                pass
    return out
print(json.dumps({
  "encoded": [t.encode(codec).hex() for codec, t in req["samples"]],
  "tables": [bytes(range(256)).decode(codec, errors="replace") for codec in req["tables"]],
  "cp949": pairs("cp949"),
}))`;
    const result = python(script, {
      samples: samples.map(([codec, , text]) => [codec, text]),
      tables,
    }) as { encoded: string[]; tables: string[]; cp949: Record<string, string> };

    it("decodes text Python encoded, with no defects", () => {
      samples.forEach(([codec, label, text], n) => {
        const decoded = decodeText(Buffer.from(result.encoded[n]!, "hex"), label);
        assert.equal(decoded.text, text, `${codec} as ${label}`);
        assert.deepEqual(decoded.defects, [], `${codec} as ${label}`);
      });
    });

    it("decodes every EUC-KR pair as Python's cp949 does (UHC included, which ICU lacks)", () => {
      let checked = 0;
      for (let lead = 0x81; lead <= 0xfe; lead++) {
        for (let trail = 0x41; trail <= 0xfe; trail++) {
          const key = lead.toString(16) + trail.toString(16);
          const decoded = decodeText(Uint8Array.of(lead, trail), "ks_c_5601-1987");
          const expected = result.cp949[key];
          if (expected !== undefined) {
            assert.equal(decoded.text, expected, key);
            assert.deepEqual(decoded.defects, [], key);
            checked++;
          } else if (key !== "a2e8") {
            // a2e8 (U+327E) is in KS X 1001:2002 and WHATWG's table, not in Python's cp949.
            assert.equal(decoded.defects.length, 1, `${key} is invalid: ${JSON.stringify(decoded.text)}`);
          }
        }
      }
      assert.ok(checked > 17_000);
    });

    it("decodes all 256 bytes of single-byte charsets exactly as Python does", () => {
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      tables.forEach((codec, n) => {
        const label = codec.replace("_", "-");
        const decoded = decodeText(all, label);
        assert.equal(decoded.text, result.tables[n], `${codec} (decodedWith ${decoded.decodedWith})`);
        assert.equal(decoded.defects.length > 0, result.tables[n]!.includes("\ufffd"), codec);
      });
    });
  });
});
