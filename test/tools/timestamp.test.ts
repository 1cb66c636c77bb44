import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AbortError, ConnectionClosedError, InvalidArgumentError, TimeoutError } from "../../src/errors.js";
import { ipv6LoopbackAvailable, startTimestampServer } from "../../src/servers/timestamp/index.js";
import {
  formatSocketTarget,
  MAX_TCP_MESSAGE,
  openTimestampSession,
  parseSocketTarget,
  parseTimestampReply,
  TIMESTAMP_REPLY,
  udpAsk,
} from "../../src/tools/timestamp.js";
import type { TraceEvent } from "../../src/transport/trace.js";

const FIXED = new Date(2026, 10, 22, 3, 24, 32);
const STAMP = "[Sun Nov 22 03:24:32 2026]";

describe("parseSocketTarget", () => {
  it("reads HOST:PORT, [IPv6]:PORT, unix:PATH and the servers' URLs", () => {
    assert.deepEqual(parseSocketTarget("127.0.0.1:21567"), { host: "127.0.0.1", port: 21567 });
    assert.deepEqual(parseSocketTarget("localhost:1"), { host: "localhost", port: 1 });
    assert.deepEqual(parseSocketTarget("mail.example.test:65535"), {
      host: "mail.example.test",
      port: 65535,
    });
    assert.deepEqual(parseSocketTarget("[::1]:8080"), { host: "::1", port: 8080 });
    assert.deepEqual(parseSocketTarget("unix:/tmp/ts.sock"), { path: "/tmp/ts.sock" });
    assert.deepEqual(parseSocketTarget("unix:relative.sock"), { path: "relative.sock" });
    assert.deepEqual(parseSocketTarget("tcp://127.0.0.1:5"), { host: "127.0.0.1", port: 5 });
    assert.deepEqual(parseSocketTarget("udp://[::1]:5"), { host: "::1", port: 5 });
  });

  for (const bad of [
    "",
    "127.0.0.1",
    "127.0.0.1:",
    "127.0.0.1:0",
    "127.0.0.1:65536",
    "127.0.0.1:-1",
    "127.0.0.1:8o",
    "::1:80",
    "[::1]",
    "[nope]:80",
    ":80",
    "bad host:80",
    "host\r\n:80",
    "unix:",
    "-x:80",
  ]) {
    it(`refuses ${JSON.stringify(bad)} with InvalidArgumentError`, () => {
      assert.throws(() => parseSocketTarget(bad), InvalidArgumentError);
    });
  }

  it("formats targets back", () => {
    assert.equal(formatSocketTarget({ host: "::1", port: 7 }), "[::1]:7");
    assert.equal(formatSocketTarget({ host: "127.0.0.1", port: 7 }), "127.0.0.1:7");
    assert.equal(formatSocketTarget({ path: "/s" }), "unix:/s");
  });
});

describe("parseTimestampReply", () => {
  it("splits a reply into time and message", () => {
    assert.deepEqual(parseTimestampReply(`${STAMP} hello world`), {
      time: "Sun Nov 22 03:24:32 2026",
      message: "hello world",
    });
    assert.deepEqual(parseTimestampReply("[Mon Jan  1 00:00:05 2024] "), {
      time: "Mon Jan  1 00:00:05 2024",
      message: "",
    });
    assert.match(`${STAMP} x`, TIMESTAMP_REPLY);
  });

  it("returns undefined for anything else", () => {
    for (const reply of [
      "hello",
      "[Sun Nov 22 03:24:32 2026]hello",
      "[yesterday] hello",
      "Sun Nov 22 03:24:32 2026 hello",
    ]) {
      assert.equal(parseTimestampReply(reply), undefined, reply);
    }
  });
});

