import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import fc from "fast-check";
import { InvalidArgumentError } from "../../src/errors.js";
import {
  assertLineSafe,
  type CommandPart,
  encodeCommandLine,
  type LineSink,
  Secret,
  secret,
  writeLine,
} from "../../src/textproto/write-line.js";

/** A sink that records every write. */
class RecordingSink implements LineSink {
  writes: Buffer[] = [];
  write(bytes: Buffer): boolean {
    this.writes.push(Buffer.from(bytes));
    return true;
  }
  get bytes(): number {
    return this.writes.reduce((sum, b) => sum + b.length, 0);
  }
}

const FORBIDDEN = ["\r", "\n", "\0"];

describe("writeLine / encodeCommandLine", () => {
  it("writes normal lines as exact bytes, in one write", () => {
    const cases: Array<[CommandPart[], string]> = [
      [["NOOP"], "NOOP\r\n"],
      [["MAIL", "FROM:<a@example.test>", "SIZE=1000"], "MAIL FROM:<a@example.test> SIZE=1000\r\n"],
      [["RETR", 42], "RETR 42\r\n"],
      [["ARTICLE", 12345678901234567890n], "ARTICLE 12345678901234567890\r\n"],
      [["CWD", Buffer.from([0xc3, 0xa9])], "CWD \u00e9\r\n"],
      [["CWD", "caf\u00e9"], "CWD caf\u00e9\r\n"],
      [["PASS", secret("hunter2")], "PASS hunter2\r\n"],
      [["AUTH", "PLAIN", secret(Buffer.from("AGFsaWNlAHNlY3JldA=="))], "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n"],
    ];
    for (const [parts, wire] of cases) {
      const sink = new RecordingSink();
      const line = writeLine(sink, parts);
      assert.equal(sink.writes.length, 1);
      assert.equal(sink.writes[0]?.toString("utf8"), wire);
      assert.ok(line.bytes.equals(Buffer.from(wire, "utf8")));
      assert.ok(!line.redacted.includes("\r") && !line.redacted.includes("\n"));
    }
  });

  it("shows secrets as **** in the redacted form, never their value", () => {
    const line = encodeCommandLine(["PASS", secret("hunter2")]);
    assert.equal(line.redacted, "PASS ****");
    const buffered = encodeCommandLine(["AUTH", "PLAIN", secret(Buffer.from("dG9rZW4="))]);
    assert.equal(buffered.redacted, "AUTH PLAIN ****");
    assert.ok(!buffered.redacted.includes("dG9rZW4="));
    assert.equal(encodeCommandLine(["USER", "alice"]).redacted, "USER alice");
  });

  it("a Secret printed by mistake never shows its value", () => {
    const value = "hunter2";
    const hidden = new Secret(value);
    assert.equal(String(hidden), "****");
    assert.equal(`${hidden}`, "****");
    assert.equal(JSON.stringify({ password: hidden }), '{"password":"****"}');
    assert.ok(!inspect(hidden).includes(value));
    assert.ok(!inspect({ nested: { hidden } }, { depth: 5 }).includes(value));
  });

  it("refuses CR, LF and NUL in any argument, as string, Buffer or Secret; the sink gets nothing", () => {
    for (const bad of FORBIDDEN) {
      const variants: CommandPart[] = [
        `x${bad}RCPT TO:<evil@example.test>`,
        Buffer.from(`x${bad}y`, "latin1"),
        secret(`pw${bad}DELE 1`),
        secret(Buffer.from(`pw${bad}`, "latin1")),
        bad,
      ];
      for (const part of variants) {
        for (const parts of [[part], ["CMD", part], ["CMD", "ok", part, "after"]]) {
          const sink = new RecordingSink();
          assert.throws(() => writeLine(sink, parts), InvalidArgumentError);
          assert.equal(sink.bytes, 0);
          assert.equal(sink.writes.length, 0);
        }
      }
    }
  });

  it("names the argument and the character, never a secret's value, in the error", () => {
    assert.throws(
      () => encodeCommandLine(["PASS", secret("hunter2\r\nDELE 1")]),
      (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.ok(error.message.includes("argument 1"), error.message);
        assert.ok(error.message.includes("CR"), error.message);
        assert.ok(!error.message.includes("hunter2"), error.message);
        return true;
      },
    );
    assert.throws(() => encodeCommandLine(["NO\nOP"]), /the command contains LF/);
    assert.throws(() => encodeCommandLine(["X", "a", "b\0"]), /argument 2 contains NUL/);
  });

  it("refuses an empty command and non-finite numbers", () => {
    const sink = new RecordingSink();
    assert.throws(() => writeLine(sink, []), InvalidArgumentError);
    assert.throws(() => writeLine(sink, ["RETR", Number.NaN]), InvalidArgumentError);
    assert.throws(() => writeLine(sink, ["RETR", Number.POSITIVE_INFINITY]), InvalidArgumentError);
    assert.equal(sink.bytes, 0);
  });

  it("property: a line is written iff no part holds CR, LF or NUL; it then ends in exactly one CRLF", () => {
    const part = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom("\r", "\n", "\0", "a\r\nb"),
      fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ maxLength: 8 }).map((value) => secret(value)),
    );
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
        const bytesOf = (p: CommandPart): Buffer => {
          const value = p instanceof Secret ? p.value : p;
          return Buffer.isBuffer(value) ? value : Buffer.from(String(value), "utf8");
        };
        const unsafe = parts.some((p) => [0x0d, 0x0a, 0x00].some((c) => bytesOf(p).includes(c)));
        const sink = new RecordingSink();
        if (unsafe) {
          assert.throws(() => writeLine(sink, parts), InvalidArgumentError);
          assert.equal(sink.bytes, 0);
        } else {
          const line = writeLine(sink, parts);
          const wire = sink.writes[0]!;
          const pieces = parts.flatMap((p, i) => (i > 0 ? [Buffer.from(" "), bytesOf(p)] : [bytesOf(p)]));
          assert.ok(wire.equals(Buffer.concat([...pieces, Buffer.from("\r\n")])));
          assert.equal(wire.indexOf("\r"), wire.length - 2);
          assert.equal(wire.indexOf("\n"), wire.length - 1);
          const shown = parts.map((p) => (p instanceof Secret ? "****" : bytesOf(p).toString("utf8")));
          assert.equal(line.redacted, shown.join(" "));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("assertLineSafe", () => {
  it("accepts safe strings and Buffers and refuses CR, LF and NUL, naming only the label", () => {
    assertLineSafe("fine text \u00e9", "the name");
    assertLineSafe(Buffer.from([0x20, 0x7e, 0xff]), "the name");
    for (const bad of FORBIDDEN) {
      assert.throws(() => assertLineSafe(`a${bad}b`, "the mailbox name"), /the mailbox name contains/);
      assert.throws(() => assertLineSafe(Buffer.from(bad, "latin1"), "x"), InvalidArgumentError);
    }
  });
});
