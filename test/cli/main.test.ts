import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ENTRIES } from "../../src/cli/main.js";
import { startTimestampServer } from "../../src/servers/timestamp/index.js";
import { Capture, runCli } from "./run-cli.js";

const FIXED = new Date(2026, 10, 22, 3, 24, 32);
const STAMP = "[Sun Nov 22 03:24:32 2026]";
const REPLY = /^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] /;

describe("inet: help and version", () => {
  it("--help teaches: usage, every command, options, examples, exit codes", async () => {
    const { code, stdout, stderr } = await runCli(["--help"]);
    assert.equal(code, 0);
    assert.equal(stderr, "");
    assert.match(stdout, /^inet \d+\.\d+\.\d+/);
    for (const part of [
      "Usage: inet",
      "tcp serve",
      "tcp connect",
      "udp serve",
      "udp send",
      "demo",
      "Examples:",
      "--trace",
    ]) {
      assert.ok(stdout.includes(part), part);
    }
    for (const line of ["0 ", "1 ", "2 ", "3 ", "4 ", "5 ", "130 "])
      assert.match(stdout, new RegExp(`^  ${line}`, "m"));
  });

  it("--version prints the package version", async () => {
    const { code, stdout } = await runCli(["--version"]);
    assert.equal(code, 0);
    assert.match(stdout, /^inet \d+\.\d+\.\d+\n$/);
  });

  it("has help for every group and every command", async () => {
    for (const entry of ENTRIES) {
      if ("commands" in entry) {
        const group = await runCli([entry.name, "--help"]);
        assert.equal(group.code, 0);
        assert.ok(group.stdout.startsWith(`Usage: inet ${entry.name} <command>`));
        for (const command of entry.commands) {
          assert.ok(group.stdout.includes(command.name));
          for (const argv of [
            [entry.name, command.name, "--help"],
            ["help", entry.name, command.name],
          ]) {
            const help = await runCli(argv);
            assert.equal(help.code, 0, argv.join(" "));
            assert.ok(help.stdout.startsWith(`Usage: inet ${entry.name} ${command.name}`), argv.join(" "));
            for (const section of ["Options:", "Examples:", "Exit codes:", "--help"])
              assert.ok(help.stdout.includes(section));
          }
        }
      } else {
        const help = await runCli([entry.name, "-h"]);
        assert.equal(help.code, 0);
        assert.ok(help.stdout.startsWith(`Usage: inet ${entry.name}`));
        assert.ok(help.stdout.includes("Examples:"));
      }
    }
  });

  it("no arguments, or a group without a command: help on stderr, exit 2", async () => {
    const none = await runCli([]);
    assert.equal(none.code, 2);
    assert.equal(none.stdout, "");
    assert.ok(none.stderr.includes("Usage: inet"));
    const group = await runCli(["tcp"]);
    assert.equal(group.code, 2);
    assert.ok(group.stderr.includes("Usage: inet tcp <command>"));
  });
});

describe("inet: usage errors exit 2", () => {
  for (const argv of [
    ["frobnicate"],
    ["tcp", "frobnicate"],
    ["--bogus", "demo"],
    ["tcp", "connect"],
    ["tcp", "connect", "127.0.0.1"],
    ["tcp", "connect", "::1:80"],
    ["tcp", "connect", "127.0.0.1:1", "extra"],
    ["tcp", "connect", "127.0.0.1:1", "--timeout", "soon"],
    ["tcp", "serve", "--port", "99999"],
    ["tcp", "serve", "--unix", "/tmp/x", "--port", "1"],
    ["tcp", "serve", "--nope"],
    ["udp", "send", "unix:/tmp/x", "hi"],
  ]) {
    it(`inet ${argv.join(" ")}`, async () => {
      const { code, stdout, stderr } = await runCli(argv);
      assert.equal(code, 2);
      assert.equal(stdout, "");
      assert.match(stderr, /^inet: /);
    });
  }

  it("names the unknown option and points at the command's help", async () => {
    const { stderr } = await runCli(["tcp", "serve", "--nope"]);
    assert.match(stderr, /^inet: unknown option '--nope'\nRun 'inet tcp serve --help' for usage\.\n$/);
  });
});

