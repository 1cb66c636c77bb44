// The mail peers themselves, checked with swaks and Python's smtplib (not our client): each one
// starts, greets on every port, authenticates, refuses what it should, delivers where the tests
// will look, and stop() leaves no process and no folder behind.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { isAlive } from "../ftp/peer-process.js";
import { DEBIAN_PYTHON, startAiosmtpd, startPostfix, startSmtpSink, stripTrace, usable } from "./peers.js";

/** Runs swaks and returns its transcript; fails the test on an unexpected exit status. */
function swaks(args: string[], expectStatus = 0): string {
  const run = spawnSync("swaks", ["--hide-informational", ...args], { encoding: "utf8", timeout: 30_000 });
  assert.equal(run.status, expectStatus, `swaks ${args.join(" ")}:\n${run.stdout}${run.stderr}`);
  return run.stdout;
}

/** Sends `message` with smtplib (plain SMTP) and prints the refused-recipients dict as JSON. */
const SMTPLIB_SEND = `
import json, smtplib, sys
host, port, sender = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rcpts = sys.argv[4].split(",")
message = sys.stdin.buffer.read()
with smtplib.SMTP(host, port) as s:
    refused = s.sendmail(sender, rcpts, message, mail_options=["BODY=8BITMIME"])
print(json.dumps({k: [v[0], v[1].decode()] for k, v in refused.items()}))
`;

describe("Postfix + Dovecot", () => {
  it("delivers over every port, through SASL, byte for byte (plus trace fields)", async (t) => {
    if (!usable(t, "postfix", "dovecot", "swaks", "python3")) return;
    await using peer = await startPostfix();
    const [alice = "", bob = ""] = peer.mailboxes;

    const submission = swaks([
      ...[
        "--server",
        `127.0.0.1:${peer.ports.submission}`,
        "--tls",
        "--tls-verify",
        "--tls-ca-path",
        peer.caFile,
      ],
      ...["--auth", "LOGIN", "--auth-user", peer.user, "--auth-password", peer.password],
      ...["--from", "sender@example.org", "--to", `${alice},${peer.unknownAddress}`],
      ...["--header", "Message-ID: <peers-submission@example.org>"],
    ]);
    assert.match(submission, /<~\* 550 5\.1\.1 <nobody@example\.test>: Recipient address rejected/);
    assert.match(submission, /<~ {2}250 2\.0\.0 Ok: queued as/);
    await peer.waitForMessage(alice, "<peers-submission@example.org>");

    swaks([
      ...[
        "--server",
        `127.0.0.1:${peer.ports.smtps}`,
        "--tlsc",
        "--tls-verify",
        "--tls-ca-path",
        peer.caFile,
      ],
      ...["--auth", "PLAIN", "--auth-user", peer.user, "--auth-password", peer.password],
      ...["--from", "sender@example.org", "--to", bob, "--header", "Message-ID: <peers-smtps@example.org>"],
    ]);
    await peer.waitForMessage(bob, "<peers-smtps@example.org>");

    // Submission refuses mail without AUTH even after STARTTLS.
    const anonymous = swaks(
      [
        ...["--server", `127.0.0.1:${peer.ports.submission}`, "--tls", "--tls-ca-path", peer.caFile],
        ...["--from", "sender@example.org", "--to", alice],
      ],
      24,
    );
    assert.match(anonymous, /<~\*+ 554 5\.7\.1/);

    const sent = Buffer.from(
      "From: sender@example.org\r\nTo: alice@example.test\r\nSubject: 8-bit\r\n" +
        "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\nMessage-ID: <peers-8bit@example.org>\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
        "Grüße, ünïcödé body.\r\n.leading dot\r\n",
    );
    const run = spawnSync(
      DEBIAN_PYTHON,
      ["-c", SMTPLIB_SEND, "127.0.0.1", String(peer.ports.smtp), "sender@example.org", alice],
      { input: sent, encoding: "utf8" },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {});
    const stored = await peer.waitForMessage(alice, "<peers-8bit@example.org>");
    // Dovecot adds Return-Path and its Received, Postfix its Received; Dovecot also adds
    // Delivered-To when a message has a single recipient.
    const trace = stripTrace(stored, sent);
    assert.deepEqual(trace.filter((name) => name === "Received").length, 2);
  });

  it("stop() kills every process and removes the folder", async (t) => {
    if (!usable(t, "postfix", "dovecot")) return;
    const peer = await startPostfix();
    const pids = peer.pids();
    assert.ok(pids.length >= 2, "the Postfix master and Dovecot");
    await peer.stop();
    await peer.stop();
    assert.equal(existsSync(peer.dir), false);
    // isAlive, not kill(pid, 0): the master's children are reparented to init on SIGKILL, and a
    // container's init may leave them as zombies.
    for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} is still alive`);
  });
});

describe("aiosmtpd", () => {
  it("offers STARTTLS then AUTH, implicit TLS with AUTH, refuses its reject address", async (t) => {
    if (!usable(t, "aiosmtpd", "swaks")) return;
    await using peer = await startAiosmtpd();
    const starttls = swaks([
      ...["--server", `127.0.0.1:${peer.ports.plain}`, "--tls", "--tls-verify", "--tls-ca-path", peer.caFile],
      ...["--auth", "PLAIN", "--auth-user", peer.user, "--auth-password", peer.password],
      ...["--from", "a@example.org", "--to", `b@example.test,${peer.rejectAddress}`],
    ]);
    assert.match(starttls, /<~\* 550 5\.1\.1 <rejected@example\.test>/);
    swaks([
      ...[
        "--server",
        `127.0.0.1:${peer.ports.implicitTls}`,
        "--tlsc",
        "--tls-verify",
        "--tls-ca-path",
        peer.caFile,
      ],
      ...["--auth", "LOGIN", "--auth-user", peer.user, "--auth-password", peer.password],
      ...["--from", "c@example.org", "--to", "d@example.test"],
    ]);
    const wrong = swaks(
      [
        ...["--server", `127.0.0.1:${peer.ports.implicitTls}`, "--tlsc", "--tls-ca-path", peer.caFile],
        ...["--auth", "PLAIN", "--auth-user", peer.user, "--auth-password", "wrong"],
        ...["--from", "c@example.org", "--to", "d@example.test"],
      ],
      28,
    );
    assert.match(wrong, /535 5\.7\.8/);

    const received = peer.received();
    assert.equal(received.length, 2);
    assert.deepEqual(
      received.map((m) => [m.mailFrom, m.rcptTos, m.user, m.tls]),
      [
        ["a@example.org", ["b@example.test"], "alice", true],
        ["c@example.org", ["d@example.test"], "alice", true],
      ],
    );
    assert.match(received[0]!.data.toString(), /\r\n\r\nThis is a test mailing\r\n/);
  });
});

describe("smtp-sink", () => {
  it("accepts and counts messages", async (t) => {
    if (!usable(t, "smtp-sink", "swaks")) return;
    await using peer = await startSmtpSink();
    for (let i = 0; i < 2; i++) {
      swaks(["--server", `127.0.0.1:${peer.port}`, "--from", "a@example.org", "--to", "b@example.org"]);
    }
    assert.equal(peer.messageCount(), 2);
  });
});
