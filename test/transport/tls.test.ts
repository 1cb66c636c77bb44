// TLS through the transport: implicit TLS, the STARTTLS upgrade every protocol uses (fail closed
// on injected bytes, certificates verified on the upgrade path), and the connect budget covering
// the TLS handshake.
import assert from "node:assert/strict";
import { once } from "node:events";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { describe, it } from "node:test";
import { AbortError, ProtocolError, TimeoutError, TlsError } from "../../src/errors.js";
import { startScriptedServer, testCertificates } from "../../src/servers/index.js";
import { secret } from "../../src/textproto/write-line.js";
import { Connection } from "../../src/transport/connection.js";
import type { TraceEvent } from "../../src/transport/trace.js";

const certs = testCertificates();

const STARTTLS = (kind = "") => `
  S: 220 ready
  C: STARTTLS
  S: 220 go ahead
  TLS ${kind}
  C: NOOP
  S: 250 secure ok
  C: QUIT
  S: 221 bye
`;

async function upgradeFlow(port: number, host = "127.0.0.1") {
  const conn = await Connection.connect({ host, port, tls: { ca: certs.ca.cert } });
  assert.equal((await conn.readLine({ phase: "greeting" })).toString(), "220 ready");
  await conn.writeLine(["STARTTLS"]);
  assert.equal((await conn.readLine()).toString(), "220 go ahead");
  return conn;
}

