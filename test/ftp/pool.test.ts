// FtpPool: parallel transfers over a bounded number of connections to the loopback server.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../src/errors.js";
import { FtpPool } from "../../src/ftp/pool.js";
import { startFtpServer } from "../../src/servers/index.js";

describe("FtpPool", () => {
  it("runs many transfers over at most `size` connections, reusing them", async () => {
    const tree: Record<string, string> = {};
    for (let i = 0; i < 12; i++) tree[`f${i}.txt`] = `content ${i}\n`.repeat(i + 1);
    const server = await startFtpServer({ tree, anonymous: true });
    try {
      await using pool = new FtpPool(server.urls.ftp, { size: 3 });
      let busy = 0;
      let peak = 0;
      const results = await Promise.all(
        Object.keys(tree).map((name) =>
          pool.run(async (ftp) => {
            busy += 1;
            peak = Math.max(peak, busy);
            try {
              const { PassThrough } = await import("node:stream");
              const sink = new PassThrough();
              const chunks: Buffer[] = [];
              sink.on("data", (c: Buffer) => chunks.push(c));
              await ftp.download(name, sink);
              return [name, Buffer.concat(chunks).toString()] as const;
            } finally {
              busy -= 1;
            }
          }),
        ),
      );
      for (const [name, text] of results) assert.equal(text, tree[name]);
      assert.equal(peak, 3, "three transfers ran at once");
      assert.ok(pool.connections <= 3);
    } finally {
      await server.close();
    }
  });

  it("replaces a connection that died, and refuses work after close", async () => {
    const server = await startFtpServer({ tree: { "a.txt": "a" }, anonymous: true });
    try {
      const pool = new FtpPool(server.urls.ftp, { size: 1 });
      await pool.run(async (ftp) => ftp.close());
      assert.equal(pool.connections, 0, "the dead connection left the pool");
      assert.equal(await pool.run((ftp) => ftp.size("a.txt")), 1);
      await pool.close();
      await assert.rejects(
        pool.run((ftp) => ftp.pwd()),
        InvalidArgumentError,
      );
      assert.throws(() => new FtpPool(server.urls.ftp, { size: 0 }), InvalidArgumentError);
    } finally {
      await server.close();
    }
  });
});
