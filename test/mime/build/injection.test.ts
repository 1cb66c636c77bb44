/**
 * Header injection (CVE-2021-23400, CPython CVE-2024-6923, §4E M1–M5): CR, LF or NUL in any
 * caller-given value that reaches a header is refused with InvalidArgumentError, before a byte
 * is produced — in every position. Plus the other refusals of a bad spec.
 */
import * as assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../../src/errors.js";
import { buildMessage, type MessageSpec } from "../../../src/mime/build/index.js";

const base: MessageSpec = { from: "alice@example.org", to: "bob@example.org", text: "body" };

/** Each position, as a function from a hostile fragment to a spec carrying it there. */
const POSITIONS: Record<string, (evil: string) => MessageSpec> = {
  subject: (e) => ({ ...base, subject: `Hi${e}Bcc: victim@example.org` }),
  "from (text)": (e) => ({ ...base, from: `Alice${e} <alice@example.org>` }),
  "from address (text)": (e) => ({ ...base, from: `alice@example.org${e}` }),
  "from display name (object)": (e) => ({
    ...base,
    from: { name: `Alice${e}Bcc: v@example.org`, address: "alice@example.org" },
  }),
  "from address (object)": (e) => ({ ...base, from: { name: "A", address: `alice@example.org${e}` } }),
  "to (text)": (e) => ({ ...base, to: `bob@example.org,${e}evil@example.org` }),
  "to display name (object)": (e) => ({ ...base, to: { name: `Bob${e}`, address: "bob@example.org" } }),
  "to address (object)": (e) => ({ ...base, to: [{ name: "Bob", address: `bob${e}@example.org` }] }),
  "to group name": (e) => ({
    ...base,
    to: { group: `Team${e}`, members: [{ name: "", address: "bob@example.org" }] },
  }),
  "to group member": (e) => ({
    ...base,
    to: { group: "Team", members: [{ name: `B${e}`, address: "bob@example.org" }] },
  }),
  cc: (e) => ({ ...base, cc: [`carol@example.org${e}`] }),
  bcc: (e) => ({ ...base, bcc: `Dave${e} <dave@example.org>` }),
  "reply-to": (e) => ({ ...base, replyTo: { name: "R", address: `r@example.org${e}` } }),
  "extra header value (record)": (e) => ({ ...base, headers: { "X-Test": `v${e}Bcc: v@example.org` } }),
  "extra header value (pairs)": (e) => ({ ...base, headers: [["X-Test", `v${e}`]] }),
  "extra header name": (e) => ({ ...base, headers: { [`X-Te${e}st`]: "v" } }),
  "message id": (e) => ({ ...base, messageId: `id${e}@example.org` }),
  "message id domain": (e) => ({ ...base, messageIdDomain: `example.org${e}` }),
  "in-reply-to": (e) => ({ ...base, inReplyTo: `<a${e}b@example.org>` }),
  references: (e) => ({ ...base, references: ["ok@example.org", `bad${e}@example.org`] }),
  "attachment file name": (e) => ({ ...base, attachments: [{ content: "x", filename: `a${e}.txt` }] }),
  "attachment path (its base name)": (e) => ({ ...base, attachments: [{ path: `a${e}.txt` }] }),
  "attachment content type": (e) => ({
    ...base,
    attachments: [{ content: "x", contentType: `text/plain${e}` }],
  }),
  "attachment content type parameter": (e) => ({
    ...base,
    attachments: [{ content: "x", contentType: `text/plain; charset=utf-8${e}X-Evil: 1` }],
  }),
  "attachment content id": (e) => ({ ...base, attachments: [{ content: "x", contentId: `c${e}id` }] }),
  "related content id": (e) => ({ ...base, html: "<p>", related: [{ content: "x", contentId: `logo${e}` }] }),
  "related file name": (e) => ({
    ...base,
    html: "<p>",
    related: [{ content: "x", contentId: "l", filename: `l${e}.png` }],
  }),
};

describe("CR, LF and NUL are refused in every header position", () => {
  for (const [position, make] of Object.entries(POSITIONS)) {
    for (const evil of ["\r\n", "\r", "\n", "\0"]) {
      it(`${position}: ${JSON.stringify(evil)}`, () => {
        assert.throws(() => buildMessage(make(evil)), InvalidArgumentError);
      });
    }
  }

  it("each position is otherwise valid (the refusal is about the fragment)", async () => {
    for (const [position, make] of Object.entries(POSITIONS)) {
      if (position === "attachment path (its base name)") continue; // no such file: fails when streamed
      const message = buildMessage(make(""));
      assert.ok((await message.toBuffer()).length > 0, position);
    }
  });

  it("an RFC 2231 parameter that decodes to CRLF is refused too", () => {
    assert.throws(
      () =>
        buildMessage({
          ...base,
          attachments: [{ content: "x", contentType: "text/plain; x*=utf-8''a%0D%0AX-Evil:%201" }],
        }),
      InvalidArgumentError,
    );
  });

  it("other control characters and DEL in header text are refused", () => {
    for (const c of ["\x01", "\x1b", "\x7f", "\x0b", "\x0c"]) {
      assert.throws(() => buildMessage({ ...base, subject: `a${c}b` }), InvalidArgumentError);
      assert.throws(() => buildMessage({ ...base, headers: { "X-A": `a${c}b` } }), InvalidArgumentError);
    }
    assert.equal(buildMessage({ ...base, subject: "tab\there" }).headers.get("subject"), "tab\there");
  });
});

