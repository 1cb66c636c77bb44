import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { DEMO_STEPS } from "../../src/cli/commands/demo.js";
import { mailSteps } from "../../src/cli/demo/mail.js";
import { checkTimestampReply } from "../../src/cli/demo/sockets.js";
import { type DemoStep, runDemo } from "../../src/cli/demo/steps.js";
import { Output } from "../../src/cli/output.js";
import { ProtocolError } from "../../src/errors.js";
import { Capture } from "./run-cli.js";

function output() {
  const stdout = new Capture();
  const stderr = new Capture();
  return { out: new Output({ stdin: new PassThrough(), stdout, stderr }), stdout, stderr };
}

describe("checkTimestampReply", () => {
  it("accepts [ctime] message and refuses anything else with ProtocolError", () => {
    checkTimestampReply("[Sun Nov 22 03:24:32 2026] hello", "hello", "h:1");
    for (const reply of ["hello", "[Sun Nov 22 03:24:32 2026] bye", "[Sun Nov 22 03:24:32 2026]hello"]) {
      assert.throws(
        () => checkTimestampReply(reply, "hello", "h:1"),
        (e: unknown) => e instanceof ProtocolError && e.reason === "unexpected-reply" && e.host === "h:1",
      );
    }
  });
});

describe("runDemo", () => {
  it("runs every step, counts skips, and reports the first failure's exit code", async () => {
    const ran: string[] = [];
    const steps: DemoStep[] = [
      {
        title: "passes",
        async run(context) {
          ran.push("a");
          context.say("fine");
          return undefined;
        },
      },
      {
        title: "wrong reply",
        async run() {
          ran.push("b");
          checkTimestampReply("nonsense", "hello", "h:1");
          return undefined;
        },
      },
      {
        title: "skips",
        async run() {
          ran.push("c");
          return { skipped: "no IPv6 here" };
        },
      },
    ];
    const { out, stdout, stderr } = output();
    const summary = await runDemo(steps, out, { signal: new AbortController().signal });
    assert.deepEqual(ran, ["a", "b", "c"]);
    assert.deepEqual(summary, { passed: 1, skipped: 1, failed: 1, exitCode: 4 });
    assert.match(stdout.text(), /1\. passes\n {3}fine\n/);
    assert.match(stdout.text(), /3\. skips\n {3}Skipped: no IPv6 here\n/);
    assert.match(stderr.text(), /^inet: step 2 failed: expected a reply like/);
  });
});

describe("the mail step (myMail.py)", () => {
  it("is part of inet demo, sends alice → bob, reads the message back and compares the bodies", async () => {
    assert.ok(mailSteps.every((step) => DEMO_STEPS.includes(step)));
    const { out, stdout, stderr } = output();
    const summary = await runDemo(mailSteps, out, { signal: new AbortController().signal, timeout: 10_000 });
    assert.equal(stderr.text(), "");
    assert.deepEqual(summary, { passed: 1, skipped: 0, failed: 0, exitCode: 0 });
    const text = stdout.text();
    assert.match(text, /^1\. SMTP \(the book's myMail\.py/);
    assert.match(text, /Listening on smtp:\/\/127\.0\.0\.1:\d+ and smtp\+starttls:\/\/127\.0\.0\.1:\d+/);
    assert.match(text, /Logged in with [A-Z0-9-]+ over TLSv1\.[23] \(STARTTLS\)\./);
    assert.match(text, /Sent alice → bob; the server said: 250 /);
    assert.match(text, /In bob's mailbox: \d+ bytes, Subject: test msg/);
    assert.match(text, /Body read back: xxx \/ yyy \/ zzz\n/);
    assert.match(text, /The bodies match\. ✓/);
  });
});
