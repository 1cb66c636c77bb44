// The messages build-vs-python.test.ts builds with buildMessage, one per builder shape, each with
// what Python must find in it: subject, addresses, the tree of content types, and every leaf
// (type, file name, disposition, Content-ID, and its bytes or its text).
import { Readable } from "node:stream";
import type { MessageSpec } from "../../../src/mime/build/index.js";
import { fakeJpeg, fakePng, noise } from "./corpus-bytes.js";
import type { ExpectedDifference } from "./facts.js";

/** A leaf Python must find, in document order (not descending into a forwarded message). */
export interface ExpectedLeaf {
  type: string;
  filename?: string;
  disposition?: "attachment" | "inline";
  contentId?: string;
  /** The exact decoded bytes (attachments). */
  bytes?: Buffer;
  /** The decoded text as given to the builder; compared with its line breaks made CRLF. */
  text?: string;
}

/** One message to build and what Python must read in it. */
export interface BuildCase {
  name: string;
  /** The spec; `files` holds paths of files the case may attach (written by the test). */
  spec(files: Record<string, string>): MessageSpec;
  subject: string;
  /** Mailboxes as `name <addr>` strings (`<addr>` alone without a name), by header. */
  addresses: { from: string[]; to: string[]; cc?: string[] };
  /** The content types, nested: `["multipart/mixed", ["text/plain"], ["application/pdf"]]`. */
  tree: unknown[];
  leaves: ExpectedLeaf[];
  /** A corpus message forwarded as message/rfc822: Python must read it inside as it reads the file. */
  forwards?: string;
  /** Where our parse of the built message legitimately differs from Python's (see parse-expectations.ts). */
  differences?: ExpectedDifference[];
  /** Set, with the reason, when Python shows the addresses surrogate-escaped (raw UTF-8). */
  pythonRawAddresses?: string;
  /** Header defects Python may report, and why (raw UTF-8 headers, which Python's parser flags). */
  pythonHeaderDefects?: { allowed: string[]; reason: string };
}

/** Attachment contents: PNG- and JPEG-looking noise, binary noise, a PDF-looking file. */
export const PNG = fakePng("build-logo", 1500);
export const JPEG = fakeJpeg("build-photo", 2500);
export const BIN = noise("build-bin", 5000);
export const PDF = Buffer.concat([Buffer.from("%PDF-1.4\n"), noise("build-pdf", 3000)]);
/** Files the test writes before building (name → content). */
export const FILES: Record<string, Buffer> = { "report.pdf": PDF, "data.bin": BIN };

/** From, To and Date shared by most cases. */
export const base = {
  from: "Alice Example <alice@example.org>",
  to: "Bob <bob@example.net>",
  date: new Date(Date.UTC(2026, 2, 4, 12)),
};
/** A text/plain or text/html leaf holding `text`. */
export const plain = (text: string): ExpectedLeaf => ({ type: "text/plain", text });
export const html = (text: string): ExpectedLeaf => ({ type: "text/html", text });
/** The addresses of {@link base}, as Python shows them. */
export const us = { from: ["Alice Example <alice@example.org>"], to: ["Bob <bob@example.net>"] };

/** Bodies: ASCII text, HTML pointing at a cid: image, and non-ASCII text of several scripts. */
export const TEXT = "Hello Bob,\nthis is the text part.\n";
export const HTML = '<p>Hello Bob, this is the <b>HTML</b> part. <img src="cid:logo@inetkit.test"></p>\n';
export const UTEXT = "Grüße aus Köln — 日本語 ✓\nЗдравствуйте!\n";
const LONG_NAME = `${"Очень длинное имя файла для отчёта ".repeat(4)}2026.pdf`;

