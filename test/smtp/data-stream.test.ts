// The message on the wire: CRLF normalisation (BDAT), dot-stuffing (DATA), header splitting and
// Bcc removal — each fed split at every byte offset (small inputs) and at random offsets.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { LimitError } from "../../src/errors.js";
import { parseHeaderBlock } from "../../src/mime/header/index.js";
import { CrlfNormalizer, normalizedLength, writeDotStuffed } from "../../src/smtp/data-stream.js";
import {
  HeaderScanner,
  type HeaderSplit,
  messageIdOf,
  type PreparedMessage,
  plainHeaderSplit,
  prepareAnyBytes,
  prepareInMemory,
  preparePlainBytes,
  stripBcc,
} from "../../src/smtp/message.js";
import { DotEncoder } from "../../src/textproto/dot-codec.js";
import type { Connection } from "../../src/transport/connection.js";

const b = (text: string) => Buffer.from(text, "latin1");
const s = (bytes: Buffer) => bytes.toString("latin1");

function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const sorted = [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((x, y) => x - y);
  const out: Buffer[] = [];
  let start = 0;
  for (const cut of sorted) {
    out.push(bytes.subarray(start, cut));
    start = cut;
  }
  out.push(bytes.subarray(start));
  return out;
}

function* everySplit(bytes: Buffer): Generator<Buffer[]> {
  yield [bytes];
  for (let i = 1; i < bytes.length; i++) yield [bytes.subarray(0, i), bytes.subarray(i)];
  yield [...bytes].map((byte) => Buffer.from([byte]));
}

function normalize(chunks: Buffer[]): Buffer {
  const normalizer = new CrlfNormalizer();
  return Buffer.concat([...chunks.flatMap((chunk) => normalizer.push(chunk)), ...normalizer.end()]);
}

function dotStuff(chunks: Buffer[]): Buffer {
  const encoder = new DotEncoder();
  return Buffer.concat([...chunks.flatMap((chunk) => encoder.push(chunk)), ...encoder.end()]);
}

/** The model: every line break (CRLF, CR, LF) becomes CRLF, and unterminated content gets one. */
function model(content: Buffer): Buffer {
  const text = s(content).replace(/\r\n|\r|\n/g, "\r\n");
  return b(text.length > 0 && !text.endsWith("\r\n") ? `${text}\r\n` : text);
}

const byteString = fc
  .array(fc.constantFrom("a", ".", "\r", "\n", " ", "é", "B"), { maxLength: 40 })
  .map((parts) => Buffer.from(parts.join(""), "utf8"));

describe("CRLF normalisation (BDAT content)", () => {
  it("matches the model whatever way the input is split", () => {
    for (const input of ["", "a", "a\r", "a\n", "a\r\n", "\r\r\n\n", ".\n.\r.\r\n", "x\r\n.\r\ny", "\n.\n"]) {
      const bytes = b(input);
      for (const chunks of everySplit(bytes))
        assert.deepEqual(normalize(chunks), model(bytes), JSON.stringify(input));
      assert.equal(normalizedLength([bytes]), model(bytes).length);
    }
    fc.assert(
      fc.property(byteString, fc.array(fc.nat(45)), (bytes, cuts) => {
        assert.deepEqual(normalize(splitAt(bytes, cuts)), model(bytes));
      }),
    );
  });

  it("never lets a bare CR or bare LF through", () => {
    fc.assert(
      fc.property(byteString, fc.array(fc.nat(45)), (bytes, cuts) => {
        const out = s(normalize(splitAt(bytes, cuts)));
        assert.doesNotMatch(out, /\r(?!\n)|(?<!\r)\n/);
      }),
    );
  });

  it("refuses use after end", () => {
    const normalizer = new CrlfNormalizer();
    normalizer.end();
    assert.throws(() => normalizer.push(b("x")), RangeError);
    assert.throws(() => normalizer.end(), RangeError);
  });
});

