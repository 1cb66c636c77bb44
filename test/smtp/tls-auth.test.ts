// SmtpClient TLS and AUTH against scripted servers: STARTTLS required (and EHLO again after it),
// implicit TLS, plain smtp:// never upgrading, the strongest common SASL mechanism, and the
// clear-text password gate.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError, ProtocolError, ReplyError, TlsError } from "../../src/errors.js";
import { startScriptedServer, testCertificates } from "../../src/servers/index.js";
import { SmtpClient } from "../../src/smtp/index.js";
import { hello, helloSession, NAME, options, serveAuth } from "./scripted-smtp.js";

const certs = testCertificates();
const tls = { ca: certs.ca.cert };
const verifier = {
  lookup: async (user: string) => (user === "alice" ? { password: "correct horse" } : undefined),
  verifyToken: async (user: string, token: string) => user === "alice" && token === "tok-123",
};

describe("STARTTLS (RFC 3207)", () => {
  it("follows the transcript: STARTTLS, TLS, EHLO again, AUTH PLAIN with the new capabilities", async () => {
    await using server = await startScriptedServer(`
      ${hello(["PIPELINING", "STARTTLS", "SIZE 10"])}
      C: STARTTLS
      S: 220 2.0.0 Ready to start TLS
      TLS
      C: EHLO ${NAME}
      S: 250-mx.example.test
      S: 250-PIPELINING
      S: 250-SIZE 1000
      S: 250 AUTH PLAIN LOGIN
      C: AUTH PLAIN AGFsaWNlAGNvcnJlY3QgaG9yc2U=
      S: 235 2.7.0 Authentication successful
      C: MAIL FROM:<alice@example.org> SIZE=20
      C: RCPT TO:<b@example.org>
      C: DATA
      S: 250 ok
      S: 250 ok
      S: 354 go
      C: over TLS, 20 bytes
      C: .
      S: 250 ok
      C: QUIT
      S: 221 bye
    `);
    const smtp = await SmtpClient.connect(
      `smtp+starttls://alice:correct%20horse@127.0.0.1:${server.port}`,
      options({ tls }),
    );
    const session = smtp.session;
    assert.equal(session.tls?.authorized, true);
    assert.equal(session.maxSize, 1000);
    assert.equal(session.extensions.has("STARTTLS"), false);
    assert.equal(session.saslMechanism, "PLAIN");
    assert.equal(session.user, "alice");
    await smtp.send("over TLS, 20 bytes\r\n", { from: "alice@example.org", to: "b@example.org" });
    await smtp.quit();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
    assert.equal(server.sessions[0]?.secure, true);
  });

  it('uses security: "starttls" on an smtp:// URL, and refuses a bad certificate', async () => {
    await using server = await startScriptedServer(`
      ${hello(["STARTTLS"])}
      C: STARTTLS
      S: 220 go ahead
      TLS selfSigned
    `);
    await assert.rejects(
      SmtpClient.connect(server.url("smtp"), options({ tls, security: "starttls" })),
      (error: unknown) => error instanceof TlsError,
    );
  });

  it("never upgrades a plain smtp:// connection, even when STARTTLS is offered", async () => {
    await using server = await startScriptedServer(`
      ${hello(["STARTTLS", "PIPELINING"])}
      C: QUIT
      S: 221 bye
    `);
    const smtp = await SmtpClient.connect(server.url("smtp"), options());
    assert.equal(smtp.session.tls, undefined);
    assert.ok(smtp.session.extensions.has("STARTTLS"));
    await smtp.quit();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });
});

describe("implicit TLS (smtps://)", () => {
  it("speaks TLS from the first byte", async () => {
    await using server = await startScriptedServer(
      `
      ${hello(["AUTH PLAIN"])}
      C: AUTH PLAIN AGFsaWNlAGNvcnJlY3QgaG9yc2U=
      S: 235 ok
      C: NOOP
      S: 250 ok
      C: QUIT
      S: 221 bye
    `,
      { tls: certs.localhost },
    );
    const smtp = await SmtpClient.connect(
      server.url("smtps"),
      options({ tls, user: "alice", password: "correct horse" }),
    );
    assert.ok(smtp.session.tls?.protocol);
    await smtp.noop();
    await smtp.quit();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });
});

