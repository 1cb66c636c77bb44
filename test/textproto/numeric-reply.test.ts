import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ConnectionClosedError, LimitError, ProtocolError } from "../../src/errors.js";
import { ByteReader } from "../../src/textproto/byte-reader.js";
import {
  enhancedCode,
  type NumericReply,
  type NumericReplyOptions,
  NumericReplyParser,
  readNumericReply,
  replyClass,
} from "../../src/textproto/numeric-reply.js";
import { bytewise, everySplit, readerOf, splitAt } from "./helpers.js";

const FTP: NumericReplyOptions = { multiline: true };
const SMTP: NumericReplyOptions = { multiline: true, strictContinuation: true };
const NNTP: NumericReplyOptions = { multiline: false };

/** Feeds text lines to a fresh parser; returns the replies completed, in order. */
function parseLines(lines: readonly string[], options: NumericReplyOptions): NumericReply[] {
  const parser = new NumericReplyParser(options);
  const replies: NumericReply[] = [];
  for (const line of lines) {
    const reply = parser.pushLine(Buffer.from(line, "latin1"));
    if (reply) replies.push(reply);
  }
  return replies;
}

function summary(reply: NumericReply): { code: number; lines: string[]; raw: string[] } {
  return { code: reply.code, lines: reply.lines, raw: reply.raw.map((b) => b.toString("latin1")) };
}

function isMalformed(error: unknown): boolean {
  assert.ok(error instanceof ProtocolError);
  assert.equal(error.reason, "malformed-reply");
  return true;
}