describe("inet tcp", () => {
  it("connect: two scripted lines and an empty line → two replies, exit 0", async () => {
    const server = await startTimestampServer({ protocol: "tcp", now: () => FIXED });
    try {
      const { port } = server.address as { port: number };
      const { code, stdout, stderr } = await runCli(["tcp", "connect", `127.0.0.1:${port}`], {
        input: "hello\nworld\n\nnot sent\n",
      });
      assert.equal(stderr, "");
      assert.equal(code, 0);
      assert.equal(stdout, `${STAMP} hello\n${STAMP} world\n`);
    } finally {
      await server.close();
    }
  });

  it("connect: escapes control characters in replies; --trace shows the wire on stderr", async () => {
    const server = await startTimestampServer({ protocol: "tcp", now: () => FIXED });
    try {
      const { code, stdout, stderr } = await runCli(["--trace", "tcp", "connect", server.url], {
        input: "\u001b[2Jboo\u202e",
      });
      assert.equal(code, 0);
      assert.equal(stdout, `${STAMP} ^[[2Jboo⟨RLO⟩\n`);
      assert.match(stderr, /\] > \^\[\[2Jboo⟨RLO⟩\n/);
      assert.match(stderr, /\] < \[Sun Nov 22 03:24:32 2026\] \^\[\[2Jboo⟨RLO⟩\n/);
    } finally {
      await server.close();
    }
  });

  it("connect: a refused connection exits 3", async () => {
    const server = await startTimestampServer({ protocol: "tcp" });
    const { port } = server.address as { port: number };
    await server.close();
    const { code, stderr } = await runCli(["tcp", "connect", `127.0.0.1:${port}`], { input: "x\n" });
    assert.equal(code, 3);
    assert.match(stderr, new RegExp(`^inet: connection closed: ECONNREFUSED.*127\\.0\\.0\\.1:${port}`));
  });

  it("serve: prints where it listens and each message, stops on the signal with exit 0", async () => {
    const controller = new AbortController();
    const stdout = new Capture();
    const running = runCli(["tcp", "serve", "--port", "0"], { signal: controller.signal, stdout });
    const [, port] = await stdout.waitFor(/^listening on tcp:\/\/127\.0\.0\.1:(\d+)\n/);
    const client = await runCli(["tcp", "connect", `127.0.0.1:${port}`], { input: "ping\n" });
    assert.equal(client.code, 0);
    assert.match(client.stdout, REPLY);
    await stdout.waitFor(/tcp 127\.0\.0\.1:\d+: ping\n/);
    controller.abort();
    const { code } = await running;
    assert.equal(code, 0);
  });

  it("serve: an address in use exits 5", async () => {
    const server = await startTimestampServer({ protocol: "tcp" });
    try {
      const { port } = server.address as { port: number };
      const { code, stderr } = await runCli(["tcp", "serve", "--port", String(port)]);
      assert.equal(code, 5);
      assert.match(stderr, /^inet: .*EADDRINUSE/);
    } finally {
      await server.close();
    }
  });

  it("connect: interrupting exits 130", async () => {
    const server = await startTimestampServer({ protocol: "tcp" });
    try {
      const controller = new AbortController();
      const stdout = new Capture();
      const stdin = new (await import("node:stream")).PassThrough();
      const { main } = await import("../../src/cli/main.js");
      const stderr = new Capture();
      const running = main(["tcp", "connect", server.url], {
        stdin,
        stdout,
        stderr,
        signal: controller.signal,
      });
      stdin.write("one\n");
      await stdout.waitFor(/one\n/);
      controller.abort();
      assert.equal(await running, 130);
      assert.equal(stderr.text(), "inet: interrupted\n");
      stdin.end();
    } finally {
      await server.close();
    }
  });
});

describe("inet udp", () => {
  it("send: one datagram per argument, one reply printed for each", async () => {
    const server = await startTimestampServer({ protocol: "udp", now: () => FIXED });
    try {
      const { code, stdout } = await runCli(["udp", "send", server.url, "one", "two"]);
      assert.equal(code, 0);
      assert.equal(stdout, `${STAMP} one\n${STAMP} two\n`);
      const piped = await runCli(["udp", "send", server.url], { input: "three\n\n" });
      assert.equal(piped.code, 0);
      assert.equal(piped.stdout, `${STAMP} three\n`);
    } finally {
      await server.close();
    }
  });

  it("serve: prints where it listens, logs datagrams, stops with exit 0", async () => {
    const controller = new AbortController();
    const stdout = new Capture();
    const running = runCli(["udp", "serve", "--port", "0"], { signal: controller.signal, stdout });
    const [, port] = await stdout.waitFor(/^listening on udp:\/\/127\.0\.0\.1:(\d+)\n/);
    const client = await runCli(["udp", "send", `127.0.0.1:${port}`, "ping"]);
    assert.match(client.stdout, REPLY);
    await stdout.waitFor(/udp 127\.0\.0\.1:\d+: ping\n/);
    controller.abort();
    assert.equal((await running).code, 0);
  });
});

describe("inet demo", () => {
  it("runs every step against loopback servers and exits 0", async () => {
    const { code, stdout, stderr } = await runCli(["demo"]);
    assert.equal(stderr, "");
    assert.equal(code, 0);
    assert.match(stdout, /1\. TCP over IPv4/);
    assert.match(stdout, /Listening on tcp:\/\/127\.0\.0\.1:\d+/);
    assert.match(stdout, /Sending 'hello'…/);
    assert.match(stdout, /Reply: \[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] hello/);
    assert.match(stdout, /unix:/);
    assert.match(stdout, /udp:\/\/127\.0\.0\.1:\d+/);
    assert.match(stdout, /Done: \d steps passed/);
  });
});
