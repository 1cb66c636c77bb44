// STARTTLS, implicit TLS, submission and AUTH (every mechanism, through src/sasl's clients) over
// real loopback sockets, with the test CA trusted and verification on.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createSaslClient } from "../../../src/sasl/client.js";
import type { MailServer } from "../../../src/servers/mail/types.js";
import type { TraceEvent } from "../../../src/transport/trace.js";
import { CA, mailbox, port, startTestServer } from "./fixtures.js";
import { b64, plainResponse, type Reply, SmtpTestClient } from "./smtp-client.js";

const TLS = { ca: CA };

/** Runs AUTH with src/sasl's client for `mechanism` (initial response inline when it has one). */
async function authenticate(
  client: SmtpTestClient,
  mechanism: string,
  user: string,
  password: string,
): Promise<Reply> {
  const sasl = createSaslClient(mechanism, { user, password });
  const initial = sasl.start();
  let reply = await client.command(
    initial === undefined
      ? `AUTH ${mechanism}`
      : `AUTH ${mechanism} ${initial.length > 0 ? initial.toString("base64") : "="}`,
  );
  while (reply.code === 334) {
    reply = await client.command(sasl.respond(Buffer.from(reply.text, "base64")).toString("base64"));
  }
  if (reply.code === 235) sasl.verifyFinal?.(undefined);
  return reply;
}

/** Connects to submission, says EHLO, upgrades with STARTTLS and says EHLO again. */
async function secured(server: MailServer): Promise<{ client: SmtpTestClient; ehlo: Reply }> {
  const { client } = await SmtpTestClient.ready(port(server, "submission"));
  await client.starttls(TLS);
  const ehlo = await client.expect("EHLO client.test", 250);
  return { client, ehlo };
}

