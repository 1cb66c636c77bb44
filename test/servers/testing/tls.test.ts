// TLS on the scripted server: STARTTLS upgrades mid-session, implicit TLS, the bad-certificate
// kinds (seen from a client that trusts only the test CA), and plaintext where TLS should be.
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { describe, it } from "node:test";
import * as tls from "node:tls";
import { startScriptedServer, testCertificates } from "../../../src/servers/index.js";
import { RawClient } from "./raw-client.js";

const certs = testCertificates();

/** Starts TLS over a client's plain socket; resolves to the secure client, or to the error's code. */
async function upgrade(plain: RawClient, servername = "localhost"): Promise<RawClient | string> {
  const leftover = plain.detach();
  assert.equal(leftover.length, 0, "nothing may arrive between the go-ahead and the handshake");
  const secure = tls.connect({ socket: plain.socket as Socket, ca: certs.ca.cert, servername });
  return settle(secure);
}

function settle(secure: tls.TLSSocket): Promise<RawClient | string> {
  return new Promise((resolve) => {
    secure.once("secureConnect", () => resolve(new RawClient(secure)));
    secure.once("error", (error: NodeJS.ErrnoException) => {
      secure.destroy();
      resolve(error.code ?? error.message);
    });
  });
}

const STARTTLS = (kind = "") => `
  S: 220 ready
  C: EHLO a
  S: 250 STARTTLS
  C: STARTTLS
  S: 220 go ahead
  TLS ${kind}
  C: EHLO a
  S: 250 secure
  C: QUIT
  S: 221 bye
`;

async function clientUpTo220(port: number): Promise<RawClient> {
  const client = await RawClient.connect(port);
  assert.equal(await client.readLine(), "220 ready");
  client.write("EHLO a\r\n");
  assert.equal(await client.readLine(), "250 STARTTLS");
  client.write("STARTTLS\r\n");
  assert.equal(await client.readLine(), "220 go ahead");
  return client;
}

