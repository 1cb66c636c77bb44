// mbox interop with Python's `mailbox.mbox` (one python3 run for the whole file): files we write
// are split by Python into the same messages, at the same offsets, with the same From lines; a
// file Python writes (with its From-quoting) reads back through us as the bytes Python was given.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type MboxMessage, readMbox } from "../../../src/mime/mailbox/mbox-reader.js";
import { writeMbox } from "../../../src/mime/mailbox/mbox-writer.js";
import { modelQuote, unquoteLine } from "./mbox-model.js";
import { askPython, fromB64, type OracleAnswer } from "./python-oracle.js";

const WHEN = new Date(Date.UTC(2024, 1, 3, 4, 5, 6));
const WHEN_TEXT = "Sat Feb  3 04:05:06 2024";

/** Messages for both directions (latin1 text: one char per byte). */
const MESSAGES = [
  "Subject: plain\n\nhello\n",
  "Subject: from lines\n\nFrom the start of a line\nFrom\nFrom  two blanks\nmore\n",
  "Subject: crlf\r\n\r\nFrom here\r\nbody\r\n",
  "Subject: no final newline\n\nlast line",
  "Subject: blank end\n\nbody\n\n",
  "Subject: 8bit\n\n\xe9t\xe9 \x00 \xff\n",
  `Subject: long\n\n${"0123456789".repeat(20_000)}\nFrom the end\n`,
];
/**
 * A hand-made LF file with the awkward cases: junk before the first message, From lines without
 * a blank line before them, several blank lines, quoted lines, no final newline.
 */
const TRICKY =
  "junk before\n>From junk\n\nFrom a@x Mon Jan  1 00:00:00 2001\nA: 1\n\n\n\n" +
  "From b@x\nno blank line before the next\nFrom c@x  two blanks\n>From q\n>>From qq\n\n" +
  "From d@x\n\nFrom e@x\nFrom f@x\nlast, no newline";

/** Only for our writer: lines that already look quoted (mboxo cannot carry them). */
const QUOTED = "Subject: quoted already\n\n>From once\n>>From twice\n";

let dir: string;
let answer: OracleAnswer;
const ours: Record<"mboxrd" | "mboxo", string> = { mboxrd: "", mboxo: "" };
let theirs: string;
let tricky: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "inetkit-mbox-python-"));
  for (const format of ["mboxrd", "mboxo"] as const) {
    ours[format] = join(dir, `ours-${format}.mbox`);
    const inputs = format === "mboxrd" ? [...MESSAGES, QUOTED] : MESSAGES;
    await writeMbox(
      ours[format],
      inputs.map((text, n) => ({
        content: Buffer.from(text, "latin1"),
        sender: `s${n}@example.org`,
        date: WHEN,
      })),
      { format },
    );
  }
  tricky = join(dir, "tricky.mbox");
  await writeFile(tricky, TRICKY, "latin1");
  theirs = join(dir, "python.mbox");
  answer = await askPython(dir, {
    write_mbox: {
      path: theirs,
      messages: MESSAGES.map((text, n) => ({
        from: `p${n}@example.org ${WHEN_TEXT}`,
        b64: Buffer.from(text, "latin1").toString("base64"),
      })),
    },
    read_mbox: [ours.mboxrd, ours.mboxo, theirs, tricky],
  });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(path: string, format: "mboxrd" | "mboxo"): Promise<MboxMessage[]> {
  const out: MboxMessage[] = [];
  for await (const message of readMbox(path, { format, chunkSize: 4096 })) out.push(message);
  return out;
}

function withFinalNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}

describe("mbox: ours read by Python's mailbox.mbox", () => {
  for (const format of ["mboxrd", "mboxo"] as const) {
    it(`${format}: the same messages, From lines, subjects and offsets`, async () => {
      const inputs = format === "mboxrd" ? [...MESSAGES, QUOTED] : MESSAGES;
      const python = answer.mbox[ours[format]]!;
      assert.equal(python.length, inputs.length);
      const read = await readAll(ours[format], format);
      inputs.forEach((text, n) => {
        const py = python[n]!;
        assert.equal(py.from, `s${n}@example.org ${WHEN_TEXT}`);
        assert.equal(py.subject, /^Subject: (.*?)\r?\n/.exec(text)![1]);
        // Python does not unquote: it hands back the stored form, which is the model's quoting.
        assert.equal(fromB64(py.bytes).toString("latin1"), modelQuote(text, format), `message ${n}`);
        assert.equal(read[n]!.offset, py.start, `offset of message ${n}`);
        assert.equal(read[n]!.end, py.stop, `end of message ${n}`);
        assert.equal(read[n]!.content().toString("latin1"), withFinalNewline(text));
      });
    });
  }
});

describe("mbox: Python's mailbox.mbox read by us", () => {
  for (const format of ["mboxo", "mboxrd"] as const) {
    it(`${format}: the bytes Python was given, its From lines, its offsets`, async () => {
      const python = answer.mbox[theirs]!;
      const read = await readAll(theirs, format);
      assert.equal(read.length, MESSAGES.length);
      MESSAGES.forEach((text, n) => {
        const message = read[n]!;
        assert.equal(message.content().toString("latin1"), withFinalNewline(text), `message ${n}`);
        assert.equal(message.fromLine, `From p${n}@example.org ${WHEN_TEXT}`);
        assert.equal(message.sender, `p${n}@example.org`);
        assert.equal(message.date, WHEN_TEXT);
        assert.equal(message.offset, python[n]!.start);
        assert.equal(message.end, python[n]!.stop);
        // Python quoted the From lines (mboxo style): the stored bytes show it.
        if (text.includes("\nFrom ")) assert.match(fromB64(python[n]!.bytes).toString("latin1"), /\n>From /);
      });
    });
  }
});

describe("mbox: a hand-made file split by Python and by us", () => {
  for (const format of ["mboxrd", "mboxo"] as const) {
    it(`${format}: the same messages, From lines, offsets; our bytes are Python's unquoted`, async () => {
      const python = answer.mbox[tricky]!;
      const read = await readAll(tricky, format);
      assert.equal(read.length, 6);
      assert.equal(read.length, python.length);
      read.forEach((message, n) => {
        const py = python[n]!;
        assert.equal(message.fromLine, `From ${py.from}`);
        assert.equal(message.offset, py.start);
        assert.equal(message.end, py.stop);
        const unquoted = fromB64(py.bytes)
          .toString("latin1")
          .split(/(?<=\n)/)
          .map((line) => unquoteLine(line, format))
          .join("");
        assert.equal(message.content().toString("latin1"), unquoted, `message ${n}`);
      });
    });
  }
});