describe("openTimestampSession", () => {
  it("asks over TCP/IPv4 and gets one reply per message, in order, tracing the lines", async () => {
    const server = await startTimestampServer({ protocol: "tcp", now: () => FIXED });
    const events: TraceEvent[] = [];
    const session = await openTimestampSession(server.url, { onTrace: (e) => events.push(e) });
    try {
      assert.equal(session.peer, server.url.slice("tcp://".length));
      assert.equal(await session.ask("hello"), `${STAMP} hello`);
      // Calls made without await are answered in order.
      const replies = await Promise.all(["a", "b", "c"].map((m) => session.ask(m)));
      assert.deepEqual(replies, [`${STAMP} a`, `${STAMP} b`, `${STAMP} c`]);
      assert.equal(await session.ask(Buffer.from("héllo")), `${STAMP} héllo`);
      assert.ok(events.some((e) => e.direction === "send" && e.text === "hello"));
      assert.ok(events.some((e) => e.direction === "receive" && e.text === `${STAMP} hello`));
    } finally {
      await session.close();
      await server.close();
    }
  });

  it("refuses a message with CR, LF or NUL, or one too long, without breaking the session", async () => {
    const server = await startTimestampServer({ protocol: "tcp", now: () => FIXED });
    const session = await openTimestampSession(server.url);
    try {
      await assert.rejects(session.ask("a\r\nb"), InvalidArgumentError);
      await assert.rejects(session.ask("a\u0000b"), InvalidArgumentError);
      await assert.rejects(session.ask(Buffer.alloc(MAX_TCP_MESSAGE + 1, 0x61)), InvalidArgumentError);
      const longest = await session.ask(Buffer.alloc(MAX_TCP_MESSAGE, 0x61));
      assert.equal(longest.length, STAMP.length + 1 + MAX_TCP_MESSAGE);
      assert.equal(await session.ask("still here"), `${STAMP} still here`);
    } finally {
      await session.close();
      await server.close();
    }
  });

  it("works over IPv6 and a Unix-domain socket", async (t) => {
    const targets: string[] = [];
    const servers = [];
    if (await ipv6LoopbackAvailable()) {
      servers.push(await startTimestampServer({ protocol: "tcp", host: "::1", now: () => FIXED }));
    }
    const folder = await mkdtemp(join(tmpdir(), "inetkit-tools-"));
    t.after(() => rm(folder, { recursive: true, force: true }));
    servers.push(await startTimestampServer({ protocol: "tcp", path: join(folder, "s"), now: () => FIXED }));
    try {
      for (const server of servers) targets.push(server.url.replace(/^tcp:\/\//, ""));
      for (const target of targets) {
        const session = await openTimestampSession(target);
        assert.equal(await session.ask("there"), `${STAMP} there`, target);
        await session.close();
      }
      assert.ok(targets.some((t) => t.startsWith("unix:")));
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });

  it("fails to connect with ConnectionClosedError and a bad target with InvalidArgumentError", async () => {
    const server = await startTimestampServer({ protocol: "tcp" });
    const { port } = server.address as { port: number };
    await server.close();
    await assert.rejects(openTimestampSession(`127.0.0.1:${port}`), ConnectionClosedError);
    await assert.rejects(openTimestampSession("127.0.0.1"), InvalidArgumentError);
  });

  it("times out (phase command) on a server that never answers, and aborts on the signal", async () => {
    const sockets = new Set<import("node:net").Socket>();
    const mute = createServer((s) => sockets.add(s));
    await new Promise<void>((resolve) => mute.listen(0, "127.0.0.1", () => resolve()));
    const { port } = mute.address() as { port: number };
    try {
      const slow = await openTimestampSession(`127.0.0.1:${port}`, { timeout: 50 });
      await assert.rejects(slow.ask("x"), (e: unknown) => e instanceof TimeoutError && e.phase === "command");
      await slow.close();
      const controller = new AbortController();
      const session = await openTimestampSession(`127.0.0.1:${port}`, { signal: controller.signal });
      const pending = session.ask("x");
      controller.abort();
      await assert.rejects(pending, AbortError);
      await session.close();
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => mute.close(() => resolve()));
    }
  });
});

describe("udpAsk", () => {
  it("asks a UDP timestamp server", async () => {
    const server = await startTimestampServer({ protocol: "udp", now: () => FIXED });
    try {
      assert.equal(await udpAsk(server.url, "hello"), `${STAMP} hello`);
      const { host, port } = server.address as { host: string; port: number };
      assert.equal(await udpAsk({ host, port }, Buffer.from("bytes")), `${STAMP} bytes`);
    } finally {
      await server.close();
    }
  });

  it("refuses a Unix socket target and a bad target", async () => {
    await assert.rejects(udpAsk("unix:/tmp/x", "hi"), InvalidArgumentError);
    await assert.rejects(udpAsk("nowhere", "hi"), InvalidArgumentError);
  });
});
