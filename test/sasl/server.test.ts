import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../src/errors.js";
import { createSaslServer } from "../../src/sasl/server.js";
import { SASL_MECHANISMS, type SaslServerStep } from "../../src/sasl/types.js";
import { tableVerifier } from "./memory-exchange.js";

// Inputs that get past the first checks of each mechanism, so the fuzzing reaches the later states.
const NEAR_VALID = [
  "\0alice\0correct horse",
  "alice",
  "correct horse",
  "alice 0123456789abcdef0123456789abcdef",
  "n,,n=alice,r=abc",
  "n,,n=bob,r=abc",
  "c=biws,r=abc,p=AAAA",
  "user=carol\x01auth=Bearer x\x01\x01",
  "n,a=carol,\x01auth=Bearer x\x01\x01",
  "\x01",
  "",
];

const response = fc.oneof(
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc.constantFrom(...NEAR_VALID).map((s) => Buffer.from(s)),
  fc.tuple(fc.constantFrom(...NEAR_VALID), fc.string({ maxLength: 20 })).map(([a, b]) => Buffer.from(a + b)),
);

function isStep(step: SaslServerStep): boolean {
  if (step.kind === "challenge") return Buffer.isBuffer(step.data);
  if (step.kind === "success") return typeof step.identity.user === "string";
  return step.kind === "failure" && typeof step.reason === "string";
}

describe("createSaslServer", () => {
  test("client input never makes a server throw; every answer is well-formed; the end is final", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SASL_MECHANISMS),
        fc.array(response, { minLength: 1, maxLength: 5 }),
        async (mechanism, responses) => {
          const server = createSaslServer(mechanism, tableVerifier(), { iterations: 16 });
          let finished = false;
          for (const r of responses) {
            const step = await server.step(r);
            assert.ok(isStep(step), JSON.stringify(step));
            if (finished) assert.deepEqual(step, { kind: "failure", reason: "exchange-finished" });
            if (step.kind !== "challenge") finished = true;
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  test("names are case-insensitive; unknown mechanisms and bad options are refused", () => {
    assert.equal(createSaslServer("scram-sha-256", tableVerifier()).mechanism, "SCRAM-SHA-256");
    assert.throws(() => createSaslServer("GSSAPI", tableVerifier()), InvalidArgumentError);
    assert.throws(
      () => createSaslServer("PLAIN", tableVerifier(), { maxResponseBytes: 0 }),
      InvalidArgumentError,
    );
    assert.throws(
      () => createSaslServer("SCRAM-SHA-1", tableVerifier(), { iterations: 0 }),
      InvalidArgumentError,
    );
    assert.throws(
      () => createSaslServer("SCRAM-SHA-1", tableVerifier(), { nonce: "a,b" }),
      InvalidArgumentError,
    );
  });

  test("a step while another is still running is refused", async () => {
    let release: () => void = () => {};
    const slow = {
      lookup: () =>
        new Promise<{ password: string }>((resolve) => {
          release = () => resolve({ password: "pw" });
        }),
    };
    const server = createSaslServer("PLAIN", slow);
    const first = server.step(Buffer.from("\0u\0pw"));
    assert.deepEqual(await server.step(Buffer.from("\0u\0pw")), {
      kind: "failure",
      reason: "exchange-finished",
    });
    release();
    assert.equal((await first).kind, "success");
  });

  test("errors thrown by the verifier propagate (they are the application's, not the client's)", async () => {
    const broken = {
      lookup: async () => {
        throw new Error("database down");
      },
    };
    await assert.rejects(createSaslServer("PLAIN", broken).step(Buffer.from("\0u\0p")), /database down/);
  });
});
