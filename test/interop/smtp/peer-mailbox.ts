// Reading what the mail peers delivered: Maildir folders, the trace headers servers prepend, and
// a readiness probe for Dovecot's LMTP socket.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Daemon, tailOf } from "../ftp/peer-process.js";

/**
 * Every message in a Maildir (`new/` and `cur/`), oldest first: the names start with the delivery
 * time in seconds and `M<microseconds>` (Dovecot and Postfix both write `secs.MusecsPpid.host`).
 * A missing folder reads as empty (nothing delivered yet).
 */
export function readMaildir(maildir: string): Buffer[] {
  const entries: Array<{ key: [number, number]; path: string }> = [];
  for (const sub of ["new", "cur"]) {
    let names: string[];
    try {
      names = readdirSync(join(maildir, sub));
    } catch {
      continue;
    }
    for (const name of names) {
      const match = /^(\d+)\.(?:M(\d+))?/.exec(name);
      entries.push({
        key: [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0)],
        path: join(maildir, sub, name),
      });
    }
  }
  entries.sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1]);
  return entries.map((e) => readFileSync(e.path));
}

/** Header fields a delivery path may prepend: Postfix (Received; Return-Path, Delivered-To, X-Original-To from virtual(8)) and Dovecot LMTP. */
const TRACE_FIELDS = new Set(["return-path", "delivered-to", "x-original-to", "received"]);

/**
 * Checks that `stored` is `sent` with only trace header fields put in front of it, and returns
 * the names of those fields in order. `lineEnd: "lf"` compares against `sent` with CRLF turned
 * into LF (Postfix's virtual(8) stores Unix line ends; Dovecot with mail_save_crlf keeps CRLF).
 *
 * @throws {AssertionError} when the stored bytes do not end with the sent ones, or something
 *   other than trace fields was added.
 */
export function stripTrace(
  stored: Buffer,
  sent: Buffer,
  options: { lineEnd?: "crlf" | "lf" } = {},
): string[] {
  const lf = options.lineEnd === "lf";
  const expected = lf ? Buffer.from(sent.toString("latin1").replaceAll("\r\n", "\n"), "latin1") : sent;
  const tail = stored.subarray(stored.length - expected.length);
  assert.ok(
    stored.length >= expected.length && tail.equals(expected),
    `the stored message does not end with the sent bytes;\nstored:\n${stored.toString("utf8")}\nsent:\n${expected.toString("utf8")}`,
  );
  const prefix = stored.subarray(0, stored.length - expected.length).toString("latin1");
  const lines = prefix.split(lf ? "\n" : "\r\n");
  assert.equal(lines.pop(), "", "the prepended part must end with a line end");
  const names: string[] = [];
  for (const line of lines) {
    if (line.startsWith(" ") || line.startsWith("\t")) {
      assert.ok(names.length > 0, "a continuation line before any prepended field");
      continue;
    }
    const name = line.slice(0, line.indexOf(":"));
    assert.ok(
      TRACE_FIELDS.has(name.toLowerCase()),
      `a non-trace field was prepended: ${JSON.stringify(line)}`,
    );
    names.push(name);
  }
  return names;
}

/**
 * Resolves once the Unix socket at `path` answers with a `220` line (Dovecot's LMTP greeting).
 * Retries while the socket is missing or refuses.
 *
 * @throws {AssertionError} when the daemon exits first or the deadline passes (quoting `log`).
 */
export async function waitForUnixGreeting(
  path: string,
  wait: { deadline: number; daemon: Daemon; log: string },
): Promise<void> {
  let last = "no attempt yet";
  while (Date.now() < wait.deadline) {
    if (wait.daemon.child.exitCode !== null || wait.daemon.child.signalCode !== null) {
      last = "exited during start-up";
      break;
    }
    last = await new Promise<string>((resolve) => {
      const socket = connect({ path });
      let text = "";
      const finish = (outcome: string) => {
        socket.destroy();
        resolve(outcome);
      };
      socket.setEncoding("latin1");
      socket.setTimeout(Math.max(100, wait.deadline - Date.now()), () => finish("timed out"));
      socket.on("data", (chunk: string) => {
        text += chunk;
        if (text.includes("\n"))
          finish(text.startsWith("220") ? "ready" : `greeted with ${JSON.stringify(text)}`);
      });
      socket.on("error", (error) => finish(`failed: ${error.message}`));
      socket.on("close", () => finish("closed before the greeting"));
    });
    if (last === "ready") return;
    await sleep(20);
  }
  assert.fail(
    `${wait.daemon.label}: ${path} ${last}; its output:\n${tailOf(wait.daemon.outputFile)}\nits log:\n${tailOf(wait.log)}`,
  );
}
