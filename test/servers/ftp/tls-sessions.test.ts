import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createSessionCache } from "../../../src/servers/ftp/tls-sessions.js";

/** Asks the cache for a session the way Node's TLS layer does. */
function resume(server: ReturnType<typeof createSessionCache>, id: Buffer): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    server.emit("resumeSession", id, (error: Error | null, data: Buffer | null) =>
      error ? reject(error) : resolve(data),
    );
  });
}

function store(server: ReturnType<typeof createSessionCache>, id: Buffer, data: Buffer): Promise<void> {
  return new Promise((resolve) => server.emit("newSession", id, data, () => resolve()));
}

describe("the TLS session-ID cache", () => {
  it("gives back a stored session, and nothing for an unknown ID", async () => {
    const cache = createSessionCache();
    await store(cache, Buffer.from("id-1"), Buffer.from("session-1"));
    assert.deepEqual(await resume(cache, Buffer.from("id-1")), Buffer.from("session-1"));
    assert.equal(await resume(cache, Buffer.from("id-2")), null);
  });

  it("forgets sessions older than five minutes", async () => {
    let now = 0;
    const cache = createSessionCache(() => now);
    await store(cache, Buffer.from("id"), Buffer.from("session"));
    now = 300_000;
    assert.deepEqual(await resume(cache, Buffer.from("id")), Buffer.from("session"));
    now = 300_001;
    assert.equal(await resume(cache, Buffer.from("id")), null);
  });

  it("holds at most 1024 sessions, dropping the oldest", async () => {
    const cache = createSessionCache();
    for (let index = 0; index <= 1024; index += 1)
      await store(cache, Buffer.from(`id-${index}`), Buffer.from(`s-${index}`));
    assert.equal(await resume(cache, Buffer.from("id-0")), null);
    assert.deepEqual(await resume(cache, Buffer.from("id-1")), Buffer.from("s-1"));
    assert.deepEqual(await resume(cache, Buffer.from("id-1024")), Buffer.from("s-1024"));
  });
});
