import * as assert from "node:assert/strict";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ConnectionClosedError, LimitError, ProtocolError } from "../../src/errors.js";
import { ByteReader } from "../../src/textproto/byte-reader.js";
import {
  CrlfNormalizer,
  DotDecoder,
  DotEncoder,
  dotDecodeStream,
  dotEncode,
  dotEncodeStream,
  readDotBlock,
} from "../../src/textproto/dot-codec.js";
import { readNumericReply } from "../../src/textproto/numeric-reply.js";
import { bytewise, collect, everySplit, FakeSource, produce, readerOf, splitAt } from "./helpers.js";

const b = (text: string): Buffer => Buffer.from(text, "latin1");
const s = (bytes: Buffer): string => bytes.toString("latin1");

/** What decode(encode(content)) must give: every line break as CRLF, and a final one added. */
function normalized(content: Buffer): Buffer {
  const text = s(content).replace(/\r\n|\r|\n/g, "\r\n");
  return b(text.length > 0 && !text.endsWith("\r\n") ? `${text}\r\n` : text);
}

/**
 * An independent model of the decoder for complete inputs: the block ends at the first `.` CRLF
 * that starts a line; one leading dot is removed from each line of what precedes it.
 */
function modelDecode(wire: Buffer): { content: Buffer; rest: Buffer } | undefined {
  const text = s(wire);
  let end: number;
  if (text.startsWith(".\r\n")) end = 0;
  else {
    const at = text.indexOf("\r\n.\r\n");
    if (at < 0) return undefined;
    end = at + 2;
  }
  const body = text
    .slice(0, end)
    .split("\r\n")
    .map((line) => (line.startsWith(".") ? line.slice(1) : line))
    .join("\r\n");
  return { content: b(body), rest: b(text.slice(end + 3)) };
}

/** Decodes chunks with one decoder; returns the content, whether it ended, and the rest. */
function decodeChunks(chunks: readonly Buffer[]): { content: Buffer; done: boolean; rest: Buffer } {
  const decoder = new DotDecoder();
  const data: Buffer[] = [];
  const rest: Buffer[] = [];
  let done = false;
  for (const chunk of chunks) {
    const result = decoder.push(chunk);
    data.push(...result.data);
    if (result.done) {
      done = true;
      if (result.rest) rest.push(result.rest);
    }
  }
  return { content: Buffer.concat(data), done, rest: Buffer.concat(rest) };
}

function encodeChunks(chunks: readonly Buffer[]): Buffer {
  const encoder = new DotEncoder();
  const out: Buffer[] = [];
  for (const chunk of chunks) out.push(...encoder.push(chunk));
  out.push(...encoder.end());
  return Buffer.concat(out);
}

/** Content made to hit the edge cases: dots at line starts, lone dots, terminators, bare CR/LF. */
const trickyContent = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        ".",
        "..",
        "\r\n",
        "\r",
        "\n",
        "\r\n.\r\n",
        ".\r\n",
        "\n.\n",
        "\r.\r",
        "\r\n.\n",
        "a",
        "b c",
      ),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 24 },
  )
  .map((pieces) => b(pieces.join("")));
const binaryContent = fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes));
const anyContent = fc.oneof(trickyContent, binaryContent);

/** Cut positions for a buffer (used with splitAt). */
const cuts = fc.array(fc.nat(400), { maxLength: 16 });

