import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AbortError,
  abortErrorFrom,
  ConnectionClosedError,
  InetError,
  InvalidArgumentError,
  LimitError,
  ProtocolError,
  ReplyError,
  TimeoutError,
  TlsError,
} from "../src/errors.js";
import { Redactor } from "../src/transport/trace.js";

const context = { host: "mail.example.test:587", command: "RCPT TO:<bob@example.test>" };

describe("errors", () => {
  it("gives every class a stable code, a name, and the host and command in the message", () => {
    const cases: Array<[InetError, string]> = [
      [new ReplyError({ status: 550, lines: ["5.1.1 no such user"], ...context }), "EREPLY"],
      [new ProtocolError("malformed-reply", "bad reply", context), "EPROTOCOL"],
      [new LimitError("line", 8192, context), "ELIMIT"],
      [new ConnectionClosedError("the peer closed the connection", context), "ECLOSED"],
      [new TimeoutError("command", 1000, context), "ETIMEDOUT"],
      [new TlsError("certificate", "certificate rejected", context), "ETLS"],
      [new AbortError(context), "EABORT"],
      [new InvalidArgumentError("argument 1 contains CR", context), "EINVAL"],
    ];
    for (const [error, code] of cases) {
      assert.ok(error instanceof InetError && error instanceof Error);
      assert.equal(error.code, code);
      assert.equal(error.name, error.constructor.name);
      assert.equal(error.host, context.host);
      assert.match(error.message, /mail\.example\.test:587/);
      assert.match(error.message, /RCPT TO:<bob@example\.test>/);
    }
  });

  it("classifies replies as transient or permanent from the code or the enhanced code", () => {
    const transient = new ReplyError({ status: 451, lines: ["try later"] });
    assert.equal(transient.isTransient, true);
    assert.equal(transient.isPermanent, false);
    assert.equal(transient.replyCode, 451);
    const permanent = new ReplyError({ status: 550, lines: ["no"], enhancedCode: "5.7.1" });
    assert.equal(permanent.isPermanent, true);
    assert.equal(permanent.enhancedCode, "5.7.1");
    // The enhanced code wins when the two disagree (a 5xx carrying a 4.x.x status is temporary).
    assert.equal(new ReplyError({ status: 550, lines: ["x"], enhancedCode: "4.2.2" }).isTransient, true);
    const imap = new ReplyError({
      status: "NO",
      lines: ["[TRYCREATE] no mailbox"],
      responseCode: "TRYCREATE",
    });
    assert.equal(imap.replyCode, undefined);
    assert.equal(imap.responseCode, "TRYCREATE");
    assert.equal(imap.isTransient || imap.isPermanent, false, "IMAP NO alone says neither");
    assert.equal(new ReplyError({ status: "NO", lines: [], severity: "transient" }).isTransient, true);
    assert.match(new ReplyError({ status: 550, lines: ["a", "b"] }).message, /server replied 550: a \/ b/);
  });

  it("keeps limit details and protocol reasons", () => {
    const limit = new LimitError("reply", 1024);
    assert.ok(limit instanceof ProtocolError, "a LimitError is a ProtocolError");
    assert.equal(limit.reason, "reply-too-large");
    assert.equal(limit.limit, 1024);
    assert.equal(limit.what, "reply");
    assert.equal(new TimeoutError("greeting", 30000).phase, "greeting");
    assert.equal(new ConnectionClosedError("reset").reason, "reset");
    assert.equal(new TlsError("insecure-auth", "no").reason, "insecure-auth");
  });

  it("names every timeout phase", () => {
    for (const phase of ["connect", "greeting", "command", "data", "idle"] as const) {
      const error = new TimeoutError(phase, 50);
      assert.equal(error.phase, phase);
      assert.match(error.message, new RegExp(`^${phase} timed out after 50 ms`));
    }
  });

  it("keeps causes, and turns a signal's reason into an AbortError", () => {
    const cause = new Error("socket hang up");
    assert.equal(new ConnectionClosedError("x", { cause }).cause, cause);
    const controller = new AbortController();
    controller.abort(new Error("user pressed Ctrl-C"));
    const error = abortErrorFrom(controller.signal, { host: "h:1" });
    assert.ok(error instanceof AbortError);
    assert.equal((error.cause as Error).message, "user pressed Ctrl-C");
    const already = new AbortError();
    const again = new AbortController();
    again.abort(already);
    assert.equal(abortErrorFrom(again.signal), already);
  });

  it("never shows a password when the command comes through the redactor", () => {
    const error = new ReplyError({
      status: 530,
      lines: ["Login incorrect."],
      host: "ftp.example.test:21",
      command: Redactor.command("PASS hunter2"),
    });
    assert.ok(!error.message.includes("hunter2"));
    assert.match(error.message, /PASS \*\*\*\*/);
  });
});
