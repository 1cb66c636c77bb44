// Corpus messages about headers and layout: a 1000+ character folded subject, 200 recipients,
// bare-LF line endings, raw UTF-8 headers (RFC 6532), address forms, odd case and comments,
// empty parts, deep nesting and text parts that are attachments.
import {
  base64Lines,
  type CorpusMessage,
  envelope,
  fakePng,
  message,
  noise,
  quotedPrintable,
  qWord,
  raw8,
  utf8Crlf,
} from "./corpus-bytes.js";

const utf8 = (text: string) => Buffer.from(text, "utf8");

/** Joins words with single spaces, folding (CRLF + space instead of the space) before 76 columns. */
function fold(start: string, words: readonly string[]): string {
  let out = start;
  let column = start.length;
  for (const word of words) {
    if (column + 1 + word.length > 76) {
      out += `\n ${word}`;
      column = 1 + word.length;
    } else {
      out += ` ${word}`;
      column += 1 + word.length;
    }
  }
  return `${out}\n`;
}

/** Plain and encoded words until the decoded subject is over 1100 characters (the raw one is ~2500). */
function longSubjectWords(): string[] {
  const words: string[] = [];
  for (let i = 0, decoded = 0; decoded < 1100; i++) {
    const text = i % 5 === 2 ? `Grüße-${i}` : i % 5 === 3 ? `Köln-${i}` : `word${i}`;
    if (i % 5 === 2) words.push(qWord("utf-8", utf8(text)));
    else if (i % 5 === 3) words.push(qWord("iso-8859-1", Buffer.from(text, "latin1")));
    else words.push(text);
    decoded += text.length + 1;
  }
  return words;
}

function recipients(): string[] {
  const list: string[] = [];
  for (let i = 0; i < 200; i++) {
    const addr = `r${String(i).padStart(3, "0")}@example.org`;
    const kind = i % 4;
    const entry =
      kind === 0
        ? `"Last${i}, First" <${addr}>`
        : kind === 1
          ? `Recipient ${i} <${addr}>`
          : kind === 2
            ? addr
            : `${qWord("utf-8", utf8(`Jürgen ${i}`))} <${addr}>`;
    list.push(i < 199 ? `${entry},` : entry);
  }
  return list;
}