describe("SMTP server: TLS and AUTH", () => {
  let server: MailServer;
  const trace: TraceEvent[] = [];
  before(async () => {
    server = await startTestServer({ onTrace: (event) => trace.push(event), relayTo: "carol" });
  });
  after(() => server.close());

  it("STARTTLS: AUTH is offered only afterwards, STARTTLS no more, and EHLO is needed again", async () => {
    const { client, ehlo } = await SmtpTestClient.ready(port(server, "submission"));
    assert.ok(ehlo.lines.some((line) => line.endsWith("STARTTLS")));
    assert.ok(!ehlo.lines.some((line) => line.includes("AUTH")));
    assert.match((await client.expect("AUTH PLAIN", 538)).text, /^5\.7\.11 /);
    await client.starttls(TLS);
    assert.equal((client.socket as import("node:tls").TLSSocket).authorized, true);
    await client.expect("MAIL FROM:<a@b.test>", 503);
    const again = await client.expect("EHLO client.test", 250);
    assert.ok(again.lines.some((line) => /^250[- ]AUTH SCRAM-SHA-256 CRAM-MD5 PLAIN LOGIN$/.test(line)));
    assert.ok(!again.lines.some((line) => line.endsWith("STARTTLS")));
    await client.expect("STARTTLS", 503);
    await client.quit();
  });

  it("drops commands pipelined behind STARTTLS instead of running them after the handshake", async () => {
    const { client } = await SmtpTestClient.ready(port(server, "smtp"));
    client.write("STARTTLS\r\nMAIL FROM:<injected@b.test>\r\n");
    assert.equal((await client.reply()).code, 220);
    await client.upgrade(TLS);
    // Had the injected MAIL run, this would be "nested MAIL" or "send EHLO first" for MAIL.
    await client.expect("EHLO client.test", 250);
    await client.expect("MAIL FROM:<a@b.test>", 250);
    await client.quit();
  });

  for (const mechanism of ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"]) {
    it(`AUTH ${mechanism} logs in; the message is stamped ESMTPSA with the user`, async () => {
      const { client } = await secured(server);
      const reply = await authenticate(client, mechanism, "alice", "alice-secret");
      assert.equal(reply.lines[0], "235 2.7.0 Authentication successful");
      await client.expect("AUTH PLAIN", 503);
      await client.expect("MAIL FROM:<alice@example.test>", 250);
      await client.expect("RCPT TO:<bob@example.test>", 250);
      await client.expect("DATA", 354);
      await client.expect(`Subject: ${mechanism}\r\n\r\nhi\r\n.`, 250);
      await client.quit();
      const messages = await mailbox(server, "bob");
      const message = messages.find((m) => m.includes(`Subject: ${mechanism}\r\n`));
      assert.ok(message);
      assert.match(
        message,
        /\(using TLSv1\.[23] with cipher \S+\)\r\n\t\(authenticated as alice\)\r\n\tby localhost \(inetkit\) with ESMTPSA id /,
      );
    });
  }

  it("PLAIN without an initial response gets an empty 334 first", async () => {
    const { client } = await secured(server);
    const challenge = await client.expect("AUTH PLAIN", 334);
    assert.deepEqual(challenge.lines, ["334 "]);
    await client.expect(plainResponse("bob", "bob-secret"), 235);
    await client.quit();
  });

  it("refuses a wrong password with 535 5.7.8, a cancel with 501, bad base64 with 501; the third failure ends the session", async () => {
    const { client } = await secured(server);
    assert.equal(
      (await client.command(`AUTH PLAIN ${plainResponse("alice", "wrong")}`)).lines[0],
      "535 5.7.8 Authentication credentials invalid",
    );
    await client.expect("AUTH LOGIN", 334);
    await client.expect("*", 501);
    await client.expect("AUTH PLAIN !!!", 501);
    await client.expect("AUTH DIGEST-MD5", 504);
    assert.equal((await authenticate(client, "SCRAM-SHA-256", "nobody", "x")).code, 535);
    const last = await client.command(`AUTH PLAIN ${plainResponse("alice", "wrong again")}`);
    assert.equal(last.lines[0], "421 4.7.0 Too many failed authentications; closing the connection");
    assert.equal(await client.closed(), true);
  });

  it("refuses to let a user act as another (authzid)", async () => {
    const { client } = await secured(server);
    await client.expect(`AUTH PLAIN ${plainResponse("alice", "alice-secret", "bob")}`, 535);
    await client.expect(`AUTH PLAIN ${plainResponse("alice", "alice-secret", "alice")}`, 235);
    await client.quit();
  });

  it("submission requires AUTH before MAIL (530 5.7.0)", async () => {
    const { client } = await secured(server);
    assert.equal(
      (await client.command("MAIL FROM:<a@b.test>")).lines[0],
      "530 5.7.0 Authentication required",
    );
    await client.quit();
  });

  it("smtps is TLS from the first byte, with AUTH offered and no STARTTLS", async () => {
    const { client, greeting } = await SmtpTestClient.connect(port(server, "smtps"), { tls: TLS });
    assert.equal(greeting.code, 220);
    const ehlo = await client.expect("EHLO client.test", 250);
    assert.ok(ehlo.lines.some((line) => line.includes("AUTH ")));
    assert.ok(!ehlo.lines.some((line) => line.endsWith("STARTTLS")));
    await client.expect(`AUTH PLAIN ${plainResponse("carol", "carol-secret")}`, 235);
    await client.expect("MAIL FROM:<carol@example.test>", 250);
    await client.quit();
  });

  it("with relayTo, keeps an authenticated client's mail for other domains there; others still get 550 5.7.1", async () => {
    const { client } = await secured(server);
    await client.expect(`AUTH PLAIN ${plainResponse("alice", "alice-secret")}`, 235);
    await client.expect("MAIL FROM:<alice@example.test>", 250);
    await client.expect("RCPT TO:<friend@far-away.test>", 250);
    await client.expect("DATA", 354);
    await client.expect("Subject: outbound\r\n\r\nx\r\n.", 250);
    await client.quit();
    assert.ok((await mailbox(server, "carol")).some((m) => m.includes("Subject: outbound")));
    const { client: anonymous } = await SmtpTestClient.ready(port(server, "smtp"));
    await anonymous.expect("MAIL FROM:<x@y.test>", 250);
    await anonymous.expect("RCPT TO:<friend@far-away.test>", 550);
    await anonymous.quit();
  });

  it("answers VRFY to an authenticated client", async () => {
    const { client } = await secured(server);
    await client.expect(`AUTH PLAIN ${plainResponse("alice", "alice-secret")}`, 235);
    assert.equal((await client.expect("VRFY bob", 250)).lines[0], "250 2.1.5 bob <bob@example.test>");
    assert.equal(
      (await client.expect("VRFY <c.ops@other.test>", 250)).lines[0],
      "250 2.1.5 carol <carol@example.test>",
    );
    await client.expect("VRFY nobody@example.test", 550);
    await client.quit();
  });

  it("never shows a password or its base64 in the trace", () => {
    const texts = trace.map((event) => event.text).join("\n");
    assert.ok(trace.some((event) => event.direction === "receive" && event.text === "AUTH PLAIN ****"));
    for (const secret of [
      "alice-secret",
      "bob-secret",
      b64("alice-secret"),
      plainResponse("alice", "alice-secret"),
    ]) {
      assert.ok(!texts.includes(secret), `the trace shows ${secret}`);
    }
  });
});

describe("SMTP server: AUTH without TLS", () => {
  it("is offered in the clear only when the server opts in (allowInsecureAuth)", async () => {
    const server = await startTestServer({ tls: undefined, allowInsecureAuth: true });
    try {
      assert.equal(server.urls.smtps, undefined);
      assert.match(server.urls.submission!, /^smtp:\/\//);
      const { client, ehlo } = await SmtpTestClient.ready(port(server, "submission"));
      assert.ok(ehlo.lines.some((line) => line.includes("AUTH SCRAM-SHA-256")));
      assert.ok(!ehlo.lines.some((line) => line.endsWith("STARTTLS")));
      await client.expect("STARTTLS", 502);
      assert.equal((await authenticate(client, "CRAM-MD5", "bob", "bob-secret")).code, 235);
      await client.quit();
    } finally {
      await server.close();
    }
  });

  it("without TLS and without the opt-in, AUTH does not exist", async () => {
    const server = await startTestServer({ tls: undefined });
    try {
      const { client, ehlo } = await SmtpTestClient.ready(port(server, "submission"));
      assert.ok(!ehlo.lines.some((line) => line.includes("AUTH")));
      await client.expect("AUTH PLAIN", 502);
      await client.quit();
    } finally {
      await server.close();
    }
  });
});