describe("DotDecoder", () => {
  it("decodes the basic cases", () => {
    const cases: Array<[string, string, string]> = [
      [".\r\n", "", ""],
      ["a\r\n.\r\n", "a\r\n", ""],
      ["..\r\n.\r\n", ".\r\n", ""],
      ["..a\r\n...\r\n.\r\nNEXT", ".a\r\n..\r\n", "NEXT"],
      [".a\r\n.\r\n", "a\r\n", ""], // an unstuffed dot line: the dot is removed all the same
      ["\r\n.\r\n", "\r\n", ""],
      ["a\nb\r\n.\r\n", "a\nb\r\n", ""], // a bare LF is content, it does not start a line
      ["a\n.\r\n.\r\n", "a\n.\r\n", ""], // so the dot after it is content too
      ["a\r.\r\n.\r\n", "a\r.\r\n", ""], // as after a bare CR
      [".\r.\r\n.\r\n", "\r.\r\n", ""], // `.` CR not followed by LF: the dot was stuffing
      [".\r\r\n.\r\n", "\r\r\n", ""],
      ["x\r\r\n.\r\n", "x\r\r\n", ""],
      [".\r\n250 OK\r\n", "", "250 OK\r\n"],
    ];
    for (const [wire, content, rest] of cases) {
      const model = modelDecode(b(wire));
      assert.deepEqual(
        model && [s(model.content), s(model.rest)],
        [content, rest],
        `model: ${JSON.stringify(wire)}`,
      );
      for (const parts of everySplit(b(wire))) {
        const result = decodeChunks(parts);
        assert.equal(result.done, true, JSON.stringify(wire));
        assert.equal(s(result.content), content, JSON.stringify(wire));
        assert.equal(s(result.rest), rest, JSON.stringify(wire));
      }
    }
  });

  it("is not done until the terminator is complete, whatever the split", () => {
    for (const wire of ["a\r\n.\r", "a\r\n.", "a\r\n", ".\r", "..\r\n", "a\n.\n", "a\r.\r\n"]) {
      for (const parts of everySplit(b(wire)))
        assert.equal(decodeChunks(parts).done, false, JSON.stringify(wire));
    }
  });

  it("goes through its named states", () => {
    const decoder = new DotDecoder();
    const states: string[] = [decoder.state];
    for (const byte of bytewise(b("a\r\n.\r\n"))) {
      decoder.push(byte);
      states.push(decoder.state);
    }
    assert.deepEqual(states, ["line-start", "in-line", "cr", "line-start", "dot", "dot-cr", "done"]);
  });

  it("returns every chunk pushed after the end as rest", () => {
    const decoder = new DotDecoder();
    decoder.push(b(".\r\n"));
    assert.deepEqual(decoder.push(b("more")), { data: [], done: true, rest: b("more") });
  });

  it("matches the model on arbitrary bytes, split anywhere", () => {
    const alphabet = fc.constantFrom(".", "\r", "\n", "a", "\0", "\xff");
    const wires = fc.array(alphabet, { maxLength: 40 }).map((chars) => b(chars.join("")));
    fc.assert(
      fc.property(wires, cuts, (wire, at) => {
        const model = modelDecode(wire);
        const result = decodeChunks(splitAt(wire, at));
        assert.equal(result.done, model !== undefined);
        if (model) {
          assert.ok(result.content.equals(model.content));
          assert.ok(result.rest.equals(model.rest));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("throws LimitError('data') past maxBytes, and stays failed", () => {
    const decoder = new DotDecoder({ maxBytes: 5 });
    assert.equal(decoder.push(b("abc")).data.length, 1);
    assert.equal(decoder.push(b("\r\n")).done, false); // exactly 5
    assert.throws(
      () => decoder.push(b("x")),
      (error: unknown) => error instanceof LimitError && error.what === "data" && error.limit === 5,
    );
    assert.throws(() => decoder.push(b(".\r\n")), LimitError);
    // Stuffing dots and the terminator do not count: 4 bytes of content is within 4.
    const exact = new DotDecoder({ maxBytes: 4 });
    assert.equal(exact.push(b("..a\r\n.\r\n")).done, true);
    assert.equal(exact.bytes, 4);
  });
});

describe("DotEncoder", () => {
  it("encodes the basic cases", () => {
    const cases: Array<[string, string]> = [
      ["", ".\r\n"],
      ["a", "a\r\n.\r\n"],
      ["a\r\n", "a\r\n.\r\n"],
      [".", "..\r\n.\r\n"],
      [".\r\n", "..\r\n.\r\n"],
      ["\r\n", "\r\n.\r\n"],
      ["a\n.\nb", "a\r\n..\r\nb\r\n.\r\n"], // bare LF becomes CRLF, so the dot line is stuffed
      ["a\r.\rb", "a\r\n..\r\nb\r\n.\r\n"],
      ["a\r\n.\nb", "a\r\n..\r\nb\r\n.\r\n"],
      ["x\r\n.\r\ny", "x\r\n..\r\ny\r\n.\r\n"],
      ["\n\r", "\r\n\r\n.\r\n"],
      ["\r\r\n", "\r\n\r\n.\r\n"],
      ["a.b\r\n", "a.b\r\n.\r\n"],
    ];
    for (const [content, wire] of cases) {
      for (const parts of everySplit(b(content))) {
        assert.equal(s(encodeChunks(parts)), wire, JSON.stringify(content));
      }
      assert.equal(s(encodeChunks(bytewise(b(content)))), wire, JSON.stringify(content));
      assert.equal(s(dotEncode(b(content))), wire);
    }
  });

  it("takes a CR ending one chunk and an LF starting the next as one line break", () => {
    assert.equal(s(encodeChunks([b("a\r"), b("\n.b")])), "a\r\n..b\r\n.\r\n");
    assert.equal(s(encodeChunks([b("a\r"), b(""), b("\nb")])), "a\r\nb\r\n.\r\n");
    assert.equal(s(encodeChunks([b("a\r"), b("\r"), b("\n")])), "a\r\n\r\n.\r\n");
  });

  it("hands back a chunk that needs no change as it is, and still stuffs what follows it", () => {
    const encoder = new DotEncoder();
    const clean = b("one\r\ntwo\r\n");
    const first = encoder.push(clean);
    assert.equal(first.length, 1);
    assert.equal(first[0], clean, "the same Buffer, not a copy");
    // The clean chunk ended a line: a dot now starts one.
    assert.equal(s(Buffer.concat([...encoder.push(b(".three")), ...encoder.end()])), "..three\r\n.\r\n");
    // Each kind of change is still made inside a chunk that is otherwise clean.
    for (const [content, wire] of [
      ["a\r\nb\nc\r\n", "a\r\nb\r\nc\r\n.\r\n"],
      ["a\r\nb\rc\r\n", "a\r\nb\r\nc\r\n.\r\n"],
      ["a\r\n.b\r\n", "a\r\n..b\r\n.\r\n"],
      [".a\r\n", "..a\r\n.\r\n"],
      ["\na\r\n", "\r\na\r\n.\r\n"],
    ] as const) {
      assert.equal(s(dotEncode(b(content))), wire, JSON.stringify(content));
    }
  });

  it("hands back clean chunks above 256 KiB as they are too, and still changes what needs it", () => {
    const lines = "x".repeat(76).concat("\r\n").repeat(4000); // 312,000 bytes
    const clean = b(lines);
    const encoder = new DotEncoder();
    assert.equal(encoder.push(clean)[0], clean, "the same Buffer, not a copy");
    for (const [change, fixed] of [
      ["\n", "\r\n"],
      ["\r", "\r\n"],
      ["\r\n.", "\r\n.."],
    ] as const) {
      const content = `${lines}tail${change}end\r\n`;
      assert.equal(s(dotEncode(b(content))), `${lines}tail${fixed}end\r\n.\r\n`, JSON.stringify(change));
    }
    // Without stuffing, a dot at a line start is content like any other byte.
    const normalizer = new CrlfNormalizer();
    const dotted = b(`${lines}.a\r\n`);
    assert.equal(normalizer.push(dotted)[0], dotted);
    assert.equal(new CrlfNormalizer().push(b("a\r\n.b\r\n"))[0]?.toString(), "a\r\n.b\r\n");
    // A chunk ending in a CR waits for the next one to know whether its LF comes.
    assert.equal(s(encodeChunks([b("a\r\nb\r"), b("c\r\n")])), "a\r\nb\r\nc\r\n.\r\n");
  });

  it("refuses push() or end() after end()", () => {
    const encoder = new DotEncoder();
    encoder.end();
    assert.throws(() => encoder.push(b("x")), RangeError);
    assert.throws(() => encoder.end(), RangeError);
  });

  it("property: decode(encode(x)) is x with CRLF line breaks and a final CRLF", () => {
    fc.assert(
      fc.property(anyContent, cuts, (content, at) => {
        const wire = encodeChunks(splitAt(content, at));
        const decoded = decodeChunks([wire]);
        assert.equal(decoded.done, true);
        assert.equal(decoded.rest.length, 0);
        assert.ok(decoded.content.equals(normalized(content)));
      }),
      { numRuns: 1000 },
    );
  });

  it("property: the output has no bare CR or LF and no terminator before its end", () => {
    fc.assert(
      fc.property(anyContent, cuts, (content, at) => {
        const wire = s(encodeChunks(splitAt(content, at)));
        assert.ok(!/\r(?!\n)|(?<!\r)\n/.test(wire), "no bare CR or LF");
        assert.ok(wire.endsWith(".\r\n"));
        if (wire === ".\r\n") {
          assert.equal(content.length, 0);
        } else {
          assert.ok(!wire.startsWith(".\r\n"));
          assert.equal(wire.indexOf("\r\n.\r\n"), wire.length - 5);
        }
        // Nor any of the sequences other servers took for the end of data (CVE-2023-51764).
        for (const smuggle of ["\n.\n", "\r.\r", "\r\n.\n", "\r.\r\n"]) {
          assert.ok(!wire.includes(smuggle), JSON.stringify(smuggle));
        }
        assert.equal(wire.split("\n.\r\n").length - 1, wire === ".\r\n" ? 0 : 1);
      }),
      { numRuns: 1000 },
    );
  });

  it("property: the encoding does not depend on how the content is split", () => {
    fc.assert(
      fc.property(anyContent, cuts, (content, at) => {
        assert.ok(encodeChunks(splitAt(content, at)).equals(dotEncode(content)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("decoding split input", () => {
  it("property: random chunks decode the same as one piece", () => {
    fc.assert(
      fc.property(anyContent, cuts, (content, at) => {
        const wire = Buffer.concat([dotEncode(content), b("250 next\r\n")]);
        const whole = decodeChunks([wire]);
        const split = decodeChunks(splitAt(wire, at));
        assert.ok(split.content.equals(whole.content));
        assert.ok(split.rest.equals(whole.rest));
        assert.equal(s(split.rest), "250 next\r\n");
      }),
      { numRuns: 1000 },
    );
  });

  it("every single offset, and byte by byte, for small tricky contents", () => {
    fc.assert(
      fc.property(trickyContent, (content) => {
        const wire = Buffer.concat([dotEncode(content), b("+OK")]);
        const whole = decodeChunks([wire]);
        for (const parts of everySplit(wire)) {
          const split = decodeChunks(parts);
          assert.ok(split.content.equals(whole.content));
          assert.equal(s(split.rest), "+OK");
        }
        const single = decodeChunks(bytewise(wire));
        assert.ok(single.content.equals(whole.content));
        assert.equal(s(single.rest), "+OK");
      }),
      { numRuns: 200 },
    );
  });
});

describe("readDotBlock", () => {
  it("reads the block and leaves the next reply intact, at every split", async () => {
    const wire = b("..dot\r\nline\r\n.\r\n250 2.0.0 queued\r\n");
    for (const parts of everySplit(wire)) {
      const reader = readerOf(parts);
      assert.equal(s(await collect(readDotBlock(reader))), ".dot\r\nline\r\n");
      const reply = await readNumericReply(reader, { multiline: true });
      assert.deepEqual([reply.code, reply.lines], [250, ["2.0.0 queued"]]);
    }
  });

  it("property: content survives encode → wire (random chunks, arriving over time) → readDotBlock", async () => {
    await fc.assert(
      fc.asyncProperty(anyContent, cuts, async (content, at) => {
        const wire = Buffer.concat([dotEncode(content), b("+OK next\r\n-ERR after\r\n")]);
        const reader = new ByteReader({ maxLineLength: 16 });
        const reading = collect(readDotBlock(reader));
        for (const chunk of splitAt(wire, at)) {
          reader.push(chunk);
          await new Promise((resolve) => setImmediate(resolve));
        }
        reader.end();
        assert.ok((await reading).equals(normalized(content)));
        assert.equal(s((await reader.readLine()) ?? b("")), "+OK next");
        assert.equal(s((await reader.readLine()) ?? b("")), "-ERR after");
        assert.equal(reader.lineEnding, "crlf");
      }),
      { numRuns: 300 },
    );
  });

  it("passes bare LF and lines longer than the reader's line limit through as content", async () => {
    const long = "x".repeat(5000);
    const wire = b(`a\nb\r\n${long}\r\n.${long}\r\n.\r\n221 bye\r\n`);
    const reader = readerOf(splitAt(wire, [3, 100, 4000, 5001, 5006, 9000]), { maxLineLength: 64 });
    assert.equal(s(await collect(readDotBlock(reader))), `a\nb\r\n${long}\r\n${long}\r\n`);
    assert.equal(s((await reader.readLine()) ?? b("")), "221 bye");
    assert.equal(reader.lineEnding, "crlf");
  });

  it("keeps a lenient reader lenient and still tells bare LF from CRLF", async () => {
    const reader = readerOf([b("a\nb\r\n.\n\r\n.x\r\n.\r\nnext\n")], { lineEnding: "lenient" });
    // `.` LF is not the terminator (a bare LF ends no line): the dot is stuffing, the LF content.
    assert.equal(s(await collect(readDotBlock(reader))), "a\nb\r\n\n\r\nx\r\n");
    assert.equal(reader.lineEnding, "lenient");
    assert.equal(s((await reader.readLine()) ?? b("")), "next");
  });

  it("rejects with ConnectionClosedError when the stream ends before the terminator", async () => {
    for (const wire of ["", "abc", "abc\r\n", "abc\r\n.", "abc\r\n.\r"]) {
      await assert.rejects(collect(readDotBlock(readerOf([b(wire)]))), ConnectionClosedError, wire);
    }
  });

  it("rejects with the stream's error", async () => {
    const reader = new ByteReader();
    const failure = new Error("reset");
    const reading = collect(readDotBlock(reader));
    reader.push(b("partial\r\n"));
    await new Promise((resolve) => setImmediate(resolve));
    reader.end(failure);
    await assert.rejects(reading, (error) => error === failure);
  });

  it("throws LimitError('data') past maxBytes", async () => {
    const reader = readerOf([b(`${"y".repeat(100)}\r\n.\r\n`)]);
    await assert.rejects(collect(readDotBlock(reader, { maxBytes: 50 })), LimitError);
  });

  it("streams a large block through a flow-controlled reader without stalling or over-buffering", async () => {
    const content = Buffer.alloc(2 * 1024 * 1024, "line of text\r\n.dot line\r\n");
    const wire = Buffer.concat([dotEncode(content), b("250 ok\r\n")]);
    const source = new FakeSource();
    const reader = new ByteReader({ highWaterMark: 16 * 1024, source });
    const chunkSize = 4096;
    const chunks = Array.from({ length: Math.ceil(wire.length / chunkSize) }, (_, i) =>
      wire.subarray(i * chunkSize, (i + 1) * chunkSize),
    );
    let peak = 0;
    const producing = produce(reader, source, chunks);
    const parts: Buffer[] = [];
    for await (const part of readDotBlock(reader)) {
      parts.push(part);
      peak = Math.max(peak, reader.buffered);
    }
    assert.equal(await producing, wire.length);
    assert.ok(Buffer.concat(parts).equals(normalized(content)));
    assert.ok(peak <= 16 * 1024 + chunkSize, `peak ${peak}`);
    assert.equal((await readNumericReply(reader, { multiline: true })).code, 250);
  });
});

describe("dotEncodeStream / dotDecodeStream", () => {
  async function sink(stream: NodeJS.ReadableStream): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const part of stream) parts.push(part as Buffer);
    return Buffer.concat(parts);
  }

  it("property: the encoding stream equals dotEncode, and the decoding stream undoes it", async () => {
    await fc.assert(
      fc.asyncProperty(anyContent, cuts, async (content, at) => {
        const encoded = await sink(Readable.from(splitAt(content, at)).pipe(dotEncodeStream()));
        assert.ok(encoded.equals(dotEncode(content)));
        const decoded = await sink(Readable.from(splitAt(encoded, at)).pipe(dotDecodeStream()));
        assert.ok(decoded.equals(normalized(content)));
      }),
      { numRuns: 200 },
    );
  });

  it("applies backpressure: a slow consumer keeps the encoder's buffers bounded", async () => {
    const chunk = Buffer.alloc(64 * 1024, "abc\r\n.x\n");
    const total = 256;
    let produced = 0;
    const source = new Readable({
      highWaterMark: 64 * 1024,
      read() {
        produced += 1;
        this.push(produced <= total ? chunk : null);
      },
    });
    const encoder = dotEncodeStream();
    let received = 0;
    let maxLag = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(part: Buffer, _encoding, callback) {
        received += part.length;
        // The producer may run ahead of the consumer by the streams' buffers only.
        maxLag = Math.max(maxLag, produced * chunk.length - received);
        setImmediate(callback);
      },
    });
    await pipeline(source, encoder, slow);
    assert.ok(received > total * chunk.length);
    assert.ok(maxLag < 8 * chunk.length, `lag ${maxLag}`);
  });

  it("dotDecodeStream hands bytes after the terminator to onRest, or fails without it", async () => {
    const rest: Buffer[] = [];
    const decoded = await sink(
      Readable.from([b("a\r\n.\r\nX"), b("YZ")]).pipe(dotDecodeStream({ onRest: (r) => rest.push(r) })),
    );
    assert.equal(s(decoded), "a\r\n");
    assert.equal(s(Buffer.concat(rest)), "XYZ");
    await assert.rejects(
      pipeline(
        Readable.from([b("a\r\n.\r\nX")]),
        dotDecodeStream(),
        new Writable({ write: (_c, _e, cb) => cb() }),
      ),
      (error: unknown) => error instanceof ProtocolError && error.reason === "data-after-terminator",
    );
  });

  it("dotDecodeStream fails with ConnectionClosedError when its input ends early, LimitError past maxBytes", async () => {
    const drain = () => new Writable({ write: (_c, _e, cb) => cb() });
    await assert.rejects(
      pipeline(Readable.from([b("a\r\n")]), dotDecodeStream(), drain()),
      ConnectionClosedError,
    );
    await assert.rejects(
      pipeline(Readable.from([b("abcdef\r\n.\r\n")]), dotDecodeStream({ maxBytes: 3 }), drain()),
      LimitError,
    );
  });
});

describe("CrlfNormalizer (DotEncoder without the dots)", () => {
  const run = (input: string, options: { finalLineBreak?: boolean } = {}, splits: number[] = []) => {
    const normalizer = new CrlfNormalizer(options);
    const bytes = Buffer.from(input, "latin1");
    const out: Buffer[] = [];
    let from = 0;
    for (const at of [...splits, bytes.length]) {
      out.push(...normalizer.push(bytes.subarray(from, at)));
      from = at;
    }
    out.push(...normalizer.end());
    return Buffer.concat(out).toString("latin1");
  };

  it("makes every line ending CRLF and leaves dots alone, at every split", () => {
    const input = ".a\n..b\r\rc\r\n.\nd";
    for (let at = 0; at <= input.length; at += 1) {
      assert.equal(run(input, {}, [at]), ".a\r\n..b\r\n\r\nc\r\n.\r\nd\r\n");
      assert.equal(run(input, { finalLineBreak: false }, [at]), ".a\r\n..b\r\n\r\nc\r\n.\r\nd");
    }
  });

  it("ends empty content with nothing, and a trailing CR with its LF", () => {
    assert.equal(run(""), "");
    assert.equal(run("x\r", { finalLineBreak: false }), "x\r\n");
  });
});
