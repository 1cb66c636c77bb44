// No secret in any trace or error: every AUTH path, successful and refused, is traced, and the
// traces and error messages are searched for the password and token, raw and in base64.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ReplyError } from "../../src/errors.js";
import { startScriptedServer, testCertificates } from "../../src/servers/index.js";
import { SmtpClient } from "../../src/smtp/index.js";
import type { TraceEvent } from "../../src/transport/trace.js";
import { helloSession, options, serveAuth } from "./scripted-smtp.js";

const PASSWORD = "s3cret-Pa55word!";
const TOKEN = "ya29.token-VALUE-42";
const certs = testCertificates();

/** Every form a secret could leak in. */
function forms(): string[] {
  const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
  return [
    PASSWORD,
    b64(PASSWORD),
    b64(`\0alice\0${PASSWORD}`),
    TOKEN,
    b64(TOKEN),
    b64(`user=alice\x01auth=Bearer ${TOKEN}\x01\x01`),
    b64(`n,a=alice,\x01auth=Bearer ${TOKEN}\x01\x01`),
    b64(`n,,\x01auth=Bearer ${TOKEN}\x01\x01`),
  ];
}

function assertClean(what: string, text: string): void {
  for (const form of forms()) assert.ok(!text.includes(form), `${what} shows a secret form: ${form}`);
}

const verifier = {
  lookup: async (user: string) => (user === "alice" ? { password: PASSWORD } : undefined),
  verifyToken: async (user: string, token: string) => user === "alice" && token === TOKEN,
};

describe("secrets in traces and errors", () => {
  for (const mechanism of ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256", "XOAUTH2", "OAUTHBEARER"]) {
    for (const outcome of ["accepted", "refused"] as const) {
      it(`${mechanism}, ${outcome}: the trace masks every client line of the exchange`, async () => {
        await using server = await startScriptedServer(
          async (session) => {
            await helloSession(session, [`AUTH ${mechanism}`, "ENHANCEDSTATUSCODES"]);
            await serveAuth(
              session,
              outcome === "accepted"
                ? verifier
                : { lookup: async () => undefined, verifyToken: async () => false },
            );
            await session.expectLine("QUIT").catch(() => {});
            await session.sendLine("221 bye").catch(() => {});
          },
          { tls: certs.localhost },
        );
        const events: TraceEvent[] = [];
        const token = mechanism.includes("OAUTH") ? { oauth: { token: TOKEN } } : { password: PASSWORD };
        const connecting = SmtpClient.connect(
          server.url("smtps"),
          options({
            user: "alice",
            ...token,
            tls: { ca: certs.ca.cert },
            onTrace: (event) => events.push(event),
          }),
        );
        let errorText = "";
        try {
          const smtp = await connecting;
          assert.equal(outcome, "accepted");
          assert.equal(smtp.session.saslMechanism, mechanism);
          await smtp.quit();
        } catch (error) {
          assert.equal(outcome, "refused");
          assert.ok(error instanceof ReplyError, String(error));
          // The refusal names the exchange, not the masked last line.
          assert.equal((error as ReplyError).command, `AUTH ${mechanism}`);
          errorText = `${(error as Error).message} ${(error as ReplyError).command} ${JSON.stringify(error)} ${(error as Error).stack}`;
          assertClean("the error", errorText);
        }
        const trace = events.map((event) => `${event.direction} ${event.text}`).join("\n");
        assertClean("the trace", trace);
        const sent = events.filter((event) => event.direction === "send").map((event) => event.text);
        const auth = sent.findIndex((line) => line.startsWith("AUTH "));
        assert.ok(auth >= 0);
        assert.match(sent[auth]!, new RegExp(`^AUTH ${mechanism}( \\*\\*\\*\\*)?$`));
        for (const line of sent.slice(auth + 1)) {
          if (line === "QUIT") break;
          assert.equal(line, "****");
        }
      });
    }
  }
});
