// Corpus messages about charsets: CJK (iso-2022-jp, shift_jis, euc-jp, gb2312, gbk, big5, euc-kr)
// and Cyrillic (koi8-r, windows-1251) subjects, names and bodies, Latin-1 and quoted-printable.
// The encoded samples are stored as hex (encoded once with Python's codecs); corpus.test.ts checks
// that Node's TextDecoder reads each back to the string it stands for.
import {
  base64Lines,
  bWord,
  type CorpusMessage,
  envelope,
  hex,
  message,
  pct,
  quotedPrintable,
  qWord,
} from "./corpus-bytes.js";

const CRLF = Buffer.from("\r\n", "latin1");

/** One sample: the text and its bytes in one charset. */
export interface CharsetSample {
  charset: string;
  text: string;
  bytes: Buffer;
}

const sample = (charset: string, text: string, bytes: string): CharsetSample => ({
  charset,
  text,
  bytes: hex(bytes),
});

/** Every encoded sample the corpus uses, so a test can check them against TextDecoder. */
export const SAMPLES = {
  jaBodyJis: sample(
    "iso-2022-jp",
    "日本語のメールです。こんにちは、世界！",
    "1b2442467c4b5c386c244e2561213c256b24472439212324332473244b2441244f212240243326212a1b2842",
  ),
  jaSubjJis: sample(
    "iso-2022-jp",
    "会議の議事録について",
    "1b244232713544244e35443b764f3f244b2444242424461b2842",
  ),
  jaBodySjis: sample(
    "shift_jis",
    "日本語のメールです。こんにちは、世界！",
    "93fa967b8cea82cc8381815b838b82c582b7814282b182f182c982bf82cd814190a28a458149",
  ),
  jaSubjSjis: sample("shift_jis", "会議の議事録について", "89ef8b6382cc8b638e96985e82c982c282a282c4"),
  jaBodyEuc: sample(
    "euc-jp",
    "日本語のメールです。こんにちは、世界！",
    "c6fccbdcb8eca4cea5e1a1bca5eba4c7a4b9a1a3a4b3a4f3a4cba4c1a4cfa1a2c0a4b3a6a1aa",
  ),
  jaSubjEuc: sample("euc-jp", "会議の議事録について", "b2f1b5c4a4ceb5c4bbf6cfbfa4cba4c4a4a4a4c6"),
  zhBodyGb: sample(
    "gb2312",
    "你好，世界。这是一封测试邮件。",
    "c4e3bac3a3accac0bde7a1a3d5e2cac7d2bbb7e2b2e2cad4d3cabcfea1a3",
  ),
  zhSubjGb: sample("gb2312", "测试邮件主题", "b2e2cad4d3cabcfed6f7cce2"),
  zhBodyGbk: sample("gbk", "朱镕基说：你好，世界。", "d6ece946bbf9cbb5a3bac4e3bac3a3accac0bde7a1a3"),
  twBodyBig5: sample(
    "big5",
    "你好，世界。這是一封測試郵件。",
    "a741a66ea141a540acc9a143b36fac4fa440abcab4fab8d5b66ca5f3a143",
  ),
  twSubjBig5: sample("big5", "測試郵件主題", "b4fab8d5b66ca5f3a544c344"),
  koBodyEuc: sample(
    "euc-kr",
    "안녕하세요, 세계. 테스트 메일입니다.",
    "bec8b3e7c7cfbcbcbfe42c20bcbcb0e82e20c5d7bdbac6ae20b8dec0cfc0d4b4cfb4d92e",
  ),
  koSubjEuc: sample("euc-kr", "테스트 메일 제목", "c5d7bdbac6ae20b8dec0cf20c1a6b8f1"),
  ruBodyKoi: sample(
    "koi8-r",
    "Привет, мир! Это тестовое письмо.",
    "f0d2c9d7c5d42c20cdc9d22120fcd4cf20d4c5d3d4cfd7cfc520d0c9d3d8cdcf2e",
  ),
  ruSubjKoi: sample("koi8-r", "Тестовое письмо", "f4c5d3d4cfd7cfc520d0c9d3d8cdcf"),
  ruNameKoi: sample("koi8-r", "Иван Петров", "e9d7c1ce20f0c5d4d2cfd7"),
  ruBodyWin: sample(
    "windows-1251",
    "Привет, мир! Это тестовое письмо.",
    "cff0e8e2e5f22c20ece8f02120ddf2ee20f2e5f1f2eee2eee520efe8f1fcecee2e",
  ),
  ruSubjWin: sample("windows-1251", "Тестовое письмо", "d2e5f1f2eee2eee520efe8f1fcecee"),
  ruFileWin: sample("windows-1251", "Отчёт.txt", "cef2f7b8f22e747874"),
  latin1: sample(
    "iso-8859-1",
    "Grüße aus Köln, café, naïve.",
    "4772fcdf6520617573204bf66c6e2c20636166e92c206e61ef76652e",
  ),
  latin9: sample("iso-8859-15", "Preis: 10 € (Œuvre)", "50726569733a20313020a42028bc7576726529"),
} satisfies Record<string, CharsetSample>;

