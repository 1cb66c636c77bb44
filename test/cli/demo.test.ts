import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
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
