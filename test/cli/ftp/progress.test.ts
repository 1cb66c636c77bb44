// The progress reporter: plain lines when stderr is not a terminal, a live display (redrawn at
// most 10 times a second and cleared at the end) when it is, --quiet, the --json summary, the
// exit code rule, and escaped remote names everywhere.
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import type { CommandContext } from "../../../src/cli/command.js";
import {
  formatBytes,
  formatDuration,
  Progress,
  type ProgressOptions,
  safeJson,
} from "../../../src/cli/commands/ftp/progress.js";
import { EXIT } from "../../../src/cli/exit-codes.js";
import { Output } from "../../../src/cli/output.js";
import { ConnectionClosedError, ReplyError } from "../../../src/errors.js";
import type { MirrorPlan } from "../../../src/tools/ftp-mirror/types.js";
import { Capture } from "../run-cli.js";

function setup(options: ProgressOptions = {}, tty = false) {
  const stdout = new Capture();
  const stderr = Object.assign(new Capture(), { isTTY: tty, columns: 60 });
  const io = { stdin: new PassThrough(), stdout, stderr };
  const controller = new AbortController();
  const context: CommandContext = {
    io,
    out: new Output(io),
    signal: controller.signal,
    interrupt: () => controller.abort(),
  };
  return { progress: new Progress(context, options), stdout, stderr };
}

const HOSTILE = "a\x1b[2Jb\u202egpj.exe";

function refusedReply(): ReplyError {
  return new ReplyError({ status: 550, lines: ["550 no such file"], command: "RETR x" });
}

