import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../../src/errors.js";
import { QpDecoder, QpEncoder } from "../../../src/mime/codec/quoted-printable.js";
import { bytes, drive, everySplit, python, splitAt } from "./helpers.js";

function decode(input: Uint8Array, chunks: readonly Uint8Array[] = [input]) {
  const decoder = new QpDecoder();
  const out = drive(decoder, chunks);
  return { out: out.toString("latin1"), defects: decoder.defects.map((d) => d.kind) };
}

function encode(input: Uint8Array, binary = false, chunks: readonly Uint8Array[] = [input]): string {
  return drive(new QpEncoder({ binary }), chunks).toString("latin1");
}

/** The promises every encoder output keeps (RFC 2045 §6.7 rules 3 and 5, and our "From " rule). */
function assertWellFormed(encoded: string, binary: boolean): void {
  assert.match(encoded, /^[\t\r\n\x20-\x7e]*$/);
  const lines = encoded.split("\r\n");
  for (const line of lines) {
    assert.ok(line.length <= 76, `line too long: ${JSON.stringify(line)}`);
    assert.ok(!/[ \t]$/.test(line), `trailing blank: ${JSON.stringify(line)}`);
    assert.ok(!line.startsWith("From "), `"From " line: ${JSON.stringify(line)}`);
    assert.ok(!/[\r\n]/.test(line), "bare CR or LF");
    // Every "=" starts an escape of two uppercase hex digits, or is the last character (soft break).
    assert.match(line, /^(?:[^=]|=[0-9A-F]{2})*=?$/);
  }
  if (binary)
    assert.ok(
      lines.slice(0, -1).every((line) => line.endsWith("=")),
      "binary mode has only soft breaks",
    );
}

describe("QpDecoder", () => {
  const cases: Array<[string, string, boolean]> = [
    // input, expected output (latin1), defect expected
    ["", "", false],
    ["a=3Db  \r\nc=\r\nd= \r\ne", "a=b\r\ncde", false],
    ["=41=42=43", "ABC", false],
    ["=3d=3D=c3=A9", "==\xc3\xa9", false],
    ["x\t \n", "x\n", false],
    ["abc=", "abc", false],
    ["abc=  ", "abc", false],
    ["abc   ", "abc", false],
    ["a  b\t=20", "a  b\t ", false],
    ["a\rb", "a\rb", false],
    ["a \rb", "a \rb", false],
    ["caf\xe9\r\n", "caf\xe9\r\n", false],
    ["line1\nline2 \n", "line1\nline2\n", false],
    ["=0D=0A", "\r\n", false],
    ["a =\r\nb", "a b", false],
    ["a = \r\nb", "a b", false],
    ["=\n", "", false],
    ["=\r\n\r\n", "\r\n", false],
    ["=4g", "=4g", true],
    ["=4G==41=", "=4G=A", true],
    ["=\rb", "=\rb", true],
    ["a=\r", "a=\r", true],
    ["=4", "=4", true],
    ["= x", "= x", true],
    ["=\x00=", "=\x00", true],
  ];

  it("decodes fixed cases, with a defect exactly for invalid = sequences", () => {
    for (const [input, expected, defect] of cases) {
      const { out, defects } = decode(bytes(input));
      assert.equal(out, expected, JSON.stringify(input));
      assert.deepEqual(defects, defect ? ["invalid-quoted-printable"] : [], JSON.stringify(input));
    }
  });

  it("gives the same output and defects for every split of the fixed cases", () => {
    for (const [input] of cases) {
      const whole = decode(bytes(input));
      for (const chunks of everySplit(bytes(input))) assert.deepEqual(decode(bytes(input), chunks), whole);
    }
  });

  it("is split-independent on random input", () => {
    const pieces = ["=", "=3D", "=4", "a", "F", " ", "\t", "\r", "\n", "\r\n", "=\r\n", "\xe9", "=e9", "x"];
    const input = fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((a) => bytes(a.join("")));
    fc.assert(
      fc.property(input, fc.array(fc.nat(200), { maxLength: 8 }), (data, cuts) => {
        assert.deepEqual(decode(data, splitAt(data, cuts)), decode(data));
      }),
    );
  });

  it("stays linear on 1 MB of hostile input", () => {
    const blanks = bytes(" \t".repeat(500_000));
    assert.equal(decode(blanks, splitAt(blanks, [1, 4096, 700_001])).out, "");
    assert.equal(decode(bytes(`${" ".repeat(1_000_000)}x`)).out, `${" ".repeat(1_000_000)}x`);
    const equals = bytes("= ".repeat(500_000));
    const result = decode(equals, splitAt(equals, [3, 65_536]));
    assert.equal(result.out.length, 1_000_000 - 2);
    assert.deepEqual(result.defects, ["invalid-quoted-printable"]);
  });

  it("refuses use after end()", () => {
    const decoder = new QpDecoder();
    decoder.end();
    assert.throws(() => decoder.push(bytes("x")), InvalidArgumentError);
  });
});

