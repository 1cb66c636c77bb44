import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { describe, it } from "node:test";
import { MAX_UDP_PAYLOAD } from "../../../src/servers/timestamp/format.js";
import {
  ipv6LoopbackAvailable,
  type ServedMessage,
  startTimestampServer,
} from "../../../src/servers/timestamp/index.js";
import { NO_IPV6_CODES } from "../../../src/servers/timestamp/loopback.js";

const FIXED = new Date(2026, 10, 22, 3, 24, 32);
const STAMP = "[Sun Nov 22 03:24:32 2026]";

/** Sends one datagram from a fresh socket and resolves to the reply. */
function exchange(host: string, port: number, message: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
    socket.once("error", (error) => {
      socket.close();
      reject(error);
    });
    socket.once("message", (reply) => {
      socket.close();
      resolve(reply);
    });
    socket.send(message, port, host);
  });
}

describe("UDP timestamp server", () => {
  it("answers each datagram with one datagram [ctime] message", async () => {
    const served: ServedMessage[] = [];
    const server = await startTimestampServer({
      protocol: "udp",
      now: () => FIXED,
      onMessage: (m) => served.push(m),
    });
    try {
      const { host, port } = server.address as { host: string; port: number };
      assert.equal(host, "127.0.0.1");
      assert.equal(server.url, `udp://127.0.0.1:${port}`);
      assert.equal((await exchange(host, port, Buffer.from("hello"))).toString(), `${STAMP} hello`);
      // No framing: a LF inside is echoed as it came, and an empty datagram gets a reply too.
      assert.equal((await exchange(host, port, Buffer.from("a\nb\n"))).toString(), `${STAMP} a\nb\n`);
      assert.equal((await exchange(host, port, Buffer.alloc(0))).toString(), `${STAMP} `);
      assert.equal(served.length, 3);
      assert.equal(served[0]!.protocol, "udp");
      assert.equal(served[0]!.message.toString(), "hello");
    } finally {
      await server.close();
    }
  });

  it("cuts the echo so the reply fits one datagram", async () => {
    const server = await startTimestampServer({ protocol: "udp", now: () => FIXED });
    try {
      const { host, port } = server.address as { host: string; port: number };
      const reply = await exchange(host, port, Buffer.alloc(MAX_UDP_PAYLOAD, 0x7a));
      assert.equal(reply.length, MAX_UDP_PAYLOAD);
      assert.ok(reply.toString("latin1").startsWith(`${STAMP} zzz`));
    } finally {
      await server.close();
    }
  });

  it("serves IPv6 on ::1 (or the system says there is no IPv6 loopback)", async () => {
    if (!(await ipv6LoopbackAvailable())) {
      await assert.rejects(
        startTimestampServer({ protocol: "udp", host: "::1" }),
        (error: NodeJS.ErrnoException) => NO_IPV6_CODES.has(error.code ?? ""),
      );
      return;
    }
    const server = await startTimestampServer({ protocol: "udp", host: "::1", now: () => FIXED });
    try {
      const { host, port } = server.address as { host: string; port: number };
      assert.equal(host, "::1");
      assert.equal(server.url, `udp://[::1]:${port}`);
      assert.equal((await exchange(host, port, Buffer.from("six"))).toString(), `${STAMP} six`);
    } finally {
      await server.close();
    }
  });

  it("rejects with the system error when the port is taken; close() twice is fine", async () => {
    const server = await startTimestampServer({ protocol: "udp" });
    const { port } = server.address as { port: number };
    await assert.rejects(startTimestampServer({ protocol: "udp", port }), { code: "EADDRINUSE" });
    await Promise.all([server.close(), server.close()]);
  });
});
