import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EXIT, exitCodeFor } from "../../src/cli/exit-codes.js";
import {
  AbortError,
  ConnectionClosedError,
  InvalidArgumentError,
  LimitError,
  ProtocolError,
  ReplyError,
  TimeoutError,
  TlsError,
} from "../../src/errors.js";

describe("exitCodeFor", () => {
  it("maps every error class to its documented code", () => {
    assert.equal(exitCodeFor(new InvalidArgumentError("bad")), 2);
    assert.equal(exitCodeFor(new ConnectionClosedError("gone")), 3);
    assert.equal(exitCodeFor(new TimeoutError("connect", 1)), 3);
    assert.equal(exitCodeFor(new TlsError("certificate", "bad cert")), 3);
    assert.equal(exitCodeFor(new ReplyError({ status: 550, lines: ["no"], command: "RETR x" })), 4);
    assert.equal(exitCodeFor(new ReplyError({ status: 530, lines: ["no"], command: "PASS ****" })), 3);
    assert.equal(
      exitCodeFor(new ReplyError({ status: "NO", lines: ["no"], command: "a1 LOGIN bob ****" })),
      3,
    );
    assert.equal(exitCodeFor(new ProtocolError("malformed-reply", "junk")), 4);
    assert.equal(exitCodeFor(new LimitError("line", 10)), 4);
    assert.equal(exitCodeFor(new AbortError()), 130);
    assert.equal(
      exitCodeFor(Object.assign(new Error("no such file"), { code: "ENOENT", syscall: "open" })),
      5,
    );
    assert.equal(exitCodeFor(new TypeError("bug")), 1);
    assert.equal(exitCodeFor("a string"), 1);
    assert.deepEqual(Object.values(EXIT), [0, 1, 2, 3, 4, 5, 130]);
  });
});