describe("NumericReplyParser", () => {
  it("parses single-line replies, with text, empty text or a bare code", () => {
    assert.deepEqual(parseLines(["220 mail.example.test ESMTP", "250 ", "221"], FTP).map(summary), [
      { code: 220, lines: ["mail.example.test ESMTP"], raw: ["220 mail.example.test ESMTP"] },
      { code: 250, lines: [""], raw: ["250 "] },
      { code: 221, lines: [""], raw: ["221"] },
    ]);
  });

  it("parses a multi-line reply and returns nothing until its last line", () => {
    const parser = new NumericReplyParser(SMTP);
    assert.equal(parser.pushLine(Buffer.from("250-mail.example.test")), undefined);
    assert.equal(parser.inReply, true);
    assert.equal(parser.pushLine(Buffer.from("250-PIPELINING")), undefined);
    assert.equal(parser.pushLine(Buffer.from("250-")), undefined);
    const reply = parser.pushLine(Buffer.from("250 SIZE 1000"));
    assert.ok(reply);
    assert.equal(parser.inReply, false);
    assert.deepEqual(summary(reply), {
      code: 250,
      lines: ["mail.example.test", "PIPELINING", "", "SIZE 1000"],
      raw: ["250-mail.example.test", "250-PIPELINING", "250-", "250 SIZE 1000"],
    });
  });

  it("ends a multi-line reply at a bare code line", () => {
    assert.deepEqual(parseLines(["211-Features:", " MDTM", "211"], FTP).map(summary), [
      { code: 211, lines: ["Features:", " MDTM", ""], raw: ["211-Features:", " MDTM", "211"] },
    ]);
  });

  it("takes RFC 959 odd continuation lines as text (FTP)", () => {
    const lines = [
      "123-First line",
      "Second line",
      "  234 A line beginning with numbers",
      " 211-indented",
      "251 another code with a space",
      "123-same code, hyphen",
      "1234 four digits",
      "",
      "123 The last line",
    ];
    const [reply, ...more] = parseLines(lines, FTP);
    assert.equal(more.length, 0);
    assert.ok(reply);
    assert.equal(reply.code, 123);
    assert.deepEqual(reply.lines, [
      "First line",
      "Second line",
      "  234 A line beginning with numbers",
      " 211-indented",
      "251 another code with a space",
      "same code, hyphen",
      "1234 four digits",
      "",
      "The last line",
    ]);
    assert.equal(reply.raw.length, lines.length);
  });

  it("refuses odd continuation lines in strict (SMTP) mode", () => {
    for (const odd of ["251 other code", "251-other code", " 250-indented", "text", "2500 x", ""]) {
      assert.throws(() => parseLines(["250-first", odd, "250 last"], SMTP), isMalformed, odd);
    }
  });

  it("refuses NNN- where only single-line replies exist (NNTP)", () => {
    assert.deepEqual(
      parseLines(["200 news.example.test ready"], NNTP).map((r) => r.code),
      [200],
    );
    assert.throws(() => parseLines(["215-list follows"], NNTP), isMalformed);
  });

  it("refuses every malformed first line, with a short escaped excerpt in the message", () => {
    const bad = [
      "25",
      "2500 x",
      "250x",
      "abc",
      "",
      "2",
      "25 x",
      "650 six",
      "050 zero",
      "099 x",
      " 250 x",
      "250\tx",
    ];
    for (const line of bad) {
      for (const options of [FTP, SMTP, NNTP]) {
        assert.throws(() => parseLines([line], options), isMalformed, JSON.stringify(line));
      }
    }
    try {
      parseLines([`25\x1b[2J${"x".repeat(200)}\r`], FTP);
      assert.fail("no error");
    } catch (error) {
      assert.ok(error instanceof ProtocolError);
      assert.ok(error.message.includes("25\\x1b[2Jxxx"), error.message);
      assert.ok(!error.message.includes("\x1b"), "control characters are escaped");
      const quoted = /"(.*)"$/.exec(error.message)?.[1];
      assert.ok(quoted !== undefined && quoted.length <= 60, error.message);
    }
  });

  it("accepts the first digits 1 to 5 and every code 100-599", () => {
    for (let code = 100; code <= 599; code += 1) {
      assert.equal(parseLines([`${code} x`], NNTP)[0]?.code, code);
    }
  });

  it("decodes text as UTF-8 and replaces invalid bytes, keeping raw bytes intact", () => {
    const line = Buffer.concat([Buffer.from("550 caf\u00e9 "), Buffer.from([0xff, 0xfe])]);
    const reply = new NumericReplyParser(FTP).pushLine(line);
    assert.ok(reply);
    assert.equal(reply.lines[0], "caf\u00e9 \ufffd\ufffd");
    assert.ok(reply.raw[0]?.equals(line));
  });

  it("parses several replies in a row with one parser", () => {
    const replies = parseLines(["250-a", "250 b", "354 go ahead", "221-x", "221 y"], SMTP);
    assert.deepEqual(
      replies.map((r) => [r.code, r.lines]),
      [
        [250, ["a", "b"]],
        [354, ["go ahead"]],
        [221, ["x", "y"]],
      ],
    );
  });

  it("stays failed after an error", () => {
    const parser = new NumericReplyParser(FTP);
    assert.throws(() => parser.pushLine(Buffer.from("abc")), ProtocolError);
    assert.throws(() => parser.pushLine(Buffer.from("250 fine")), ProtocolError);
  });

  it("accepts exactly maxLines lines and refuses one more", () => {
    const ok = parseLines(["250-1", "250-2", "250 3"], { multiline: true, maxLines: 3 });
    assert.equal(ok.length, 1);
    assert.throws(
      () => parseLines(["250-1", "250-2", "250-3", "250 4"], { multiline: true, maxLines: 3 }),
      (error: unknown) => error instanceof LimitError && error.what === "reply" && error.limit === 3,
    );
  });

  it("throws LimitError('reply') past maxBytes (10 MB of 250- lines stop at 1 MiB)", () => {
    const parser = new NumericReplyParser({ multiline: true, maxLines: Number.POSITIVE_INFINITY });
    const line = Buffer.from(`250-${"A".repeat(996)}`); // 1002 bytes on the wire
    let accepted = 0;
    assert.throws(
      () => {
        for (let sent = 0; sent < 10_000_000; sent += line.length + 2) {
          parser.pushLine(line);
          accepted += line.length + 2;
        }
      },
      (error: unknown) =>
        error instanceof LimitError && error.what === "reply" && error.limit === 1024 * 1024,
    );
    assert.ok(accepted <= 1024 * 1024 && accepted > 1024 * 1024 - 1002, `accepted ${accepted}`);
  });

  it("counts limits per reply, not per parser", () => {
    const lines: string[] = [];
    for (let i = 0; i < 10; i += 1) lines.push("250-a", "250 b");
    assert.equal(parseLines(lines, { multiline: true, maxLines: 2 }).length, 10);
  });
});