describe("AUTH (RFC 4954)", () => {
  it("picks the strongest mechanism both sides offer: SCRAM-SHA-256 over the others", async () => {
    let used = "";
    await using server = await startScriptedServer(async (session) => {
      await helloSession(session, ["AUTH LOGIN PLAIN CRAM-MD5 SCRAM-SHA-256"]);
      used = await serveAuth(session, verifier);
      await session.expectLine("QUIT");
      await session.sendLine("221 bye");
    });
    const smtp = await SmtpClient.connect(
      server.url("smtp"),
      options({ user: "alice", password: "correct horse", allowInsecureAuth: true }),
    );
    assert.equal(used, "SCRAM-SHA-256");
    assert.equal(smtp.session.saslMechanism, "SCRAM-SHA-256");
    await smtp.quit();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("honours the caller's mechanism list, and runs LOGIN and CRAM-MD5 (server-first)", async () => {
    for (const mechanism of ["LOGIN", "CRAM-MD5", "PLAIN"]) {
      let used = "";
      await using server = await startScriptedServer(async (session) => {
        await helloSession(session, ["AUTH LOGIN PLAIN CRAM-MD5 SCRAM-SHA-256"]);
        used = await serveAuth(session, verifier);
      });
      const smtp = await SmtpClient.connect(
        server.url("smtp"),
        options({
          user: "alice",
          password: "correct horse",
          allowInsecureAuth: true,
          mechanisms: [mechanism],
        }),
      );
      assert.equal(used, mechanism);
      smtp.close();
    }
  });

  it("uses a bearer token with OAUTHBEARER or XOAUTH2", async () => {
    for (const offered of ["XOAUTH2 PLAIN", "OAUTHBEARER XOAUTH2"]) {
      let used = "";
      await using server = await startScriptedServer(async (session) => {
        await helloSession(session, [`AUTH ${offered}`]);
        used = await serveAuth(session, verifier);
      });
      const smtp = await SmtpClient.connect(
        server.url("smtp"),
        options({ user: "alice", oauth: { token: "tok-123" }, allowInsecureAuth: true }),
      );
      assert.equal(used, offered.split(" ")[0]);
      smtp.close();
    }
  });

  it("refuses to send credentials over clear text without allowInsecureAuth: no AUTH line goes out", async () => {
    await using server = await startScriptedServer(`
      ${hello(["AUTH PLAIN LOGIN"])}
      stall
    `);
    await assert.rejects(
      SmtpClient.connect(server.url("smtp"), options({ user: "alice", password: "correct horse" })),
      (error: unknown) =>
        error instanceof TlsError && error.reason === "insecure-auth" && !error.message.includes("correct"),
    );
    assert.ok(!/^C: AUTH/m.test(server.transcript()));
  });

  it("reports a refused login with its enhanced code, and no usable mechanism as auth-unavailable", async () => {
    await using server = await startScriptedServer(async (session) => {
      await helloSession(session, ["AUTH PLAIN", "ENHANCEDSTATUSCODES"]);
      await serveAuth(session, verifier);
    });
    await assert.rejects(
      SmtpClient.connect(
        server.url("smtp"),
        options({ user: "alice", password: "wrong", allowInsecureAuth: true }),
      ),
      (error: unknown) =>
        error instanceof ReplyError && error.status === 535 && error.enhancedCode === "5.7.8",
    );
    await using none = await startScriptedServer(hello(["PIPELINING"]));
    await assert.rejects(
      SmtpClient.connect(
        none.url("smtp"),
        options({ user: "alice", password: "x", allowInsecureAuth: true }),
      ),
      (error: unknown) => error instanceof ProtocolError && error.reason === "auth-unavailable",
    );
    await using gssapi = await startScriptedServer(hello(["AUTH GSSAPI NTLM"]));
    await assert.rejects(
      SmtpClient.connect(
        gssapi.url("smtp"),
        options({ user: "alice", password: "x", allowInsecureAuth: true }),
      ),
      (error: unknown) => error instanceof ProtocolError && /GSSAPI NTLM/.test(error.message),
    );
  });

  it("refuses a user name without a secret, and a secret without a user name", async () => {
    await using server = await startScriptedServer(hello(["AUTH PLAIN"]));
    await assert.rejects(
      SmtpClient.connect(`smtp://alice@127.0.0.1:${server.port}`, options()),
      InvalidArgumentError,
    );
    await using other = await startScriptedServer(hello(["AUTH PLAIN"]));
    await assert.rejects(
      SmtpClient.connect(other.url("smtp"), options({ password: "x" })),
      InvalidArgumentError,
    );
  });

  it("takes the password from the environment when the URL names the user", async () => {
    await using server = await startScriptedServer(`
      ${hello(["AUTH PLAIN"])}
      C: AUTH PLAIN AGFsaWNlAGNvcnJlY3QgaG9yc2U=
      S: 235 ok
    `);
    const smtp = await SmtpClient.connect(
      `smtp://alice@127.0.0.1:${server.port}`,
      options({ env: { INET_SMTP_PASSWORD: "correct horse" }, allowInsecureAuth: true }),
    );
    assert.equal(smtp.session.user, "alice");
    smtp.close();
  });

  it("rejects a bad EHLO name, scheme or security option before dialing", async () => {
    await assert.rejects(
      SmtpClient.connect("smtp://127.0.0.1:1", { name: "bad name" }),
      InvalidArgumentError,
    );
    await assert.rejects(
      SmtpClient.connect("smtp://127.0.0.1:1", { name: "x\r\nMAIL" }),
      InvalidArgumentError,
    );
    await assert.rejects(SmtpClient.connect("imap://127.0.0.1:1"), InvalidArgumentError);
    await assert.rejects(
      SmtpClient.connect("smtp://127.0.0.1:1", { security: "maybe" as never }),
      InvalidArgumentError,
    );
  });
});
