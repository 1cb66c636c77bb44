import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../../src/errors.js";
import { Base64Decoder, Base64Encoder } from "../../../src/mime/codec/base64.js";
import { bytes, drive, everySplit, python, splitAt, spyNativeBase64 } from "./helpers.js";

function decode(input: Uint8Array, chunks: readonly Uint8Array[] = [input]) {
  const decoder = new Base64Decoder();
  const out = drive(decoder, chunks);
  return { out, defects: decoder.defects.map((d) => d.kind) };
}

/** Node's own encoding, folded the way the encoder must fold it. */
function nodeFolded(data: Buffer): string {
  return (data.toString("base64").match(/.{1,76}/g) ?? []).join("\r\n");
}

describe("Base64Decoder", () => {
  const cases: Array<[string, string, boolean]> = [
    // input, expected bytes (latin1), defect expected
    ["", "", false],
    ["QUJD", "ABC", false],
    ["QUJDRA==", "ABCD", false],
    ["QUJDREU=", "ABCDE", false],
    ["QUJD\r\nREVG\r\n", "ABCDEF", false],
    ["QU JD\tRE\nVG", "ABCDEF", false],
    ["QU!JD", "ABC", true],
    ["QUJD\x00RA==", "ABCD", true],
    ["QQ", "A", true],
    ["QUI", "AB", true],
    ["QUJDR", "ABC", true],
    ["QU=JD", "ABC", true],
    ["=QUJD", "ABC", true],
    ["QQ=x=", "A\x0c", true],
    ["QQ==QUJD", "AABC", true],
    ["QQ= =", "A", false],
    ["QU-_", "A", true],
  ];

  it("decodes fixed cases, with defects exactly when the input is malformed", () => {
    for (const [input, expected, defect] of cases) {
      const { out, defects } = decode(bytes(input));
      assert.equal(out.toString("latin1"), expected, JSON.stringify(input));
      assert.equal(defects.length > 0, defect, `defects of ${JSON.stringify(input)}: ${defects}`);
      assert.ok(defects.every((k) => k === "invalid-base64"));
    }
  });

  it("gives the same output and defects for every split of the fixed cases", () => {
    for (const [input] of cases) {
      const whole = decode(bytes(input));
      for (const chunks of everySplit(bytes(input))) assert.deepEqual(decode(bytes(input), chunks), whole);
    }
  });

  it("records one defect per kind of problem, not one per bad byte", () => {
    const { out, defects } = decode(bytes(`${"!".repeat(10_000)}QUJD${"*".repeat(10_000)}`));
    assert.equal(out.toString(), "ABC");
    assert.deepEqual(defects, ["invalid-base64"]);
  });

  it("names the offending byte and its offset in the defect message", () => {
    const decoder = new Base64Decoder();
    drive(decoder, [bytes("QUJD"), bytes("Q\x1b")]);
    assert.match(decoder.defects[0]!.message, /0x1b at offset 5/);
  });

  it("agrees with Node's decoder on random data under random splits", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.nat(900), { maxLength: 10 }),
        (data, cuts) => {
          const encoded = bytes(nodeFolded(Buffer.from(data)));
          const { out, defects } = decode(encoded, splitAt(encoded, cuts));
          assert.deepEqual(out, Buffer.from(data));
          assert.deepEqual(defects, []);
        },
      ),
    );
  });

  it("is split-independent on arbitrary (mostly malformed) input", () => {
    const junk = fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a));
    const alphabetish = fc
      .array(fc.constantFrom(..."QUJDRA=\r\n !x".split("")), { maxLength: 120 })
      .map((a) => bytes(a.join("")));
    fc.assert(
      fc.property(fc.oneof(junk, alphabetish), fc.array(fc.nat(200), { maxLength: 8 }), (input, cuts) => {
        assert.deepEqual(decode(input, splitAt(input, cuts)), decode(input));
      }),
    );
  });

  it("matches Python's email body decoding where the RFC leaves no choice", () => {
    // decode_b(b"".join(payload.splitlines())) is what Message.get_payload(decode=True) does in 3.11.
    // Not compared: data after padding (Python stops, we go on) and a lone last character
    // (Python returns the undecoded text) — documented divergences.
    const inputs = [
      "QUJD",
      "QUJDRA==\r\n",
      "QU!JD",
      "QUJD\x00RA==",
      "QQ",
      "QUI",
      "QU=JD",
      "=QUJD",
      "QQ=x=",
      "SGVsbG8s\r\nIHdvcmxk\r\nIQ==",
      "SGVsbG8*IHdvcmxk",
      "Q$U#J%D",
      "QU\r\nJ",
    ];
    const script = `
import json, sys
from email._encoded_words import decode_b
out = []
for h in json.load(sys.stdin):
    data = bytes.fromhex(h)
    value, defects = decode_b(b"".join(data.splitlines()))
    out.append([value.hex(), len(defects) > 0])
print(json.dumps(out))`;
    const expected = python(
      script,
      inputs.map((i) => bytes(i).toString("hex")),
    ) as Array<[string, boolean]>;
    inputs.forEach((input, n) => {
      const { out, defects } = decode(bytes(input));
      assert.equal(out.toString("hex"), expected[n]![0], JSON.stringify(input));
      assert.equal(defects.length > 0, expected[n]![1], `defect for ${JSON.stringify(input)}`);
    });
  });

  it("streams 100 MB holding at most three characters between chunks", () => {
    // 64 KiB of varied bytes, encoded in 76-character lines, repeated to ~100 MB of base64.
    const raw = Buffer.alloc(57 * 1150);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 131 + (i >> 7)) & 0xff;
    const encodedBlock = bytes(`${nodeFolded(raw)}\r\n`);
    const repeats = Math.ceil((100 * 1024 * 1024) / encodedBlock.length);
    const decoder = new Base64Decoder();
    const got = createHash("sha256");
    const want = createHash("sha256");
    let carried = 0; // base64 characters held by the decoder
    let total = 0;
    for (let r = 0; r < repeats; r++) {
      // Odd-sized chunks that do not line up with groups or lines.
      for (let at = 0; at < encodedBlock.length; at += 40_009) {
        const chunk = encodedBlock.subarray(at, at + 40_009);
        let chars = carried;
        for (const byte of chunk) if (byte !== 0x0d && byte !== 0x0a) chars++;
        const out = decoder.push(chunk);
        assert.equal(out.length, Math.floor(chars / 4) * 3);
        carried = chars % 4;
        got.update(out);
        total += out.length;
      }
      want.update(raw);
    }
    assert.equal(decoder.end().length, 0);
    assert.equal(total, raw.length * repeats);
    assert.equal(got.digest("hex"), want.digest("hex"));
    assert.deepEqual(decoder.defects, []);
  });

  it("refuses use after end()", () => {
    const decoder = new Base64Decoder();
    decoder.end();
    assert.throws(() => decoder.push(bytes("QQ==")), InvalidArgumentError);
    assert.throws(() => decoder.end(), InvalidArgumentError);
  });
});

