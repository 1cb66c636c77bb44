import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InvalidArgumentError, ProtocolError } from "../../src/errors.js";
import { LoginClient } from "../../src/sasl/login.js";
import { createSaslServer } from "../../src/sasl/server.js";
import type { SaslVerifier } from "../../src/sasl/types.js";

const store: SaslVerifier = {
  async lookup(user) {
    return user === "tim" ? { password: "tanstaaftanstaaf" } : undefined;
  },
};

describe("LOGIN client (draft-murchison-sasl-login)", () => {
  test("is server-first and answers user name then password, whatever the prompts say", () => {
    const client = new LoginClient({ user: "tim", password: "tanstaaftanstaaf" });
    assert.equal(client.initialResponse, false);
    assert.equal(client.start(), undefined);
    assert.deepEqual(client.respond(Buffer.from("Password:")), Buffer.from("tim"));
    assert.equal(client.done, false);
    assert.deepEqual(client.respond(Buffer.from("anything")), Buffer.from("tanstaaftanstaaf"));
    assert.equal(client.done, true);
    assert.throws(() => client.respond(Buffer.alloc(0)), ProtocolError);
  });

  test("refuses an authzid, missing fields and line breaks", () => {
    assert.throws(() => new LoginClient({ user: "tim", password: "p", authzid: "x" }), InvalidArgumentError);
    assert.throws(() => new LoginClient({ user: "tim" }), InvalidArgumentError);
    assert.throws(() => new LoginClient({ user: "t\r\nim", password: "p" }), InvalidArgumentError);
  });
});

describe("LOGIN server", () => {
  test("prompts Username: then Password: (SMTP's VXNlcm5hbWU6 / UGFzc3dvcmQ6)", async () => {
    const server = createSaslServer("LOGIN", store);
    const first = await server.step(undefined);
    assert.equal(first.kind === "challenge" && first.data.toString("base64"), "VXNlcm5hbWU6");
    const second = await server.step(Buffer.from("tim"));
    assert.equal(second.kind === "challenge" && second.data.toString("base64"), "UGFzc3dvcmQ6");
    assert.deepEqual(await server.step(Buffer.from("tanstaaftanstaaf")), {
      kind: "success",
      identity: { user: "tim" },
    });
  });

  test("takes the user name as an initial response", async () => {
    const server = createSaslServer("LOGIN", store);
    const first = await server.step(Buffer.from("tim"));
    assert.equal(first.kind === "challenge" && first.data.toString(), "Password:");
    assert.deepEqual(await server.step(Buffer.from("wrong")), {
      kind: "failure",
      reason: "invalid-credentials",
    });
  });

  test("unknown user and malformed answers", async () => {
    const unknown = createSaslServer("LOGIN", store);
    await unknown.step(undefined);
    await unknown.step(Buffer.from("nobody"));
    assert.deepEqual(await unknown.step(Buffer.from("x")), { kind: "failure", reason: "unknown-user" });

    const empty = createSaslServer("LOGIN", store);
    await empty.step(undefined);
    assert.deepEqual(await empty.step(Buffer.alloc(0)), { kind: "failure", reason: "malformed-response" });

    const notUtf8 = createSaslServer("LOGIN", store);
    await notUtf8.step(undefined);
    await notUtf8.step(Buffer.from("tim"));
    assert.deepEqual(await notUtf8.step(Buffer.from([0xc3])), {
      kind: "failure",
      reason: "malformed-response",
    });
  });
});
