import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { describe, it } from "node:test";
import {
  AbortError,
  ConnectionClosedError,
  InvalidArgumentError,
  LimitError,
  TimeoutError,
} from "../../src/errors.js";
import type { TraceEvent } from "../../src/transport/trace.js";
import { MAX_DATAGRAM, udpExchange } from "../../src/transport/udp.js";

/** A UDP peer on 127.0.0.1 that answers with `answer(message)` (or not at all when it returns undefined). */
async function peer(
  answer: (message: Buffer) => Buffer | undefined,
): Promise<{ port: number; socket: Socket }> {
  const socket = createSocket("udp4");
  socket.on("message", (message, remote) => {
    const reply = answer(message);
    if (reply) socket.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  return { port: socket.address().port, socket };
}

function close(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

describe("udpExchange", () => {
  it("sends one datagram and resolves to the reply, tracing both", async () => {
    const { port, socket } = await peer((m) => Buffer.concat([Buffer.from("re: "), m]));
    try {
      const events: TraceEvent[] = [];
      const reply = await udpExchange({
        host: "127.0.0.1",
        port,
        message: Buffer.from("ping\u001b"),
        onTrace: (e) => events.push(e),
      });
      assert.equal(reply.toString(), "re: ping\u001b");
      assert.deepEqual(
        events.map((e) => [e.direction, e.text, e.host]),
        [
          ["send", "ping^[", `127.0.0.1:${port}`],
          ["receive", "re: ping^[", `127.0.0.1:${port}`],
        ],
      );
    } finally {
      await close(socket);
    }
  });

  it("resolves a host name", async () => {
    const { port, socket } = await peer(() => Buffer.from("pong"));
    try {
      const reply = await udpExchange({ host: "localhost", port, family: 4, message: Buffer.from("x") });
      assert.equal(reply.toString(), "pong");
    } finally {
      await close(socket);
    }
  });

  it("times out with phase 'command' when no reply comes", async () => {
    const { port, socket } = await peer(() => undefined);
    try {
      await assert.rejects(
        udpExchange({ host: "127.0.0.1", port, message: Buffer.from("x"), timeout: 50 }),
        (error: unknown) =>
          error instanceof TimeoutError && error.phase === "command" && error.timeout === 50,
      );
    } finally {
      await close(socket);
    }
  });

  it("rejects with AbortError when the signal fires, or already fired", async () => {
    const { port, socket } = await peer(() => undefined);
    try {
      const controller = new AbortController();
      const pending = udpExchange({
        host: "127.0.0.1",
        port,
        message: Buffer.from("x"),
        signal: controller.signal,
      });
      controller.abort();
      await assert.rejects(pending, AbortError);
      await assert.rejects(
        udpExchange({ host: "127.0.0.1", port, message: Buffer.from("x"), signal: AbortSignal.abort() }),
        AbortError,
      );
    } finally {
      await close(socket);
    }
  });

  it("reports a closed port as ConnectionClosedError (ECONNREFUSED on Linux)", async () => {
    const { port, socket } = await peer(() => undefined);
    await close(socket);
    const attempt = udpExchange({ host: "127.0.0.1", port, message: Buffer.from("x"), timeout: 5000 });
    if (process.platform === "linux") {
      await assert.rejects(
        attempt,
        (error: unknown) => error instanceof ConnectionClosedError && /ECONNREFUSED/.test(error.message),
      );
    } else {
      await assert.rejects(
        attempt,
        (error: unknown) => error instanceof ConnectionClosedError || error instanceof TimeoutError,
      );
    }
  });

  it("rejects a reply over maxReplyBytes with LimitError", async () => {
    const { port, socket } = await peer(() => Buffer.alloc(100));
    try {
      await assert.rejects(
        udpExchange({ host: "127.0.0.1", port, message: Buffer.from("x"), maxReplyBytes: 99 }),
        LimitError,
      );
    } finally {
      await close(socket);
    }
  });

  it("refuses a bad port or an oversized message before sending", async () => {
    await assert.rejects(
      udpExchange({ host: "127.0.0.1", port: 0, message: Buffer.from("x") }),
      InvalidArgumentError,
    );
    await assert.rejects(
      udpExchange({ host: "127.0.0.1", port: 9, message: Buffer.alloc(MAX_DATAGRAM + 1) }),
      InvalidArgumentError,
    );
  });
});
