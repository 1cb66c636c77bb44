import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MASK, printable, Redactor } from "../../src/transport/trace.js";

const PASSWORD = "s3cr3t-Pa55";
const TOKEN = "ya29.a0AfH6SMBx-token-value";
const b64 = (text: string) => Buffer.from(text).toString("base64");

/** Every form a secret could take on the wire. */
const FORMS = [
  PASSWORD,
  TOKEN,
  b64(PASSWORD),
  b64(`\0alice\0${PASSWORD}`),
  b64(`user=alice\x01auth=Bearer ${TOKEN}\x01\x01`),
  b64(`n,a=alice,\x01auth=Bearer ${TOKEN}\x01\x01`),
];

function assertClean(lines: string[]): void {
  for (const line of lines) {
    for (const form of FORMS) {
      assert.ok(!line.includes(form), `trace line ${JSON.stringify(line)} leaks ${form}`);
    }
  }
}

/** Plays a conversation: `C:` lines through clientLine, `S:` lines through serverLine. */
function play(script: string[]): string[] {
  const redactor = new Redactor();
  return script.map((entry) =>
    entry.startsWith("C: ")
      ? `C: ${redactor.clientLine(entry.slice(3))}`
      : `S: ${redactor.serverLine(entry.slice(3))}`,
  );
}

describe("Redactor", () => {
  it("masks FTP and POP3 PASS, keeping the user", () => {
    const out = play(["C: USER alice", "S: 331 need password", `C: PASS ${PASSWORD}`, "S: 230 ok"]);
    assert.deepEqual(out, ["C: USER alice", "S: 331 need password", `C: PASS ${MASK}`, "S: 230 ok"]);
  });

  it("masks SMTP AUTH PLAIN initial responses", () => {
    const out = play([
      `C: AUTH PLAIN ${b64(`\0alice\0${PASSWORD}`)}`,
      "S: 235 2.7.0 ok",
      "C: MAIL FROM:<a@b>",
    ]);
    assert.deepEqual(out, [`C: AUTH PLAIN ${MASK}`, "S: 235 2.7.0 ok", "C: MAIL FROM:<a@b>"]);
  });

  it("masks every SASL continuation until the exchange ends (SMTP AUTH LOGIN)", () => {
    const out = play([
      "C: AUTH LOGIN",
      "S: 334 VXNlcm5hbWU6",
      `C: ${b64("alice")}`,
      "S: 334 UGFzc3dvcmQ6",
      `C: ${b64(PASSWORD)}`,
      "S: 235 2.7.0 Authentication successful",
      "C: NOOP",
    ]);
    assertClean(out);
    assert.equal(out[2], `C: ${MASK}`);
    assert.equal(out[4], `C: ${MASK}`);
    assert.equal(out[6], "C: NOOP", "lines after the exchange are shown again");
  });

  it("masks XOAUTH2 tokens, including the empty answer to an error challenge", () => {
    const out = play([
      `C: AUTH XOAUTH2 ${b64(`user=alice\x01auth=Bearer ${TOKEN}\x01\x01`)}`,
      "S: 334 eyJzdGF0dXMiOiI0MDEifQ==",
      "C: ",
      "S: 535 5.7.8 bad token",
    ]);
    assertClean(out);
    assert.equal(out[0], `C: AUTH XOAUTH2 ${MASK}`);
  });

  it("masks IMAP AUTHENTICATE and its continuations, but not the cancel line", () => {
    const out = play([
      "C: A1 AUTHENTICATE OAUTHBEARER",
      "S: + ",
      `C: ${b64(`n,a=alice,\x01auth=Bearer ${TOKEN}\x01\x01`)}`,
      "S: + eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=",
      "C: *",
      "S: A1 NO auth cancelled",
    ]);
    assertClean(out);
    assert.equal(out[4], "C: *");
  });

  it("masks IMAP LOGIN passwords, quoted or atoms, keeping the user", () => {
    const out = play([`C: A1 LOGIN alice ${PASSWORD}`, `C: A2 LOGIN "alice smith" "${PASSWORD}"`]);
    assert.deepEqual(out, [`C: A1 LOGIN alice ${MASK}`, `C: A2 LOGIN "alice smith" ${MASK}`]);
  });

  it("masks IMAP LOGIN arguments sent as literals", () => {
    const out = play([
      "C: A1 LOGIN {5}",
      "S: + ready",
      `C: alice {${PASSWORD.length}}`,
      "S: + ready",
      `C: ${PASSWORD}`,
    ]);
    assertClean(out);
    assert.equal(out[0], `C: A1 LOGIN ${MASK}`);
  });

  it("masks NNTP AUTHINFO PASS and AUTHINFO SASL", () => {
    const out = play([
      "C: AUTHINFO USER alice",
      "S: 381 more",
      `C: AUTHINFO PASS ${PASSWORD}`,
      "S: 281 ok",
      `C: AUTHINFO SASL PLAIN ${b64(`\0alice\0${PASSWORD}`)}`,
      "S: 281 ok",
    ]);
    assertClean(out);
    assert.equal(out[0], "C: AUTHINFO USER alice");
  });

  it("masks the APOP digest", () => {
    assert.equal(
      new Redactor().clientLine("APOP alice c4c9334bac560ecc979e58001b3e22fb"),
      `APOP alice ${MASK}`,
    );
  });

  it("leaves FTP AUTH TLS alone", () => {
    const out = play(["C: AUTH TLS", "S: 234 go", "C: PBSZ 0"]);
    assert.deepEqual(out, ["C: AUTH TLS", "S: 234 go", "C: PBSZ 0"]);
  });

  it("is case-insensitive about verbs", () => {
    assert.equal(new Redactor().clientLine(`pass ${PASSWORD}`), `pass ${MASK}`);
    assert.equal(new Redactor().clientLine(`a1 login bob ${PASSWORD}`), `a1 login bob ${MASK}`);
  });
});

describe("printable", () => {
  it("escapes control characters in caret or hex notation and keeps tabs", () => {
    assert.equal(printable("a\x1b[1Ab\r\x00\tc\x7f\x9b"), "a^[[1Ab^M^@\tc\\x7f\\x9b");
  });
});