describe("refusals of a bad spec", () => {
  const refuse = (spec: unknown, why: string) =>
    assert.throws(() => buildMessage(spec as MessageSpec), InvalidArgumentError, why);

  it("missing or invalid From", () => {
    refuse({ to: "b@example.org" }, "no from");
    refuse({ from: "a@example.org, b@example.org" }, "two mailboxes");
    refuse({ from: "G: a@example.org;" }, "a group");
    refuse({ from: { name: "x", address: "Bob <b@example.org>" } }, "a name inside address");
    refuse({ from: { name: "x", address: "a@example.org, evil@example.org" } }, "two addresses in one");
  });

  it("ambiguous addresses (CVE-2019-16056, CVE-2023-27043)", () => {
    refuse({ from: "a@example.org", to: "a@b@c.example" }, "double @");
    refuse({ from: "a@example.org", to: "alice@example.org)<bob@example.org>" }, "paren");
    refuse({ from: "a@example.org", to: '"x@evil.example"@good.example' }, "quoted @");
  });

  it("non-ASCII local part without smtputf8", () => {
    refuse({ from: "j\u00f6rg@example.org" }, "utf-8 local part");
  });

  it("header names: not ftext, or written by the builder", () => {
    for (const name of [
      "",
      "X Space",
      "X:Colon",
      "X-\u00e9",
      "Bcc",
      "bcc",
      "Subject",
      "Content-Type",
      "content-transfer-encoding",
      "MIME-Version",
      "Message-ID",
      "Date",
      "From",
      "To",
    ]) {
      refuse({ ...base, headers: { [name]: "v" } }, `header ${JSON.stringify(name)}`);
    }
    refuse({ ...base, headers: [["X-A"]] }, "not a pair");
  });

  it("attachments: both or neither of path and content, bad types, bad ids, empty names", () => {
    refuse({ ...base, attachments: [{ filename: "a.txt" }] }, "neither");
    refuse({ ...base, attachments: [{ path: "a", content: "x" }] }, "both");
    refuse({ ...base, attachments: [{ content: 42 }] }, "not bytes");
    refuse({ ...base, attachments: [{ content: "x", contentType: "nonsense" }] }, "not a media type");
    refuse({ ...base, attachments: [{ content: "x", contentType: "multipart/mixed" }] }, "multipart content");
    refuse({ ...base, attachments: [{ content: "x", contentId: "a b" }] }, "space in id");
    refuse({ ...base, attachments: [{ content: "x", contentId: "<>" }] }, "empty id");
    refuse({ ...base, attachments: [{ content: "x", filename: "dir/" }] }, "no base name");
    refuse({ ...base, attachments: [{ content: "x", disposition: "evil" }] }, "disposition");
    refuse({ ...base, attachments: "x" }, "not an array");
  });

  it("related needs html and content ids", () => {
    refuse({ ...base, related: [{ content: "x", contentId: "a" }] }, "no html");
    refuse({ ...base, html: "<p>", related: [{ content: "x" }] }, "no content id");
  });

  it("bad dates, ids, encodings, forward values", () => {
    refuse({ ...base, date: new Date(Number.NaN) }, "invalid date");
    refuse({ ...base, messageId: "a b@example.org" }, "space in message id");
    refuse({ ...base, messageIdDomain: "exa mple.org" }, "space in domain");
    refuse({ ...base, textEncoding: "rot13" }, "encoding");
    refuse({ ...base, forward: 42 }, "forward");
    refuse({ ...base, text: 42 }, "text");
    refuse(null, "spec");
  });

  it("file names lose their directory part", async () => {
    const message = buildMessage({
      ...base,
      attachments: [
        { content: "x", filename: "../../etc/passwd" },
        { content: "y", filename: "C:\\Users\\me\\secret.txt" },
      ],
    });
    const raw = (await message.toBuffer()).toString();
    assert.match(raw, /filename="?passwd"?/);
    assert.match(raw, /filename="?secret\.txt"?/);
    assert.ok(!raw.includes("etc/"));
    assert.ok(!raw.includes("Users"));
  });

  it("a message reading a caller's stream can be emitted once", async () => {
    const message = buildMessage({
      ...base,
      attachments: [{ content: Readable.from([Buffer.from("abc")]) }],
    });
    assert.ok((await message.toBuffer()).includes("YWJj"));
    assert.throws(() => message.stream(), InvalidArgumentError);
    await assert.rejects(message.toBuffer(), InvalidArgumentError);
  });
});
