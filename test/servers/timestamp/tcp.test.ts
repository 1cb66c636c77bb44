import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { InvalidArgumentError } from "../../../src/errors.js";
import {
  ipv6LoopbackAvailable,
  type ServedMessage,
  startTimestampServer,
  type TimestampServer,
} from "../../../src/servers/timestamp/index.js";
import { NO_IPV6_CODES } from "../../../src/servers/timestamp/loopback.js";

const FIXED = new Date(2026, 10, 22, 3, 24, 32);
const STAMP = "[Sun Nov 22 03:24:32 2026]";
const now = () => FIXED;

type Where = { host: string; port: number } | { path: string };

function open(where: Where): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(where as { host: string; port: number });
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Reads from `socket` until `total` bytes arrived. */
function readBytes(socket: Socket, total: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= total) {
        socket.off("data", onData);
        socket.off("error", reject);
        resolve(Buffer.concat(chunks).toString("latin1"));
      }
    };
    socket.on("data", onData);
    socket.once("error", reject);
  });
}

/** Reads until the peer closes. */
function readToEnd(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("end", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.once("error", reject);
  });
}

function whereOf(server: TimestampServer): Where {
  return server.address;
}

describe("TCP timestamp server", () => {
  let server: TimestampServer;
  const served: ServedMessage[] = [];

  before(async () => {
    server = await startTimestampServer({ protocol: "tcp", now, onMessage: (m) => served.push(m) });
  });
  after(() => server.close());

  it("listens on 127.0.0.1 and says so in its URL", () => {
    assert.ok("port" in server.address);
    assert.equal(server.address.host, "127.0.0.1");
    assert.ok(server.address.port > 0);
    assert.equal(server.url, `tcp://127.0.0.1:${server.address.port}`);
  });

  it("answers each LF or CRLF line with [ctime] line and LF", async () => {
    const socket = await open(whereOf(server));
    const expected = `${STAMP} one\n${STAMP} two\n${STAMP} \n`;
    const reply = readBytes(socket, expected.length);
    socket.write("one\ntwo\r\n\r\n");
    assert.equal(await reply, expected);
    socket.destroy();
    assert.ok(
      served.some(
        (m) => m.message.toString() === "two" && m.protocol === "tcp" && m.peer.startsWith("127.0.0.1:"),
      ),
    );
  });

  it("answers bytes without a LF once the client falls quiet (the book's client)", async () => {
    const socket = await open(whereOf(server));
    const expected = `${STAMP} hello`;
    const reply = readBytes(socket, expected.length);
    socket.write("hel");
    socket.write("lo");
    assert.equal(await reply, expected);
    // The next message on the same connection works the same way.
    const second = readBytes(socket, `${STAMP} again`.length);
    socket.write("again");
    assert.equal(await second, `${STAMP} again`);
    socket.destroy();
  });

  it("answers what a half-closing client left, then closes", async () => {
    const socket = await open(whereOf(server));
    const all = readToEnd(socket);
    socket.end("bye");
    assert.equal(await all, `${STAMP} bye`);
  });

  it("answers an over-long message in 64 KiB pieces", async () => {
    const socket = await open(whereOf(server));
    const prefix = `${STAMP} `.length;
    const all = readToEnd(socket);
    socket.end(Buffer.alloc(65_536 * 2 + 10, 0x61));
    const text = await all;
    assert.equal(text.length, 3 * prefix + 65_536 * 2 + 10);
    assert.ok(text.startsWith(`${STAMP} aaa`));
    assert.equal(text.split(STAMP).length - 1, 3);
  });

  it("survives garbage and resets, and keeps serving", async () => {
    const rude = await open(whereOf(server));
    rude.write(Buffer.from([0, 1, 2, 0xff, 0x0a, 0x1b, 0x5b]));
    rude.resetAndDestroy();
    const socket = await open(whereOf(server));
    const reply = readBytes(socket, `${STAMP} ok\n`.length);
    socket.write("ok\n");
    assert.equal(await reply, `${STAMP} ok\n`);
    socket.destroy();
  });

  it("stops reading from a client that never reads its replies (bounded)", async () => {
    const quiet = await startTimestampServer({ protocol: "tcp" });
    const socket = await open(quiet.address);
    socket.pause();
    const lines = Buffer.alloc(64 * 1024, 0x62);
    for (let i = 999; i < lines.length; i += 1000) lines[i] = 0x0a;
    // An unbounded server would read all 64 MiB while its replies pile up in memory; a bounded
    // one stops reading once its unsent replies and the kernel buffers are full, so our writes
    // stall long before that. (A slow machine can only make it stall sooner, never pass wrongly.)
    let sent = 0;
    let stalled = false;
    while (sent < 64 * 1024 * 1024) {
      sent += lines.length;
      if (socket.write(lines)) continue;
      stalled = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), 1000);
        socket.once("drain", () => {
          clearTimeout(timer);
          resolve(false);
        });
      });
      if (stalled) break;
    }
    assert.ok(stalled, `the server read all ${sent} bytes without its replies being read`);
    socket.destroy();
    await quiet.close();
  });
});

