import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InvalidArgumentError, ProtocolError } from "../../src/errors.js";
import { CramMd5Client } from "../../src/sasl/cram-md5.js";
import { deriveScramKeys } from "../../src/sasl/scram-core.js";
import { createSaslServer } from "../../src/sasl/server.js";
import type { SaslVerifier } from "../../src/sasl/types.js";

const CHALLENGE = "<1896.697170952@postoffice.reston.mci.net>";
const RESPONSE = "tim b913a602c7eda7a495b4e6e7334d3890";

const store: SaslVerifier = {
  async lookup(user) {
    if (user === "tim") return { password: "tanstaaftanstaaf" };
    if (user === "scram-only") return { scram: deriveScramKeys("x", Buffer.from("salt"), 1, "sha256") };
    return undefined;
  },
};

describe("CRAM-MD5 client (RFC 2195)", () => {
  test("RFC 2195 §2 example", () => {
    const client = new CramMd5Client({ user: "tim", password: "tanstaaftanstaaf" });
    assert.equal(client.initialResponse, false);
    assert.equal(client.start(), undefined);
    assert.equal(client.respond(Buffer.from(CHALLENGE)).toString(), RESPONSE);
    assert.equal(client.done, true);
    // And its base64, as it goes on the wire.
    assert.equal(
      Buffer.from(RESPONSE).toString("base64"),
      "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw",
    );
  });

  test("an empty or second challenge is a protocol error", () => {
    const client = new CramMd5Client({ user: "tim", password: "tanstaaftanstaaf" });
    assert.throws(() => client.respond(Buffer.alloc(0)), ProtocolError);
    client.respond(Buffer.from(CHALLENGE));
    assert.throws(() => client.respond(Buffer.from(CHALLENGE)), ProtocolError);
  });

  test("refuses an authzid and missing credentials", () => {
    assert.throws(
      () => new CramMd5Client({ user: "tim", password: "p", authzid: "a" }),
      InvalidArgumentError,
    );
    assert.throws(() => new CramMd5Client({ user: "tim" }), InvalidArgumentError);
  });
});

describe("CRAM-MD5 server", () => {
  test("verifies the RFC 2195 example response", async () => {
    const server = createSaslServer("CRAM-MD5", store, { challenge: CHALLENGE });
    const first = await server.step(undefined);
    assert.equal(first.kind === "challenge" && first.data.toString(), CHALLENGE);
    assert.deepEqual(await server.step(Buffer.from(RESPONSE)), {
      kind: "success",
      identity: { user: "tim" },
    });
  });

  test("makes challenges of the form <random.timestamp@hostname>, each different", async () => {
    const one = await createSaslServer("CRAM-MD5", store, { hostname: "mail.example.test" }).step(undefined);
    const two = await createSaslServer("CRAM-MD5", store, { hostname: "mail.example.test" }).step(undefined);
    const text = (s: typeof one) => (s.kind === "challenge" ? s.data.toString() : "");
    assert.match(text(one), /^<\d+\.\d+@mail\.example\.test>$/);
    assert.notEqual(text(one), text(two));
    const defaultHost = await createSaslServer("CRAM-MD5", store).step(undefined);
    assert.match(text(defaultHost), /^<\d+\.\d+@[A-Za-z0-9.-]+>$/);
  });

  test("wrong digest, unknown user, SCRAM-only account, malformed responses, initial response", async () => {
    const cases: [string, string][] = [
      ["tim b913a602c7eda7a495b4e6e7334d3891", "invalid-credentials"],
      ["nobody b913a602c7eda7a495b4e6e7334d3890", "unknown-user"],
      ["scram-only b913a602c7eda7a495b4e6e7334d3890", "unsupported-credentials"],
      ["timb913a602c7eda7a495b4e6e7334d3890", "malformed-response"],
      ["tim b913a602", "malformed-response"],
      [" b913a602c7eda7a495b4e6e7334d3890", "malformed-response"],
    ];
    for (const [response, reason] of cases) {
      const server = createSaslServer("CRAM-MD5", store, { challenge: CHALLENGE });
      await server.step(undefined);
      assert.deepEqual(await server.step(Buffer.from(response)), { kind: "failure", reason }, response);
    }
    const eager = createSaslServer("CRAM-MD5", store);
    assert.deepEqual(await eager.step(Buffer.from(RESPONSE)), {
      kind: "failure",
      reason: "unexpected-initial-response",
    });
  });

  test("accepts an upper-case digest", async () => {
    const server = createSaslServer("CRAM-MD5", store, { challenge: CHALLENGE });
    await server.step(undefined);
    assert.equal(
      (await server.step(Buffer.from(RESPONSE.toUpperCase().replace("TIM", "tim")))).kind,
      "success",
    );
  });
});
