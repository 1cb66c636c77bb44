// QuickReceiver: the bare data connection of a small passive download — every byte in order,
// backpressure through the sink, and the same typed failures as the transport's receivers.
import assert from "node:assert/strict";
import { once } from "node:events";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { after, describe, it } from "node:test";
import { AbortError, ConnectionClosedError, TimeoutError } from "../../src/errors.js";
import { QuickReceiver } from "../../src/transport/quick-receive.js";

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

/** A listener whose next connection is handed to `serve`. */
async function peer(serve: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    socket.on("error", () => {});
    serve(socket);
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

function receiver(port: number, options: { timeout?: number; signal?: AbortSignal } = {}) {
  return new QuickReceiver({
    host: "127.0.0.1",
    port,
    timeout: options.timeout ?? 5000,
    signal: options.signal,
    label: "test (data)",
  });
}

describe("QuickReceiver", () => {
  it("hands every byte to the sink in order, one chunk at a time, and counts them", async () => {
    const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
    const port = await peer((socket) => socket.end(body));
    const quick = receiver(port);
    await quick.connected;
    const chunks: Buffer[] = [];
    let inSink = 0;
    const total = await quick.receive(
      async (chunk) => {
        inSink += 1;
        assert.equal(inSink, 1, "one chunk at a time");
        chunks.push(Buffer.from(chunk));
        await new Promise((resolve) => setImmediate(resolve));
        inSink -= 1;
      },
      { timeout: 5000 },
    );
    assert.equal(total, body.length);
    assert.deepEqual(Buffer.concat(chunks), body);
  });

  it("reads what arrived before receive() was called", async () => {
    const port = await peer((socket) => socket.end("early bytes"));
    const quick = receiver(port);
    await quick.connected;
    await new Promise((resolve) => setTimeout(resolve, 50));
    let text = "";
    await quick.receive(async (chunk) => void (text += chunk.toString()), { timeout: 5000 });
    assert.equal(text, "early bytes");
  });

  it("fails a refused connection with ConnectionClosedError", async () => {
    const port = await peer(() => {});
    servers.at(-1)!.close();
    await once(servers.at(-1)!, "close");
    const quick = receiver(port);
    await assert.rejects(quick.connected, ConnectionClosedError);
    await assert.rejects(
      quick.receive(async () => {}, { timeout: 5000 }),
      ConnectionClosedError,
    );
  });

  it("times out a silent data connection (phase data)", async () => {
    const held: Socket[] = [];
    const port = await peer((socket) => held.push(socket));
    const quick = receiver(port);
    await assert.rejects(
      quick.receive(async () => {}, { timeout: 100 }),
      (error: unknown) => error instanceof TimeoutError && error.phase === "data",
    );
    for (const socket of held) socket.destroy();
  });

  it("stops with AbortError when the signal fires", async () => {
    const held: Socket[] = [];
    const port = await peer((socket) => held.push(socket));
    const controller = new AbortController();
    const quick = receiver(port, { signal: controller.signal });
    const receiving = quick.receive(async () => {}, { timeout: 5000 });
    setTimeout(() => controller.abort(), 30);
    await assert.rejects(receiving, AbortError);
    for (const socket of held) socket.destroy();
  });

  it("reports a reset before the end as ConnectionClosedError", async () => {
    const port = await peer((socket) => {
      socket.write("partial");
      setTimeout(() => socket.resetAndDestroy(), 20);
    });
    const quick = receiver(port);
    await assert.rejects(
      quick.receive(async () => {}, { timeout: 5000 }),
      ConnectionClosedError,
    );
  });

  it("rejects with the sink's own error and drops the connection", async () => {
    let closed: Promise<unknown> | undefined;
    const port = await peer((socket) => {
      closed = once(socket, "close");
      socket.write("x".repeat(1000));
    });
    const quick = receiver(port);
    const failure = new Error("disk full");
    await assert.rejects(
      quick.receive(
        async () => {
          throw failure;
        },
        { timeout: 5000 },
      ),
      (error: unknown) => error === failure,
    );
    await closed;
  });
});