describe("dot-stuffed DATA content", () => {
  it("cannot contain an end-of-data sequence before its own terminator, whatever the input", () => {
    fc.assert(
      fc.property(byteString, fc.array(fc.nat(45)), (bytes, cuts) => {
        const wire = s(dotStuff(splitAt(bytes, cuts)));
        assert.ok(wire.endsWith(".\r\n"));
        const body = wire.slice(0, -3);
        // No smuggling sequence (CVE-2023-51764): no <LF>.<LF>, <CR>.<CR>, <LF>.<CR>, no CRLF.CRLF.
        assert.doesNotMatch(body, /\n\.\n|\r\.\r|\n\.\r(?!\n)|\r\n\.\r\n/);
        assert.doesNotMatch(body, /\r(?!\n)|(?<!\r)\n/);
        assert.ok(!body.startsWith(".\r\n"));
      }),
    );
  });

  it("turns the classic smuggling payloads into stuffed lines", () => {
    assert.equal(s(dotStuff([b("a\n.\nMAIL FROM:<x@y>\n")])), "a\r\n..\r\nMAIL FROM:<x@y>\r\n.\r\n");
    assert.equal(s(dotStuff([b("a\r.\rb")])), "a\r\n..\r\nb\r\n.\r\n");
    assert.equal(s(dotStuff([b("a\r\n.\r\nb")])), "a\r\n..\r\nb\r\n.\r\n");
  });
});

/** Messages mostly made of CRLF lines (so the CRLF-only path is taken), with dots, Bcc and strays. */
const crlfMessage = fc
  .tuple(
    fc.boolean(),
    fc.array(fc.constantFrom("", "a", ".", "..", ".a", "Bcc: x", " b", "é"), { maxLength: 12 }),
    fc.constantFrom("", "\r\n", "\r", "\n", "a", "\r\n."),
  )
  .map(([withHeader, lines, tail]) =>
    Buffer.from(
      `${withHeader ? "Subject: s\r\nBcc: hidden\r\n\r\n" : ""}${lines.join("\r\n")}${tail}`,
      "utf8",
    ),
  );

/** What writeDotStuffed hands to the connection, through a stand-in that keeps every write. */
async function written(content: readonly Buffer[], crlfOnly: boolean): Promise<Buffer> {
  const writes: Buffer[] = [];
  const connection = {
    write: (bytes: Buffer) => {
      writes.push(bytes);
      return Promise.resolve();
    },
  } as unknown as Connection;
  await writeDotStuffed(connection, content, undefined, crlfOnly);
  return Buffer.concat(writes);
}

describe("in-memory messages", () => {
  it("knows when the content has CRLF line breaks only, and then sends and measures it as the encoder would", async () => {
    for (const [input, crlfOnly] of [
      ["", true],
      ["a\r\n", true],
      ["Subject: s\r\n\r\n.a\r\n", true],
      ["a", false],
      ["a\n", false],
      ["a\r", false],
      ["a\rb\r\n", false],
    ] as const) {
      assert.equal(prepareInMemory(b(input))!.crlfOnly, crlfOnly, JSON.stringify(input));
    }
    await fc.assert(
      fc.asyncProperty(crlfMessage, async (bytes) => {
        const prepared = prepareInMemory(bytes)!;
        const content = prepared.content as readonly Buffer[];
        assert.equal(s(await written(content, prepared.crlfOnly)), s(dotStuff([...content])));
        assert.equal(prepared.size(), normalizedLength(content));
        if (prepared.crlfOnly) assert.equal(s(normalize([...content])), s(Buffer.concat(content)));
      }),
      { numRuns: 500 },
    );
  });
});

