// The From-quoter: the model's quoting at every split point of fixed messages and on random
// ones; quote → store → scan gives the message back (plus the line ending an mbox needs).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MboxQuoter } from "../../../src/mime/mailbox/mbox-quoter.js";
import type { MboxFormat } from "../../../src/mime/mailbox/mbox-scanner.js";
import { cut, modelQuote, scanChunks } from "./mbox-model.js";

function quote(chunks: readonly Buffer[], format: MboxFormat): string {
  const quoter = new MboxQuoter(format);
  const out: Buffer[] = [];
  for (const chunk of chunks) out.push(...quoter.push(chunk));
  out.push(...quoter.end());
  return Buffer.concat(out).toString("latin1");
}

const MESSAGES = [
  "Subject: x\n\nFrom here\n>From there\n>>From everywhere\nFrom\nFro\n",
  "From the very first line\nbody",
  ">From first\r\nsecond\r\nFrom third",
  "",
  "no newline at all",
  "\n",
  "F",
  "From ",
  ">>>",
  "a\r\nb",
  "From x\nFrom y\nFrom z\n",
];

for (const format of ["mboxrd", "mboxo"] as const) {
  describe(`MboxQuoter (${format})`, () => {
    it("quotes like the model at every split point", () => {
      for (const message of MESSAGES) {
        const bytes = Buffer.from(message, "latin1");
        const expected = modelQuote(message, format);
        for (let a = 0; a <= bytes.length; a += 1) {
          for (let b = a; b <= bytes.length; b += 1) {
            assert.equal(
              quote(cut(bytes, [a, b]), format),
              expected,
              `${JSON.stringify(message)} at ${a},${b}`,
            );
          }
        }
        assert.equal(
          quote(
            [...bytes].map((byte) => Buffer.from([byte])),
            format,
          ),
          expected,
        );
      }
    });

    it("round-trips through the scanner: the message back, with a final line ending added when missing", () => {
      const line = fc.constantFrom(
        "From x\n",
        ">From y\n",
        ">>From z\r\n",
        "From",
        ">",
        "text\n",
        "\n",
        "\r\n",
        "F",
        "rom ",
        "\r",
      );
      fc.assert(
        fc.property(
          fc.array(line, { maxLength: 30 }),
          fc.array(fc.nat(300), { maxLength: 6 }),
          (lines, points) => {
            const message = lines.join("");
            const stored = quote(cut(Buffer.from(message, "latin1"), points), format);
            const file = `From sender date\n${stored}\n`;
            const [read] = scanChunks([Buffer.from(file, "latin1")], format);
            const expected = modelQuote(message, format)
              .split(/(?<=\n)/)
              .map((l) =>
                format === "mboxrd" ? l.replace(/^>(>*From )/, "$1") : l.replace(/^>From /, "From "),
              )
              .join("");
            assert.equal(read!.content, expected);
            // mboxrd is lossless (apart from the final line ending); mboxo too when no line was `>From `.
            if (format === "mboxrd" || !/(^|\n)>+From /.test(message)) {
              const first = message.indexOf("\n");
              const crlf = first > 0 && message[first - 1] === "\r";
              const ending = message === "" || message.endsWith("\n") ? "" : crlf ? "\r\n" : "\n";
              assert.equal(read!.content, message + ending);
            }
          },
        ),
        { numRuns: 1500 },
      );
    });
  });
}

describe("MboxQuoter: details", () => {
  it("ends a CRLF message with CRLF and an LF message with LF; leaves an empty one empty", () => {
    assert.equal(quote([Buffer.from("a\r\nb")], "mboxrd"), "a\r\nb\r\n");
    assert.equal(quote([Buffer.from("a\nb")], "mboxrd"), "a\nb\n");
    assert.equal(quote([Buffer.from("single line")], "mboxrd"), "single line\n");
    assert.equal(quote([], "mboxrd"), "");
  });

  it("counts the bytes pushed", () => {
    const quoter = new MboxQuoter();
    quoter.push(Buffer.from("From a\n"));
    quoter.push(Buffer.from("b"));
    assert.equal(quoter.size, 8);
  });
});