describe("Progress", () => {
  it("not on a terminal: one line per finished file on stderr, then a summary; names escaped", () => {
    const { progress, stdout, stderr } = setup();
    assert.equal(progress.mode, "lines");
    progress.setTotals(2, 30);
    progress.start("one.txt", 10);
    progress.update("one.txt", 5, 10);
    progress.done("one.txt", 10);
    progress.start(HOSTILE, 20);
    progress.done(HOSTILE, 20);
    const code = progress.finish();
    assert.equal(code, EXIT.ok);
    assert.equal(stdout.text(), "");
    const lines = stderr.text().split("\n");
    assert.equal(lines[0], "one.txt  10 B");
    assert.equal(lines[1], "a^[[2Jb⟨RLO⟩gpj.exe  20 B");
    assert.match(lines[2]!, /^2 files, 30 B in \d+\.\d s/);
    assert.ok(!stderr.text().includes("\x1b"), "no escape character reaches the terminal");
  });

  it("--quiet prints errors and refusals only", () => {
    const { progress, stdout, stderr } = setup({ quiet: true });
    progress.start("a", 1);
    progress.done("a", 1);
    progress.info("deleted b");
    progress.fail("c", refusedReply());
    progress.refuse(HOSTILE, "", "contains the control character U+001B");
    assert.equal(progress.finish(), EXIT.remote);
    assert.equal(stdout.text(), "");
    const text = stderr.text();
    assert.match(text, /^inet: c: .*550/m);
    assert.match(text, /refused the name "a\\u001b\[2Jb⟨RLO⟩gpj\.exe": contains/);
    assert.ok(!text.includes("deleted b"));
    assert.ok(!text.includes("\x1b") && !text.includes("\u202e"));
  });

  it("--json prints one summary object on stdout, escaped, with the command's own fields", () => {
    const { progress, stdout } = setup({ json: true });
    progress.start(HOSTILE, 3);
    progress.done(HOSTILE, 3);
    progress.fail("/x", refusedReply());
    progress.refuse("../x", "sub", "names a parent");
    progress.finish({ downloaded: [{ remote: HOSTILE }] });
    const text = stdout.text();
    assert.equal(text.split("\n").length, 2, "one line");
    assert.ok(!text.includes("\x1b") && !text.includes("\u202e"), "no raw control or bidi character");
    const parsed = JSON.parse(text);
    assert.deepEqual(Object.keys(parsed), ["files", "bytes", "seconds", "errors", "refused", "downloaded"]);
    assert.equal(parsed.files, 1);
    assert.equal(parsed.bytes, 3);
    assert.equal(typeof parsed.seconds, "number");
    assert.equal(parsed.errors.length, 1);
    assert.equal(parsed.errors[0].path, "/x");
    assert.match(parsed.errors[0].message, /550/);
    assert.deepEqual(parsed.refused, [{ name: "../x", directory: "sub", reason: "names a parent" }]);
    assert.equal(parsed.downloaded[0].remote, HOSTILE, "the value is exact once parsed");
  });

  it("on a terminal: a live display with one line per connection, totals, cleared at the end", () => {
    const { progress, stderr } = setup({}, true);
    assert.equal(progress.mode, "live");
    progress.setTotals(3, 3000);
    // Redraws are throttled (the first draws at once, later ones wait for a timer), so what is
    // on screen right now depends on the clock; printing above the display redraws it at once.
    progress.start("first.bin", 1000, 0);
    progress.start(HOSTILE, 1000, 1);
    progress.update(HOSTILE, 500, 1000, 1);
    progress.info("made a folder");
    const drawn = stderr.text();
    const screen = drawn.slice(drawn.lastIndexOf("made a folder\n"));
    assert.match(drawn, /\x1b\[\d+F\x1b\[J/, "the old display is cleared first");
    assert.match(screen, /^\[1\] first\.bin {2}0 B\/1000 B 0%$/m);
    assert.match(screen, /^\[2\] a\^\[\[2Jb⟨RLO⟩gpj\.exe {2}500 B\/1000 B 50%$/m);
    assert.match(screen, /^files 0\/3 {2}500 B\/2\.9 KiB/m);
    progress.fail("third.bin", new ConnectionClosedError("reset"), 1);
    assert.equal(progress.finish(), EXIT.connection);
    const text = stderr.text();
    assert.ok(text.endsWith("\n"));
    const last = text.slice(text.lastIndexOf("\x1b[J") + 3);
    assert.match(
      last,
      /^0 files, 0 B in .*1 failed, 0 refused\n$/,
      "the display is cleared before the summary",
    );
    assert.ok(!text.replace(/\x1b\[\d*[FJ]/g, "").includes("\x1b"), "only our own cursor controls");
    for (const line of text.replace(/\x1b\[\d*[FJ]/g, "").split("\n")) {
      assert.ok(line.length < 60, `fits the terminal: ${line}`);
    }
  });

  it("feeds on mirror events", () => {
    const { progress, stderr } = setup();
    const plan = { totals: { files: 2, bytes: 5 } } as MirrorPlan;
    progress.onMirrorEvent({ type: "start", plan });
    progress.onMirrorEvent({ type: "file-start", path: "a", size: 2, slot: 0 });
    progress.onMirrorEvent({ type: "file-progress", path: "a", bytes: 1, total: 2, slot: 0 });
    progress.onMirrorEvent({ type: "file-done", path: "a", bytes: 2, slot: 0 });
    progress.onMirrorEvent({ type: "delete", path: "old" });
    progress.onMirrorEvent({ type: "refuse", name: "..", directory: "", reason: "parent" });
    progress.onMirrorEvent({ type: "error", path: "b", error: new Error("disk on fire") });
    assert.equal(progress.files, 1);
    assert.equal(progress.bytes, 2);
    assert.equal(progress.errors.length, 1);
    assert.equal(progress.refused.length, 1);
    const text = stderr.text();
    assert.match(text, /^a {2}2 B$/m);
    assert.match(text, /^deleted old$/m);
    assert.match(text, /^inet: b: disk on fire$/m);
  });

  it("exit code: the most serious kind wins — connection, then local, then remote; refusals count as remote", () => {
    const local = Object.assign(new Error("EACCES"), { code: "EACCES", syscall: "open" });
    const cases: Array<[unknown[], number, number]> = [
      [[], 0, EXIT.ok],
      [[], 1, EXIT.remote],
      [[refusedReply()], 0, EXIT.remote],
      [[refusedReply(), local], 0, EXIT.local],
      [[local, new ConnectionClosedError("gone"), refusedReply()], 0, EXIT.connection],
    ];
    for (const [errors, refusals, expected] of cases) {
      const { progress } = setup({ quiet: true });
      for (const error of errors) progress.fail("p", error);
      for (let i = 0; i < refusals; i += 1) progress.refuse("..", "", "parent");
      assert.equal(progress.exitCode(), expected);
      assert.equal(progress.finish(), expected);
    }
  });
});

describe("formatting", () => {
  it("bytes and durations", () => {
    assert.equal(formatBytes(0), "0 B");
    assert.equal(formatBytes(1023), "1023 B");
    assert.equal(formatBytes(1536), "1.5 KiB");
    assert.equal(formatBytes(5 * 1024 * 1024), "5.0 MiB");
    assert.equal(formatDuration(42), "42s");
    assert.equal(formatDuration(185), "3m05s");
    assert.equal(formatDuration(7380), "2h03m");
  });

  it("safeJson escapes C1 controls and bidi characters, and parses back to the same value", () => {
    const value = { name: "x\u009b31my\u202e\u200b\x1b", n: 1 };
    const text = safeJson(value);
    assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202e\u200b]/.test(text));
    assert.deepEqual(JSON.parse(text), value);
  });
});
