import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError, ProtocolError } from "../../src/errors.js";
import { chooseMechanism, createSaslClient } from "../../src/sasl/client.js";
import { SASL_MECHANISMS } from "../../src/sasl/types.js";

const ALL = [...SASL_MECHANISMS];

describe("chooseMechanism", () => {
  test("with a password: SCRAM-SHA-256 > SCRAM-SHA-1 > CRAM-MD5 > PLAIN > LOGIN", () => {
    const creds = { user: "u", password: "p" };
    const order = ["SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"];
    for (let i = 0; i < order.length; i++) {
      assert.equal(chooseMechanism(order.slice(i).reverse(), creds), order[i]);
    }
    assert.equal(chooseMechanism(ALL, creds), "SCRAM-SHA-256");
  });

  test("with a token: OAUTHBEARER > XOAUTH2, and never a password mechanism", () => {
    const creds = { user: "u", accessToken: "t" };
    assert.equal(chooseMechanism(ALL, creds), "OAUTHBEARER");
    assert.equal(chooseMechanism(["PLAIN", "XOAUTH2"], creds), "XOAUTH2");
    assert.equal(chooseMechanism(["PLAIN", "LOGIN", "SCRAM-SHA-256"], creds), undefined);
  });

  test("a password never picks a token mechanism; both prefer the token", () => {
    assert.equal(chooseMechanism(["XOAUTH2", "OAUTHBEARER"], { user: "u", password: "p" }), undefined);
    assert.equal(chooseMechanism(ALL, { user: "u", password: "p", accessToken: "t" }), "OAUTHBEARER");
    assert.equal(
      chooseMechanism(["PLAIN", "XOAUTH2"], { user: "u", password: "p", accessToken: "t" }),
      "XOAUTH2",
    );
  });

  test("case-insensitive, with spaces trimmed, unknown names ignored", () => {
    const creds = { user: "u", password: "p" };
    assert.equal(chooseMechanism(["plain", " cram-md5 ", "GSSAPI", "NTLM"], creds), "CRAM-MD5");
    assert.equal(chooseMechanism(new Set(["Login"]), creds), "LOGIN");
    assert.equal(chooseMechanism(["GSSAPI", "EXTERNAL"], creds), undefined);
    assert.equal(chooseMechanism([], creds), undefined);
  });

  test("an authzid skips mechanisms that cannot carry it", () => {
    const creds = { user: "u", password: "p", authzid: "boss" };
    assert.equal(chooseMechanism(["CRAM-MD5", "LOGIN", "PLAIN"], creds), "PLAIN");
    assert.equal(chooseMechanism(["CRAM-MD5", "LOGIN"], creds), undefined);
    assert.equal(
      chooseMechanism(["XOAUTH2", "OAUTHBEARER"], { user: "u", accessToken: "t", authzid: "b" }),
      "OAUTHBEARER",
    );
  });

  test("the caller's preferred order wins and restricts", () => {
    const creds = { user: "u", password: "p" };
    assert.equal(chooseMechanism(ALL, creds, ["plain", "scram-sha-256"]), "PLAIN");
    assert.equal(chooseMechanism(["LOGIN"], creds, ["PLAIN"]), undefined);
    assert.equal(chooseMechanism(ALL, creds, ["NTLM", "login"]), "LOGIN");
  });
});

describe("createSaslClient", () => {
  test("creates every mechanism, case-insensitively", () => {
    const creds = { user: "u", password: "p", accessToken: "t" };
    for (const name of ALL) {
      const client = createSaslClient(name.toLowerCase(), creds);
      assert.equal(client.mechanism, name);
      assert.equal(client.done, false);
    }
  });

  test("client-first mechanisms say so", () => {
    const creds = { user: "u", password: "p", accessToken: "t" };
    const first = ALL.filter((m) => createSaslClient(m, creds).initialResponse);
    assert.deepEqual(first.sort(), ["OAUTHBEARER", "PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256", "XOAUTH2"]);
  });

  test("passes the nonce to SCRAM and host/port to OAUTHBEARER", () => {
    const scram = createSaslClient("SCRAM-SHA-1", { user: "user", password: "pencil" }, { nonce: "abc" });
    assert.equal(scram.start()?.toString(), "n,,n=user,r=abc");
    const bearer = createSaslClient("OAUTHBEARER", { user: "u", accessToken: "t" }, { host: "h", port: 1 });
    assert.equal(bearer.start()?.toString(), "n,a=u,\x01host=h\x01port=1\x01auth=Bearer t\x01\x01");
  });

  test("argument errors name the field, never the secret", () => {
    const secret = "hunter2-secret";
    const bad = [
      ["PLAIN", { user: "u", password: `${secret}\0` }],
      ["LOGIN", { user: "u", password: `${secret}\r\n` }],
      ["CRAM-MD5", { user: "u", password: `${secret}\0` }],
      ["SCRAM-SHA-256", { user: "u", password: `${secret}\0` }],
      ["XOAUTH2", { user: "u", accessToken: `${secret} x` }],
      ["OAUTHBEARER", { user: "u", accessToken: `${secret}\x01` }],
    ] as const;
    for (const [name, credentials] of bad) {
      assert.throws(
        () => createSaslClient(name, credentials),
        (e: unknown) =>
          e instanceof InvalidArgumentError &&
          !e.message.includes(secret) &&
          !e.message.includes(Buffer.from(secret).toString("base64").slice(0, 12)),
        name,
      );
    }
  });

  test("throws InvalidArgumentError for an unknown mechanism or a missing credential", () => {
    assert.throws(() => createSaslClient("GSSAPI", { user: "u", password: "p" }), InvalidArgumentError);
    assert.throws(() => createSaslClient("XOAUTH2", { user: "u", password: "p" }), InvalidArgumentError);
    assert.throws(() => createSaslClient("OAUTHBEARER", { user: "u" }), InvalidArgumentError);
    for (const name of ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"]) {
      assert.throws(
        () => createSaslClient(name, { user: "u", accessToken: "t" }),
        InvalidArgumentError,
        name,
      );
    }
  });
});

describe("clients against arbitrary challenges", () => {
  test("a client only ever throws ProtocolError (or LimitError) for server input", () => {
    const challenge = fc.oneof(
      fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a)),
      fc
        .tuple(fc.constantFrom("r=", "r=abc", "e=", "v=", "s=", "i=", "m="), fc.string({ maxLength: 40 }))
        .map(([a, b]) => Buffer.from(a + b)),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL),
        fc.array(challenge, { minLength: 1, maxLength: 4 }),
        (name, list) => {
          const client = createSaslClient(
            name,
            { user: "u", password: "p", accessToken: "t" },
            { nonce: "abc" },
          );
          if (client.initialResponse) client.start();
          for (const c of list) {
            try {
              assert.ok(Buffer.isBuffer(client.respond(c)));
            } catch (error) {
              assert.ok(error instanceof ProtocolError, String(error));
              return;
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