describe("TCP timestamp server: addresses", () => {
  it("serves IPv6 on ::1 (or the system says there is no IPv6 loopback)", async () => {
    if (!(await ipv6LoopbackAvailable())) {
      await assert.rejects(
        startTimestampServer({ protocol: "tcp", host: "::1" }),
        (error: NodeJS.ErrnoException) => NO_IPV6_CODES.has(error.code ?? ""),
      );
      return;
    }
    const server = await startTimestampServer({ protocol: "tcp", host: "::1", now });
    try {
      assert.ok("port" in server.address);
      assert.equal(server.address.host, "::1");
      assert.equal(server.url, `tcp://[::1]:${server.address.port}`);
      const socket = await open(server.address);
      const reply = readBytes(socket, `${STAMP} six\n`.length);
      socket.write("six\n");
      assert.equal(await reply, `${STAMP} six\n`);
      socket.destroy();
    } finally {
      await server.close();
    }
  });

  it("serves a Unix-domain socket", async (t) => {
    const folder = await mkdtemp(join(tmpdir(), "inetkit-ts-"));
    t.after(() => rm(folder, { recursive: true, force: true }));
    const path = join(folder, "ts.sock");
    const server = await startTimestampServer({ protocol: "tcp", path, now });
    try {
      assert.deepEqual(server.address, { path });
      assert.equal(server.url, `unix:${path}`);
      const socket = await open({ path });
      const reply = readBytes(socket, `${STAMP} local\n`.length);
      socket.write("local\n");
      assert.equal(await reply, `${STAMP} local\n`);
      socket.destroy();
    } finally {
      await server.close();
    }
  });

  it("close() closes every connected client", async () => {
    const server = await startTimestampServer({ protocol: "tcp" });
    const clients = await Promise.all([open(server.address), open(server.address)]);
    const closed = clients.map((c) => new Promise<void>((resolve) => c.once("close", () => resolve())));
    for (const c of clients) c.on("error", () => {});
    await server.close();
    await Promise.all(closed);
    assert.ok(clients.every((c) => c.destroyed));
  });

  it("rejects with the system error when the port is taken", async () => {
    const first = await startTimestampServer({ protocol: "tcp" });
    try {
      const { port } = first.address as { port: number };
      await assert.rejects(startTimestampServer({ protocol: "tcp", port }), { code: "EADDRINUSE" });
    } finally {
      await first.close();
    }
  });

  it("refuses bad options", async () => {
    await assert.rejects(startTimestampServer({ protocol: "tcp", port: 70_000 }), InvalidArgumentError);
    await assert.rejects(startTimestampServer({ protocol: "udp", path: "/x" }), InvalidArgumentError);
    await assert.rejects(startTimestampServer({ protocol: "sctp" as "tcp" }), InvalidArgumentError);
  });
});

describe("TCP timestamp server: the book's Python client", () => {
  it("answers socket.send(b'hello') + recv(1024) from python3", async () => {
    const server = await startTimestampServer({ protocol: "tcp" });
    try {
      const { port } = server.address as { port: number };
      const script = [
        "import socket",
        "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
        `s.connect(('127.0.0.1', ${port}))`,
        "s.send(b'hello')",
        "print(s.recv(1024).decode())",
        "s.close()",
      ].join("\n");
      const child = spawn("python3", ["-c", script], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      assert.equal(code, 0, stderr);
      assert.match(stdout.trimEnd(), /^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] hello$/);
    } finally {
      await server.close();
    }
  });
});