const s = SAMPLES;
const line = (bytes: Buffer) => Buffer.concat([bytes, CRLF]);

/** The charset messages, in corpus order. */
export function charsetMessages(): CorpusMessage[] {
  return [
    {
      name: "14-iso-2022-jp",
      about: "iso-2022-jp subject (B) and 7bit body, upper-case charset label",
      bytes: message([
        envelope(14, bWord("ISO-2022-JP", s.jaSubjJis.bytes)),
        "Content-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n",
        line(s.jaBodyJis.bytes),
      ]),
    },
    {
      name: "15-shift_jis",
      about: "shift_jis subject (B), base64 body, an attachment named in RFC 2231 shift_jis",
      bytes: message([
        envelope(
          15,
          bWord("shift_jis", s.jaSubjSjis.bytes),
          'Content-Type: multipart/mixed; boundary="mix15"\n\n',
        ),
        "--mix15\nContent-Type: text/plain; charset=shift_jis\nContent-Transfer-Encoding: base64\n\n",
        base64Lines(line(s.jaBodySjis.bytes)),
        "\n--mix15\nContent-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: base64\n",
        `Content-Disposition: attachment; filename*=shift_jis''${pct(s.jaSubjSjis.bytes)}.txt\n\n`,
        base64Lines(s.jaBodySjis.bytes),
        "\n--mix15--\n",
      ]),
    },
    {
      name: "16-euc-jp",
      about: "euc-jp subject (Q) and 8bit body",
      bytes: message([
        envelope(16, qWord("euc-jp", s.jaSubjEuc.bytes)),
        "Content-Type: text/plain; charset=euc-jp\nContent-Transfer-Encoding: 8bit\n\n",
        line(s.jaBodyEuc.bytes),
      ]),
    },
    {
      name: "17-gb2312",
      about: "gb2312 subject (B) and base64 body",
      bytes: message([
        envelope(17, bWord("gb2312", s.zhSubjGb.bytes)),
        'Content-Type: text/plain; charset="gb2312"\nContent-Transfer-Encoding: base64\n\n',
        base64Lines(line(s.zhBodyGb.bytes)),
        "\n",
      ]),
    },
    {
      name: "18-gbk",
      about: "gbk subject (B), a gbk character outside gb2312 in an 8bit body, gb2312 display name",
      bytes: message([
        `From: ${qWord("gb2312", s.zhSubjGb.bytes.subarray(0, 4))} <wang@example.cn>\n`,
        "To: bob@example.net\n",
        `Subject: ${bWord("GBK", s.zhSubjGb.bytes)}\nDate: Mon, 02 Mar 2026 09:18:00 +0800\n`,
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=GBK\nContent-Transfer-Encoding: 8bit\n\n",
        line(s.zhBodyGbk.bytes),
      ]),
    },
    {
      name: "19-big5",
      about: "big5 subject (B) and quoted-printable body",
      bytes: message([
        envelope(19, bWord("big5", s.twSubjBig5.bytes)),
        "Content-Type: text/plain; charset=big5\nContent-Transfer-Encoding: quoted-printable\n\n",
        quotedPrintable(line(s.twBodyBig5.bytes)),
      ]),
    },
    {
      name: "20-euc-kr",
      about: "euc-kr body (base64), subject labelled ks_c_5601-1987 (an alias)",
      bytes: message([
        envelope(20, bWord("ks_c_5601-1987", s.koSubjEuc.bytes)),
        "Content-Type: text/plain; charset=euc-kr\nContent-Transfer-Encoding: base64\n\n",
        base64Lines(line(s.koBodyEuc.bytes)),
        "\n",
      ]),
    },
    {
      name: "21-koi8-r",
      about: "koi8-r subject (B), display name (Q) and 8bit body",
      bytes: message([
        `From: ${qWord("koi8-r", s.ruNameKoi.bytes)} <ivan@example.ru>\nTo: bob@example.net\n`,
        `Subject: ${bWord("koi8-r", s.ruSubjKoi.bytes)}\nDate: Mon, 02 Mar 2026 09:21:00 +0300\n`,
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit\n\n",
        line(s.ruBodyKoi.bytes),
      ]),
    },
    {
      name: "22-windows-1251",
      about: "windows-1251 subject (Q), QP body, an attachment named in RFC 2231 windows-1251",
      bytes: message([
        envelope(
          22,
          qWord("windows-1251", s.ruSubjWin.bytes),
          'Content-Type: multipart/mixed; boundary="mix22"\n\n',
        ),
        "--mix22\nContent-Type: text/plain; charset=windows-1251\nContent-Transfer-Encoding: quoted-printable\n\n",
        quotedPrintable(line(s.ruBodyWin.bytes)),
        "\n--mix22\nContent-Type: text/plain; charset=windows-1251\nContent-Transfer-Encoding: 8bit\n",
        `Content-Disposition: attachment; filename*=windows-1251''${pct(s.ruFileWin.bytes)}\n\n`,
        line(s.ruBodyWin.bytes),
        "--mix22--\n",
      ]),
    },
    {
      name: "23-latin1-latin9",
      about: "iso-8859-1 QP body and Q subject; an iso-8859-15 8bit HTML part with the euro sign",
      bytes: message([
        envelope(
          23,
          qWord("iso-8859-1", s.latin1.bytes.subarray(0, 5)),
          'Content-Type: multipart/mixed; boundary="mix23"\n\n',
        ),
        "--mix23\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n",
        quotedPrintable(line(s.latin1.bytes)),
        "\n--mix23\nContent-Type: text/html; charset=ISO-8859-15\nContent-Transfer-Encoding: 8bit\n\n",
        Buffer.from("<p>", "latin1"),
        line(Buffer.concat([s.latin9.bytes, Buffer.from("</p>", "latin1")])),
        "--mix23--\n",
      ]),
    },
    {
      name: "24-latin1-c1-bytes",
      about: "labelled iso-8859-1 but holding windows-1252 smart quotes and dashes (0x80-0x9f)",
      bytes: message([
        envelope(24, "Smart quotes"),
        "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n",
        hex("93 51 75 6f 74 65 64 94 20 96 20 63 6f 73 74 73 20 80 35 2e 0d 0a"),
      ]),
    },
    {
      name: "25-qp-soft-breaks",
      about: "hand-written quoted-printable: soft breaks (one inside a UTF-8 sequence), =20, =3D, =09",
      bytes: message([
        envelope(25, "QP details"),
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n",
        "A soft break splits this word: hel=\nlo. A character split over a soft break: caf=C3=\n=A9.\n",
        "Trailing space encoded=20\nEquals =3D sign, tab\there, tab at the end=09\n",
        "Last line ends with a soft break=\n",
      ]),
    },
  ];
}
