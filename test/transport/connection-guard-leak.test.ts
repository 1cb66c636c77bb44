// Connection.guard() must not keep what it returned alive: memory must not grow with payload size.
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { createServer, type Socket } from "node:net";
import { it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Connection } from "../../src/transport/connection.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

it("guard() does not retain the values of finished reads (all of a download stayed reachable)", async () => {
  const peers = new Set<Socket>();
  const server = createServer((socket) => {
    peers.add(socket);
    socket.write(Buffer.alloc(1024, 0x61));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  const connection = await Connection.connect({ host: "127.0.0.1", port });
  let ref: WeakRef<Buffer> | undefined;
  await (async () => {
    const chunk = await connection.guard("data", undefined, () => connection.reader.readChunk());
    assert.ok(chunk && chunk.length > 0);
    ref = new WeakRef(chunk);
  })();
  // Let the promise jobs settle, then collect: nothing of ours holds the chunk any more.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const retained = ref!.deref() !== undefined;
  connection.destroy();
  for (const peer of peers) peer.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.equal(retained, false, "the chunk is still reachable from the connection after the read finished");
});

it("a connection the peer closes lets go of the caller's long-lived signal", async () => {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  const controller = new AbortController();
  for (let i = 0; i < 3; i += 1) {
    const connection = await Connection.connect({ host: "127.0.0.1", port, signal: controller.signal });
    assert.equal(await connection.reader.readChunk(), null, "the peer ended the stream");
    await connection.closed;
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.equal(getEventListeners(controller.signal, "abort").length, 0);
});
