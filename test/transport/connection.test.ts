import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  AbortError,
  ConnectionClosedError,
  InvalidArgumentError,
  LimitError,
  ProtocolError,
  TimeoutError,
} from "../../src/errors.js";
import { secret } from "../../src/textproto/write-line.js";
import { Connection } from "../../src/transport/connection.js";
import type { TraceEvent } from "../../src/transport/trace.js";

/** A loopback server whose per-connection behaviour is a function; records everything it received. */
async function serve(onSocket: (socket: Socket) => void, host = "127.0.0.1") {
  const sockets = new Set<Socket>();
  const received: Buffer[] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("data", (chunk) => received.push(chunk));
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    onSocket(socket);
  });
  server.listen(0, host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    port,
    host,
    received: () => Buffer.concat(received),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, "close");
    },
  };
}

const servers: Array<{ close(): Promise<void> }> = [];
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function greeter(lines: string[], host = "127.0.0.1") {
  const server = await serve((socket) => socket.write(lines.map((l) => `${l}\r\n`).join("")), host);
  servers.push(server);
  return server;
}

/** A connection to `port` on 127.0.0.1 that records the text of every line it traces as sent. */
async function connectTracingSends(port: number): Promise<{ conn: Connection; traced: string[] }> {
  const traced: string[] = [];
  const conn = await Connection.connect({
    host: "127.0.0.1",
    port,
    onTrace: (event) => {
      if (event.direction === "send") traced.push(event.text);
    },
  });
  return { conn, traced };
}