/** The header and layout messages, in corpus order. */
export function headerMessages(): CorpusMessage[] {
  return [
    {
      name: "35-long-folded-subject",
      about: "a 1100+ character subject of plain and encoded words folded over many lines; long References",
      bytes: message([
        "From: alice@example.org\nTo: bob@example.net\n",
        fold("Subject:", longSubjectWords()),
        fold(
          "References:",
          Array.from({ length: 30 }, (_, i) => `<thread-${i}.${"x".repeat(i)}@inetkit.test>`),
        ),
        "Date: Mon, 02 Mar 2026 09:35:00 +0000\nMIME-Version: 1.0\nContent-Type: text/plain\n\nlong header\n",
      ]),
    },
    {
      name: "36-two-hundred-recipients",
      about: "To with 200 mailboxes (quoted names with commas, plain, bare, encoded names), one per line",
      bytes: message([
        "From: alice@example.org\n",
        `To:${recipients()
          .map((r) => ` ${r}`)
          .join("\n")}\n`,
        "Subject: To everyone\nDate: Mon, 02 Mar 2026 09:36:00 +0000\nMIME-Version: 1.0\n\nHello all.\n",
      ]),
    },
    {
      name: "37-bare-lf",
      about: "every line ends in a bare LF: multipart/alternative with QP and base64 parts",
      bytes: message(
        [
          envelope(37, "Unix line endings", 'Content-Type: multipart/alternative; boundary="alt37"\n\n'),
          "--alt37\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n",
          "Line one caf=C3=A9\nLine two\n",
          "--alt37\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n",
          base64Lines(utf8("<p>Line one café</p>\n<p>Line two</p>\n")),
          "\n--alt37--\n",
        ],
        { bareLf: true },
      ),
    },
    {
      name: "38-utf8-raw-headers",
      about: "RFC 6532: raw UTF-8 in Subject, display names, local part, domain and a quoted filename",
      bytes: message([
        raw8("From: Jürgen Müller <jürgen@bücher.example>\nTo: 山田太郎 <yamada@例え.jp>\n"),
        raw8("Subject: Grüße — 日本 ✓\n"),
        "Date: Mon, 02 Mar 2026 09:38:00 +0000\nMessage-ID: <corpus-38@inetkit.test>\nMIME-Version: 1.0\n",
        'Content-Type: multipart/mixed; boundary="mix38"\n\n',
        "--mix38\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n",
        raw8("Grüße ✓\n"),
        "--mix38\nContent-Type: application/pdf\n",
        raw8('Content-Disposition: attachment; filename="résumé.pdf"\n'),
        "Content-Transfer-Encoding: base64\n\n",
        base64Lines(noise("38-pdf", 64)),
        "\n--mix38--\n",
      ]),
    },
    {
      name: "39-address-forms",
      about: "quoted names with commas and escapes, groups (empty and not), comments, an address-like name",
      bytes: message([
        'From: "Doe, John (CEO)" <john@example.org>\nTo: Undisclosed recipients:;\n',
        'Cc: Team: a@example.org, "B. Person" <b@example.org>;, c@example.org (Carl),\n',
        ' "Joe \\"the\\" Plumber" <joe@example.org>, =?utf-8?Q?Ren=C3=A9?= <rene@example.org>,\n',
        ' "a@evil.example" <b@good.example>\n',
        "Subject: Address forms\nDate: Mon, 02 Mar 2026 09:39:00 +0000\nMIME-Version: 1.0\n\nAddresses.\n",
      ]),
    },
    {
      name: "40-case-and-comments",
      about:
        "header names and values in odd case, comments and spaces in parameters, a boundary full of specials",
      bytes: message([
        "from: alice@example.org\nTO: bob@example.net\nsubject: case\nDATE: Mon, 02 Mar 2026 09:40:00 +0000\n",
        "mime-version: 1.0\n",
        'content-type: Multipart/Mixed (a comment); BOUNDARY="odd\'()+_,-./:=? b"\n\n',
        "--odd'()+_,-./:=? b\n",
        'CONTENT-TYPE: Text/Plain; CharSet="UTF-8" (eight bits)\ncontent-transfer-encoding: Quoted-Printable\n\n',
        "Gr=C3=BC=C3=9Fe\n",
        "--odd'()+_,-./:=? b\n",
        'Content-Type: APPLICATION/OCTET-STREAM; Name = "spaced.bin"\n',
        'Content-Disposition: ATTACHMENT; FileName = "Spaced Name.bin"\nContent-Transfer-Encoding: BASE64\n\n',
        base64Lines(noise("40-bin", 90)),
        "\n--odd'()+_,-./:=? b--\n",
      ]),
    },
    {
      name: "41-empty-parts",
      about: "preamble and epilogue; a part with nothing, one with headers but no body, one without headers",
      bytes: message([
        envelope(41, "Empty parts", 'Content-Type: multipart/mixed; boundary="mix41"\n\n'),
        "preamble line 1\npreamble line 2\n",
        "--mix41\n\n--mix41\nContent-Type: text/plain; charset=us-ascii\n\n\n",
        "--mix41\n\nNo headers here: text/plain by default.\n",
        "--mix41--\nepilogue\n",
      ]),
    },
    {
      name: "42-deep-nesting",
      about: "mixed > mixed > alternative > related > mixed, with a leaf at every level",
      bytes: message([
        envelope(42, "Deep", 'Content-Type: multipart/mixed; boundary="L1"\n\n'),
        "--L1\nContent-Type: text/plain\n\nlevel 1\n",
        '--L1\nContent-Type: multipart/mixed; boundary="L2"\n\n',
        "--L2\nContent-Type: text/plain\n\nlevel 2\n",
        '--L2\nContent-Type: multipart/alternative; boundary="L3"\n\n',
        "--L3\nContent-Type: text/plain\n\nlevel 3\n",
        '--L3\nContent-Type: multipart/related; boundary="L4"\n\n',
        "--L4\nContent-Type: text/html\n\n<p>level 4</p>\n",
        '--L4\nContent-Type: multipart/mixed; boundary="L5"\n\n',
        "--L5\nContent-Type: text/plain\n\nlevel 5\n",
        "--L5\nContent-Type: image/png\nContent-Transfer-Encoding: base64\nContent-ID: <deep@x>\n\n",
        base64Lines(fakePng("42-png", 60)),
        "\n--L5--\n--L4--\n--L3--\n--L2--\n--L1--\n",
      ]),
    },
    {
      name: "43-text-attachments",
      about: "text parts that are attachments (inline with a name, an HTML attachment) and an attached .eml",
      bytes: message([
        envelope(43, "Text attachments", 'Content-Type: multipart/mixed; boundary="mix43"\n\n'),
        "--mix43\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n",
        quotedPrintable(utf8Crlf("The main text — see below.\n")),
        "\n--mix43\nContent-Type: text/plain\nContent-Disposition: inline; filename=inline-notes.txt\n\n",
        "inline notes\n",
        "--mix43\nContent-Type: text/html; charset=us-ascii\n",
        'Content-Disposition: attachment; filename="page.html"\n\n<p>page</p>\n',
        '--mix43\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename="fwd.eml"\n\n',
        "From: frank@example.com\nSubject: attached\n\nattached message\n",
        "--mix43--\n",
      ]),
    },
  ];
}
