/**
 * Every shape the builder makes, checked by Python's email package (one python3 run for the
 * whole file): content types, the tree, decoded bodies, file names, content ids, the subject and
 * the addresses.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { type BuiltMessage, buildMessage, type MessageSpec } from "../../../src/mime/build/index.js";
import { leaves, type PyMessage, pythonParse, shape } from "./python-email.js";

const dir = mkdtempSync(join(tmpdir(), "inetkit-build-"));
const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489", "hex");
const BINARY = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37 + 11) % 256));
const photoPath = join(dir, "photo.jpg");
const reportPath = join(dir, "Report 2024.pdf");
writeFileSync(photoPath, BINARY);
writeFileSync(reportPath, Buffer.concat([Buffer.from("%PDF-1.4\n"), BINARY]));

const FORWARDED =
  "From: Carol <carol@example.net>\nTo: alice@example.org\nSubject: the original\n\nOriginal body\nline two\n";
const emlPath = join(dir, "saved.eml");
writeFileSync(emlPath, FORWARDED);
const base = {
  from: "Alice Example <alice@example.org>",
  to: "bob@example.org",
  date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
};

/** Named cases: the spec, then checks on Python's view and on the built message. */
interface Case {
  spec: MessageSpec;
  check(py: PyMessage, built: BuiltMessage, raw: Buffer): void;
}

