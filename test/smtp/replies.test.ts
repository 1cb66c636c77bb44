// EHLO parsing and enhanced status codes (pure), and the reply reader under split packets.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ProtocolError, ReplyError } from "../../src/errors.js";
import { authMechanisms, parseEhloReply, sizeLimit } from "../../src/smtp/extensions.js";
import {
  enhancedCodeOf,
  formatReply,
  rejection,
  replyErrorOf,
  replyInfo,
  replyTextOf,
} from "../../src/smtp/replies.js";
import { ByteReader } from "../../src/textproto/byte-reader.js";
import { NumericReplyParser } from "../../src/textproto/numeric-reply.js";
import { matches } from "../../src/transport/numeric-control.js";

const reply = (code: number, ...lines: string[]) => ({ code, lines, raw: [] as Buffer[] });

describe("EHLO replies", () => {
  it("reads keywords (upper-cased) and parameters, skipping junk and duplicates", () => {
    const info = parseEhloReply([
      "mx.example.test greets you",
      "pipelining",
      "SIZE 35882577",
      "AUTH PLAIN LOGIN",
      "AUTH=CRAM-MD5 LOGIN",
      "8BITMIME",
      "X-WEIRD!! thing",
      "",
      "SIZE 1",
      "DSN",
    ]);
    assert.equal(info.domain, "mx.example.test greets you");
    assert.deepEqual(
      [...info.extensions],
      [
        ["PIPELINING", ""],
        ["SIZE", "35882577"],
        ["AUTH", "PLAIN LOGIN CRAM-MD5"],
        ["8BITMIME", ""],
        ["DSN", ""],
      ],
    );
    assert.equal(sizeLimit(info.extensions), 35882577);
    assert.deepEqual(authMechanisms(info.extensions), ["PLAIN", "LOGIN", "CRAM-MD5"]);
  });

  it("treats SIZE 0, a bare SIZE and a non-number as no limit", () => {
    for (const value of ["0", "", "lots", "-5", "1e9"]) {
      assert.equal(sizeLimit(new Map([["SIZE", value]])), undefined, value);
    }
    assert.equal(sizeLimit(new Map()), undefined);
    assert.deepEqual(authMechanisms(new Map()), []);
  });
});

describe("enhanced status codes (RFC 2034, RFC 3463)", () => {
  it("reads the code when its class matches the reply's", () => {
    assert.equal(enhancedCodeOf(reply(550, "5.1.1 <x@y>: user unknown")), "5.1.1");
    assert.equal(enhancedCodeOf(reply(452, "4.2.2 mailbox full")), "4.2.2");
    assert.equal(enhancedCodeOf(reply(250, "2.1.0")), "2.1.0");
    assert.equal(enhancedCodeOf(reply(250, "2.001.000 ok")), "2.1.0");
    assert.equal(enhancedCodeOf(reply(250, "5.1.1 mismatched class")), undefined);
    assert.equal(enhancedCodeOf(reply(550, "user unknown")), undefined);
    assert.equal(enhancedCodeOf(reply(550, "5.1.1user")), undefined);
    assert.equal(enhancedCodeOf(reply(550, "5.1234.1 x")), undefined);
    assert.equal(enhancedCodeOf(reply(550)), undefined);
  });

  it("strips the codes from the text, and keeps text without codes as is", () => {
    assert.equal(replyTextOf(reply(550, "5.1.1 no such user", "5.1.1 really")), "no such user\nreally");
    assert.equal(replyTextOf(reply(550, "no such user")), "no such user");
    assert.equal(formatReply(reply(250, "2.0.0 Ok", "second")), "250 2.0.0 Ok\n250 second");
    assert.deepEqual(replyInfo(reply(252, "2.5.0 cannot verify")), {
      code: 252,
      enhancedCode: "2.5.0",
      lines: ["2.5.0 cannot verify"],
      text: "cannot verify",
    });
    assert.deepEqual(rejection("b@x", reply(550, "5.7.1 relay denied")), {
      address: "b@x",
      code: 550,
      enhancedCode: "5.7.1",
      text: "relay denied",
    });
  });

  it("turns refusals into ReplyError with the enhanced code and other surprises into ProtocolError", () => {
    const error = replyErrorOf(reply(452, "4.3.1 insufficient storage"), {
      host: "h:25",
      command: "RCPT TO:<a@b>",
    });
    assert.ok(error instanceof ReplyError);
    assert.equal(error.status, 452);
    assert.equal(error.enhancedCode, "4.3.1");
    assert.equal(error.isTransient, true);
    assert.match(error.message, /h:25/);
    const odd = replyErrorOf(reply(354, "go ahead"), {});
    assert.ok(odd instanceof ProtocolError);
    assert.equal(odd.reason, "unexpected-reply");
    assert.ok(matches(251, [2]));
    assert.ok(matches(354, [354]));
    assert.ok(!matches(354, [250]));
  });

  it("reads the same multi-line EHLO reply whatever way the bytes are split", async () => {
    const wire = Buffer.from("250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 100\r\n250 SMTPUTF8\r\n");
    const read = async (chunks: Buffer[]) => {
      const reader = new ByteReader({});
      for (const chunk of chunks) reader.push(chunk);
      reader.end();
      const parser = new NumericReplyParser({ multiline: true, strictContinuation: true });
      for (;;) {
        const got = parser.pushLine((await reader.readLine())!);
        if (got) return parseEhloReply(got.lines);
      }
    };
    const whole = await read([wire]);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: wire.length - 1 }), { maxLength: 8 }),
        async (cuts) => {
          const sorted = [...cuts].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let start = 0;
          for (const cut of sorted) {
            chunks.push(wire.subarray(start, cut));
            start = cut;
          }
          chunks.push(wire.subarray(start));
          assert.deepEqual(await read(chunks), whole);
        },
      ),
    );
    assert.equal(sizeLimit(whole.extensions), 100);
  });
});
