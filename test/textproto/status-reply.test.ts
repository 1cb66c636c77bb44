import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectionClosedError, LimitError, ProtocolError } from "../../src/errors.js";
import type { ByteReader } from "../../src/textproto/byte-reader.js";
import {
  parseStatusLine,
  readStatusLine,
  readStatusReply,
  type StatusLine,
} from "../../src/textproto/status-reply.js";
import { bytewise, everySplit, readerOf } from "./helpers.js";

function parse(text: string): StatusLine {
  return parseStatusLine(Buffer.from(text, "latin1"));
}

function isMalformed(error: unknown): boolean {
  assert.ok(error instanceof ProtocolError);
  assert.equal(error.reason, "malformed-reply");
  return true;
}

describe("parseStatusLine", () => {
  it("parses +OK and -ERR with and without text", () => {
    const cases: Array<[string, boolean, string]> = [
      ["+OK", true, ""],
      ["+OK ", true, ""],
      ["+OK 2 320", true, "2 320"],
      ["+OK  two spaces", true, " two spaces"],
      ["-ERR", false, ""],
      ["-ERR no such message", false, "no such message"],
    ];
    for (const [line, ok, text] of cases) {
      const reply = parse(line);
      assert.equal(reply.continuation, false, line);
      if (reply.continuation) continue;
      assert.equal(reply.ok, ok, line);
      assert.equal(reply.text, text, line);
      assert.equal(reply.raw.toString("latin1"), line);
      assert.equal(reply.responseCode, undefined);
    }
  });

  it("extracts RFC 2449 response codes", () => {
    const cases: Array<[string, string | undefined]> = [
      ["-ERR [IN-USE] mailbox locked", "IN-USE"],
      ["-ERR [SYS/TEMP] try later", "SYS/TEMP"],
      ["-ERR [AUTH]", "AUTH"],
      ["+OK [LOGIN-DELAY] fine", "LOGIN-DELAY"],
      ["-ERR [] empty", undefined],
      ["-ERR [SYS/] dangling slash", undefined],
      ["-ERR [IN USE] space inside", undefined],
      ["-ERR not at the start [IN-USE]", undefined],
      ["-ERR [unterminated", undefined],
    ];
    for (const [line, code] of cases) {
      const reply = parse(line);
      assert.ok(!reply.continuation);
      assert.equal(reply.responseCode, code, line);
      assert.equal(reply.text, line.slice(line.indexOf(" ") + 1), "the text keeps the code");
    }
  });

  it("recognises continuation lines", () => {
    assert.deepEqual(
      [parse("+ "), parse("+"), parse("+ dGVzdA==")].map((r) => [r.continuation, r.text]),
      [
        [true, ""],
        [true, ""],
        [true, "dGVzdA=="],
      ],
    );
  });

  it("refuses anything else", () => {
    for (const line of [
      "",
      "+ok",
      "-err",
      "+OKAY",
      "-ERROR",
      "+Ok",
      "OK",
      "+-",
      "+\tx",
      "* OK",
      " +OK",
      "-",
      "+OK\t",
    ]) {
      assert.throws(() => parse(line), isMalformed, JSON.stringify(line));
    }
  });

  it("escapes control characters in the error message", () => {
    assert.throws(
      () => parse("\x1b]0;owned\x07"),
      (error: unknown) => {
        assert.ok(error instanceof ProtocolError);
        assert.ok(!/[\x00-\x1f]/.test(error.message), error.message);
        assert.ok(error.message.includes("\\x1b]0;owned\\x07"), error.message);
        return true;
      },
    );
  });

  it("decodes text as UTF-8 with replacement, keeping raw bytes", () => {
    const raw = Buffer.concat([Buffer.from("-ERR b\u00f6x "), Buffer.from([0xc3])]);
    const reply = parseStatusLine(raw);
    assert.ok(!reply.continuation);
    assert.equal(reply.text, "b\u00f6x \ufffd");
    assert.ok(reply.raw.equals(raw));
  });
});

describe("readStatusReply / readStatusLine", () => {
  const wire = Buffer.from("+OK POP3 ready\r\n-ERR [AUTH] bad\r\n+ \r\n");

  it("reads replies split at every offset and byte by byte", async () => {
    const check = async (reader: ByteReader): Promise<void> => {
      const greeting = await readStatusReply(reader);
      assert.deepEqual([greeting.ok, greeting.text], [true, "POP3 ready"]);
      const refusal = await readStatusReply(reader);
      assert.deepEqual([refusal.ok, refusal.responseCode], [false, "AUTH"]);
      const challenge = await readStatusLine(reader);
      assert.deepEqual([challenge.continuation, challenge.text], [true, ""]);
    };
    for (const parts of everySplit(wire)) await check(readerOf(parts));
    await check(readerOf(bytewise(wire)));
  });

  it("refuses a continuation where a status reply is expected", async () => {
    await assert.rejects(readStatusReply(readerOf([Buffer.from("+ abc\r\n")])), (error: unknown) => {
      assert.ok(error instanceof ProtocolError);
      assert.equal(error.reason, "unexpected-continuation");
      return true;
    });
  });

  it("rejects with ConnectionClosedError at the end of the stream, also inside a line", async () => {
    await assert.rejects(readStatusReply(readerOf([])), ConnectionClosedError);
    await assert.rejects(readStatusReply(readerOf([Buffer.from("+OK partial")])), ConnectionClosedError);
    await assert.rejects(readStatusLine(readerOf([])), ConnectionClosedError);
  });

  it("bounds the line by the reader's maxLineLength", async () => {
    const reader = readerOf([Buffer.from(`+OK ${"x".repeat(100)}\r\n`)], { maxLineLength: 32 });
    await assert.rejects(readStatusReply(reader), LimitError);
  });

  it("rejects a malformed line read from the wire", async () => {
    await assert.rejects(readStatusReply(readerOf([Buffer.from("HTTP/1.1 200 OK\r\n")])), isMalformed);
  });
});