const CASES: Record<string, Case> = {
  "text only → text/plain": {
    spec: { ...base, subject: "Plain", text: "Hello\nWorld\r\nbare CR\rend" },
    check(py) {
      assert.equal(shape(py.root), "text/plain");
      assert.equal(py.root.params.charset, "utf-8");
      assert.equal(py.subject, "Plain");
      assert.equal(py.root.body!.toString("utf8"), "Hello\r\nWorld\r\nbare CR\r\nend");
    },
  },
  "no body at all → empty text/plain": {
    spec: { ...base, subject: "Nothing" },
    check(py) {
      assert.equal(shape(py.root), "text/plain");
      assert.equal(py.root.body!.length, 0);
    },
  },
  "html only → text/html": {
    spec: { ...base, html: "<p>caf\u00e9</p>\n" },
    check(py) {
      assert.equal(shape(py.root), "text/html");
      assert.equal(py.root.body!.toString("utf8"), "<p>caf\u00e9</p>\r\n");
    },
  },
  "text + html → multipart/alternative": {
    spec: { ...base, subject: "Alt", text: "plain version\n", html: "<b>html version</b>\n" },
    check(py) {
      assert.equal(shape(py.root), "multipart/alternative(text/plain,text/html)");
      const [text, html] = leaves(py.root);
      assert.equal(text!.body!.toString(), "plain version\r\n");
      assert.equal(html!.body!.toString(), "<b>html version</b>\r\n");
    },
  },
  "html + related → multipart/related with Content-IDs": {
    spec: {
      ...base,
      html: '<img src="cid:logo@example.org">',
      related: [{ content: PNG, contentId: "<logo@example.org>", filename: "logo.png" }],
    },
    check(py) {
      assert.equal(shape(py.root), "multipart/related(text/html,image/png)");
      assert.equal(py.root.params.type, "text/html");
      const image = leaves(py.root)[1]!;
      assert.deepEqual(image.body, PNG);
      assert.equal(image.contentId, "<logo@example.org>");
      assert.equal(image.disposition, "inline");
      assert.equal(image.filename, "logo.png");
    },
  },
  "text + html + related → related(alternative(text, html), image)": {
    spec: {
      ...base,
      text: "see the logo",
      html: '<img src="cid:logo">',
      related: [{ content: PNG, contentId: "logo", contentType: "image/png" }],
    },
    check(py) {
      assert.equal(
        shape(py.root),
        "multipart/related(multipart/alternative(text/plain,text/html),image/png)",
      );
      assert.equal(py.root.params.type, "multipart/alternative");
      assert.equal(leaves(py.root)[2]!.contentId, "<logo>");
      assert.equal(leaves(py.root)[2]!.filename, null);
    },
  },
  "attachments from a path, a Buffer, a string and a stream → multipart/mixed": {
    spec: {
      ...base,
      text: "four files",
      attachments: [
        { path: photoPath },
        { path: reportPath, filename: "renamed.pdf" },
        { content: BINARY, filename: "data.bin" },
        { content: "a,b\r\n1,2\r\n", filename: "table.csv" },
        {
          content: Readable.from([BINARY.subarray(0, 1000), BINARY.subarray(1000)]),
          filename: "streamed.gz",
        },
        { content: Buffer.from("no name"), contentType: "application/x-custom" },
      ],
    },
    check(py) {
      assert.equal(
        shape(py.root),
        "multipart/mixed(text/plain,image/jpeg,application/pdf,application/octet-stream,text/csv,application/gzip,application/x-custom)",
      );
      const [, photo, report, data, csv, streamed, custom] = leaves(py.root);
      assert.equal(photo!.filename, "photo.jpg");
      assert.deepEqual(photo!.body, BINARY);
      assert.equal(photo!.cte, "base64");
      assert.equal(report!.filename, "renamed.pdf");
      assert.deepEqual(report!.body, Buffer.concat([Buffer.from("%PDF-1.4\n"), BINARY]));
      assert.equal(data!.filename, "data.bin");
      assert.deepEqual(data!.body, BINARY);
      assert.equal(csv!.filename, "table.csv");
      assert.equal(csv!.body!.toString(), "a,b\r\n1,2\r\n");
      assert.equal(streamed!.filename, "streamed.gz");
      assert.deepEqual(streamed!.body, BINARY);
      assert.equal(custom!.filename, null);
      assert.equal(custom!.disposition, "attachment");
      assert.equal(custom!.body!.toString(), "no name");
      for (const leaf of leaves(py.root).slice(1)) assert.equal(leaf.disposition, "attachment");
    },
  },
  "a text attachment with bare LF keeps its bytes (base64)": {
    spec: { ...base, attachments: [{ content: "line\nline\r\n\rend", filename: "mixed-endings.txt" }] },
    check(py) {
      assert.equal(shape(py.root), "multipart/mixed(text/plain)", "attachments only: no empty body part");
      const file = leaves(py.root)[0]!;
      assert.equal(file.filename, "mixed-endings.txt");
      assert.equal(file.cte, "base64");
      assert.equal(file.body!.toString(), "line\nline\r\n\rend");
    },
  },
  "forward → message/rfc822 parsed as a message": {
    spec: { ...base, text: "see below", forward: FORWARDED },
    check(py) {
      assert.equal(shape(py.root), "multipart/mixed(text/plain,message/rfc822(text/plain))");
      const rfc822 = py.root.children[1]!;
      assert.equal(rfc822.cte, "7bit");
      assert.equal(rfc822.disposition, "attachment");
      const inner = rfc822.children[0]!;
      assert.equal(inner.body!.toString(), "Original body\r\nline two\r\n");
    },
  },
  "forward from a stream, with an attachment too": {
    spec: {
      ...base,
      html: "<p>fw</p>",
      attachments: [{ content: PNG, filename: "x.png" }],
      forward: Readable.from([Buffer.from(FORWARDED.slice(0, 30)), Buffer.from(FORWARDED.slice(30))]),
    },
    check(py) {
      assert.equal(shape(py.root), "multipart/mixed(text/html,image/png,message/rfc822(text/plain))");
      assert.equal(py.root.children[2]!.children[0]!.body!.toString(), "Original body\r\nline two\r\n");
    },
  },
  "an .eml attachment is written as a message, not base64": {
    spec: { ...base, attachments: [{ content: FORWARDED, filename: "old.eml" }, { path: emlPath }] },
    check(py) {
      assert.equal(shape(py.root), "multipart/mixed(message/rfc822(text/plain),message/rfc822(text/plain))");
      assert.equal(py.root.children[0]!.filename, "old.eml");
      assert.equal(py.root.children[0]!.cte, "7bit");
      assert.equal(py.root.children[1]!.filename, "saved.eml");
      assert.equal(py.root.children[1]!.cte, "8bit");
      assert.equal(py.root.children[1]!.children[0]!.body!.toString(), "Original body\r\nline two\r\n");
    },
  },
  "everything: mixed(related(alternative), attachment, forward)": {
    spec: {
      ...base,
      cc: ["Dave <dave@example.org>", { name: "Eve, the second", address: "eve@example.org" }],
      replyTo: "replies@example.org",
      subject: "All of it",
      inReplyTo: "<parent@example.org>",
      references: ["root@example.org", "<parent@example.org>"],
      headers: { "X-Mailer": "inetkit test", "List-Id": "<list.example.org>" },
      text: "text",
      html: '<img src="cid:a">',
      related: [{ content: PNG, contentId: "a", contentType: "image/png" }],
      attachments: [{ path: photoPath }],
      forward: Buffer.from(FORWARDED),
    },
    check(py, built) {
      assert.equal(
        shape(py.root),
        "multipart/mixed(multipart/related(multipart/alternative(text/plain,text/html),image/png),image/jpeg,message/rfc822(text/plain))",
      );
      assert.deepEqual(py.cc, [
        ["Dave", "dave@example.org"],
        ["Eve, the second", "eve@example.org"],
      ]);
      assert.deepEqual(py.replyTo, [["", "replies@example.org"]]);
      assert.equal(py.headers["in-reply-to"], "<parent@example.org>");
      assert.equal(py.headers.references, "<root@example.org> <parent@example.org>");
      assert.equal(py.headers["x-mailer"], "inetkit test");
      assert.equal(built.headers.get("list-id"), "<list.example.org>");
      assert.deepEqual(py.defects, []);
    },
  },
  "non-ASCII subject, display names and file name": {
    spec: {
      from: { name: "Zo\u00eb \u00c5berg", address: "zoe@example.org" },
      to: "\u0418\u0432\u0430\u043d <ivan@example.org>",
      subject:
        "\u65e5\u672c\u8a9e\u306e\u4ef6\u540d \u2014 a long subject that has to be folded over more than one line",
      text: "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440!\n",
      attachments: [{ content: BINARY, filename: "r\u00e9sum\u00e9 \u65e5\u672c.pdf" }],
    },
    check(py, _built, raw) {
      assert.equal(
        py.subject,
        "\u65e5\u672c\u8a9e\u306e\u4ef6\u540d \u2014 a long subject that has to be folded over more than one line",
      );
      assert.deepEqual(py.from, [["Zo\u00eb \u00c5berg", "zoe@example.org"]]);
      assert.deepEqual(py.to, [["\u0418\u0432\u0430\u043d", "ivan@example.org"]]);
      const [text, file] = leaves(py.root);
      assert.equal(
        text!.text!.replace(/\r\n/g, "\n"),
        "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440!\n",
      );
      assert.equal(file!.filename, "r\u00e9sum\u00e9 \u65e5\u672c.pdf");
      assert.equal(file!.type, "application/pdf");
      assert.ok(
        raw.every((b) => b < 0x80),
        "without smtputf8 the message is 7-bit",
      );
    },
  },
  "smtputf8: raw UTF-8 headers": {
    spec: {
      from: "J\u00f6rg <j\u00f6rg@b\u00fccher.example>",
      to: "\u7528\u6237@\u4f8b\u5b50.example",
      subject: "Gr\u00fc\u00dfe",
      text: "Gr\u00fc\u00dfe\n",
      smtputf8: true,
      textEncoding: "8bit",
    },
    check(py, built, raw) {
      assert.equal(py.subject, "Gr\u00fc\u00dfe");
      assert.deepEqual(py.from, [["J\u00f6rg", "j\u00f6rg@b\u00fccher.example"]]);
      assert.deepEqual(py.to, [["", "\u7528\u6237@\u4f8b\u5b50.example"]]);
      assert.ok(raw.includes("Subject: Gr\u00fc\u00dfe\r\n"));
      assert.equal(py.root.cte, "8bit");
      assert.equal(py.root.text!.replace(/\r\n/g, "\n"), "Gr\u00fc\u00dfe\n");
      assert.ok(raw.includes("\r\n\r\nGr\u00fc\u00dfe\r\n"));
      assert.deepEqual(built.envelope, {
        from: "j\u00f6rg@b\u00fccher.example",
        to: ["\u7528\u6237@\u4f8b\u5b50.example"],
      });
    },
  },
  "IDN domains are punycode in the header and the envelope without smtputf8": {
    spec: { from: "a@b\u00fccher.example", to: "c@m\u00fcnchen.example", text: "x" },
    check(py, built) {
      assert.deepEqual(py.from, [["", "a@xn--bcher-kva.example"]]);
      assert.deepEqual(py.to, [["", "c@xn--mnchen-3ya.example"]]);
      assert.deepEqual(built.envelope, { from: "a@xn--bcher-kva.example", to: ["c@xn--mnchen-3ya.example"] });
    },
  },
  "Bcc goes to the envelope only": {
    spec: {
      ...base,
      to: ["bob@example.org", "Group: g1@example.org, g2@example.org;"],
      cc: "carol@example.org, bob@example.org",
      bcc: ["secret@example.org", { name: "Hidden", address: "hidden@example.org" }],
      text: "x",
    },
    check(py, built, raw) {
      assert.ok(!py.headerNames.some((n) => n.toLowerCase() === "bcc"));
      assert.ok(!raw.includes("secret@example.org"));
      assert.ok(!raw.includes("hidden@example.org"));
      assert.equal(built.headers.has("bcc"), false);
      assert.deepEqual(built.envelope, {
        from: "alice@example.org",
        to: [
          "bob@example.org",
          "g1@example.org",
          "g2@example.org",
          "carol@example.org",
          "secret@example.org",
          "hidden@example.org",
        ],
      });
    },
  },
  "generated Date, Message-ID and MIME-Version": {
    spec: { from: "alice@example.org", text: "x" },
    check(py, built) {
      assert.match(built.headers.get("message-id")!, /^<[^<>@\s]+@example\.org>$/);
      assert.equal(py.headers["mime-version"], "1.0");
      const date = Date.parse(py.headers.date!);
      assert.ok(Math.abs(date - Date.now()) < 24 * 3600 * 1000, `Date ${py.headers.date} is about now`);
      assert.deepEqual(py.defects, []);
    },
  },
  "given Date and Message-ID, messageIdDomain": {
    spec: { ...base, messageId: "fixed@example.org", text: "x" },
    check(py, built) {
      assert.equal(py.headers["message-id"], "<fixed@example.org>");
      assert.equal(built.headers.get("date"), "Tue, 02 Jan 2024 03:04:05 +0000");
      const other = buildMessage({ ...base, messageIdDomain: "ids.example.com" });
      assert.match(other.headers.get("message-id")!, /@ids\.example\.com>$/);
    },
  },
  "text encodings: base64, quoted-printable, 8bit": {
    spec: { ...base, text: "caf\u00e9 ".repeat(40), html: "<p>x</p>", textEncoding: "base64" },
    check(py) {
      const [text, html] = leaves(py.root);
      assert.equal(text!.cte, "base64");
      assert.equal(html!.cte, "base64");
      assert.equal(text!.body!.toString(), "caf\u00e9 ".repeat(40));
    },
  },
  "a long ASCII line goes quoted-printable and decodes back": {
    spec: { ...base, text: `${"word ".repeat(100)}\n${"x".repeat(2000)}\n` },
    check(py) {
      assert.equal(py.root.cte, "quoted-printable");
      assert.equal(py.root.body!.toString(), `${"word ".repeat(100)}\r\n${"x".repeat(2000)}\r\n`);
    },
  },
  "file names with quotes, semicolons, long names; a UTF-8 text attachment": {
    spec: {
      ...base,
      inReplyTo: "<a@example.org><b@example.org>",
      cc: "",
      attachments: [
        { content: "x", filename: 'my "quoted" file; name=evil.txt' },
        { content: "y", filename: `${"long file name ".repeat(12)}end.txt` },
        { content: "z", filename: `${"\u00e9".repeat(120)}.txt` },
        { content: "caf\u00e9\r\n", filename: "utf8.txt" },
      ],
    },
    check(py, built) {
      const [quoted, long, accented, utf8] = leaves(py.root);
      assert.equal(quoted!.filename, 'my "quoted" file; name=evil.txt');
      assert.equal(long!.filename, `${"long file name ".repeat(12)}end.txt`);
      assert.equal(accented!.filename, `${"\u00e9".repeat(120)}.txt`);
      assert.equal(utf8!.params.charset, "utf-8");
      assert.equal(utf8!.text, "caf\u00e9\r\n");
      assert.equal(built.headers.get("in-reply-to"), "<a@example.org> <b@example.org>");
      assert.equal(built.headers.has("cc"), false);
    },
  },
  "content that looks like a boundary is harmless": {
    spec: {
      ...base,
      text: "--=_\r\n--\r\n--=_x--\r\n",
      attachments: [{ content: "--=_\r\n", filename: "b.txt" }],
    },
    check(py) {
      assert.equal(shape(py.root), "multipart/mixed(text/plain,text/plain)");
      assert.equal(leaves(py.root)[0]!.cte, "7bit");
      assert.equal(leaves(py.root)[0]!.body!.toString(), "--=_\r\n--\r\n--=_x--\r\n");
      assert.equal(leaves(py.root)[1]!.body!.toString(), "--=_\r\n");
    },
  },
};

