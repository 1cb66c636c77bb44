// Where parseMessage and Python's email legitimately read a corpus message differently, and which
// defects we report for it. Every difference says why and pins down exactly what we produce; a
// message not listed here must parse exactly as Python parses it, with no defect at all.
import type { MimeDefectKind } from "../../../src/mime/types.js";
import { bytesFact, type ExpectedDifference, partOf, textFact } from "./facts.js";

/** What a corpus message expects beyond agreeing with Python. */
export interface CorpusExpectation {
  /** Where we differ from Python, and why. */
  differences?: ExpectedDifference[];
  /** The kinds of defect we report for the whole message (as a set). Default: none. */
  defects?: MimeDefectKind[];
}

/** An address fact holding one mailbox outside any group. */
const lone = (name: string, addr: string) => [{ group: null, members: [{ name, addr }] }];
const bytes = (text: string) => bytesFact(Buffer.from(text, "latin1"));

const NO_BOUNDARY_BODY = "--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n--x--\r\n";

/** By corpus message name. */
export const EXPECTATIONS: Record<string, CorpusExpectation> = {
  "12-rfc822-base64": {
    differences: [
      {
        facts: "/1/0*",
        reason:
          "Python parses a message/rfc822 body as a message without removing its base64 transfer encoding " +
          "(the base64 lines become a broken header block); we decode it first and parse the message inside",
        ours: partOf("/1/0", {
          type: "text/plain",
          subject: "inside",
          body: bytesFact(Buffer.from("Inner body.\r\n")),
          text: textFact("Inner body.\r\n"),
        }),
      },
    ],
  },
  "26-bad-base64": {
    defects: ["invalid-base64"],
    differences: [
      {
        facts: "/2 body",
        reason:
          "base64 that goes on after its padding (two encoded chunks run together): Python stops at the first " +
          "padding, we decode the rest as a continuation (RFC 2045 §6.8 leaves it open) and say so in a defect",
        ours: bytes("ABB"),
      },
      {
        facts: "/3 body",
        reason:
          "base64 whose length is 1 mod 4: Python gives up and returns the encoded text itself; we decode " +
          "every whole byte and drop the lone trailing character (6 bits), with a defect",
        ours: bytes("ABCEFG"),
      },
    ],
  },
  "27-bad-quoted-printable": { defects: ["invalid-quoted-printable"] },
  "28-unknown-charset": {
    defects: ["unknown-charset"],
    differences: [
      {
        facts: "/ text",
        reason:
          "Python's get_content() raises LookupError on an unknown charset; we decode as UTF-8 with a defect",
        ours: textFact("naïve café\r\n"),
      },
      {
        facts: "text",
        reason: "the main text is that same part: Python's get_body().get_content() raises LookupError",
        ours: textFact("naïve café\r\n"),
      },
    ],
  },
  "29-split-encoded-word": {
    differences: [
      {
        facts: "from",
        reason:
          "in a display name Python decodes each encoded word alone (a U+DCxx escape for each half of the split " +
          "character and a space between them); we join adjacent words of one charset before decoding (RFC 2047 §6.2)",
        ours: lone("Jürgen", "juergen@example.de"),
      },
    ],
  },
  // The last part runs to the end of the message; like Python, we drop its final line break.
  "30-missing-closing-boundary": { defects: ["missing-closing-boundary"] },
  "31-no-boundary-param": {
    defects: ["missing-boundary"],
    differences: [
      {
        facts: "/ type",
        reason:
          "a multipart without a boundary cannot be split: Python keeps the type, we read the body as text/plain",
        ours: "text/plain",
      },
      {
        facts: "/ text",
        reason: "as text/plain the body has a text (for Python it is a multipart, without one)",
        ours: textFact(NO_BOUNDARY_BODY),
      },
      { facts: "text", reason: "and that text is the message's main text", ours: textFact(NO_BOUNDARY_BODY) },
    ],
  },
  "33-8bit-no-charset": {
    differences: [
      {
        facts: "/ text",
        reason:
          "no charset declared: Python decodes as ASCII (U+FFFD for every 8-bit byte); we take UTF-8 when the " +
          "bytes are valid UTF-8, as they are here",
        ours: textFact("Grüße ohne Zeichensatz.\r\n"),
      },
      {
        facts: "text",
        reason: "the main text is that same part",
        ours: textFact("Grüße ohne Zeichensatz.\r\n"),
      },
    ],
  },
  "37-bare-lf": { defects: ["bare-line-ending"] },
  "38-utf8-raw-headers": {
    differences: [
      {
        facts: "from",
        reason:
          "Python's headerregistry keeps raw UTF-8 (RFC 6532) in address headers as surrogate escapes; we decode it",
        ours: lone("Jürgen Müller", "jürgen@bücher.example"),
      },
      { facts: "to", reason: "the same for To", ours: lone("山田太郎", "yamada@例え.jp") },
    ],
  },
  "40-case-and-comments": {
    differences: [
      {
        facts: "/ type",
        reason:
          "Python's get_content_type() keeps the comment after the media type; RFC 2045 §5.1 allows comments there",
        ours: "multipart/mixed",
      },
    ],
  },
};
