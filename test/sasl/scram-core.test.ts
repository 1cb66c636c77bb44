import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../src/errors.js";
import {
  deriveScramKeys,
  deriveScramKeysAsync,
  escapeSaslName,
  parseAttributes,
  saslPrepApprox,
  unescapeSaslName,
} from "../../src/sasl/scram-core.js";

describe("saslPrepApprox", () => {
  test("RFC 4013 §3 examples that the approximation covers", () => {
    assert.equal(saslPrepApprox("I\u00ADX"), "IX");
    assert.equal(saslPrepApprox("user"), "user");
    assert.equal(saslPrepApprox("USER"), "USER");
    assert.equal(saslPrepApprox("\u00AA"), "a");
    assert.equal(saslPrepApprox("\u2168"), "IX");
  });

  test("non-ASCII spaces become U+0020 and zero-width characters vanish", () => {
    assert.equal(saslPrepApprox("a\u00A0b\u3000c"), "a b c");
    assert.equal(saslPrepApprox("a\u200Bb\uFEFFc"), "abc");
  });

  test("is the identity on printable ASCII", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(..."abcXYZ019 !~=,\\\"'") }),
        (s) => saslPrepApprox(s) === s,
      ),
    );
  });
});

describe("saslname escaping (RFC 5802 §5.1)", () => {
  test("escapes = and , and nothing else", () => {
    assert.equal(escapeSaslName("a=b,c"), "a=3Db=2Cc");
    assert.equal(escapeSaslName("=2C"), "=3D2C");
    assert.equal(unescapeSaslName("a=3Db=2Cc"), "a=b,c");
  });

  test("unescape refuses a lone =", () => {
    assert.equal(unescapeSaslName("a=b"), undefined);
    assert.equal(unescapeSaslName("a="), undefined);
    assert.equal(unescapeSaslName("=2c"), undefined);
  });

  test("round trip, and the escaped form never holds a comma", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."a=,2C3D") }), (s) => {
        const escaped = escapeSaslName(s);
        return !escaped.includes(",") && unescapeSaslName(escaped) === s;
      }),
    );
  });
});

describe("parseAttributes", () => {
  test("splits single-letter attributes and refuses anything else", () => {
    assert.deepEqual(parseAttributes("r=a=b,s=c"), [
      { key: "r", value: "a=b" },
      { key: "s", value: "c" },
    ]);
    assert.equal(parseAttributes("rr=a"), undefined);
    assert.equal(parseAttributes("r=a,,s=b"), undefined);
    assert.equal(parseAttributes(""), undefined);
  });
});

describe("deriveScramKeys", () => {
  test("same keys synchronously and asynchronously, and different per hash and salt", async () => {
    const salt = Buffer.from("QSXCR+Q6sek8bf92", "base64");
    const sync = deriveScramKeys("pencil", salt, 4096, "sha1");
    const async = await deriveScramKeysAsync("pencil", salt, 4096, "sha1");
    assert.deepEqual(sync, async);
    assert.equal(sync.storedKey.length, 20);
    assert.equal(sync.serverKey.length, 20);
    const sha256 = deriveScramKeys("pencil", salt, 4096, "sha256");
    assert.equal(sha256.storedKey.length, 32);
    assert.notDeepEqual(
      deriveScramKeys("pencil", Buffer.from("other"), 4096, "sha1").storedKey,
      sync.storedKey,
    );
  });

  test("the password is normalized as the client normalizes it", () => {
    const salt = Buffer.from("salt");
    assert.deepEqual(
      deriveScramKeys("I\u00ADX", salt, 1, "sha256"),
      deriveScramKeys("IX", salt, 1, "sha256"),
    );
  });

  test("refuses an empty salt, a bad iteration count or hash", () => {
    assert.throws(() => deriveScramKeys("p", Buffer.alloc(0), 4096, "sha1"), InvalidArgumentError);
    assert.throws(() => deriveScramKeys("p", Buffer.from("s"), 0, "sha1"), InvalidArgumentError);
    assert.throws(() => deriveScramKeys("p", Buffer.from("s"), 1.5, "sha1"), InvalidArgumentError);
    assert.throws(() => deriveScramKeys("p", Buffer.from("s"), 1, "md5" as "sha1"), InvalidArgumentError);
  });
});
