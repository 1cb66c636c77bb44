import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ScramClient } from "../../src/sasl/scram-client.js";
import { deriveScramKeys } from "../../src/sasl/scram-core.js";
import { createSaslServer } from "../../src/sasl/server.js";
import type { SaslServerStep, SaslVerifier } from "../../src/sasl/types.js";

const b = (s: string) => Buffer.from(s, "utf8");

const RFC5802 = {
  clientFirst: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
  serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
  clientFinal: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
  serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
};
const RFC7677 = {
  clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
  serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  clientFinal:
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

const keys1 = deriveScramKeys("pencil", Buffer.from("QSXCR+Q6sek8bf92", "base64"), 4096, "sha1");
const keys256 = deriveScramKeys("pencil", Buffer.from("W22ZaJ0SNY7soEsUEjb6gQ==", "base64"), 4096, "sha256");

function verifier(record: SaslVerifier["lookup"]): SaslVerifier {
  return { lookup: record };
}
const rfcUsers = verifier(async (user) => (user === "user" ? { scram: keys1 } : undefined));
const rfcUsers256 = verifier(async (user) => (user === "user" ? { scram: keys256 } : undefined));

function text(step: SaslServerStep): string {
  assert.equal(step.kind, "challenge");
  return step.kind === "challenge" ? step.data.toString() : "";
}

describe("SCRAM server: published vectors", () => {
  test("RFC 5802 §5 with stored keys, server-final as a challenge", async () => {
    const server = createSaslServer("scram-sha-1", rfcUsers, { nonce: "3rfcNHYJY1ZVvWVs7j" });
    assert.equal(server.mechanism, "SCRAM-SHA-1");
    assert.equal(text(await server.step(b(RFC5802.clientFirst))), RFC5802.serverFirst);
    assert.equal(text(await server.step(b(RFC5802.clientFinal))), RFC5802.serverFinal);
    assert.deepEqual(await server.step(Buffer.alloc(0)), { kind: "success", identity: { user: "user" } });
  });

  test("RFC 7677 §3 with stored keys, server-final with the success", async () => {
    const server = createSaslServer("SCRAM-SHA-256", rfcUsers256, {
      nonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
      successData: true,
    });
    assert.equal(text(await server.step(b(RFC7677.clientFirst))), RFC7677.serverFirst);
    const done = await server.step(b(RFC7677.clientFinal));
    assert.equal(done.kind, "success");
    assert.equal(done.kind === "success" && done.data?.toString(), RFC7677.serverFinal);
  });

  test("without an initial response, asks with an empty challenge first", async () => {
    const server = createSaslServer("SCRAM-SHA-1", rfcUsers, { nonce: "3rfcNHYJY1ZVvWVs7j" });
    assert.equal(text(await server.step(undefined)), "");
    assert.equal(text(await server.step(b(RFC5802.clientFirst))), RFC5802.serverFirst);
  });
});

describe("SCRAM server: failures", () => {
  test("a wrong proof is invalid-credentials", async () => {
    const server = createSaslServer("SCRAM-SHA-1", rfcUsers, { nonce: "3rfcNHYJY1ZVvWVs7j" });
    await server.step(b(RFC5802.clientFirst));
    const bad = RFC5802.clientFinal.replace("p=v0X8", "p=w0X8");
    assert.deepEqual(await server.step(b(bad)), { kind: "failure", reason: "invalid-credentials" });
    assert.deepEqual(await server.step(Buffer.alloc(0)), { kind: "failure", reason: "exchange-finished" });
  });

  test("an unknown user gets a stable stand-in salt and fails only at the end", async () => {
    const salts: string[] = [];
    for (let i = 0; i < 2; i++) {
      const server = createSaslServer("SCRAM-SHA-256", rfcUsers256);
      const client = new ScramClient("SCRAM-SHA-256", { user: "nobody", password: "x" });
      const first = text(await server.step(client.start()));
      assert.match(first, /^r=[^,]+,s=[A-Za-z0-9+/=]+,i=4096$/);
      salts.push(first.split(",")[1]!);
      const final = client.respond(b(first));
      assert.deepEqual(await server.step(final), { kind: "failure", reason: "unknown-user" });
    }
    assert.equal(salts[0], salts[1]);
  });

  test("channel binding requested (p=) is refused; y is accepted", async () => {
    const server = createSaslServer("SCRAM-SHA-1", rfcUsers);
    assert.deepEqual(await server.step(b("p=tls-exporter,,n=user,r=abc")), {
      kind: "failure",
      reason: "channel-binding-unsupported",
    });
    const yes = createSaslServer("SCRAM-SHA-1", rfcUsers, { nonce: "3rfcNHYJY1ZVvWVs7j" });
    assert.equal((await yes.step(b("y,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"))).kind, "challenge");
  });

  test("a c= that does not repeat the GS2 header, or a changed nonce, is malformed", async () => {
    for (const final of [
      RFC5802.clientFinal.replace("c=biws", "c=eSws"),
      RFC5802.clientFinal.replace("7j,p=", "7k,p="),
      "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j",
      "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=AAAA",
      "p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    ]) {
      const server = createSaslServer("SCRAM-SHA-1", rfcUsers, { nonce: "3rfcNHYJY1ZVvWVs7j" });
      await server.step(b(RFC5802.clientFirst));
      assert.deepEqual(await server.step(b(final)), { kind: "failure", reason: "malformed-response" }, final);
    }
  });

  test("malformed client-first messages", async () => {
    for (const first of [
      "",
      "n,,",
      "x,,n=user,r=abc",
      "n,,r=abc,n=user",
      "n,,n=,r=abc",
      "n,,n=us=er,r=abc",
      "n,a=,n=user,r=abc",
      "n,,m=ext,n=user,r=abc",
      "n,,n=user,r=a b",
    ]) {
      const server = createSaslServer("SCRAM-SHA-1", rfcUsers);
      assert.deepEqual(await server.step(b(first)), { kind: "failure", reason: "malformed-response" }, first);
    }
  });

  test("keys of the other hash are unsupported-credentials", async () => {
    const server = createSaslServer("SCRAM-SHA-256", rfcUsers);
    assert.deepEqual(await server.step(b(RFC7677.clientFirst)), {
      kind: "failure",
      reason: "unsupported-credentials",
    });
  });

  test("a non-empty answer to the server-final challenge is malformed", async () => {
    const server = createSaslServer("SCRAM-SHA-1", rfcUsers, { nonce: "3rfcNHYJY1ZVvWVs7j" });
    await server.step(b(RFC5802.clientFirst));
    await server.step(b(RFC5802.clientFinal));
    assert.deepEqual(await server.step(b("x")), { kind: "failure", reason: "malformed-response" });
  });
});

describe("SCRAM server: identities and stored passwords", () => {
  test("a plain stored password works, with the authzid reported and names unescaped", async () => {
    const store = verifier(async (user) => (user === "a,b=c" ? { password: "pässword" } : undefined));
    const server = createSaslServer("SCRAM-SHA-256", store, { iterations: 1000 });
    const client = new ScramClient("SCRAM-SHA-256", { user: "a,b=c", password: "pässword", authzid: "boss" });
    const first = await server.step(client.start());
    assert.match(text(first), /,i=1000$/);
    const last = await server.step(client.respond(first.kind === "challenge" ? first.data : Buffer.alloc(0)));
    client.respond(last.kind === "challenge" ? last.data : Buffer.alloc(0));
    assert.equal(client.done, true);
    assert.deepEqual(await server.step(Buffer.alloc(0)), {
      kind: "success",
      identity: { user: "a,b=c", authzid: "boss" },
    });
  });
});