describe("Base64Encoder", () => {
  it("writes 76-character lines joined by CRLF, the last one without CRLF", () => {
    for (const size of [0, 1, 2, 3, 56, 57, 58, 113, 114, 115, 1000]) {
      const data = Buffer.alloc(size, 0xa5);
      const out = drive(new Base64Encoder(), [data]).toString("latin1");
      assert.equal(out, nodeFolded(data), `size ${size}`);
      const lines = out.split("\r\n");
      for (const line of lines.slice(0, -1)) assert.equal(line.length, 76);
      assert.ok(lines.at(-1)!.length <= 76);
      assert.ok(!out.endsWith("\r\n"));
    }
  });

  it("gives the same output for every split of a small input", () => {
    const data = Buffer.from(Array.from({ length: 130 }, (_, i) => (i * 37) & 0xff));
    const whole = drive(new Base64Encoder(), [data]);
    for (const chunks of everySplit(data)) assert.deepEqual(drive(new Base64Encoder(), chunks), whole);
  });

  it("agrees with Node's encoder and round-trips through the decoder under random splits", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 1000 }),
        fc.array(fc.nat(1000), { maxLength: 10 }),
        fc.array(fc.nat(1400), { maxLength: 10 }),
        (data, cuts, cuts2) => {
          const encoded = drive(new Base64Encoder(), splitAt(data, cuts));
          assert.equal(encoded.toString("latin1"), nodeFolded(Buffer.from(data)));
          const decoder = new Base64Decoder();
          assert.deepEqual(drive(decoder, splitAt(encoded, cuts2)), Buffer.from(data));
          assert.deepEqual(decoder.defects, []);
        },
      ),
    );
  });

  it("does not keep a reference to the caller's chunk", () => {
    const encoder = new Base64Encoder();
    const chunk = Buffer.from("abcdefghij");
    const first = encoder.push(chunk);
    chunk.fill(0);
    assert.equal(
      Buffer.concat([first, encoder.end()]).toString(),
      Buffer.from("abcdefghij").toString("base64"),
    );
  });

  it("refuses use after end()", () => {
    const encoder = new Base64Encoder();
    encoder.end();
    assert.throws(() => encoder.push(bytes("x")), InvalidArgumentError);
  });
});