describe("QpEncoder", () => {
  it("encodes what it must and keeps the rest readable", () => {
    assert.equal(encode(bytes("a=b\r\ncaf\xe9 \r\nend\t")), "a=3Db\r\ncaf=E9=20\r\nend=09");
    assert.equal(encode(bytes("x\r\n")), "x\r\n");
    assert.equal(encode(bytes("a\nb")), "a\r\nb");
    assert.equal(encode(bytes("a\rb\r")), "a=0Db=0D");
    assert.equal(encode(bytes("a\r\nb\n"), true), "a=0D=0Ab=0A");
    assert.equal(encode(bytes("\x00\x7f\x80\xff")), "=00=7F=80=FF");
    assert.equal(encode(bytes("From me\r\nFrom\r\nFrome\r\n.\r\n")), "=46rom me\r\nFrom\r\nFrome\r\n.\r\n");
    assert.equal(encode(bytes("")), "");
  });

  it("breaks long lines at 76 characters, never inside an escape", () => {
    assert.equal(encode(bytes("x".repeat(76))), "x".repeat(76));
    assert.equal(encode(bytes("x".repeat(77))), `${"x".repeat(75)}=\r\nxx`);
    const escaped = encode(bytes("\xe9".repeat(30)));
    assert.equal(escaped, `${"=E9".repeat(25)}=\r\n${"=E9".repeat(5)}`);
    // A blank that lands on a soft break is followed by "=", so it stays literal.
    assertWellFormed(encode(bytes(`${"y".repeat(74)} z`)), false);
    // "From " pushed to the start of a line by a soft break is still protected.
    const pushed = encode(bytes(`${"y".repeat(75)}From here`));
    assert.equal(pushed, `${"y".repeat(75)}=\r\n=46rom here`);
  });

  it("gives the same output for every split of small inputs", () => {
    const inputs = [
      bytes(`From x \r\n${"a".repeat(74)}\xe9 b\t\r\n\r\n=\r`),
      bytes(`${"F".repeat(73)}From \t \r\nFrom`),
    ];
    for (const input of inputs) {
      for (const binary of [false, true]) {
        const whole = encode(input, binary);
        assertWellFormed(whole, binary);
        for (const chunks of everySplit(input)) assert.equal(encode(input, binary, chunks), whole);
      }
    }
  });

  it("round-trips random binary data in binary mode under random splits", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.array(fc.nat(400), { maxLength: 8 }),
        fc.array(fc.nat(1300), { maxLength: 8 }),
        (data, cuts, cuts2) => {
          const encoded = bytes(encode(data, true, splitAt(data, cuts)));
          assertWellFormed(encoded.toString("latin1"), true);
          const { out, defects } = decode(encoded, splitAt(encoded, cuts2));
          assert.equal(out, Buffer.from(data).toString("latin1"));
          assert.deepEqual(defects, []);
        },
      ),
    );
  });

  it("round-trips random CRLF text in text mode under random splits", () => {
    const lineBytes = fc
      .array(fc.oneof(fc.constantFrom(0x20, 0x09, 0x3d, 0x2e, 0x46), fc.integer({ min: 0, max: 255 })), {
        maxLength: 120,
      })
      .map((a) => a.filter((b) => b !== 0x0d && b !== 0x0a));
    const text = fc
      .array(fc.oneof(lineBytes, fc.constant([...bytes("From the start ")])), { maxLength: 6 })
      .map((lines) => Buffer.from(lines.flatMap((line, n) => (n === 0 ? line : [0x0d, 0x0a, ...line]))));
    fc.assert(
      fc.property(text, fc.array(fc.nat(700), { maxLength: 8 }), (data, cuts) => {
        const encoded = encode(data, false, splitAt(data, cuts));
        assertWellFormed(encoded, false);
        assert.equal(decode(bytes(encoded)).out, data.toString("latin1"));
      }),
    );
  });

  it("stays linear on 1 MB of hostile input", () => {
    for (const input of [
      bytes("\r".repeat(1_000_000)),
      bytes(" ".repeat(1_000_000)),
      bytes("F".repeat(1_000_000)),
    ]) {
      const encoded = encode(input, false, splitAt(input, [1, 65_536, 500_001]));
      assertWellFormed(encoded, false);
      assert.equal(decode(bytes(encoded)).out, input.toString("latin1"));
    }
  });

  it("refuses use after end()", () => {
    const encoder = new QpEncoder();
    encoder.end();
    assert.throws(() => encoder.push(bytes("x")), InvalidArgumentError);
  });
});

