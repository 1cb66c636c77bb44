// Helpers for SMTP client tests on the scripted server: the EHLO reply as transcript text, the
// connect options every test uses (a fixed EHLO name, no netrc, no environment credentials), and a
// SASL responder built on our own server mechanisms.
import { createSaslServer } from "../../src/sasl/index.js";
import type { SaslVerifier } from "../../src/sasl/types.js";
import type { ScriptedSession } from "../../src/servers/index.js";
import type { SmtpConnectOptions } from "../../src/smtp/index.js";

export const NAME = "client.example";

/** `S:` lines of a 250 EHLO reply announcing `extensions`. */
export function ehloReply(extensions: readonly string[], domain = "mx.example.test"): string {
  const lines = [domain, ...extensions];
  return lines.map((line, i) => `S: 250${i === lines.length - 1 ? " " : "-"}${line}`).join("\n");
}

/** The greeting, `C: EHLO`, and the EHLO reply, as transcript text. */
export function hello(extensions: readonly string[]): string {
  return `S: 220 mx.example.test ESMTP ready\nC: EHLO ${NAME}\n${ehloReply(extensions)}`;
}

/** The same, driven from a function script. */
export async function helloSession(session: ScriptedSession, extensions: readonly string[], verb = "EHLO") {
  await session.sendLine("220 mx.example.test ESMTP ready");
  await session.expectLine(`${verb} ${NAME}`);
  const lines = ["mx.example.test", ...extensions];
  for (let i = 0; i < lines.length; i++)
    await session.sendLine(`250${i === lines.length - 1 ? " " : "-"}${lines[i]}`);
}

/** Connect options for tests: fixed EHLO name, credentials only from what the test passes. */
export function options(extra: SmtpConnectOptions = {}): SmtpConnectOptions {
  return { name: NAME, netrc: false, env: {}, ...extra };
}

/** Reads dot-stuffed DATA lines up to the terminating `.`; returns them joined with CRLF (still stuffed). */
export async function readData(session: ScriptedSession): Promise<string> {
  const lines: string[] = [];
  for (;;) {
    const line = await session.readLine();
    if (line === ".") return lines.join("\r\n");
    lines.push(line);
  }
}

/** Plays the server side of one AUTH exchange with our own SASL server mechanisms. */
export async function serveAuth(session: ScriptedSession, verifier: SaslVerifier): Promise<string> {
  const line = await session.expectLine(/^AUTH /);
  const [, mechanism, initial] = line.split(" ");
  const server = createSaslServer(mechanism!, verifier, { hostname: "mx.example.test" });
  const decode = (text: string) => (text === "=" ? Buffer.alloc(0) : Buffer.from(text, "base64"));
  let step = await server.step(initial === undefined ? undefined : decode(initial));
  while (step.kind === "challenge") {
    await session.sendLine(`334 ${step.data.toString("base64")}`);
    const response = await session.readLine();
    if (response === "*") {
      await session.sendLine("501 5.0.0 cancelled");
      return mechanism!;
    }
    step = await server.step(decode(response));
  }
  await session.sendLine(
    step.kind === "success"
      ? "235 2.7.0 Authentication successful"
      : "535 5.7.8 Authentication credentials invalid",
  );
  return mechanism!;
}