describe("TLS in the transport", () => {
  it("upgrades with STARTTLS, verifies the certificate and goes on encrypted", async () => {
    await using server = await startScriptedServer(STARTTLS());
    const conn = await upgradeFlow(server.port);
    assert.equal(conn.secure, false);
    await conn.upgradeToTls();
    assert.equal(conn.secure, true);
    assert.equal(conn.tls?.authorized, true);
    assert.match(conn.tls?.protocol ?? "", /^TLSv1\.[23]$/);
    await conn.writeLine(["NOOP"]);
    assert.equal((await conn.readLine()).toString(), "250 secure ok");
    await conn.writeLine(["QUIT"]);
    assert.equal((await conn.readLine()).toString(), "221 bye");
    await conn.end();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("upgrades over IPv6 loopback, checking the IP address in the certificate", async () => {
    await using server = await startScriptedServer(STARTTLS(), { host: "::1" });
    const conn = await upgradeFlow(server.port, "::1");
    await conn.upgradeToTls();
    assert.equal(conn.secure, true);
    conn.destroy();
  });

  it("fails closed when bytes follow the go-ahead in the same segment (STARTTLS injection)", async () => {
    await using server = await startScriptedServer(`
      S: 220 ready
      C: STARTTLS
      S: 220 go ahead
      inject 250-SMTPUTF8\\r\\n235 2.7.0 Authentication successful\\r\\n
      stall
    `);
    const conn = await upgradeFlow(server.port);
    await assert.rejects(conn.upgradeToTls(), (error: unknown) => {
      assert.ok(error instanceof ProtocolError);
      assert.equal(error.reason, "data-after-starttls");
      return true;
    });
    assert.equal(conn.isOpen, false, "the connection is dropped, nothing after the go-ahead is parsed");
    assert.equal(conn.secure, false);
  });

  it("fails closed when a fragment without CRLF follows the go-ahead", async () => {
    await using server = await startScriptedServer(`
      S: 220 ready
      C: STARTTLS
      S: 220 go ahead
      inject 250-SMTPUTF8
      stall
    `);
    const conn = await upgradeFlow(server.port);
    await assert.rejects(conn.upgradeToTls(), ProtocolError);
  });

  it("fails the handshake when plaintext arrives instead of TLS", async () => {
    await using server = await startScriptedServer(`
      S: 220 ready
      C: STARTTLS
      S: 220 go ahead
      plaintextInsteadOfTls 250 fake reply\\r\\n
    `);
    const conn = await upgradeFlow(server.port);
    await assert.rejects(conn.upgradeToTls(), (error: unknown) => {
      assert.ok(error instanceof TlsError, String(error));
      assert.equal(error.reason, "handshake");
      return true;
    });
  });

  for (const [kind, code] of [
    ["selfSigned", /DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED/],
    ["expired", /CERT_HAS_EXPIRED/],
    ["wrongHost", /ALTNAME|HOSTNAME/],
  ] as const) {
    it(`rejects a ${kind} certificate on the upgrade path`, async () => {
      await using server = await startScriptedServer(STARTTLS(kind));
      const conn = await upgradeFlow(server.port);
      await assert.rejects(conn.upgradeToTls(), (error: unknown) => {
        assert.ok(error instanceof TlsError, String(error));
        assert.equal(error.reason, "certificate");
        assert.match(error.message, code);
        return true;
      });
      assert.equal(conn.isOpen, false);
    });

    it(`rejects a ${kind} certificate with implicit TLS`, async () => {
      const bad = { selfSigned: certs.selfSigned, expired: certs.expired, wrongHost: certs.wrongHost }[kind];
      await using server = await startScriptedServer("S: 220 hi", { tls: bad });
      await assert.rejects(
        Connection.connect({
          host: "127.0.0.1",
          port: server.port,
          implicitTls: true,
          tls: { ca: certs.ca.cert },
        }),
        (error: unknown) => error instanceof TlsError && error.reason === "certificate",
      );
    });
  }

  it("connects with implicit TLS when the CA is trusted", async () => {
    await using server = await startScriptedServer("S: 220 secure hello\nstall", { tls: certs.localhost });
    const conn = await Connection.connect({
      host: "127.0.0.1",
      port: server.port,
      implicitTls: true,
      tls: { ca: certs.ca.cert },
    });
    assert.equal(conn.secure, true);
    assert.ok(conn.tlsSession, "the session is available for resumption");
    assert.equal((await conn.readLine()).toString(), "220 secure hello");
    conn.destroy();
  });

  it("counts the TLS handshake in the one connect budget", async () => {
    // Accepts TCP and never answers the ClientHello.
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      const started = Date.now();
      await assert.rejects(
        Connection.connect({ host: "127.0.0.1", port, implicitTls: true, timeouts: { connect: 150 } }),
        (error: unknown) => error instanceof TimeoutError && error.phase === "connect",
      );
      assert.ok(Date.now() - started < 5000);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(
        Connection.connect({ host: "127.0.0.1", port, implicitTls: true, signal: controller.signal }),
        AbortError,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  it("keeps secrets out of the trace over a whole SASL exchange", async () => {
    const password = "Tr0ub4dor&3";
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    await using server = await startScriptedServer(`
      S: 220 ready
      C: AUTH LOGIN
      S: 334 VXNlcm5hbWU6
      C: ${b64("alice")}
      S: 334 UGFzc3dvcmQ6
      C: ${b64(password)}
      S: 235 2.7.0 ok
      C: AUTH PLAIN ${b64(`\0alice\0${password}`)}
      S: 503 already
      C: PASS ${password}
      S: 230 ok
    `);
    const events: TraceEvent[] = [];
    const conn = await Connection.connect({
      host: "127.0.0.1",
      port: server.port,
      onTrace: (e) => events.push(e),
    });
    await conn.readLine();
    // Sent as plain strings on purpose: the redactor must catch what protocol code forgot to mark.
    for (const [line, reply] of [
      ["AUTH LOGIN", "334"],
      [b64("alice"), "334"],
      [b64(password), "235"],
      [`AUTH PLAIN ${b64(`\0alice\0${password}`)}`, "503"],
    ] as const) {
      await conn.writeLine([line]);
      assert.ok((await conn.readLine()).toString().startsWith(reply));
    }
    await conn.writeLine(["PASS", secret(password)]);
    await conn.readLine();
    conn.destroy();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
    const text = events.map((e) => e.text).join("\n");
    for (const form of [password, b64(password), b64(`\0alice\0${password}`)]) {
      assert.ok(!text.includes(form), `trace leaks ${form}`);
    }
    assert.match(text, /AUTH PLAIN \*\*\*\*/);
  });
});