describe("quoted-printable against Python", () => {
  // One python3 run for the whole file: it decodes with quoprimime (RFC rules, LF lines) and with
  // quopri/binascii (what Message.get_payload(decode=True) uses), and encodes with both.
  const script = `
import json, sys, quopri
from email import quoprimime
req = json.load(sys.stdin)
out = {
  "quoprimime": [quoprimime.decode(bytes.fromhex(h).decode("latin1")).encode("latin1").hex() for h in req["quoprimime"]],
  "binascii": [quopri.decodestring(bytes.fromhex(h)).hex() for h in req["binascii"]],
  "ours": [quopri.decodestring(bytes.fromhex(h)).hex() for h in req["ours"]],
  "quopri_encoded": [quopri.encodestring(bytes.fromhex(h)).hex() for h in req["plain"]],
  "body_encoded": [quoprimime.body_encode(bytes.fromhex(h).decode("latin1")).encode("latin1").hex() for h in req["plain"]],
}
print(json.dumps(out))`;

  // Inputs where the RFC's rules (ours) and each Python decoder agree.
  const forQuoprimime = [
    "a=3Db  \nc=\nd= \ne",
    "=41=42",
    "x\t \n",
    "abc=",
    "=4G==41=",
    "=4",
    "caf\xe9\n",
    "a =\nb",
  ];
  const forBinascii = [
    "a=3Db\r\nc=\r\nd\r\ne",
    "=41=42=43",
    "=4G",
    "abc=",
    "=3d",
    "caf\xe9\r\n=E9=\r\nx",
    "=4",
  ];
  const plain = [
    "Hello, world\n",
    `${"long line ".repeat(20)}\nwith trailing space \nand tab\t\n`,
    "caf\xe9 = na\xefve\n\nFrom here\n",
    "\x00\x01 binary-ish \xff\xfe\n",
  ];
  const ourText = [
    bytes("a=b\r\ncaf\xe9 \r\nFrom x\r\n"),
    bytes(`${"w\xe9rd ".repeat(40)}\r\n\r\nend\t`),
    Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff).filter((b) => b !== 13 && b !== 10)),
  ];
  const ourBinary = [Buffer.from(Array.from({ length: 500 }, (_, i) => (i * 13) & 0xff))];
  const ours = [...ourText.map((t) => encode(t)), ...ourBinary.map((b) => encode(b, true))];
  const hex = (list: readonly string[]) => list.map((s) => bytes(s).toString("hex"));
  const result = python(script, {
    quoprimime: hex(forQuoprimime),
    binascii: hex(forBinascii),
    ours: hex(ours),
    plain: hex(plain),
  }) as Record<string, string[]>;
  const latin1 = (h: string) => Buffer.from(h, "hex").toString("latin1");

  it("decodes like email.quoprimime on LF-only input", () => {
    forQuoprimime.forEach((input, n) => {
      assert.equal(decode(bytes(input)).out, latin1(result.quoprimime![n]!));
    });
  });

  it("decodes like quopri/binascii where the RFC and binascii agree", () => {
    forBinascii.forEach((input, n) => {
      assert.equal(decode(bytes(input)).out, latin1(result.binascii![n]!));
    });
  });

  it("produces output Python decodes back to the input", () => {
    [...ourText, ...ourBinary].forEach((input, n) => {
      assert.equal(latin1(result.ours![n]!), input.toString("latin1"));
    });
  });

  it("decodes what Python's encoders produce", () => {
    plain.forEach((input, n) => {
      assert.equal(decode(Buffer.from(result.quopri_encoded![n]!, "hex")).out, input);
      assert.equal(decode(Buffer.from(result.body_encoded![n]!, "hex")).out, input);
    });
  });
});
