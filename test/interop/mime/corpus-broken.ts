// Corpus messages that are broken on purpose: bad base64 and quoted-printable, an unknown charset,
// an encoded word split inside a character, a missing closing boundary, a multipart without a
// boundary, boundary look-alikes in the preamble, 8-bit text without a charset, binary bodies.
import { base64Lines, bWord, type CorpusMessage, envelope, message, noise, qWord } from "./corpus-bytes.js";

const utf8 = (text: string) => Buffer.from(text, "utf8");

/** Base64 of `bytes` with junk characters and spaces sprinkled in (padding kept). */
function junkyBase64(bytes: Buffer): string {
  const clean = bytes.toString("base64");
  let out = "";
  for (let i = 0; i < clean.length; i++) out += clean[i] + (i % 7 === 3 ? "!" : i % 11 === 5 ? " " : "");
  return out;
}

/** The broken messages, in corpus order. */
export function brokenMessages(): CorpusMessage[] {
  const missingPad = noise("26-pad", 10).toString("base64").replace(/=+$/, "");
  return [
    {
      name: "26-bad-base64",
      about: "base64 with junk characters, without padding, with padding mid-stream, and of length 1 mod 4",
      bytes: message([
        envelope(26, "Bad base64", 'Content-Type: multipart/mixed; boundary="mix26"\n\n'),
        "--mix26\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: base64\n\n",
        junkyBase64(Buffer.from("Hello, base64 world! Junk is ignored.\r\n", "latin1")),
        "\n--mix26\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n",
        'Content-Disposition: attachment; filename="no-padding.bin"\n\n',
        missingPad,
        "\n--mix26\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n",
        'Content-Disposition: attachment; filename="two-chunks.bin"\n\nQQ==QkI=\n',
        "--mix26\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n",
        'Content-Disposition: attachment; filename="one-extra.bin"\n\nQUJDRUZH\nR\n',
        "--mix26--\n",
      ]),
    },
    {
      name: "27-bad-quoted-printable",
      about: "quoted-printable with =ZZ, lower-case hex, a lone = and a truncated escape",
      bytes: message([
        envelope(27, "Bad QP"),
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n",
        "Bad escape =ZZ stays.\nLower-case hex: caf=c3=a9.\nA lone = in the middle.\n",
        "Truncated escape at the end =4\n",
      ]),
    },
    {
      name: "28-unknown-charset",
      about: "a charset label nobody knows, on the body (8bit UTF-8 bytes) and in the subject",
      bytes: message([
        envelope(28, qWord("x-inetkit-unknown", utf8("café"))),
        'Content-Type: text/plain; charset="x-inetkit-unknown"\nContent-Transfer-Encoding: 8bit\n\n',
        utf8("naïve café\r\n"),
      ]),
    },
    {
      name: "29-split-encoded-word",
      about: "UTF-8 characters split across adjacent encoded words (B in the subject, Q in a display name)",
      bytes: message([
        "From: =?utf-8?Q?J=C3?= =?utf-8?Q?=BCrgen?= <juergen@example.de>\nTo: bob@example.net\n",
        `Subject: ${bWord("utf-8", utf8("€ euro ✓ done").subarray(0, 2))}\n`,
        ` ${bWord("utf-8", utf8("€ euro ✓ done").subarray(2, 10))}\n`,
        ` ${bWord("utf-8", utf8("€ euro ✓ done").subarray(10))}\n`,
        "Date: Mon, 02 Mar 2026 09:29:00 +0000\nMIME-Version: 1.0\nContent-Type: text/plain\n\nsplit words\n",
      ]),
    },
    {
      name: "30-missing-closing-boundary",
      about: "multipart/mixed whose closing boundary never comes; the last part runs to the end",
      bytes: message([
        envelope(30, "Truncated", 'Content-Type: multipart/mixed; boundary="mix30"\n\n'),
        "--mix30\nContent-Type: text/plain\n\nFirst part.\n",
        "--mix30\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n",
        base64Lines(noise("30-tail", 300)),
        "\n--mix30\nContent-Type: text/plain\n\nThe last part\nis never closed.\n",
      ]),
    },
    {
      name: "31-no-boundary-param",
      about: "Content-Type multipart/mixed without a boundary parameter",
      bytes: message([
        envelope(31, "No boundary", "Content-Type: multipart/mixed\n\n"),
        "--x\nContent-Type: text/plain\n\nhello\n--x--\n",
      ]),
    },
    {
      name: "32-boundary-in-preamble",
      about: "the boundary string inside preamble lines and as a prefix of a longer line; real parts follow",
      bytes: message([
        envelope(32, "Boundary look-alikes", 'Content-Type: multipart/mixed; boundary="b32"\n\n'),
        "This preamble mentions --b32 in the middle of a line,\n",
        "--b32-not-a-delimiter starts with it but goes on,\n--b32x too, and ends here.\n",
        "--b32\nContent-Type: text/plain\n\nfirst (mentions --b32 too)\n",
        "--b32 \nContent-Type: text/plain\n\nsecond, after a delimiter with trailing space\n",
        "--b32--\nepilogue --b32\n",
      ]),
    },
    {
      name: "33-8bit-no-charset",
      about: "8bit UTF-8 text with no charset parameter",
      bytes: message([
        envelope(33, "No charset"),
        "Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n",
        utf8("Grüße ohne Zeichensatz.\r\n"),
      ]),
    },
    {
      name: "34-binary-cte",
      about: "Content-Transfer-Encoding: binary with every byte value (bare CR and LF included)",
      bytes: message([
        envelope(34, "Binary", 'Content-Type: multipart/mixed; boundary="mix34"\n\n'),
        "--mix34\nContent-Type: text/plain\n\nA binary part follows.\n",
        "--mix34\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: binary\n",
        'Content-Disposition: attachment; filename="bytes.bin"\n\n',
        Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
        "\n--mix34--\n",
      ]),
    },
  ];
}