describe("Base64Decoder: whole lines through Node's decoder", () => {
  /** `data` in base64 lines of `width` characters ended by `eol`, the last line without one. */
  function folded(data: Buffer, width: number, eol: string): Buffer {
    const text = data.toString("base64");
    const out: string[] = [];
    for (let i = 0; i < text.length; i += width) out.push(text.slice(i, i + width));
    return bytes(out.join(eol));
  }

  /** `length` bytes of xorshift from `seed`. */
  function pseudoRandom(seed: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    let x = seed | 1;
    for (let i = 0; i < length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  }

  /** Output and defects (messages too) decoding `chunks`. */
  function decodeFull(chunks: readonly Uint8Array[]) {
    const decoder = new Base64Decoder();
    const out = drive(decoder, chunks);
    return { out, defects: decoder.defects };
  }

  /** The JavaScript decoding alone: chunks under 1 KiB never go to Node's decoder. */
  function reference(input: Buffer) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < input.length; i += 1000) chunks.push(input.subarray(i, i + 1000));
    return decodeFull(chunks);
  }

  it("gives the byte-by-byte result, defects included, for any layout, flaw and split", () => {
    const flaws = ["", "!", "-", "_", "=", "==", " ", "\t", "\r", "\n", "\xff", "\x00", "\r\n\r\n"];
    fc.assert(
      fc.property(
        // Sizes drawn evenly (fast-check's arrays stay small), bytes from the seed.
        fc
          .integer({ min: 0, max: 24 * 1024 })
          .chain((n) => fc.integer().map((seed) => pseudoRandom(seed, n))),
        fc.constantFrom(76, 72, 64, 60, 75, 74, 6, 7, 4),
        fc.constantFrom("\r\n", "\n"),
        fc.constantFrom(...flaws),
        fc.nat(),
        fc.boolean(),
        fc.array(fc.nat(40 * 1024), { maxLength: 6 }),
        (data, width, eol, flaw, where, replace, cuts) => {
          let input = folded(data, width, eol);
          const at = input.length === 0 ? 0 : where % input.length;
          // Inserted, the flaw shifts the line endings after it; replacing as many bytes, it
          // does not (so it lies inside a run of regular lines).
          const rest = replace ? Math.min(input.length, at + flaw.length) : at;
          input = Buffer.concat([input.subarray(0, at), bytes(flaw), input.subarray(rest)]);
          const expected = reference(input);
          if (flaw === "") assert.deepEqual(expected.out, data);
          assert.deepEqual(decodeFull(splitAt(input, cuts)), expected);
          assert.deepEqual(decodeFull([input]), expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("hands the whole lines of a clean chunk to Node's decoder", async () => {
    const data = Buffer.from(Array.from({ length: 48 * 1024 }, (_, i) => (i * 7919) & 0xff));
    const input = folded(data, 76, "\r\n");
    const decoder = new Base64Decoder();
    const spied = await spyNativeBase64(() => drive(decoder, splitAt(input, [1000, 40_000])));
    assert.deepEqual(spied.result, data);
    assert.deepEqual(decoder.defects, []);
    // The first chunk is too short to be worth it; the others go natively but for the partial
    // lines at their edges.
    assert.equal(spied.calls, 2);
    assert.ok(spied.chars > input.length - 1000 - 4 * 78, `${spied.chars} of ${input.length} characters`);
  });

  it("decodes the rest of a body byte by byte once its lines turned out not to be clean", async () => {
    const data = Buffer.from(Array.from({ length: 48 * 1024 }, (_, i) => (i * 31) & 0xff));
    const clean = folded(data, 76, "\r\n");
    const cuts = [10_000, 30_000, 50_000];
    /** The clean body with one character (not a line ending: 20,000 is 32 into a line) replaced. */
    const spoilt = (flaw: string) =>
      Buffer.concat([clean.subarray(0, 20_000), bytes(flaw), clean.subarray(20_001)]);

    // "-" is a digit to Node's decoder (URL-safe base64), not to RFC 2045: refused before decoding.
    const dash = new Base64Decoder();
    const spiedDash = await spyNativeBase64(() => drive(dash, splitAt(spoilt("-"), cuts)));
    assert.deepEqual({ out: spiedDash.result, defects: dash.defects }, reference(spoilt("-")));
    // (A character short, the body also ends inside a group.)
    assert.deepEqual(
      dash.defects.map((d) => d.message),
      [
        'base64: byte 0x2d ("-") at offset 20000 is not in the alphabet; ignored',
        "base64: the data ended inside a group of four characters (missing padding)",
      ],
    );
    assert.equal(spiedDash.calls, 1);

    // A byte Node's decoder skips: decoded, found short, decoded again byte by byte.
    const star = new Base64Decoder();
    const spiedStar = await spyNativeBase64(() => drive(star, splitAt(spoilt("*"), cuts)));
    assert.deepEqual({ out: spiedStar.result, defects: star.defects }, reference(spoilt("*")));
    assert.equal(star.defects.length, 2);
    assert.equal(spiedStar.calls, 2);

    // A byte inserted shifts the line endings after it: only the lines around it are left out.
    const inserted = Buffer.concat([clean.subarray(0, 20_000), bytes("*"), clean.subarray(20_000)]);
    const shifted = new Base64Decoder();
    const spiedShifted = await spyNativeBase64(() => drive(shifted, splitAt(inserted, cuts)));
    assert.deepEqual(spiedShifted.result, data);
    assert.equal(shifted.defects.length, 1);
    assert.equal(spiedShifted.calls, 4);
  });
});