describe("readNumericReply", () => {
  const wire = Buffer.from("220-hello\r\n there\r\n220 ready\r\n250 ok\r\n");

  it("reads replies through a ByteReader split at every offset and byte by byte", async () => {
    const check = async (reader: ByteReader): Promise<void> => {
      const first = await readNumericReply(reader, FTP);
      assert.deepEqual([first.code, first.lines], [220, ["hello", " there", "ready"]]);
      const second = await readNumericReply(reader, FTP);
      assert.deepEqual([second.code, second.lines], [250, ["ok"]]);
    };
    for (const parts of everySplit(wire)) await check(readerOf(parts));
    await check(readerOf(bytewise(wire)));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(wire.length), { maxLength: 10 }), async (cuts) => {
        await check(readerOf(splitAt(wire, cuts)));
      }),
    );
  });

  it("accepts curl test 1062's 218-line reply (CVE-2018-1000300)", async () => {
    const lines = Array.from({ length: 218 }, () => `250-${"A".repeat(69)}`);
    lines.push("250-A Exactly fill curl's buffer", "250 Finally, here is the response, boundary condition");
    const wire = Buffer.from(`${lines.join("\r\n")}\r\n`);
    const reply = await readNumericReply(readerOf(splitAt(wire, [1, 1000, 8191, 8192, 8193, 16000])), FTP);
    assert.equal(reply.code, 250);
    assert.equal(reply.lines.length, 220);
    assert.equal(reply.lines[0], "A".repeat(69));
    assert.equal(reply.lines[219], "Finally, here is the response, boundary condition");
    const strict = await readNumericReply(readerOf([wire]), SMTP);
    assert.equal(strict.lines.length, 220);
  });

  it("rejects with ConnectionClosedError when the stream ends before or during a reply", async () => {
    await assert.rejects(readNumericReply(readerOf([]), FTP), ConnectionClosedError);
    await assert.rejects(readNumericReply(readerOf([Buffer.from("250-")]), FTP), ConnectionClosedError);
    await assert.rejects(readNumericReply(readerOf([Buffer.from("250-a\r\n")]), FTP), ConnectionClosedError);
    await assert.rejects(readNumericReply(readerOf([Buffer.from("250")]), FTP), ConnectionClosedError);
  });

  it("waits for the final line when the reply arrives slowly", async () => {
    const reader = new ByteReader();
    const pending = readNumericReply(reader, SMTP);
    reader.push(Buffer.from("250-a\r\n"));
    await new Promise((resolve) => setImmediate(resolve));
    reader.push(Buffer.from("250 b\r\n"));
    assert.deepEqual((await pending).lines, ["a", "b"]);
  });

  it("bounds each line by the reader's maxLineLength", async () => {
    const reader = readerOf([Buffer.from(`250 ${"x".repeat(100)}\r\n`)], { maxLineLength: 64 });
    await assert.rejects(readNumericReply(reader, FTP), (error: unknown) => {
      assert.ok(error instanceof LimitError);
      assert.equal(error.what, "line");
      return true;
    });
  });

  it("rejects a malformed reply read from the wire", async () => {
    for (const bad of ["25\r\n", "2500 x\r\n", "250x\r\n"]) {
      await assert.rejects(readNumericReply(readerOf([Buffer.from(bad)]), SMTP), isMalformed);
    }
  });
});

describe("replyClass and enhancedCode", () => {
  it("names the class of each first digit", () => {
    assert.equal(replyClass(150), "preliminary");
    assert.equal(replyClass(250), "completion");
    assert.equal(replyClass(354), "intermediate");
    assert.equal(replyClass(421), "transient");
    assert.equal(replyClass(599), "permanent");
    assert.throws(() => replyClass(99), RangeError);
    assert.throws(() => replyClass(600), RangeError);
  });

  it("extracts RFC 3463 codes of class 2, 4 and 5 from the first line only", () => {
    const reply = (...lines: string[]): Pick<NumericReply, "lines"> => ({ lines });
    assert.equal(enhancedCode(reply("2.1.5 Ok")), "2.1.5");
    assert.equal(enhancedCode(reply("5.7.1")), "5.7.1");
    assert.equal(enhancedCode(reply("4.123.999 try later")), "4.123.999");
    assert.equal(enhancedCode(reply("3.0.0 no such class")), undefined);
    assert.equal(enhancedCode(reply("1.2.3 version")), undefined);
    assert.equal(enhancedCode(reply("5.1.1234 too long")), undefined);
    assert.equal(enhancedCode(reply("5.1.1x")), undefined);
    assert.equal(enhancedCode(reply("Ok 2.0.0")), undefined);
    assert.equal(enhancedCode(reply("hello", "5.1.1 second line")), undefined);
    assert.equal(enhancedCode(reply()), undefined);
  });
});
