import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../../src/errors.js";
import { parseTranscript } from "../../../src/servers/testing/transcript.js";

describe("parseTranscript", () => {
  it("reads S:, C: and directives in order, ignoring indentation, blanks and comments", () => {
    const steps = parseTranscript(`
      # an SMTP session
      S: 220 ready
      C: EHLO client.example
      S: 250-hello
      S: 250 STARTTLS

      C: STARTTLS
      S: 220 go ahead
      TLS
      C: *
      C: /^MAIL FROM:<[^>]*>$/i
      delay 25
      stall
    `);
    assert.deepEqual(steps.slice(0, 8), [
      { op: "send", text: "220 ready" },
      { op: "expect", expect: { type: "exact", text: "EHLO client.example" } },
      { op: "send", text: "250-hello" },
      { op: "send", text: "250 STARTTLS" },
      { op: "expect", expect: { type: "exact", text: "STARTTLS" } },
      { op: "send", text: "220 go ahead" },
      { op: "tls" },
      { op: "expect", expect: { type: "any" } },
    ]);
    const regex = steps[8];
    assert.ok(regex?.op === "expect" && regex.expect.type === "regex");
    assert.equal(regex.expect.pattern.source, "^MAIL FROM:<[^>]*>$");
    assert.equal(regex.expect.pattern.flags, "i");
    assert.deepEqual(steps.slice(9), [{ op: "delay", ms: 25 }, { op: "stall" }]);
  });

  it("keeps S:/C: text exactly: backslashes, trailing spaces, UTF-8, empty lines; drops a CR", () => {
    const steps = parseTranscript(
      "S: * FLAGS (\\Seen \\Answered)\r\nC: a1 LOGIN  x \r\nS:\nS:  two spaces\nC: ünïcode ✓",
    );
    assert.deepEqual(steps, [
      { op: "send", text: "* FLAGS (\\Seen \\Answered)" },
      { op: "expect", expect: { type: "exact", text: "a1 LOGIN  x " } },
      { op: "send", text: "" },
      { op: "send", text: " two spaces" },
      { op: "expect", expect: { type: "exact", text: "ünïcode ✓" } },
    ]);
  });

  it("reads every fault directive, case-insensitively, with defaults", () => {
    const steps = parseTranscript(
      [
        "drip",
        "DRIP 5",
        "closeAfterBytes 7",
        "close",
        "reset",
        "closeAt quit",
        "bareLF",
        "barelf off",
        "split",
        "split 3",
        "split off",
        "oversized 5242880",
        "tls expired",
        "TLS selfSigned",
        "TLS WRONGHOST",
        "plaintextInsteadOfTls",
      ].join("\n"),
    );
    assert.deepEqual(steps, [
      { op: "drip", intervalMs: 10 },
      { op: "drip", intervalMs: 5 },
      { op: "closeAfterBytes", bytes: 7 },
      { op: "close" },
      { op: "reset" },
      { op: "closeAt", command: "quit" },
      { op: "bareLF", enabled: true },
      { op: "bareLF", enabled: false },
      { op: "split", at: "bytes" },
      { op: "split", at: 3 },
      { op: "split", at: "off" },
      { op: "oversized", bytes: 5242880 },
      { op: "tls", certificate: "expired" },
      { op: "tls", certificate: "selfSigned" },
      { op: "tls", certificate: "wrongHost" },
      { op: "plaintextInsteadOfTls" },
    ]);
  });

  it("decodes escapes in inject, raw and plaintextInsteadOfTls text only", () => {
    const steps = parseTranscript(
      "inject 250 fake\\r\\n\nraw a\\tb\\x00\\\\ é\nplaintextInsteadOfTls HELLO\\n\nS: keep \\r\\n as is",
    );
    assert.deepEqual(steps, [
      { op: "inject", data: Buffer.from("250 fake\r\n") },
      { op: "raw", data: Buffer.from("a\tb\x00\\ é", "utf8") },
      { op: "plaintextInsteadOfTls", data: Buffer.from("HELLO\n") },
      { op: "send", text: "keep \\r\\n as is" },
    ]);
  });

  it("keeps non-BMP characters whole in escaped text", () => {
    const [step] = parseTranscript("raw 😀\\r\\n");
    assert.deepEqual(step, { op: "raw", data: Buffer.from("😀\r\n", "utf8") });
  });

  it("rejects unknown directives, bad numbers, bad escapes and bad regexes, naming the line", () => {
    const bad: Array<[string, RegExp]> = [
      ["S: ok\nfrobnicate", /line 2: unknown directive/],
      ["delay", /line 1: expected a whole number/],
      ["delay -5", /expected a whole number/],
      ["closeAfterBytes 1.5", /expected a whole number/],
      ["split x", /expected a whole number/],
      ["bareLF maybe", /expected on or off/],
      ["closeAt", /closeAt needs a command/],
      ["inject", /inject needs text/],
      ["raw \\q", /bad escape/],
      ["raw \\x4", /bad escape/],
      ["TLS bogus", /unknown certificate kind/],
      ["C: /(/", /invalid regular expression/],
      ["...", /unknown directive/],
    ];
    for (const [text, message] of bad) {
      assert.throws(
        () => parseTranscript(text),
        (error: unknown) => error instanceof InvalidArgumentError && message.test(error.message),
        text,
      );
    }
  });
});