describe("scripted server: TLS", () => {
  it("upgrades mid-session with STARTTLS; a client that trusts the test CA goes on over TLS", async () => {
    await using server = await startScriptedServer(STARTTLS());
    const plain = await clientUpTo220(server.port);
    const secure = await upgrade(plain);
    assert.ok(secure instanceof RawClient, String(secure));
    secure.write("EHLO a\r\n");
    assert.equal(await secure.readLine(), "250 secure");
    secure.write("QUIT\r\n");
    assert.equal(await secure.readLine(), "221 bye");
    assert.equal(await secure.readLine(), null);
    const session = await server.session();
    await session.done;
    assert.equal(session.secure, true);
    assert.deepEqual(session.mismatches, []);
    assert.deepEqual(session.errors, []);
    assert.equal(
      session.transcript(),
      "S: 220 ready\nC: EHLO a\nS: 250 STARTTLS\nC: STARTTLS\nS: 220 go ahead\n" +
        "C: EHLO a\nS: 250 secure\nC: QUIT\nS: 221 bye\n",
    );
  });

  it("speaks implicit TLS when given a certificate", async () => {
    await using server = await startScriptedServer("S: * OK imaps\nC: a LOGOUT\nS: * BYE", {
      tls: certs.localhost,
    });
    const client = await settle(tls.connect({ host: "127.0.0.1", port: server.port, ca: certs.ca.cert }));
    assert.ok(client instanceof RawClient, String(client));
    assert.equal(await client.readLine(), "* OK imaps");
    client.write("a LOGOUT\r\n");
    assert.equal(await client.readLine(), "* BYE");
    const session = await server.session();
    await session.done;
    assert.equal(session.secure, true);
    assert.deepEqual(session.mismatches, []);
  });

  it("plays STARTTLS on a custom certificate without implicit TLS", async () => {
    const custom = { cert: certs.localhost.cert, key: certs.localhost.key };
    await using server = await startScriptedServer(STARTTLS(), { tls: custom, implicitTls: false });
    const secure = await upgrade(await clientUpTo220(server.port));
    assert.ok(secure instanceof RawClient, String(secure));
    secure.destroy();
  });

  const badKinds: Array<[string, string]> = [
    ["selfSigned", "DEPTH_ZERO_SELF_SIGNED_CERT"],
    ["expired", "CERT_HAS_EXPIRED"],
    ["wrongHost", "ERR_TLS_CERT_ALTNAME_INVALID"],
  ];
  for (const [kind, code] of badKinds) {
    it(`TLS ${kind}: a client that trusts only the test CA refuses it with ${code}`, async () => {
      await using server = await startScriptedServer(STARTTLS(kind));
      const result = await upgrade(await clientUpTo220(server.port));
      assert.equal(result, code);
      const session = await server.session();
      await session.done;
      assert.equal(session.closed, true);
      // Node checks the host name once the handshake is complete, so for wrongHost the server may
      // see a client that hangs up instead of sending EHLO; the other kinds fail inside the handshake.
      // Which of the two the server sees first for wrongHost is a race; either way no line came.
      const reasons = session.mismatches.map((m) => m.reason);
      if (kind === "wrongHost")
        assert.ok(reasons.length === 0 || reasons.join() === "closed", reasons.join());
      else assert.deepEqual(reasons, []);
      if (kind !== "wrongHost") assert.match(session.errors[0]?.message ?? "", /TLS handshake/);
      assert.equal(session.lines.at(-1)?.text, "220 go ahead", "nothing after the go-ahead");
    });

    it(`implicit TLS with the ${kind} certificate is refused with ${code}`, async () => {
      const identity = certs[kind as "selfSigned" | "expired" | "wrongHost"];
      await using server = await startScriptedServer("S: never seen", { tls: identity });
      const result = await settle(tls.connect({ host: "127.0.0.1", port: server.port, ca: certs.ca.cert }));
      assert.equal(result, code);
      const session = await server.session();
      await session.done;
      assert.equal(session.closed, true);
      if (kind !== "wrongHost") {
        assert.equal(session.secure, false);
        assert.ok(session.errors.length > 0, "the failed handshake is recorded");
        assert.deepEqual(session.lines, []);
      }
    });
  }

  it("plaintextInsteadOfTls: the client's handshake fails on the junk", async () => {
    await using server = await startScriptedServer(
      "S: 220 ready\nC: EHLO a\nS: 250 STARTTLS\nC: STARTTLS\nS: 220 go ahead\nplaintextInsteadOfTls\nstall",
    );
    const result = await upgrade(await clientUpTo220(server.port));
    assert.equal(typeof result, "string");
    assert.match(result as string, /^ERR_SSL_/);
    const session = await server.session();
    assert.equal(session.lines.at(-1)?.text, "this is not a TLS handshake");
    assert.equal(session.secure, false);
  });

  it("records client bytes sent before the handshake as data-before-tls, then still upgrades", async () => {
    await using server = await startScriptedServer(
      "S: 220 ready\nC: STARTTLS\nS: 220 go ahead\nTLS\nS: 250 secure",
    );
    const plain = await RawClient.connect(server.port);
    assert.equal(await plain.readLine(), "220 ready");
    plain.write("STARTTLS\r\nEHLO early\r\n");
    assert.equal(await plain.readLine(), "220 go ahead");
    const session = await server.session();
    const secure = await upgrade(plain);
    assert.ok(secure instanceof RawClient, String(secure));
    assert.equal(await secure.readLine(), "250 secure");
    assert.deepEqual(session.mismatches, [
      { step: 3, expected: "a TLS handshake", actual: "EHLO early\r\n", reason: "data-before-tls" },
    ]);
  });

  it("upgrades from a function script, presenting a chosen certificate", async () => {
    await using server = await startScriptedServer(async (session) => {
      await session.sendLine("+OK");
      await session.expectLine("STLS");
      await session.sendLine("+OK go");
      await session.startTls({ certificate: "wrongHost" });
      await session.sendLine("+OK never read");
    });
    const client = await RawClient.connect(server.port);
    assert.equal(await client.readLine(), "+OK");
    client.write("STLS\r\n");
    assert.equal(await client.readLine(), "+OK go");
    assert.equal(await upgrade(client), "ERR_TLS_CERT_ALTNAME_INVALID");
  });
});
