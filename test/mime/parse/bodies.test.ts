import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../../src/errors.js";
import { parseMessage } from "../../../src/mime/parse/index.js";
import type { AddressGroup, Mailbox } from "../../../src/mime/types.js";
import { NESTED } from "./fixtures.js";
import { crlf, defectKinds } from "./helpers.js";

/** A one-part message with `headers` and a body given as bytes. */
function single(headers: string[], body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(crlf(...headers, "", "")), body]);
}

describe("parseMessage: bodies and charsets", () => {
  it("decodes text parts in their declared charset and says which decoder it used", async () => {
    const cases: [string, Buffer, string, string][] = [
      ["iso-8859-1", Buffer.from("Caf\xe9", "latin1"), "Café", "iso-8859-1"],
      ["koi8-r", Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]), "Привет", "koi8-r"],
      ["shift_jis", Buffer.from([0x82, 0xa0, 0x82, 0xa2]), "あい", "shift_jis"],
      ["gb2312", Buffer.from([0xc4, 0xe3, 0xba, 0xc3]), "你好", "gbk"],
      ["big5", Buffer.from([0xa7, 0x41, 0xa6, 0x6e]), "你好", "big5"],
      ["UTF-8", Buffer.from("żółw"), "żółw", "utf-8"],
    ];
    for (const [label, bytes, text, decoder] of cases) {
      const m = await parseMessage(single([`Content-Type: text/plain; charset=${label}`], bytes));
      assert.equal(m.text, text, label);
      assert.equal(m.root.charset, label.toLowerCase());
      assert.equal(m.root.decodedWith, decoder, label);
      assert.deepEqual(defectKinds(m), [], label);
      assert.deepEqual(await m.root.content(), bytes);
    }
  });

  it("reports an unknown charset instead of guessing windows-1252", async () => {
    const m = await parseMessage(
      single(["Content-Type: text/plain; charset=x-no-such"], Buffer.from("h\xe9", "latin1")),
    );
    assert.equal(m.root.decodedWith, "utf-8");
    assert.equal(m.text, "h\ufffd");
    assert.deepEqual(defectKinds(m), ["unknown-charset", "invalid-charset-bytes"]);
  });

  it("removes the transfer encoding: base64, quoted-printable, 8bit; an unknown one is kept as is", async () => {
    const b64 = await parseMessage(
      single(["Content-Transfer-Encoding: BASE64"], Buffer.from("aGVs\r\nbG8=\r\n")),
    );
    assert.equal(b64.text, "hello");
    assert.equal(b64.root.size, 5);
    const qp = await parseMessage(
      single(["Content-Transfer-Encoding: quoted-printable (comment)"], Buffer.from("a=3Db=\r\nc\r\n")),
    );
    assert.equal(qp.root.transferEncoding, "quoted-printable");
    assert.equal(qp.text, "a=bc\r\n");
    const odd = await parseMessage(single(["Content-Transfer-Encoding: x-uuencode"], Buffer.from("begin")));
    assert.equal(odd.text, "begin");
    assert.deepEqual(defectKinds(odd), ["unknown-transfer-encoding"]);
  });

  it("keeps every leaf's decoded bytes; a multipart has no content of its own", async () => {
    const m = await parseMessage(NESTED);
    const png = m.attachments.find((a) => a.contentType === "image/png")!;
    assert.equal((await png.content()).subarray(1, 4).toString(), "PNG");
    assert.equal(png.size, (await png.content()).length);
    await assert.rejects(m.root.content(), InvalidArgumentError);
  });
});

describe("parseMessage: main text, HTML and attachments", () => {
  it("takes the alternatives as text and HTML; every other leaf, inline images included, is an attachment", async () => {
    const m = await parseMessage(NESTED);
    assert.equal(m.text, "Café au lait");
    assert.equal(m.html, "<p>Café</p>");
    assert.deepEqual(
      m.attachments.map((a) => [a.contentType, a.filename, a.disposition, a.contentId]),
      [
        ["image/png", undefined, "inline", "img1@example.org"],
        ["application/pdf", "report.pdf", "attachment", undefined],
        ["message/rfc822", undefined, undefined, undefined],
      ],
    );
    assert.equal(m.attachments[1]!.size, 14);
    assert.equal(m.attachments[1]!.part, m.root.children[2]);
  });

  it("skips text marked as an attachment, and makes later text parts attachments", async () => {
    const m = await parseMessage(
      crlf(
        "Content-Type: multipart/mixed; boundary=b",
        "",
        "--b",
        "Content-Disposition: attachment; filename=notes.txt",
        "",
        "attached text",
        "--b",
        "",
        "main text",
        "--b",
        "Content-Type: text/plain; name=second.txt",
        "",
        "second text",
        "--b--",
      ),
    );
    assert.equal(m.text, "main text");
    assert.equal(m.html, undefined);
    assert.deepEqual(
      m.attachments.map((a) => a.filename),
      ["notes.txt", "second.txt"],
    );
    assert.equal(m.attachments[0]!.part.text, "attached text");
  });

  it("does not take text from inside a forwarded message", async () => {
    const m = await parseMessage(
      crlf("Content-Type: message/rfc822", "", "Subject: inner", "", "forwarded text"),
    );
    assert.equal(m.text, undefined);
    assert.equal(m.attachments.length, 1);
    assert.equal(m.root.children[0]!.text, "forwarded text");
  });
});

describe("parseMessage: typed headers", () => {
  it("reads subject, addresses, date, message ids", async () => {
    const m = await parseMessage(NESTED);
    assert.equal(m.subject, "Hello 🌍 there");
    assert.deepEqual(m.from, [{ name: "Alice", address: "alice@example.org" }]);
    assert.deepEqual(
      m.to.map((a) => (a as Mailbox).address),
      ["bob@example.org", "carol@example.org"],
    );
    assert.equal((m.cc[0] as AddressGroup).group, "Team");
    assert.equal(m.date?.toISOString(), "2003-07-01T08:52:37.000Z");
    assert.equal(m.messageId, "m1@example.org");
    assert.deepEqual(m.references, ["r1@example.org", "r2@example.org"]);
    assert.equal(m.headers.get("MIME-version"), "1.0");
  });

  it("records bad addresses and dates as defects, with empty values", async () => {
    const m = await parseMessage(
      crlf("From: a@b@c", "To: =?utf-8?b?YXR0YWNrZXJAZXZpbC5jb20=?=", "Date: yesterday", "", ""),
    );
    assert.deepEqual(m.from, []);
    assert.deepEqual(m.to, []);
    assert.equal(m.date, undefined);
    assert.deepEqual(defectKinds(m).sort(), ["invalid-address", "invalid-address", "invalid-date"]);
    const none = await parseMessage("\r\n");
    assert.equal(none.subject, undefined);
    assert.deepEqual([none.from, none.to, none.cc, none.references], [[], [], [], []]);
  });

  it("keeps header names and parameters such as __proto__ as data", async () => {
    const m = await parseMessage(
      crlf("__proto__: polluted", 'Content-Type: text/plain; constructor=x; __proto__="y"', "", "b"),
    );
    assert.equal(m.headers.get("__proto__"), "polluted");
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(m.root.filename, undefined);
    assert.equal(m.text, "b");
  });
});
