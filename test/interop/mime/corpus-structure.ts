// Corpus messages about structure: single parts, alternative, related, mixed with attachments,
// RFC 2231 and RFC 2047 file names, nested message/rfc822, digest, deep nesting. Written by hand.
import {
  base64Lines,
  bWord,
  type CorpusMessage,
  envelope,
  fakeJpeg,
  fakePng,
  message,
  noise,
  pct,
  quotedPrintable,
  qWord,
  utf8Crlf,
} from "./corpus-bytes.js";

const utf8 = (text: string) => Buffer.from(text, "utf8");

/** The structural messages, in corpus order. */
export function structureMessages(): CorpusMessage[] {
  return [
    {
      name: "01-plain-ascii",
      about: "one text/plain us-ascii part, 7bit, Cc with two mailboxes",
      bytes: message([
        envelope(1, "Lunch on Friday?", "Cc: Carol <carol@example.com>, dave@example.com\n"),
        "Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\n",
        "Hi Bob,\n\nAre we still on for lunch on Friday at noon?\n\n-- \nAlice\n",
      ]),
    },
    {
      name: "02-no-mime-headers",
      about: "no MIME-Version, Content-Type or Content-Transfer-Encoding: text/plain by default",
      bytes: message([
        "From: alice@example.org\nTo: bob@example.net\nSubject: plain old mail\n",
        "Date: Mon, 02 Mar 2026 09:02:00 +0000\n\n",
        "Nothing but text.\nSecond line.\n",
      ]),
    },
    {
      name: "03-alternative",
      about:
        "multipart/alternative: text/plain and text/html, both quoted-printable UTF-8, preamble and epilogue",
      bytes: message([
        envelope(
          3,
          "Menu for =?utf-8?Q?caf=C3=A9?= night",
          'Content-Type: multipart/alternative; boundary="=_alt_03"\n\n',
        ),
        "This is a multi-part message in MIME format.\n\n--=_alt_03\n",
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n",
        quotedPrintable(
          utf8Crlf(
            "Café night: crème brûlée and a very long line that has to be broken by a soft line break somewhere.\n",
          ),
        ),
        "\n--=_alt_03\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n",
        quotedPrintable(
          utf8Crlf('<html><body><p style="color: red">Café night: <b>crème brûlée</b></p></body></html>\n'),
        ),
        "\n--=_alt_03--\n\nEpilogue: ignored by readers.\n",
      ]),
    },
    {
      name: "04-related-cid",
      about: "multipart/related: HTML referring to two images by cid:, one with a file name",
      bytes: message([
        envelope(
          4,
          "Logo and photo",
          'Content-Type: multipart/related; type="text/html"; boundary=rel04\n\n',
        ),
        "--rel04\nContent-Type: text/html; charset=us-ascii\n\n",
        '<html><body><img src="cid:logo.png@inetkit.test"><img src="cid:photo@inetkit.test"></body></html>\n',
        "--rel04\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n",
        'Content-ID: <logo.png@inetkit.test>\nContent-Disposition: inline; filename="logo.png"\n\n',
        base64Lines(fakePng("04-logo", 700)),
        "\n--rel04\nContent-Type: image/jpeg\nContent-Transfer-Encoding: base64\nContent-ID: <photo@inetkit.test>\n\n",
        base64Lines(fakeJpeg("04-photo", 1200)),
        "\n--rel04--\n",
      ]),
    },
    {
      name: "05-mixed-alternative-related",
      about: "mixed [alternative [text, related [html, gif]], pdf attachment]: the usual HTML mail shape",
      bytes: message([
        envelope(5, "Quarterly report", 'Content-Type: multipart/mixed; boundary="mix05"\n\n'),
        "--mix05\n",
        'Content-Type: multipart/alternative; boundary="alt05"\n\n',
        "--alt05\nContent-Type: text/plain; charset=us-ascii\n\nThe report is attached.\n",
        '--alt05\nContent-Type: multipart/related; boundary="rel05"\n\n',
        '--rel05\nContent-Type: text/html; charset=us-ascii\n\n<p>The report is attached. <img src="cid:chart@x"></p>\n',
        "--rel05\nContent-Type: image/gif\nContent-Transfer-Encoding: base64\nContent-ID: <chart@x>\n\n",
        base64Lines(Buffer.concat([Buffer.from("GIF89a", "latin1"), noise("05-gif", 300)])),
        "\n--rel05--\n\n--alt05--\n\n--mix05\n",
        'Content-Type: application/pdf; name="report.pdf"\nContent-Disposition: attachment; filename="report.pdf"\n',
        "Content-Transfer-Encoding: base64\n\n",
        base64Lines(Buffer.concat([Buffer.from("%PDF-1.4\n", "latin1"), noise("05-pdf", 2000)])),
        "\n--mix05--\n",
      ]),
    },
    {
      name: "06-mixed-attachments",
      about: "mixed: text body, binary base64 attachment, UTF-8 QP text attachment, a name-only CSV part",
      bytes: message([
        envelope(6, "Files", 'Content-Type: multipart/mixed; boundary="mix06"\n\n'),
        "--mix06\nContent-Type: text/plain; charset=us-ascii\n\nThree files attached.\n",
        "--mix06\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n",
        'Content-Disposition: attachment; filename="data.bin"\n\n',
        base64Lines(noise("06-bin", 4096)),
        "\n--mix06\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n",
        "Content-Disposition: attachment; filename=notes.txt\n\n",
        quotedPrintable(utf8Crlf("Notes — naïve résumé\ttab\nA line with trailing spaces   \nx = y\n")),
        '\n--mix06\nContent-Type: text/csv; charset=us-ascii; name="table.csv"\n\na,b,c\n1,2,3\n',
        "--mix06--\n",
      ]),
    },
    {
      name: "07-rfc2231-continuations",
      about: "RFC 2231 continuations without a charset (filename*0, *1, *2) and a continued name",
      bytes: message([
        envelope(7, "Long file name", 'Content-Type: multipart/mixed; boundary="mix07"\n\n'),
        "--mix07\nContent-Type: text/plain\n\nSee attachment.\n",
        '--mix07\nContent-Type: text/plain; name*0="a-rather-long-file-name-"; name*1="that-goes-on.txt"\n',
        'Content-Disposition: attachment;\n filename*0="a-rather-long-file-name-that-";\n',
        ' filename*1="goes-on-and-on-for-a-while-";\n filename*2="and-ends-here.txt"\n\n',
        "contents\n--mix07--\n",
      ]),
    },
    {
      name: "08-rfc2231-charsets",
      about: "RFC 2231 extended values: utf-8 with an empty language, upper-case UTF-8, iso-8859-1",
      bytes: message([
        envelope(8, "Rates", 'Content-Type: multipart/mixed; boundary="mix08"\n\n'),
        "--mix08\nContent-Type: text/plain\n\nTwo files.\n",
        `--mix08\nContent-Type: application/pdf; name*=UTF-8''${pct(utf8("€ rates über 2026.pdf"))}\n`,
        `Content-Disposition: attachment; filename*=utf-8''${pct(utf8("€ rates über 2026.pdf"))}\n`,
        "Content-Transfer-Encoding: base64\n\n",
        base64Lines(Buffer.concat([Buffer.from("%PDF-1.4\n", "latin1"), noise("08-pdf", 200)])),
        `\n--mix08\nContent-Type: text/plain; charset=iso-8859-1\n`,
        `Content-Disposition: attachment; filename*=iso-8859-1''${pct(Buffer.from("café.txt", "latin1"))}\n\n`,
        "plain text\n--mix08--\n",
      ]),
    },
    {
      name: "09-rfc2231-language",
      about: "RFC 2231 continuations mixing encoded and plain segments, with language tags",
      bytes: message([
        envelope(9, "Greetings", 'Content-Type: multipart/mixed; boundary="mix09"\n\n'),
        "--mix09\nContent-Type: text/plain\n\nSee attachments.\n",
        "--mix09\nContent-Type: text/plain; charset=utf-8\n",
        `Content-Disposition: attachment;\n filename*0*=utf-8'de'${pct(utf8("Grüße aus"))};\n`,
        ` filename*1*=${pct(utf8(" München"))};\n filename*2=".txt"\n\n`,
        "Servus\n--mix09\n",
        "Content-Type: application/x-stuff;\n title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A\n",
        "Content-Disposition: attachment; filename*=us-ascii'en-us'fun.txt\n\n",
        "fun\n--mix09--\n",
      ]),
    },
    {
      name: "10-rfc2047-filenames",
      about: "RFC 2047 encoded words inside quoted name/filename parameters (a common violation)",
      bytes: message([
        envelope(10, "Reports", 'Content-Type: multipart/mixed; boundary="mix10"\n\n'),
        "--mix10\nContent-Type: text/plain\n\nTwo reports.\n",
        `--mix10\nContent-Type: application/pdf; name="${bWord("utf-8", utf8("Отчёт.pdf"))}"\n`,
        `Content-Disposition: attachment; filename="${bWord("utf-8", utf8("Отчёт.pdf"))}"\n`,
        "Content-Transfer-Encoding: base64\n\n",
        base64Lines(noise("10-pdf", 100)),
        `\n--mix10\nContent-Type: image/jpeg; name="${qWord("iso-8859-1", Buffer.from("für dich.jpg", "latin1"))}"\n`,
        "Content-Transfer-Encoding: base64\n\n",
        base64Lines(fakeJpeg("10-jpg", 150)),
        "\n--mix10--\n",
      ]),
    },
    {
      name: "11-rfc822-nested",
      about: "message/rfc822 inside message/rfc822 (two levels), each with its own multipart",
      bytes: message([
        envelope(11, "Fwd: Fwd: the original", 'Content-Type: multipart/mixed; boundary="outer11"\n\n'),
        "--outer11\nContent-Type: text/plain\n\nForwarding twice.\n",
        "--outer11\nContent-Type: message/rfc822\nContent-Disposition: inline\n\n",
        "From: Carol <carol@example.com>\nTo: alice@example.org\nSubject: Fwd: the original\n",
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="middle11"\n\n',
        "--middle11\nContent-Type: text/plain\n\nForwarding once.\n",
        '--middle11\nContent-Type: message/rfc822; name="original.eml"\n\n',
        "From: Dave <dave@example.com>\nTo: carol@example.com\n",
        `Subject: the original ${qWord("utf-8", utf8("✓"))}\nMIME-Version: 1.0\n`,
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n",
        base64Lines(utf8Crlf("The innermost text ✓\n")),
        "\n--middle11--\n\n--outer11--\n",
      ]),
    },
    {
      name: "12-rfc822-base64",
      about:
        "message/rfc822 sent with Content-Transfer-Encoding: base64 (forbidden by RFC 2046, seen in the wild)",
      bytes: message([
        envelope(12, "Forward encoded", 'Content-Type: multipart/mixed; boundary="mix12"\n\n'),
        "--mix12\nContent-Type: text/plain\n\nEncoded forward.\n",
        "--mix12\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n",
        base64Lines(
          utf8Crlf(
            "From: Erin <erin@example.com>\nSubject: inside\nContent-Type: text/plain\n\nInner body.\n",
          ),
        ),
        "\n--mix12--\n",
      ]),
    },
    {
      name: "13-digest",
      about: "multipart/digest: parts without Content-Type are message/rfc822, one explicit text/plain",
      bytes: message([
        envelope(13, "Digest, Vol 1", 'Content-Type: multipart/digest; boundary="dig13"\n\n'),
        "--dig13\nContent-Type: text/plain\n\nToday's topics: 1. First 2. Second\n",
        "--dig13\n\nFrom: one@example.com\nSubject: First\n\nFirst message.\n",
        "--dig13\n\nFrom: two@example.com\nSubject: Second\nContent-Type: text/plain; charset=utf-8\n",
        "Content-Transfer-Encoding: 8bit\n\n",
        utf8("Second message — with a dash.\r\n"),
        "--dig13\nContent-Type: message/rfc822\n\nFrom: three@example.com\nSubject: Third\n\nThird.\n",
        "--dig13--\n",
      ]),
    },
  ];
}
