// SMTP command formatters and argument checks: ESMTP parameters, xtext, DSN, EHLO names, VRFY.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../src/errors.js";
import {
  checkDsn,
  checkHeloName,
  checkVrfyArgument,
  defaultHeloName,
  dsnMailParams,
  dsnRcptParams,
  formatParams,
  mailFromCommand,
  orcptValue,
  rcptToCommand,
  utf8AddrXtext,
  xtext,
} from "../../src/smtp/commands.js";
import { encodeCommandLine } from "../../src/textproto/write-line.js";

const line = (parts: Parameters<typeof encodeCommandLine>[0]) => encodeCommandLine(parts).redacted;

/** xtext decoding (RFC 3461 §4), as an independent model. */
function unXtext(text: string): string {
  return text.replace(/\+([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

describe("SMTP command formatters", () => {
  it("writes MAIL FROM and RCPT TO with parameters, and the null reverse-path", () => {
    assert.equal(
      line(mailFromCommand("a@example.org", [{ keyword: "SIZE", value: "10" }, { keyword: "SMTPUTF8" }])),
      "MAIL FROM:<a@example.org> SIZE=10 SMTPUTF8",
    );
    assert.equal(line(mailFromCommand("")), "MAIL FROM:<>");
    assert.equal(
      line(rcptToCommand("b@example.org", [{ keyword: "NOTIFY", value: "NEVER" }])),
      "RCPT TO:<b@example.org> NOTIFY=NEVER",
    );
  });

  it("refuses parameters and paths that could break the command line", () => {
    for (const value of ["a b", "a=b", "x\r\nRCPT TO:<evil@x>", "é", ""]) {
      assert.throws(
        () => formatParams([{ keyword: "ENVID", value }]),
        InvalidArgumentError,
        JSON.stringify(value),
      );
    }
    for (const keyword of ["", "-X", "A B", "K=V", "X\n"]) {
      assert.throws(() => formatParams([{ keyword }]), InvalidArgumentError);
    }
    for (const address of ["a b@x", "a@x>", "<a@x", "a@x\r\nDATA", "a\0@x"]) {
      assert.throws(() => mailFromCommand(address), InvalidArgumentError);
      assert.throws(() => rcptToCommand(address), InvalidArgumentError);
    }
    assert.throws(() => rcptToCommand(""), InvalidArgumentError);
  });

  it("xtext-encodes printable ASCII except + and =, and round-trips every ASCII string", () => {
    assert.equal(xtext("a+b=c d"), "a+2Bb+3Dc+20d");
    assert.equal(xtext("\r\n"), "+0D+0A");
    assert.throws(() => xtext("é"), InvalidArgumentError);
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)) }),
        (text) => {
          const encoded = xtext(text);
          assert.match(encoded, /^(?:[\x21-\x2a\x2c-\x3c\x3e-\x7e]|\+[0-9A-F]{2})*$/);
          assert.equal(unXtext(encoded), text);
        },
      ),
    );
  });

  it("writes UTF-8 original recipients as utf-8-addr-xtext (RFC 6533)", () => {
    assert.equal(utf8AddrXtext("jörg@exämple.org"), "j\\x{F6}rg@ex\\x{E4}mple.org");
    assert.equal(utf8AddrXtext("a+b=c\\"), "a\\x{2B}b\\x{3D}c\\x{5C}");
    assert.equal(orcptValue("a+b@example.org"), "rfc822;a+2Bb@example.org");
    assert.equal(
      orcptValue("用户@例子.广告"),
      "utf-8;\\x{7528}\\x{6237}@\\x{4F8B}\\x{5B50}.\\x{5E7F}\\x{544A}",
    );
    assert.throws(() => orcptValue("a@b\r\n"), InvalidArgumentError);
  });

  it("builds DSN parameters and validates the options", () => {
    const dsn = {
      notify: ["SUCCESS", "FAILURE", "SUCCESS"] as const,
      ret: "HDRS" as const,
      envid: "id 1+2",
      orcpt: true as const,
    };
    checkDsn(dsn);
    assert.deepEqual(formatParams(dsnMailParams(dsn)), ["RET=HDRS", "ENVID=id+201+2B2"]);
    assert.deepEqual(formatParams(dsnRcptParams(dsn, "b@example.org")), [
      "NOTIFY=SUCCESS,FAILURE",
      "ORCPT=rfc822;b@example.org",
    ]);
    assert.deepEqual(
      formatParams(dsnRcptParams({ notify: "NEVER", orcpt: { "b@x.org": "old@x.org" } }, "b@x.org")),
      ["NOTIFY=NEVER", "ORCPT=rfc822;old@x.org"],
    );
    assert.deepEqual(dsnRcptParams({ orcpt: { "b@x.org": "old@x.org" } }, "c@x.org"), []);
    assert.deepEqual(dsnMailParams(undefined), []);
    for (const bad of [
      { notify: [] },
      { notify: ["SOMETIMES"] },
      { ret: "ALL" },
      { envid: "" },
      { envid: "x".repeat(101) },
      { envid: "é" },
      { envid: "a\r\nb" },
    ]) {
      assert.throws(() => checkDsn(bad as never), InvalidArgumentError, JSON.stringify(bad));
    }
  });

  it("accepts domains and address literals as EHLO names, nothing else", () => {
    for (const name of [
      "client.example",
      "localhost",
      "a-b.c0.example.",
      "[192.0.2.1]",
      "[IPv6:2001:db8::1]",
    ]) {
      assert.equal(checkHeloName(name), name);
    }
    for (const name of [
      "",
      "a b",
      "-x.example",
      "x..y",
      "[300.1.1.1]",
      "[2001:db8::1]",
      "x\r\nMAIL",
      "é.example",
    ]) {
      assert.throws(() => checkHeloName(name), InvalidArgumentError, JSON.stringify(name));
    }
  });

  it("defaults the EHLO name to a valid domain or address literal", () => {
    for (const local of ["127.0.0.1", "::1", "::ffff:10.0.0.1", undefined, "not-an-address"]) {
      const name = defaultHeloName(local);
      assert.equal(checkHeloName(name), name);
    }
    if (!defaultHeloName("::1").startsWith("[")) return;
    assert.equal(defaultHeloName("::1"), "[IPv6:::1]");
    assert.equal(defaultHeloName("::ffff:10.0.0.1"), "[10.0.0.1]");
  });

  it("checks VRFY arguments", () => {
    assert.equal(checkVrfyArgument("postmaster"), "postmaster");
    for (const bad of ["", " ", "a\tb", "a\r\nQUIT", "x".repeat(513)]) {
      assert.throws(() => checkVrfyArgument(bad), InvalidArgumentError);
    }
  });
});
