import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DataReader, SmugglingScanner } from "../../../src/servers/smtp/data-reader.js";

/** Feeds `input` to a new reader in the given pieces; returns content, rest, done and the verdict. */
function run(pieces: readonly Buffer[]): {
  content: string;
  rest: string;
  done: boolean;
  smuggling: boolean;
} {
  const reader = new DataReader();
  const content: Buffer[] = [];
  const rest: Buffer[] = [];
  let done = false;
  for (const piece of pieces) {
    const result = reader.push(piece);
    content.push(...result.data);
    if (result.done) {
      done = true;
      if (result.rest) rest.push(result.rest);
    }
  }
  return {
    content: Buffer.concat(content).toString("latin1"),
    rest: Buffer.concat(rest).toString("latin1"),
    done,
    smuggling: reader.smuggling,
  };
}

/** Every way of cutting `text` in two, plus one byte at a time. */
function splits(text: string): Buffer[][] {
  const bytes = Buffer.from(text, "latin1");
  const out: Buffer[][] = [[bytes]];
  for (let cut = 1; cut < bytes.length; cut += 1) out.push([bytes.subarray(0, cut), bytes.subarray(cut)]);
  out.push([...bytes].map((byte) => Buffer.from([byte])));
  return out;
}

describe("DataReader", () => {
  const cases: Array<{ name: string; input: string; content: string; rest: string; smuggling: boolean }> = [
    { name: "a plain message", input: "a\r\nb\r\n.\r\n", content: "a\r\nb\r\n", rest: "", smuggling: false },
    { name: "an empty message", input: ".\r\n", content: "", rest: "", smuggling: false },
    { name: "stuffed dots", input: "..a\r\n..\r\n.\r\n", content: ".a\r\n.\r\n", rest: "", smuggling: false },
    {
      name: "pipelined commands after",
      input: "x\r\n.\r\nQUIT\r\n",
      content: "x\r\n",
      rest: "QUIT\r\n",
      smuggling: false,
    },
    {
      name: "a bare LF inside a line",
      input: "a\nb\r\n.\r\n",
      content: "a\nb\r\n",
      rest: "",
      smuggling: false,
    },
    {
      name: "a dot after a bare LF, not alone",
      input: "a\n.b\r\n.\r\n",
      content: "a\n.b\r\n",
      rest: "",
      smuggling: false,
    },
    { name: "<LF>.<LF>", input: "a\n.\nMAIL FROM:<x@y>\r\n.\r\n", content: "", rest: "", smuggling: true },
    {
      name: "<LF>.<CR><LF>",
      input: "a\n.\r\nRCPT TO:<x@y>\r\n.\r\n",
      content: "",
      rest: "",
      smuggling: true,
    },
    { name: "<CR><LF>.<LF>", input: "a\r\n.\nDATA\r\n.\r\n", content: "", rest: "", smuggling: true },
    { name: "<CR>.<CR><LF>", input: "a\r.\r\nx\r\n.\r\n", content: "", rest: "", smuggling: true },
    { name: "<CR><LF>.<CR> then text", input: "a\r\n.\rb\r\n.\r\n", content: "", rest: "", smuggling: true },
    { name: "<LF>.<LF> as the first line", input: ".\nx\r\n.\r\n", content: "", rest: "", smuggling: true },
  ];
  for (const c of cases) {
    it(`${c.name}: the same verdict at every split`, () => {
      for (const pieces of splits(c.input)) {
        const result = run(pieces);
        assert.equal(result.done, true);
        assert.equal(result.smuggling, c.smuggling, c.name);
        if (!c.smuggling) assert.equal(result.content, c.content);
        assert.equal(result.rest, c.rest);
      }
    });
  }

  it("does not end at a bare-LF dot (only CRLF.CRLF ends the data)", () => {
    const result = run([Buffer.from("a\n.\nb\r\n")]);
    assert.equal(result.done, false);
    assert.equal(result.smuggling, true);
  });

  it("property: CRLF-only content never looks like smuggling and comes back unstuffed", () => {
    const line = fc.stringMatching(/^[.a-z ]{0,6}$/);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.integer({ min: 1, max: 7 }), (lines, step) => {
        const content = lines.map((l) => `${l}\r\n`).join("");
        const stuffed = lines.map((l) => `${l.startsWith(".") ? "." : ""}${l}\r\n`).join("");
        const bytes = Buffer.from(`${stuffed}.\r\n`, "latin1");
        const pieces: Buffer[] = [];
        for (let i = 0; i < bytes.length; i += step) pieces.push(bytes.subarray(i, i + step));
        const result = run(pieces);
        return result.done && !result.smuggling && result.content === content;
      }),
    );
  });

  it("property: a dot line with a bare LF or CR on either side is always caught", () => {
    const breaks = fc.constantFrom("\r\n", "\n", "\r");
    fc.assert(
      fc.property(breaks, breaks, fc.stringMatching(/^[a-z]{1,5}$/), (before, after, text) => {
        fc.pre(!(before === "\r\n" && after === "\r\n"));
        const scanner = new SmugglingScanner();
        scanner.push(Buffer.from(`${text}${before}.${after}${text}`, "latin1"));
        return scanner.found;
      }),
    );
  });
});