/** The build cases of the simple shapes (build-cases-more.ts has the rest). */
export const BASIC_BUILD_CASES: BuildCase[] = [
  {
    name: "b01-text",
    spec: () => ({ ...base, subject: "Plain", text: TEXT }),
    subject: "Plain",
    addresses: us,
    tree: ["text/plain"],
    leaves: [plain(TEXT)],
  },
  {
    name: "b02-text-utf8",
    spec: () => ({
      ...base,
      from: "Jürgen Müller <juergen@example.org>",
      to: ["Zoë <zoe@example.net>", "bob@example.net"],
      subject: "Grüße ✓ — 你好",
      text: UTEXT,
    }),
    subject: "Grüße ✓ — 你好",
    addresses: {
      from: ["Jürgen Müller <juergen@example.org>"],
      to: ["Zoë <zoe@example.net>", "<bob@example.net>"],
    },
    tree: ["text/plain"],
    leaves: [plain(UTEXT)],
  },
  {
    name: "b03-html-only",
    spec: () => ({ ...base, subject: "HTML", html: HTML }),
    subject: "HTML",
    addresses: us,
    tree: ["text/html"],
    leaves: [html(HTML)],
  },
  {
    name: "b04-alternative",
    spec: () => ({ ...base, subject: "Alternative", text: UTEXT, html: HTML }),
    subject: "Alternative",
    addresses: us,
    tree: ["multipart/alternative", ["text/plain"], ["text/html"]],
    leaves: [plain(UTEXT), html(HTML)],
  },
  {
    name: "b05-related",
    spec: () => ({
      ...base,
      subject: "Related",
      text: TEXT,
      html: HTML,
      related: [
        { contentId: "logo@inetkit.test", content: PNG, filename: "logo.png" },
        { contentId: "<photo@inetkit.test>", content: JPEG, contentType: "image/jpeg" },
      ],
    }),
    subject: "Related",
    addresses: us,
    // The builder puts the whole alternative inside related (RFC 2387 root: multipart/alternative).
    tree: [
      "multipart/related",
      ["multipart/alternative", ["text/plain"], ["text/html"]],
      ["image/png"],
      ["image/jpeg"],
    ],
    leaves: [
      plain(TEXT),
      html(HTML),
      {
        type: "image/png",
        filename: "logo.png",
        disposition: "inline",
        contentId: "logo@inetkit.test",
        bytes: PNG,
      },
      { type: "image/jpeg", disposition: "inline", contentId: "photo@inetkit.test", bytes: JPEG },
    ],
  },
  {
    name: "b06-mixed-buffer",
    spec: () => ({
      ...base,
      subject: "Buffers",
      text: TEXT,
      attachments: [
        { filename: "data.bin", content: BIN },
        { filename: "table.csv", content: "a,b\r\n1,2\r\n", contentType: "text/csv; charset=utf-8" },
      ],
    }),
    subject: "Buffers",
    addresses: us,
    tree: ["multipart/mixed", ["text/plain"], ["application/octet-stream"], ["text/csv"]],
    leaves: [
      plain(TEXT),
      { type: "application/octet-stream", filename: "data.bin", disposition: "attachment", bytes: BIN },
      {
        type: "text/csv",
        filename: "table.csv",
        disposition: "attachment",
        bytes: Buffer.from("a,b\r\n1,2\r\n"),
      },
    ],
  },
  {
    name: "b07-mixed-path",
    spec: (files) => ({
      ...base,
      subject: "Files from disk",
      text: TEXT,
      attachments: [{ path: files["report.pdf"] }, { path: files["data.bin"], filename: "renamed.bin" }],
    }),
    subject: "Files from disk",
    addresses: us,
    tree: ["multipart/mixed", ["text/plain"], ["application/pdf"], ["application/octet-stream"]],
    leaves: [
      plain(TEXT),
      { type: "application/pdf", filename: "report.pdf", disposition: "attachment", bytes: PDF },
      { type: "application/octet-stream", filename: "renamed.bin", disposition: "attachment", bytes: BIN },
    ],
  },
  {
    name: "b08-mixed-stream",
    spec: () => ({
      ...base,
      subject: "A stream",
      html: HTML,
      attachments: [
        { filename: "photo.jpg", content: Readable.from([JPEG.subarray(0, 1000), JPEG.subarray(1000)]) },
      ],
    }),
    subject: "A stream",
    addresses: us,
    tree: ["multipart/mixed", ["text/html"], ["image/jpeg"]],
    leaves: [
      html(HTML),
      { type: "image/jpeg", filename: "photo.jpg", disposition: "attachment", bytes: JPEG },
    ],
  },
  {
    name: "b09-non-ascii-filenames",
    spec: () => ({
      ...base,
      subject: "Names",
      text: TEXT,
      attachments: [
        { filename: "résumé.pdf", content: PDF },
        { filename: LONG_NAME, content: PDF },
        { filename: "報告書 2026.txt", content: Buffer.from("日本語\r\n") },
      ],
    }),
    subject: "Names",
    addresses: us,
    tree: ["multipart/mixed", ["text/plain"], ["application/pdf"], ["application/pdf"], ["text/plain"]],
    leaves: [
      plain(TEXT),
      { type: "application/pdf", filename: "résumé.pdf", disposition: "attachment", bytes: PDF },
      { type: "application/pdf", filename: LONG_NAME, disposition: "attachment", bytes: PDF },
      {
        type: "text/plain",
        filename: "報告書 2026.txt",
        disposition: "attachment",
        bytes: Buffer.from("日本語\r\n"),
      },
    ],
  },
];