describe("plain messages", () => {
  /** What a prepared message says about itself, in comparable form. */
  const facts = (prepared: PreparedMessage) => ({
    content: (prepared.content as readonly Buffer[]).map((part) => s(part)),
    crlfOnly: prepared.crlfOnly,
    size: prepared.size(),
    messageId: prepared.messageId,
    eightBit: prepared.eightBit,
    utf8Headers: prepared.utf8Headers,
    implied: prepared.implied(),
  });

  it("takes the usual shape in one match and leaves every other shape to the general path", () => {
    const usual = b(
      "From: a@x\r\nBcc: c@x,\r\n d@x\r\nMessage-ID: <1@x>\r\nTo: b@x\r\n\r\nbody\r\n\r\n.dot\r\n",
    );
    const plain = preparePlainBytes(usual)!;
    assert.deepEqual(facts(plain), facts(prepareAnyBytes(usual)));
    assert.deepEqual(facts(plain).content, [
      "From: a@x\r\nMessage-ID: <1@x>\r\nTo: b@x\r\n",
      "\r\nbody\r\n\r\n.dot\r\n",
    ]);
    assert.deepEqual(plain.implied(), { from: "a@x", to: ["b@x", "c@x", "d@x"] });
    for (const input of [
      "To: a@x\r\n\r\nbody",
      "To: a@x\r\n\r\nbody\n",
      "To: a@x\r\n\r\nbo\rdy\r\n",
      "To: a@x\n\nbody\r\n",
      "From someone\r\nTo: b@y\r\n\r\n",
      "To: a@x\r\n",
      "body\r\n",
      "",
    ]) {
      assert.equal(preparePlainBytes(b(input)), undefined, JSON.stringify(input));
    }
  });

  it("agrees with the general path wherever it answers", () => {
    // A header block, an empty line and a body, each line break mostly CRLF: near the plain shape.
    const field = fc.oneof(
      fc.constantFrom("To: a@x", "From: é <e@x>", "Message-ID: <m@x>", " folded", "Bcc: c@z", "Subject : s"),
      fc.constantFrom("", "body", "From x", "Message-ID: <ü@x>", "message-id:\r\n\t<f@x>"),
    );
    const body = fc.oneof(
      fc.constantFrom("", "body", ".", "..x", "ü", "Bcc: b@x"),
      fc.string({ maxLength: 8 }),
    );
    const end = fc.oneof({ arbitrary: fc.constant("\r\n"), weight: 12 }, fc.constantFrom("\n", "\r", ""));
    const lines = (part: fc.Arbitrary<string>, max: number) =>
      fc
        .array(fc.tuple(part, end), { minLength: 1, maxLength: max })
        .map((pairs) => pairs.map(([t, e]) => t + e).join(""));
    let answered = 0;
    fc.assert(
      fc.property(lines(field, 5), end, lines(body, 6), (head, blank, rest) => {
        const bytes = Buffer.from(head + blank + rest, "utf8");
        const plain = preparePlainBytes(bytes);
        if (plain === undefined) return;
        answered += 1;
        let expected: unknown;
        try {
          expected = facts(prepareAnyBytes(bytes));
        } catch (error) {
          assert.throws(
            () => facts(plain),
            (thrown: unknown) => thrown?.constructor === error?.constructor,
          );
          return;
        }
        assert.deepEqual(facts(plain), expected);
      }),
      { numRuns: 2000 },
    );
    assert.ok(answered > 300, `the plain path answered only ${answered} times`);
  });
});

