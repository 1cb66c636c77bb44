import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InvalidArgumentError, LimitError, ProtocolError } from "../../src/errors.js";
import { ScramClient } from "../../src/sasl/scram-client.js";

const b = (s: string) => Buffer.from(s, "utf8");

// RFC 5802 §5: user "user", password "pencil".
const RFC5802 = {
  clientFirst: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
  serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
  clientFinal: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
  serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
};

// RFC 7677 §3: user "user", password "pencil".
const RFC7677 = {
  clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
  serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  clientFinal:
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

function sha1Client(extra: { authzid?: string; user?: string } = {}) {
  return new ScramClient(
    "SCRAM-SHA-1",
    { user: extra.user ?? "user", password: "pencil", authzid: extra.authzid },
    { nonce: "fyko+d2lbbFgONRv9qkxdawL" },
  );
}

function sha256Client() {
  return new ScramClient(
    "SCRAM-SHA-256",
    { user: "user", password: "pencil" },
    { nonce: "rOprNGfwEbeRWgbNEkqO" },
  );
}

describe("SCRAM client: published vectors", () => {
  test("RFC 5802 §5 SCRAM-SHA-1, server-final as a challenge", () => {
    const client = sha1Client();
    assert.equal(client.initialResponse, true);
    assert.equal(client.start().toString(), RFC5802.clientFirst);
    assert.equal(client.respond(b(RFC5802.serverFirst)).toString(), RFC5802.clientFinal);
    assert.equal(client.done, false);
    assert.deepEqual(client.respond(b(RFC5802.serverFinal)), Buffer.alloc(0));
    assert.equal(client.done, true);
    client.verifyFinal(undefined);
  });

  test("RFC 7677 §3 SCRAM-SHA-256, server-final with the success", () => {
    const client = sha256Client();
    assert.equal(client.start().toString(), RFC7677.clientFirst);
    assert.equal(client.respond(b(RFC7677.serverFirst)).toString(), RFC7677.clientFinal);
    client.verifyFinal(b(RFC7677.serverFinal));
    assert.equal(client.done, true);
  });

  test("without an inline initial response, the first empty challenge gets the client-first message", () => {
    const client = sha256Client();
    assert.equal(client.respond(Buffer.alloc(0)).toString(), RFC7677.clientFirst);
    assert.equal(client.respond(b(RFC7677.serverFirst)).toString(), RFC7677.clientFinal);
  });
});

describe("SCRAM client: names and GS2 header", () => {
  test("escapes = and , in the user name and puts the authzid in the GS2 header", () => {
    const client = sha1Client({ user: "a=b,c", authzid: "x,y=z" });
    assert.equal(client.start().toString(), "n,a=x=2Cy=3Dz,n=a=3Db=2Cc,r=fyko+d2lbbFgONRv9qkxdawL");
    // c= carries the GS2 header in base64.
    const final = client.respond(b("r=fyko+d2lbbFgONRv9qkxdawLsrv,s=QSXCR+Q6sek8bf92,i=1")).toString();
    const c = /^c=([^,]*),/.exec(final)?.[1];
    assert.equal(Buffer.from(c!, "base64").toString(), "n,a=x=2Cy=3Dz,");
  });

  test("a default nonce is random, printable and comma-free", () => {
    const one = new ScramClient("SCRAM-SHA-256", { user: "u", password: "p" }).start().toString();
    const two = new ScramClient("SCRAM-SHA-256", { user: "u", password: "p" }).start().toString();
    assert.match(one, /^n,,n=u,r=[\x21-\x2b\x2d-\x7e]{24}$/);
    assert.notEqual(one, two);
  });

  test("refuses missing credentials, NUL, and bad injected nonces", () => {
    assert.throws(() => new ScramClient("SCRAM-SHA-1", { user: "u" }), InvalidArgumentError);
    assert.throws(() => new ScramClient("SCRAM-SHA-1", { user: "", password: "p" }), InvalidArgumentError);
    assert.throws(() => new ScramClient("SCRAM-SHA-1", { user: "u\0", password: "p" }), InvalidArgumentError);
    assert.throws(
      () => new ScramClient("SCRAM-SHA-1", { user: "u", password: "p", authzid: "\0" }),
      InvalidArgumentError,
    );
    assert.throws(
      () => new ScramClient("SCRAM-SHA-1", { user: "u", password: "p" }, { nonce: "a,b" }),
      InvalidArgumentError,
    );
    assert.throws(
      () => new ScramClient("SCRAM-SHA-1", { user: "u", password: "p" }, { nonce: "" }),
      InvalidArgumentError,
    );
  });
});

describe("SCRAM client: hostile or broken servers", () => {
  function afterFirst(serverFirst: string, maxIterations?: number) {
    const client = new ScramClient(
      "SCRAM-SHA-1",
      { user: "user", password: "pencil" },
      { nonce: "fyko+d2lbbFgONRv9qkxdawL", maxIterations },
    );
    client.start();
    return () => client.respond(b(serverFirst));
  }
  const reason = (r: string) => (e: unknown) => e instanceof ProtocolError && e.reason === r;

  test("a server nonce that does not extend the client nonce", () => {
    assert.throws(afterFirst("r=somethingelse,s=QSXCR+Q6sek8bf92,i=4096"), reason("sasl-nonce-mismatch"));
  });

  test("iteration counts out of range or not a number", () => {
    for (const i of ["0", "-1", "1000001", "abc", "", "1e3", "99999999999"]) {
      assert.throws(
        afterFirst(`r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=${i}`),
        reason("sasl-iterations"),
        i,
      );
    }
    assert.throws(
      afterFirst("r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=5000", 4096),
      reason("sasl-iterations"),
    );
  });

  test("malformed server-first messages", () => {
    for (const text of [
      "",
      "garbage",
      "s=QSXCR+Q6sek8bf92,r=fyko+d2lbbFgONRv9qkxdawLx,i=4096",
      "r=fyko+d2lbbFgONRv9qkxdawLx,s=not*base64,i=4096",
      "r=fyko+d2lbbFgONRv9qkxdawLx,s=,i=4096",
      "m=ext,r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=4096",
      "r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92",
    ]) {
      assert.throws(afterFirst(text), reason("sasl-malformed-challenge"), text);
    }
    const client = sha1Client();
    client.start();
    assert.throws(() => client.respond(Buffer.from([0xff, 0xfe])), reason("sasl-malformed-challenge"));
  });

  test("an oversized challenge is a LimitError", () => {
    const client = sha1Client();
    client.start();
    assert.throws(() => client.respond(Buffer.alloc(64 * 1024 + 1, 0x61)), LimitError);
  });

  test("a server error e= is reported with the server's text, escaped", () => {
    const run = afterFirst("e=unknown-user\x1b[31m");
    assert.throws(run, (e: unknown) => {
      assert.ok(e instanceof ProtocolError);
      assert.equal(e.reason, "sasl-server-error");
      assert.match(e.message, /unknown-user\\u001b\[31m/);
      return true;
    });
    const client = sha1Client();
    client.start();
    client.respond(b(RFC5802.serverFirst));
    assert.throws(
      () => client.respond(b("e=invalid-proof")),
      (e: unknown) => {
        return (
          e instanceof ProtocolError &&
          e.reason === "sasl-server-error" &&
          e.message.includes("invalid-proof")
        );
      },
    );
  });

  test("a forged server signature, as a challenge or as success data", () => {
    const forged = `v=${Buffer.alloc(20, 7).toString("base64")}`;
    const one = sha1Client();
    one.start();
    one.respond(b(RFC5802.serverFirst));
    assert.throws(() => one.respond(b(forged)), reason("sasl-server-signature"));
    assert.equal(one.done, false);

    const two = sha1Client();
    two.start();
    two.respond(b(RFC5802.serverFirst));
    assert.throws(() => two.verifyFinal(b(forged)), reason("sasl-server-signature"));
    // A signature of the wrong length is a mismatch too, not a crash.
    const three = sha1Client();
    three.start();
    three.respond(b(RFC5802.serverFirst));
    assert.throws(() => three.verifyFinal(b("v=AAAA")), reason("sasl-server-signature"));
  });

  test("a success without any server signature is refused", () => {
    const client = sha1Client();
    client.start();
    client.respond(b(RFC5802.serverFirst));
    assert.throws(() => client.verifyFinal(undefined), reason("sasl-server-signature"));
    const early = sha1Client();
    early.start();
    assert.throws(() => early.verifyFinal(Buffer.alloc(0)), reason("sasl-server-signature"));
  });

  test("a challenge after the end is unexpected", () => {
    const client = sha1Client();
    client.start();
    client.respond(b(RFC5802.serverFirst));
    client.respond(b(RFC5802.serverFinal));
    assert.throws(() => client.respond(Buffer.alloc(0)), reason("sasl-unexpected-challenge"));
  });
});
