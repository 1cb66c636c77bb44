// More build cases: forwarding as message/rfc822, everything at once, SMTPUTF8, a long subject
// with many recipients, forced text encodings, and extra header fields.
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import {
  BASIC_BUILD_CASES,
  type BuildCase,
  base,
  HTML,
  html,
  JPEG,
  PDF,
  PNG,
  plain,
  TEXT,
  UTEXT,
  us,
} from "./build-cases.js";
import { corpusPath } from "./corpus.js";

const LONG_SUBJECT = `${"Ünïcödé subject that keeps going ".repeat(36)}— the end ✓`;
const MANY = Array.from({ length: 120 }, (_, i) => `Empfänger ${i} <r${i}@example.org>`);
const LONG_LINE = `${"Eine sehr lange Zeile — ".repeat(90)}Ende.\n`;
const RELATED_HTML = '<p><img src="cid:logo@inetkit.test"></p>\n';

/** The tree of corpus message 05, which two cases forward. */
const TREE_05 = [
  "multipart/mixed",
  ["multipart/alternative", ["text/plain"], ["multipart/related", ["text/html"], ["image/gif"]]],
  ["application/pdf"],
];

const MORE_BUILD_CASES: BuildCase[] = [
  {
    name: "b10-forward",
    spec: () => ({
      ...base,
      subject: "Fwd: Quarterly report",
      text: TEXT,
      forward: readFileSync(corpusPath("05-mixed-alternative-related")),
    }),
    subject: "Fwd: Quarterly report",
    addresses: us,
    tree: ["multipart/mixed", ["text/plain"], ["message/rfc822", TREE_05]],
    leaves: [plain(TEXT), { type: "message/rfc822", disposition: "attachment" }],
    forwards: "05-mixed-alternative-related",
  },
  {
    name: "b11-everything",
    spec: (files) => ({
      ...base,
      subject: "Everything ✓",
      text: UTEXT,
      html: RELATED_HTML,
      related: [{ contentId: "logo@inetkit.test", content: PNG, contentType: "image/png" }],
      attachments: [{ path: files["report.pdf"] }, { filename: "photo.jpg", content: Readable.from([JPEG]) }],
      forward: readFileSync(corpusPath("01-plain-ascii")).toString("latin1"),
    }),
    subject: "Everything ✓",
    addresses: us,
    tree: [
      "multipart/mixed",
      ["multipart/related", ["multipart/alternative", ["text/plain"], ["text/html"]], ["image/png"]],
      ["application/pdf"],
      ["image/jpeg"],
      ["message/rfc822", ["text/plain"]],
    ],
    leaves: [
      plain(UTEXT),
      html(RELATED_HTML),
      { type: "image/png", disposition: "inline", contentId: "logo@inetkit.test", bytes: PNG },
      { type: "application/pdf", filename: "report.pdf", disposition: "attachment", bytes: PDF },
      { type: "image/jpeg", filename: "photo.jpg", disposition: "attachment", bytes: JPEG },
      { type: "message/rfc822", disposition: "attachment" },
    ],
    forwards: "01-plain-ascii",
  },
  {
    name: "b12-smtputf8",
    spec: () => ({
      ...base,
      smtputf8: true,
      from: "Jürgen Müller <jürgen@bücher.example>",
      to: "山田太郎 <yamada@例え.jp>",
      subject: "Grüße — 日本 ✓",
      text: UTEXT,
      attachments: [{ filename: "résumé.pdf", content: PDF }],
    }),
    subject: "Grüße — 日本 ✓",
    addresses: { from: ["Jürgen Müller <jürgen@bücher.example>"], to: ["山田太郎 <yamada@例え.jp>"] },
    tree: ["multipart/mixed", ["text/plain"], ["application/pdf"]],
    leaves: [
      plain(UTEXT),
      { type: "application/pdf", filename: "résumé.pdf", disposition: "attachment", bytes: PDF },
    ],
    differences: [
      {
        facts: "from",
        reason:
          "Python's headerregistry keeps raw UTF-8 in address headers as surrogate escapes; we decode it",
        ours: [{ group: null, members: [{ name: "Jürgen Müller", addr: "jürgen@bücher.example" }] }],
      },
      {
        facts: "to",
        reason: "the same for To",
        ours: [{ group: null, members: [{ name: "山田太郎", addr: "yamada@例え.jp" }] }],
      },
    ],
    pythonRawAddresses:
      "Python's parser reads 8-bit header bytes as surrogate escapes and its headerregistry keeps them in " +
      "address names and addr-specs (the Subject is sanitized, addresses are not), though RFC 6532 allows UTF-8",
    pythonHeaderDefects: {
      allowed: ["UndecodableBytesDefect", "NonASCIILocalPartDefect"],
      reason:
        "message_from_binary_file reads 8-bit header bytes as surrogate escapes and flags them, though RFC 6532 allows them",
    },
  },
  {
    name: "b13-long-subject-many-recipients",
    spec: () => ({
      ...base,
      subject: LONG_SUBJECT,
      to: MANY,
      cc: ["Carol <carol@example.com>", "dave@example.com"],
      text: TEXT,
    }),
    subject: LONG_SUBJECT,
    addresses: { from: us.from, to: MANY, cc: ["Carol <carol@example.com>", "<dave@example.com>"] },
    tree: ["text/plain"],
    leaves: [plain(TEXT)],
  },
  {
    name: "b14-text-base64",
    spec: () => ({ ...base, subject: "Base64 text", text: UTEXT, html: HTML, textEncoding: "base64" }),
    subject: "Base64 text",
    addresses: us,
    tree: ["multipart/alternative", ["text/plain"], ["text/html"]],
    leaves: [plain(UTEXT), html(HTML)],
  },
  {
    name: "b15-text-8bit-long-line",
    spec: () => ({ ...base, subject: "8bit text", text: LONG_LINE, html: UTEXT, textEncoding: "8bit" }),
    subject: "8bit text",
    addresses: us,
    tree: ["multipart/alternative", ["text/plain"], ["text/html"]],
    leaves: [plain(LONG_LINE), html(UTEXT)],
  },
  {
    name: "b16-extra-headers",
    spec: () => ({
      ...base,
      subject: "Re: headers",
      cc: 'Carol <carol@example.com>, Friends: x@example.org, "Y, Z" <y@example.org>;',
      replyTo: "list@example.org",
      inReplyTo: "<original@example.org>",
      references: ["a@example.org", "<original@example.org>"],
      headers: { "X-Mailer": "inetkit interop", "X-Note": "Grüße ✓" },
      text: TEXT,
    }),
    subject: "Re: headers",
    addresses: { ...us, cc: ["Carol <carol@example.com>", "<x@example.org>", "Y, Z <y@example.org>"] },
    tree: ["text/plain"],
    leaves: [plain(TEXT)],
  },
];

/** Every build case. */
export const BUILD_CASES: BuildCase[] = [...BASIC_BUILD_CASES, ...MORE_BUILD_CASES];