describe("header block splitting", () => {
  const split = (chunks: Buffer[], max?: number): HeaderSplit => {
    const scanner = new HeaderScanner(max);
    for (const chunk of chunks) {
      const got = scanner.push(chunk);
      if (got) {
        // Everything after the split is the rest, whatever chunk it came in.
        const index = chunks.indexOf(chunk);
        return { header: got.header, rest: Buffer.concat([got.rest, ...chunks.slice(index + 1)]) };
      }
    }
    return scanner.end();
  };
  const cases: Array<[string, string]> = [
    ["From: a@x\r\nTo: b@y\r\n\r\nbody\r\n", "From: a@x\r\nTo: b@y\r\n"],
    ["From: a@x\nSubject: folded\n  more\n\nbody", "From: a@x\nSubject: folded\n  more\n"],
    ["Subject: no body", "Subject: no body"],
    ["Subject : obsolete\r\n\r\n", "Subject : obsolete\r\n"],
    ["From someone Mon\nFrom: a@x\n\n", "From someone Mon\nFrom: a@x\n"],
    ["not a header line\r\nFrom: a@x\r\n", ""],
    ["To: a@x\rBcc: hidden@x\r\rbody", "To: a@x\rBcc: hidden@x\r"],
    ["To: a@x\r\nthis is body text\r\n", "To: a@x\r\n"],
    ["", ""],
  ];

  it("finds the end of the header block whatever way the input is split", () => {
    for (const [input, header] of cases) {
      const bytes = b(input);
      for (const chunks of everySplit(bytes)) {
        const got = split(chunks);
        assert.equal(s(got.header), header, JSON.stringify(input));
        assert.equal(s(got.header) + s(got.rest), input);
      }
    }
  });

  it("finds a plain header block by one match, and leaves every other shape to the scanner", () => {
    const whole = (bytes: Buffer) => {
      const scanner = new HeaderScanner();
      return scanner.push(bytes) ?? scanner.end();
    };
    const plain = b("From: a@x\r\nSubject: folded\r\n  more\r\nX-Empty:\r\n\r\nbody\r\n\r\nmore\r\n");
    assert.deepEqual(plainHeaderSplit(plain), whole(plain));
    assert.equal(
      s(plainHeaderSplit(plain)!.header),
      "From: a@x\r\nSubject: folded\r\n  more\r\nX-Empty:\r\n",
    );
    for (const [input] of cases) {
      const got = plainHeaderSplit(b(input));
      if (got) assert.deepEqual(got, whole(b(input)), JSON.stringify(input));
    }
    // Bare LF, a bare CR, an mbox From line, no empty line, a body line among fields: the scanner's.
    for (const input of [
      "From: a@x\nTo: b@y\n\nbody",
      "To: a@x\rBcc: hidden@x\r\r\nbody",
      "From someone\r\nTo: b@y\r\n\r\n",
      "To: a@x\r\n",
      "To: a@x\r\nbody text\r\n\r\n",
    ]) {
      assert.equal(plainHeaderSplit(b(input)), undefined, JSON.stringify(input));
    }
    // Wherever it answers, it agrees with the scanner.
    const line = fc.oneof(
      fc.constantFrom("To: a@x", "Subject :", " folded", "\tmore", "X-A:", "", "body", "From x", "Bcc: c@z"),
      fc.string({ maxLength: 8 }),
    );
    const breaks = fc.constantFrom("\r\n", "\r\n", "\n", "\r");
    fc.assert(
      fc.property(fc.array(fc.tuple(line, breaks), { maxLength: 8 }), (lines) => {
        const bytes = b(lines.map(([text, end]) => text + end).join(""));
        const got = plainHeaderSplit(bytes);
        if (got) assert.deepEqual(got, whole(bytes));
      }),
    );
  });

  it("knows a line is not a header field before its end, so a body without headers is not held", () => {
    assert.deepEqual(new HeaderScanner().push(b("hello world, no colon yet")), {
      header: b(""),
      rest: b("hello world, no colon yet"),
    });
    assert.equal(new HeaderScanner().push(b("X-Partial-Name")), undefined);
    assert.equal(new HeaderScanner().push(b("Subject :")), undefined);
    assert.equal(new HeaderScanner().push(b("Fro")), undefined);
    const long = b("z".repeat(5000));
    assert.deepEqual(new HeaderScanner().push(long)?.rest, long);
    const afterHeader = new HeaderScanner().push(b("To: a@x\r\n(not a field"));
    assert.equal(s(afterHeader!.header), "To: a@x\r\n");
  });

  it("bounds the header block", () => {
    const scanner = new HeaderScanner(100);
    assert.equal(scanner.push(b(`X-Long: ${"x".repeat(60)}\r\n`)), undefined);
    assert.throws(() => scanner.push(b(`X-More: ${"y".repeat(60)}\r\n`)), LimitError);
    // A long body after a short header is fine: only the header block is held.
    const ok = new HeaderScanner(100);
    assert.ok(ok.push(b(`To: a@x\r\n\r\n${"z".repeat(1000)}`)));
  });

  it("removes Bcc and Resent-Bcc fields with their continuation lines, keeping every other byte", () => {
    const header = b(
      "From: a@x\r\nBcc: b@x,\r\n c@x\r\nTo: d@x\nbcc : e@x\rRESENT-BCC: f@x\r\nX-Bcc-Note: kept\r\n",
    );
    assert.equal(s(stripBcc(header)), "From: a@x\r\nTo: d@x\nX-Bcc-Note: kept\r\n");
    const plain = b("From: a@x\r\nTo: b@x\r\n");
    assert.equal(stripBcc(plain), plain);
  });
});

describe("messageIdOf", () => {
  it("finds the first Message-ID as the header parser reads it: any case, folded, or absent", () => {
    const blocks = [
      "From: a@example.org\r\nMessage-ID: <1@example.org>\r\n",
      "message-id:<2@example.org>\r\nMessage-ID: <other@example.org>\r\n",
      "Subject: x\r\nMessage-Id:\r\n <3@example.org>\r\nTo: b@example.org\r\n",
      "X-Message-ID: <not@example.org>\nMESSAGE-ID : <4@example.org>\n",
      "Subject: no id here\r\n",
    ];
    for (const text of blocks) {
      const header = Buffer.from(text);
      const parsed = parseHeaderBlock(header).headers.get("Message-ID")?.trim();
      assert.equal(messageIdOf(header), parsed, text);
    }
    assert.equal(messageIdOf(Buffer.from(blocks[2]!)), "<3@example.org>");
  });
});
