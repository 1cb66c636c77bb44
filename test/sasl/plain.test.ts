import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError, ProtocolError } from "../../src/errors.js";
import { PlainClient } from "../../src/sasl/plain.js";
import { createSaslServer } from "../../src/sasl/server.js";
import type { SaslVerifier } from "../../src/sasl/types.js";

const users = (table: Record<string, string>): SaslVerifier => ({
  async lookup(user) {
    return Object.hasOwn(table, user) ? { password: table[user]! } : undefined;
  },
});

describe("PLAIN client (RFC 4616)", () => {
  test("RFC 4616 §4 examples, byte for byte", () => {
    assert.deepEqual(
      new PlainClient({ user: "tim", password: "tanstaaftanstaaf" }).start(),
      Buffer.from("\0tim\0tanstaaftanstaaf"),
    );
    assert.deepEqual(
      new PlainClient({ user: "Kurt", password: "xipj3plmq", authzid: "Ursel" }).start(),
      Buffer.from("Ursel\0Kurt\0xipj3plmq"),
    );
  });

  test("RFC 4954 §4 example: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=", () => {
    const message = new PlainClient({ user: "test", password: "1234", authzid: "test" }).start();
    assert.equal(message.toString("base64"), "dGVzdAB0ZXN0ADEyMzQ=");
  });

  test("UTF-8 on the wire", () => {
    const message = new PlainClient({ user: "jöran", password: "пароль" }).start();
    assert.deepEqual(message, Buffer.concat([Buffer.from([0]), Buffer.from("jöran\0пароль", "utf8")]));
  });

  test("refuses NUL in any field, and missing or empty user/password", () => {
    for (const credentials of [
      { user: "a\0b", password: "p" },
      { user: "u", password: "p\0" },
      { user: "u", password: "p", authzid: "\0" },
      { user: "u" },
      { user: "", password: "p" },
      { user: "u", password: "" },
    ]) {
      assert.throws(() => new PlainClient(credentials), InvalidArgumentError);
    }
  });

  test("answers an empty challenge with the message once, then refuses challenges", () => {
    const client = new PlainClient({ user: "tim", password: "tanstaaftanstaaf" });
    assert.equal(client.done, false);
    assert.deepEqual(client.respond(Buffer.alloc(0)), Buffer.from("\0tim\0tanstaaftanstaaf"));
    assert.equal(client.done, true);
    assert.throws(
      () => client.respond(Buffer.alloc(0)),
      (e: unknown) => e instanceof ProtocolError && e.reason === "sasl-unexpected-challenge",
    );
  });
});

describe("PLAIN server", () => {
  const store = users({ tim: "tanstaaftanstaaf", Kurt: "xipj3plmq" });

  test("accepts the RFC 4616 examples, reporting the authzid", async () => {
    assert.deepEqual(await createSaslServer("PLAIN", store).step(Buffer.from("\0tim\0tanstaaftanstaaf")), {
      kind: "success",
      identity: { user: "tim" },
    });
    assert.deepEqual(await createSaslServer("plain", store).step(Buffer.from("Ursel\0Kurt\0xipj3plmq")), {
      kind: "success",
      identity: { user: "Kurt", authzid: "Ursel" },
    });
  });

  test("wrong password, unknown user, malformed messages", async () => {
    const cases: [string | Buffer, string][] = [
      ["\0tim\0wrong", "invalid-credentials"],
      ["\0nobody\0x", "unknown-user"],
      ["\0tim", "malformed-response"],
      ["tim\0tanstaaftanstaaf", "malformed-response"],
      ["a\0b\0c\0d", "malformed-response"],
      ["\0\0pw", "malformed-response"],
      ["\0tim\0", "malformed-response"],
      [Buffer.from([0, 0x74, 0, 0xff]), "malformed-response"],
    ];
    for (const [input, reason] of cases) {
      const step = await createSaslServer("PLAIN", store).step(Buffer.from(input));
      assert.deepEqual(step, { kind: "failure", reason }, JSON.stringify(input.toString()));
    }
  });

  test("asks with an empty challenge when there is no initial response", async () => {
    const server = createSaslServer("PLAIN", store);
    assert.deepEqual(await server.step(undefined), { kind: "challenge", data: Buffer.alloc(0) });
    assert.equal((await server.step(Buffer.from("\0tim\0tanstaaftanstaaf"))).kind, "success");
  });

  test("a response over the bound is a failure", async () => {
    const server = createSaslServer("PLAIN", store, { maxResponseBytes: 100 });
    assert.deepEqual(await server.step(Buffer.alloc(101, 0x61)), {
      kind: "failure",
      reason: "response-too-large",
    });
    const big = await createSaslServer("PLAIN", store).step(Buffer.alloc(64 * 1024 + 1, 0x61));
    assert.deepEqual(big, { kind: "failure", reason: "response-too-large" });
  });

  test("any user, password and authzid without NUL survives client → server", async () => {
    const field = fc
      .string({ minLength: 1, maxLength: 20, unit: "grapheme" })
      .filter((s) => !s.includes("\0"));
    await fc.assert(
      fc.asyncProperty(
        field,
        field,
        fc.option(field, { nil: undefined }),
        async (user, password, authzid) => {
          const message = new PlainClient({ user, password, authzid }).start();
          const step = await createSaslServer("PLAIN", users({ [user]: password })).step(message);
          assert.deepEqual(step, {
            kind: "success",
            identity: authzid === undefined ? { user } : { user, authzid },
          });
        },
      ),
      { numRuns: 50 },
    );
  });
});