const built = new Map<string, { message: BuiltMessage; raw: Buffer; py: PyMessage }>();

before(async () => {
  const names = Object.keys(CASES);
  const messages = names.map((name) => buildMessage(CASES[name]!.spec));
  const raws: Buffer[] = [];
  for (const message of messages) raws.push(await message.toBuffer());
  const parsed = pythonParse(raws.map((raw, i) => ({ raw, utf8: CASES[names[i]!]!.spec.smtputf8 === true })));
  names.forEach((name, i) => {
    built.set(name, { message: messages[i]!, raw: raws[i]!, py: parsed[i]! });
  });
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe("buildMessage shapes, read back by Python's email", () => {
  for (const [name, test] of Object.entries(CASES)) {
    it(name, () => {
      const entry = built.get(name)!;
      test.check(entry.py, entry.message, entry.raw);
      // Every message: lines end CRLF, none is longer than 998 octets, Python found no defect.
      const text = entry.raw.toString("latin1");
      assert.ok(!/\r(?!\n)|(?<!\r)\n/.test(text), "only CRLF line endings");
      for (const line of text.split("\r\n")) assert.ok(line.length <= 998, `line of ${line.length} octets`);
      const defects = (function collect(p: PyMessage["root"]): string[] {
        return [...p.defects, ...p.children.flatMap(collect)];
      })(entry.py.root);
      assert.deepEqual(defects, []);
      assert.equal(entry.py.headers["mime-version"], "1.0");
      assert.equal(entry.message.headers.get("MIME-Version"), "1.0");
    });
  }
});

describe("stream() and toBuffer()", () => {
  it("give the same bytes, and a message without caller streams can be emitted again", async () => {
    const message = buildMessage({ ...base, text: "x", attachments: [{ path: photoPath }] });
    const chunks: Buffer[] = [];
    for await (const chunk of message.stream()) chunks.push(chunk as Buffer);
    const streamed = Buffer.concat(chunks);
    assert.deepEqual(await message.toBuffer(), streamed);
    assert.deepEqual(await message.toBuffer(), streamed);
  });
});