describe("Connection", () => {
  it("reads lines and writes command lines over IPv4", async () => {
    const server = await serve((socket) => {
      socket.write("220 hello\r\n");
      socket.on("data", (chunk) => {
        if (chunk.toString().startsWith("NOOP")) socket.write("250 ok\r\n");
      });
    });
    servers.push(server);
    const conn = await Connection.connect({ host: "127.0.0.1", port: server.port });
    assert.equal((await conn.readLine({ phase: "greeting" })).toString(), "220 hello");
    await conn.writeLine(["NOOP"]);
    assert.equal((await conn.readLine()).toString(), "250 ok");
    assert.equal(conn.lastCommand, "NOOP");
    await conn.end();
    assert.equal(conn.isOpen, false);
  });

  it("connects over IPv6 loopback", async () => {
    const server = await greeter(["220 six"], "::1");
    const conn = await Connection.connect({ host: "::1", port: server.port });
    assert.equal(conn.label, `[::1]:${server.port}`);
    assert.equal((await conn.readLine()).toString(), "220 six");
    conn.destroy();
  });

  it("resolves a host name and connects (localhost)", async () => {
    const server = await greeter(["220 named"]);
    const conn = await Connection.connect({ host: "localhost", port: server.port, family: 4 });
    assert.equal((await conn.readLine()).toString(), "220 named");
    conn.destroy();
  });

  it("connects to a Unix-domain socket", async () => {
    const dir = await mkdtemp(join(tmpdir(), "inetkit-"));
    const path = join(dir, "s.sock");
    const server = createServer((socket) => socket.end("220 unix\r\n"));
    server.listen(path);
    await once(server, "listening");
    try {
      const conn = await Connection.connect({ path });
      assert.equal(conn.label, `unix:${path}`);
      assert.equal((await conn.readLine()).toString(), "220 unix");
      await assert.rejects(conn.readLine(), ConnectionClosedError);
      conn.destroy();
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("rejects with ConnectionClosedError when the port is closed", async () => {
    const server = await serve(() => {});
    const port = server.port;
    await server.close();
    await assert.rejects(Connection.connect({ host: "127.0.0.1", port }), (error: unknown) => {
      assert.ok(error instanceof ConnectionClosedError);
      assert.match(error.message, /ECONNREFUSED/);
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      return true;
    });
  });

  it("names the phase when the greeting never comes", async () => {
    const server = await serve(() => {});
    servers.push(server);
    const conn = await Connection.connect({
      host: "127.0.0.1",
      port: server.port,
      timeouts: { greeting: 100 },
    });
    await assert.rejects(conn.readLine({ phase: "greeting" }), (error: unknown) => {
      assert.ok(error instanceof TimeoutError);
      assert.equal(error.phase, "greeting");
      assert.equal(error.code, "ETIMEDOUT");
      return true;
    });
    assert.equal(conn.isOpen, false, "a timeout destroys the connection");
    await conn.closed;
  });

  for (const timeout of [0, Number.POSITIVE_INFINITY]) {
    it(`treats timeout ${timeout} as no limit, the connect budget included`, async () => {
      const server = await greeter(["220 hi"]);
      const conn = await Connection.connect({ host: "127.0.0.1", port: server.port, timeout });
      assert.equal((await conn.readLine({ phase: "greeting" })).toString(), "220 hi");
      conn.destroy();
      await conn.closed;
    });
  }

  for (const phase of ["command", "data", "idle"] as const) {
    it(`times out in the ${phase} phase and says so`, async () => {
      const server = await greeter(["220 hi"]);
      const conn = await Connection.connect({
        host: "127.0.0.1",
        port: server.port,
        timeouts: { [phase]: 80 },
      });
      await conn.readLine();
      await conn.writeLine(["STAT"]);
      const read =
        phase === "data"
          ? conn.guard("data", undefined, () => conn.reader.readChunk())
          : conn.readLine({ phase });
      await assert.rejects(read, (error: unknown) => {
        assert.ok(error instanceof TimeoutError);
        assert.equal(error.phase, phase);
        assert.equal(error.command, "STAT", "the error names the command");
        return true;
      });
    });
  }

  it("restarts the limit whenever bytes arrive, so a slow but moving peer is not cut off", async () => {
    const server = await serve((socket) => {
      let count = 0;
      const timer = setInterval(() => {
        count += 1;
        socket.write(count < 15 ? "x" : "\r\n");
        if (count >= 15) clearInterval(timer);
      }, 20);
      socket.on("close", () => clearInterval(timer));
    });
    servers.push(server);
    const conn = await Connection.connect({
      host: "127.0.0.1",
      port: server.port,
      timeouts: { command: 150 },
    });
    assert.equal((await conn.readLine()).toString(), "x".repeat(14));
    conn.destroy();
  });

  it("counts silence only while waiting: an idle spell longer than the limit harms neither that wait nor the next", async () => {
    // The server answers each line after 60 ms: within the 100 ms limit every time.
    const server = await serve((socket) => {
      socket.on("data", () => setTimeout(() => socket.write("250 ok\r\n"), 60));
    });
    servers.push(server);
    const conn = await Connection.connect({
      host: "127.0.0.1",
      port: server.port,
      timeouts: { command: 100 },
    });
    for (let round = 0; round < 3; round++) {
      await conn.writeLine(["NOOP"]);
      assert.equal((await conn.readLine()).toString(), "250 ok");
      // Idle for longer than the limit: its timer runs out with nothing awaited, which is no failure.
      await new Promise((resolve) => setTimeout(resolve, 140));
      assert.equal(conn.isOpen, true);
    }
    // And a wait that is not answered still times out.
    await assert.rejects(conn.readLine(), TimeoutError);
    await conn.closed;
  });

  it("rejects with AbortError when the signal fires, and frees the connection", async () => {
    const server = await serve(() => {});
    servers.push(server);
    const conn = await Connection.connect({ host: "127.0.0.1", port: server.port });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await assert.rejects(conn.readLine({ signal: controller.signal }), AbortError);
    await conn.closed;
    assert.equal(conn.isOpen, false);
  });

  it("rejects at once with AbortError for an already-aborted signal, before dialing", async () => {
    await assert.rejects(
      Connection.connect({ host: "127.0.0.1", port: 9, signal: AbortSignal.abort() }),
      AbortError,
    );
  });

  it("aborting the connection-wide signal ends pending reads", async () => {
    const server = await serve(() => {});
    servers.push(server);
    const controller = new AbortController();
    const conn = await Connection.connect({
      host: "127.0.0.1",
      port: server.port,
      signal: controller.signal,
    });
    const pending = conn.readLine();
    controller.abort();
    await assert.rejects(pending, AbortError);
  });

  it("refuses CR, LF and NUL in arguments before any byte is written", async () => {
    const server = await serve(() => {});
    servers.push(server);
    const conn = await Connection.connect({ host: "127.0.0.1", port: server.port });
    for (const bad of ["x\r\nRCPT TO:<evil@example.org>", "a\nb", "a\rb", "a\0b"]) {
      await assert.rejects(conn.writeLine(["MAIL", bad]), InvalidArgumentError);
      await assert.rejects(conn.writeLine(["PASS", secret(bad)]), (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.ok(!error.message.includes(bad), "the message never shows the secret value");
        return true;
      });
    }
    await conn.writeLine(["QUIT"]);
    await conn.end();
    assert.equal(server.received().toString(), "QUIT\r\n", "only the valid line reached the server");
  });

  it("writeLines sends several lines in one write, traced one by one, or none when one is refused", async () => {
    const chunks: string[] = [];
    const server = await serve((socket) => socket.on("data", (chunk) => chunks.push(chunk.toString())));
    servers.push(server);
    const { conn, traced } = await connectTracingSends(server.port);
    await assert.rejects(conn.writeLines([["EPSV"], ["RETR", "a\r\nDELE b"]]), InvalidArgumentError);
    await conn.writeLines([["EPSV"], ["RETR", "a b"]]);
    assert.equal(conn.lastCommand, "RETR a b");
    await conn.end();
    assert.equal(
      server.received().toString(),
      "EPSV\r\nRETR a b\r\n",
      "nothing of the refused pair went out",
    );
    assert.deepEqual(chunks, ["EPSV\r\nRETR a b\r\n"], "both lines came in one segment");
    assert.deepEqual(traced, ["EPSV", "RETR a b"]);
  });

  it("writeLines sends UTF-8 and number parts as they are, and masks secret parts in traces", async () => {
    const server = await serve(() => {});
    servers.push(server);
    const { conn, traced } = await connectTracingSends(server.port);
    await conn.writeLines([
      ["MAIL", "FROM:<jörg@example.org>"],
      ["RCPT", "TO:<a@b>", 7],
    ]);
    await conn.writeLines([
      ["USER", "x"],
      ["PASS", secret("pw")],
    ]);
    assert.equal(conn.lastCommand, "PASS ****");
    await conn.end();
    assert.equal(
      server.received().toString("utf8"),
      "MAIL FROM:<jörg@example.org>\r\nRCPT TO:<a@b> 7\r\nUSER x\r\nPASS pw\r\n",
    );
    assert.deepEqual(traced, ["MAIL FROM:<jörg@example.org>", "RCPT TO:<a@b> 7", "USER x", "PASS ****"]);
  });

  it("fails with LimitError on an over-long line and closes the connection", async () => {
    const server = await serve((socket) => socket.write(`${"a".repeat(5000)}\r\n`));
    servers.push(server);
    const conn = await Connection.connect({ host: "127.0.0.1", port: server.port, maxLineLength: 1000 });
    await assert.rejects(conn.readLine(), (error: unknown) => {
      assert.ok(error instanceof LimitError);
      assert.equal(error.limit, 1000);
      assert.match(error.message, /127\.0\.0\.1/);
      return true;
    });
    assert.equal(conn.isOpen, false);
  });

  it("fails with ProtocolError on a bare LF reply", async () => {
    const bare = await serve((socket) => socket.write("220 bare\n"));
    servers.push(bare);
    const conn = await Connection.connect({ host: "127.0.0.1", port: bare.port });
    await assert.rejects(conn.readLine(), ProtocolError);
  });

  it("traces both directions with secrets masked", async () => {
    const server = await serve((socket) => {
      socket.write("220 hi\r\n");
      socket.on("data", () => socket.write("230 ok\r\n"));
    });
    servers.push(server);
    const events: TraceEvent[] = [];
    const conn = await Connection.connect({
      host: "127.0.0.1",
      port: server.port,
      onTrace: (event) => events.push(event),
    });
    await conn.readLine();
    await conn.writeLine(["PASS", secret("hunter2")]);
    await conn.readLine();
    await conn.end();
    const lines = events.filter((e) => e.direction !== "info").map((e) => `${e.direction}: ${e.text}`);
    assert.deepEqual(lines, ["receive: 220 hi", "send: PASS ****", "receive: 230 ok"]);
    assert.ok(events.every((e) => !e.text.includes("hunter2")));
    assert.ok(events.some((e) => e.direction === "info" && e.text === "closed"));
  });

  it("streams raw data to the end, or exactly `length` bytes leaving the rest for the next read", async () => {
    const server = await serve((socket) =>
      socket.end(Buffer.concat([Buffer.alloc(300_000, 7), Buffer.from("250 next\r\n")])),
    );
    servers.push(server);
    const conn = await Connection.connect({ host: "127.0.0.1", port: server.port });
    let total = 0;
    for await (const chunk of conn.stream({ length: 300_000 })) {
      assert.ok(chunk.every((byte) => byte === 7));
      total += chunk.length;
    }
    assert.equal(total, 300_000);
    assert.equal((await conn.readLine()).toString(), "250 next");
    assert.equal(await conn.readChunk(), null, "then the clean end of the stream");
    conn.destroy();
  });

  it("rejects a stream that ends short of its length", async () => {
    const server = await serve((socket) => socket.end("abc"));
    servers.push(server);
    const conn = await Connection.connect({ host: "127.0.0.1", port: server.port });
    await assert.rejects(async () => {
      for await (const _ of conn.stream({ length: 10 })) {
      }
    }, /7 bytes short/);
  });

  it("keeps one silence limit across a moving stream and fires it when the stream stalls", async () => {
    const server = await serve((socket) => {
      let sent = 0;
      const timer = setInterval(() => {
        sent += 1;
        if (sent <= 12) socket.write(Buffer.alloc(1000, 1));
        else clearInterval(timer);
      }, 25);
      socket.on("close", () => clearInterval(timer));
    });
    servers.push(server);
    const conn = await Connection.connect({ host: "127.0.0.1", port: server.port, timeouts: { data: 150 } });
    let total = 0;
    await assert.rejects(
      async () => {
        for await (const chunk of conn.stream()) total += chunk.length;
      },
      (error: unknown) => error instanceof TimeoutError && error.phase === "data",
    );
    assert.equal(total, 12_000, "everything sent before the stall arrived, over more than one limit's time");
  });

  it("aborts a stream through its signal", async () => {
    const server = await serve((socket) => socket.write("x"));
    servers.push(server);
    const conn = await Connection.connect({ host: "127.0.0.1", port: server.port });
    const controller = new AbortController();
    await assert.rejects(async () => {
      for await (const _ of conn.stream({ signal: controller.signal })) controller.abort();
    }, AbortError);
    assert.equal(conn.isOpen, false);
  });

  it("holds a fast sender's bytes within the reader's bound and loses none of them", async () => {
    // 8 MiB of numbered lines, written as fast as the socket takes them.
    const total = 100_000;
    const server = await serve((socket) => {
      let next = 0;
      const pump = () => {
        while (next < total) {
          if (!socket.write(`${String(next++).padStart(79, "0")}\r\n`))
            return void socket.once("drain", pump);
        }
        socket.end();
      };
      pump();
    });
    servers.push(server);
    const conn = await Connection.connect({ host: "127.0.0.1", port: server.port });
    // Let the sender run ahead while nothing is read: the reader pauses the socket at its bound.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(
      conn.reader.buffered <= conn.reader.highWaterMark + 64 * 1024,
      `buffered ${conn.reader.buffered}`,
    );
    for (let index = 0; index < total; index++) {
      const line = conn.tryReadLine() ?? (await conn.readLine());
      if (Number(line.toString()) !== index) assert.fail(`line ${index} came as ${line}`);
    }
    assert.equal(await conn.reader.readLine(), null);
    conn.destroy();
  });

  it("leaves no timer or listener behind after many connect/close cycles", async () => {
    const server = await greeter(["220 hi"]);
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    for (let i = 0; i < 200; i++) {
      const conn = await Connection.connect({ host: "127.0.0.1", port: server.port, timeout: 5000 });
      await conn.readLine();
      await conn.end();
    }
    const timersAfter = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    assert.ok(timersAfter <= timersBefore, `timers grew from ${timersBefore} to ${timersAfter}`);
    const sockets = process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
    assert.ok(sockets <= 2, `${sockets} client sockets still open`);
  });
});
