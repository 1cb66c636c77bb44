/**
 * Line lengths (RFC 5322 §2.1.1), as a property over random messages: no line is ever longer than
 * 998 octets; a line over 78 octets appears only where the content allows nothing shorter — a
 * header line with no place to fold (no whitespace after its first word within 78 columns).
 * Every line ends CRLF.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../../src/errors.js";
import { buildMessage, type MessageSpec } from "../../../src/mime/build/index.js";
import { parseMessage } from "../../../src/mime/parse/index.js";

/** Text with long words, long lines, all kinds of line breaks, and non-ASCII of every width. */
const text = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ unit: "grapheme", maxLength: 30 }),
      fc.constantFrom("\n", "\r\n", "\r", " ", "\t", "=", ".", "--", "From "),
      fc.integer({ min: 70, max: 1200 }).map((n) => "x".repeat(n)),
      fc.integer({ min: 10, max: 300 }).map((n) => "\u00e9\u65e5\ud83d\ude00".repeat(n)),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(""));

/** Header text: the same without control characters (those are refused, see injection tests). */
const headerText = text.map((t) => t.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, " "));

const fileName = headerText.map((t) => `${t.replace(/[/\\]/g, "_").trim() || "f"}.bin`);

/** A run without whitespace longer than a header line can hold (UTF-8 octets, with room for `Subject: `). */
function hasUnfoldableRun(text: string): boolean {
  return text.split(/[ \t]+/).some((word) => Buffer.byteLength(word) > 998 - "Subject: ".length);
}

/** The first index where the line could have been folded (after the field name, or after the leading WSP). */
function foldableWithin78(line: string): boolean {
  const colon = /^[!-9;-~]+:/.exec(line);
  // Not right after "Name: " (a line of whitespace only after the colon is no fold).
  const from = colon ? colon[0].length + 2 : 1;
  for (let i = from; i <= Math.min(78, line.length - 1); i++) {
    if (
      (line[i] === " " || line[i] === "\t") &&
      line.slice(0, i).trim() !== "" &&
      line.slice(i).trim() !== ""
    )
      return true;
  }
  return false;
}

/** `bodyLinesMayBeLong`: with textEncoding "8bit" the caller keeps text lines up to 998 octets. */
function checkLines(raw: Buffer, bodyLinesMayBeLong = false): void {
  const latin1 = raw.toString("latin1");
  assert.ok(!/\r(?!\n)|(?<!\r)\n/.test(latin1), "only CRLF line endings");
  const headerEnd = latin1.indexOf("\r\n\r\n");
  for (const line of latin1.split("\r\n")) {
    assert.ok(line.length <= 998, `a line of ${line.length} octets`);
    if (line.length > 78 && !bodyLinesMayBeLong) {
      assert.ok(
        !foldableWithin78(line),
        `a line of ${line.length} octets that could have been folded: ${JSON.stringify(line.slice(0, 120))}`,
      );
    }
  }
  assert.ok(headerEnd > 0);
}

describe("line lengths (property)", () => {
  it("bodies and headers of random messages: ≤ 998 always, ≤ 78 where the content allows", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            subject: headerText,
            name: headerText,
            text,
            html: text,
            attachment: fc.option(fc.record({ filename: fileName, content: text })),
            smtputf8: fc.boolean(),
            textEncoding: fc.constantFrom("auto", "8bit", "quoted-printable", "base64"),
          },
          { requiredKeys: ["subject", "name", "text", "smtputf8", "textEncoding"] },
        ),
        async (r) => {
          const spec: MessageSpec = {
            from: { name: r.name, address: "alice@example.org" },
            to: [{ name: r.name, address: "bob@example.org" }, "carol@example.org"],
            subject: r.subject,
            text: r.text,
            smtputf8: r.smtputf8,
            textEncoding: r.textEncoding as MessageSpec["textEncoding"],
          };
          if (r.html !== undefined) spec.html = r.html;
          if (r.attachment)
            spec.attachments = [{ content: r.attachment.content, filename: r.attachment.filename }];
          let message: ReturnType<typeof buildMessage>;
          try {
            message = buildMessage(spec);
          } catch (error) {
            // The one refusal allowed: a display-name word left as it is (plain ASCII, or raw UTF-8
            // under smtputf8) that is too long for any 998-octet line. (A subject's is encoded.)
            const raw = [r.name];
            assert.ok(
              error instanceof InvalidArgumentError && /cannot be folded/.test(error.message),
              String(error),
            );
            assert.ok(raw.some(hasUnfoldableRun), "refused although every word fits a line");
            return;
          }
          checkLines(await message.toBuffer(), r.textEncoding === "8bit");
        },
      ),
      { numRuns: 150 },
    );
  });

  it("many recipients fold at their commas", async () => {
    const to = Array.from({ length: 200 }, (_, i) => ({
      name: `Person Number ${i}`,
      address: `p${i}@example.org`,
    }));
    const raw = await buildMessage({ from: "a@example.org", to, subject: "x", text: "y" }).toBuffer();
    for (const line of raw.toString("latin1").split("\r\n"))
      assert.ok(line.length <= 78, `${line.length}: ${line}`);
  });

  it("a long unbreakable subject word stays as it is within 998, else goes out as encoded words", async () => {
    for (const n of [100, 900, 980]) {
      const raw = await buildMessage({
        from: "a@example.org",
        subject: `w ${"s".repeat(n)} end`,
        text: "y",
      }).toBuffer();
      checkLines(raw);
      assert.ok(raw.includes("s".repeat(n)), "the word is kept as written (not encoded)");
    }
    for (const n of [998, 2000, 10000]) {
      const subject = `w ${"s".repeat(n)} end`;
      const raw = await buildMessage({ from: "a@example.org", subject, text: "y" }).toBuffer();
      checkLines(raw);
      assert.equal((await parseMessage(raw)).subject, subject);
    }
  });
});
