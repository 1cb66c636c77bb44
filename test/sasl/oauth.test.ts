import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InvalidArgumentError, ProtocolError } from "../../src/errors.js";
import { OAuthBearerClient, XOAuth2Client } from "../../src/sasl/oauth.js";
import { createSaslServer } from "../../src/sasl/server.js";
import type { SaslVerifier } from "../../src/sasl/types.js";

// RFC 7628 §4.1: the IMAP example's initial client response.
const RFC7628_INITIAL =
  "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
const RFC7628_TOKEN = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";
// RFC 7628 §4.3: the server's error challenge.
const RFC7628_ERROR =
  "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=";
// Google's XOAUTH2 documentation example.
const GOOGLE_INITIAL =
  "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==";
const GOOGLE_TOKEN = "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg";

const tokens: SaslVerifier = {
  async lookup() {
    return undefined;
  },
  async verifyToken(user, token) {
    return (
      (user === "user@example.com" && token === RFC7628_TOKEN) ||
      (user === "someuser@example.com" && token === GOOGLE_TOKEN)
    );
  },
};

describe("XOAUTH2 client", () => {
  test("Google's example, byte for byte", () => {
    const client = new XOAuth2Client({ user: "someuser@example.com", accessToken: GOOGLE_TOKEN });
    assert.equal(client.initialResponse, true);
    assert.equal(client.start().toString("base64"), GOOGLE_INITIAL);
  });

  test("answers the JSON error challenge with an empty response and keeps the detail", () => {
    const client = new XOAuth2Client({ user: "u@example.com", accessToken: "tok" });
    client.start();
    const json = '{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}';
    assert.deepEqual(client.respond(Buffer.from(json)), Buffer.alloc(0));
    assert.equal(client.errorDetail, json);
    assert.throws(() => client.respond(Buffer.alloc(0)), ProtocolError);
  });

  test("refuses a missing token, an authzid, and framing characters", () => {
    assert.throws(() => new XOAuth2Client({ user: "u", password: "p" }), InvalidArgumentError);
    assert.throws(
      () => new XOAuth2Client({ user: "u", accessToken: "t", authzid: "a" }),
      InvalidArgumentError,
    );
    assert.throws(() => new XOAuth2Client({ user: "u", accessToken: "t\x01" }), InvalidArgumentError);
    assert.throws(() => new XOAuth2Client({ user: "u", accessToken: "a b" }), InvalidArgumentError);
    assert.throws(() => new XOAuth2Client({ user: "u\x01", accessToken: "t" }), InvalidArgumentError);
  });
});

describe("OAUTHBEARER client (RFC 7628)", () => {
  test("RFC 7628 §4.1 example, byte for byte", () => {
    const client = new OAuthBearerClient(
      { user: "user@example.com", accessToken: RFC7628_TOKEN },
      { host: "server.example.com", port: 143 },
    );
    assert.equal(client.start().toString("base64"), RFC7628_INITIAL);
  });

  test("without host and port, and with escaped names", () => {
    const client = new OAuthBearerClient({ user: "a,b=c", accessToken: "t" });
    assert.equal(client.start().toString(), "n,a=a=2Cb=3Dc,\x01auth=Bearer t\x01\x01");
    const asOther = new OAuthBearerClient({ user: "me", authzid: "boss", accessToken: "t" });
    assert.equal(asOther.start().toString(), "n,a=boss,\x01auth=Bearer t\x01\x01");
  });

  test("answers the RFC 7628 §4.3 error challenge with a single ^A (AQ==)", () => {
    const client = new OAuthBearerClient({ user: "user@example.com", accessToken: "expired" });
    client.start();
    assert.equal(client.respond(Buffer.from(RFC7628_ERROR, "base64")).toString("base64"), "AQ==");
    assert.match(client.errorDetail ?? "", /invalid_token/);
  });

  test("refuses a bad port or host", () => {
    assert.throws(
      () => new OAuthBearerClient({ user: "u", accessToken: "t" }, { port: 0 }),
      InvalidArgumentError,
    );
    assert.throws(
      () => new OAuthBearerClient({ user: "u", accessToken: "t" }, { host: "a\x01b" }),
      InvalidArgumentError,
    );
  });
});

describe("XOAUTH2 and OAUTHBEARER servers", () => {
  test("accept the published examples", async () => {
    assert.deepEqual(
      await createSaslServer("OAUTHBEARER", tokens).step(Buffer.from(RFC7628_INITIAL, "base64")),
      {
        kind: "success",
        identity: { user: "user@example.com" },
      },
    );
    assert.deepEqual(await createSaslServer("XOAUTH2", tokens).step(Buffer.from(GOOGLE_INITIAL, "base64")), {
      kind: "success",
      identity: { user: "someuser@example.com" },
    });
  });

  test("OAUTHBEARER rejects a bad token with RFC 7628 §4.3's JSON, then fails on ^A", async () => {
    const server = createSaslServer("OAUTHBEARER", tokens, {
      oauthScope: "example_scope",
      openidConfiguration: "https://example.com/.well-known/openid-configuration",
    });
    const bad = Buffer.from("n,a=user@example.com,\x01auth=Bearer nope\x01\x01");
    const first = await server.step(bad);
    assert.equal(first.kind === "challenge" && first.data.toString("base64"), RFC7628_ERROR);
    assert.deepEqual(await server.step(Buffer.from("\x01")), { kind: "failure", reason: "invalid-token" });
  });

  test("XOAUTH2 rejects a bad token with a JSON challenge, then fails", async () => {
    const server = createSaslServer("XOAUTH2", tokens);
    const first = await server.step(Buffer.from("user=someuser@example.com\x01auth=Bearer nope\x01\x01"));
    assert.equal(first.kind, "challenge");
    assert.deepEqual(JSON.parse(first.kind === "challenge" ? first.data.toString() : ""), {
      status: "401",
      schemes: "bearer",
    });
    assert.deepEqual(await server.step(Buffer.alloc(0)), { kind: "failure", reason: "invalid-token" });
  });

  test("malformed messages fail", async () => {
    for (const [mechanism, text] of [
      ["XOAUTH2", "user=u\x01auth=Bearer t\x01"],
      ["XOAUTH2", "user=u\x01auth=Basic t\x01\x01"],
      ["XOAUTH2", "auth=Bearer t\x01\x01"],
      ["XOAUTH2", "user=u\x01user=v\x01auth=Bearer t\x01\x01"],
      ["OAUTHBEARER", "n,,\x01auth=Bearer t\x01\x01"],
      ["OAUTHBEARER", "p=tls-unique,a=u,\x01auth=Bearer t\x01\x01"],
      ["OAUTHBEARER", "n,a=u,\x01\x01"],
      ["OAUTHBEARER", "n,a=u,auth=Bearer t\x01\x01"],
      ["OAUTHBEARER", "\x01"],
      ["OAUTHBEARER", "n,a=u,\x01auth=Bearer two words\x01\x01"],
    ] as const) {
      const step = await createSaslServer(mechanism, tokens).step(Buffer.from(text));
      assert.deepEqual(step, { kind: "failure", reason: "malformed-response" }, JSON.stringify(text));
    }
  });

  test("need verifyToken", () => {
    assert.throws(() => createSaslServer("XOAUTH2", { lookup: async () => undefined }), InvalidArgumentError);
    assert.throws(
      () => createSaslServer("OAUTHBEARER", { lookup: async () => undefined }),
      InvalidArgumentError,
    );
  });
});
