// PooledReceiver: reused read buffers must never be overwritten while the consumer still holds
// them, however slow the consumer is (every buffer waiting on it is the starved case).
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { type AddressInfo, createServer } from "node:net";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { AbortError, TimeoutError } from "../../src/errors.js";
import { PooledReceiver } from "../../src/transport/pooled-receive.js";

async function sender(payload: Buffer | undefined) {
  const server = createServer((socket) => {
    socket.on("error", () => {});
    if (payload) socket.end(payload);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

describe("PooledReceiver", () => {
  for (const [label, delay] of [
    ["a fast consumer", 0],
    ["a slow consumer (every buffer waits on it)", 2],
  ] as const) {
    it(`delivers every byte intact to ${label}`, async () => {
      const payload = randomBytes(3 * 1024 * 1024 + 11);
      const peer = await sender(payload);
      try {
        const receiver = await PooledReceiver.connect({
          host: "127.0.0.1",
          port: peer.port,
          label: "test",
          bufferSize: 16 * 1024,
          buffers: 3,
        });
        const hash = createHash("sha256");
        const seen = new Set<ArrayBufferLike>();
        const total = await receiver.receive(
          async (chunk) => {
            seen.add(chunk.buffer);
            hash.update(chunk);
            if (delay > 0) await sleep(delay);
            // Still intact after the wait: nothing was read into it meanwhile.
            hash.update(Buffer.alloc(0));
          },
          { timeout: 5000 },
        );
        assert.equal(total, payload.length);
        assert.equal(hash.digest("hex"), sha(payload));
        assert.ok(seen.size <= 4, `memory stays in the pool (${seen.size} distinct buffers)`);
      } finally {
        peer.close();
      }
    });
  }

  for (const [label, bufferSize, buffers] of [
    ["buffers of one read each", 16 * 1024, 2],
    ["buffers filled over several reads", 256 * 1024, 3],
  ] as const) {
    it(`detects corruption a reused buffer would cause (${label}): each chunk is checked after the sink's wait`, async () => {
      // Distinct 16 KiB blocks: a buffer overwritten while held would no longer match its copy.
      const blocks = Array.from({ length: 200 }, (_, i) => Buffer.alloc(16 * 1024, i % 251));
      const payload = Buffer.concat(blocks);
      const peer = await sender(payload);
      try {
        const receiver = await PooledReceiver.connect({
          host: "127.0.0.1",
          port: peer.port,
          label: "test",
          bufferSize,
          buffers,
        });
        const parts: Buffer[] = [];
        await receiver.receive(
          async (chunk) => {
            const copy = Buffer.from(chunk);
            parts.push(copy); // In call order: the sink takes chunks in order before it awaits.
            await sleep(1);
            assert.ok(chunk.equals(copy), "a held chunk changed under the consumer");
          },
          { timeout: 5000 },
        );
        assert.ok(Buffer.concat(parts).equals(payload));
      } finally {
        peer.close();
      }
    });
  }

  it("does not sit on the bytes of a slow link: they go to the consumer at the next read after 100 ms", async () => {
    // Three pieces 150 ms apart: the second read comes after the first bytes waited 100 ms, so
    // they are handed over then, not only when a whole buffer is full or the stream ends.
    const server = createServer(async (socket) => {
      socket.on("error", () => {});
      for (let i = 0; i < 3; i += 1) {
        socket.write(Buffer.alloc(1000, 0x41 + i));
        await sleep(150);
      }
      socket.end();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const receiver = await PooledReceiver.connect({
        host: "127.0.0.1",
        port: (server.address() as AddressInfo).port,
        label: "test",
      });
      const chunks: Buffer[] = [];
      const total = await receiver.receive(
        async (chunk) => {
          chunks.push(Buffer.from(chunk));
        },
        { timeout: 5000 },
      );
      assert.equal(total, 3000);
      assert.ok(chunks.length >= 2, `handed over in ${chunks.length} chunk(s)`);
      assert.equal(
        Buffer.concat(chunks).toString("latin1"),
        "A".repeat(1000) + "B".repeat(1000) + "C".repeat(1000),
      );
    } finally {
      server.close();
    }
  });

  it("passes the next chunk before the previous one is done, never more than the pool holds", async () => {
    const payload = randomBytes(2 * 1024 * 1024);
    const peer = await sender(payload);
    try {
      const receiver = await PooledReceiver.connect({
        host: "127.0.0.1",
        port: peer.port,
        label: "test",
        bufferSize: 64 * 1024,
        buffers: 4,
      });
      let inFlight = 0;
      let most = 0;
      const parts: Buffer[] = [];
      const total = await receiver.receive(
        async (chunk) => {
          parts.push(Buffer.from(chunk));
          inFlight += 1;
          most = Math.max(most, inFlight);
          await sleep(2);
          inFlight -= 1;
        },
        { timeout: 5000 },
      );
      assert.equal(total, payload.length);
      assert.ok(Buffer.concat(parts).equals(payload));
      assert.ok(most >= 2, `a slow sink had ${most} chunk(s) in flight at most`);
      assert.ok(most <= 4, `never more chunks in flight than buffers (${most})`);
    } finally {
      peer.close();
    }
  });

  it("rejects with the sink's error only once every call in flight has settled", async () => {
    const peer = await sender(randomBytes(1024 * 1024));
    try {
      const receiver = await PooledReceiver.connect({
        host: "127.0.0.1",
        port: peer.port,
        label: "test",
        bufferSize: 64 * 1024,
        buffers: 4,
      });
      let calls = 0;
      let settled = 0;
      const failure = new Error("disk full");
      await assert.rejects(
        receiver.receive(
          async () => {
            calls += 1;
            const mine = calls;
            await sleep(mine === 1 ? 1 : 30);
            settled += 1;
            if (mine === 1) throw failure;
          },
          { timeout: 5000 },
        ),
        (error: unknown) => error === failure && settled === calls,
      );
      assert.ok(calls >= 2, `the failing call had company in flight (${calls} calls)`);
    } finally {
      peer.close();
    }
  });

  it("names the phase on silence and honours abort", async () => {
    const peer = await sender(undefined);
    try {
      const silent = await PooledReceiver.connect({ host: "127.0.0.1", port: peer.port, label: "test" });
      await assert.rejects(
        silent.receive(async () => {}, { timeout: 100 }),
        (error: unknown) => error instanceof TimeoutError && error.phase === "data",
      );
      const aborted = await PooledReceiver.connect({ host: "127.0.0.1", port: peer.port, label: "test" });
      await assert.rejects(
        aborted.receive(async () => {}, { timeout: 5000, signal: AbortSignal.timeout(50) }),
        AbortError,
      );
    } finally {
      peer.close();
    }
  });
});
