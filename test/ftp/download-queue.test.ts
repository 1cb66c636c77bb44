// Downloads queued without await (as the mirror queues two per connection): each resolves only
// once its file is complete at its final name — a small file is kept in memory until the
// server's final reply, then written — and downloads to one path stay in the order called.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { FtpClient } from "../../src/ftp/client.js";
import { startFtpServer } from "../../src/servers/index.js";

const dir = await mkdtemp(join(tmpdir(), "inetkit-ftp-queue-"));
after(() => rm(dir, { recursive: true, force: true }));

const TREE = {
  "a.txt": "first version\n",
  "b.txt": "the second, longer version\n",
  "big.bin": Buffer.alloc(600 * 1024, 9),
};

describe("queued downloads", () => {
  it("resolves each download once its file is complete at its final name", async () => {
    const server = await startFtpServer({ tree: TREE, anonymous: true });
    after(() => server.close());
    const ftp = await FtpClient.connect(server.urls.ftp);
    const a = join(dir, "a.txt");
    const big = join(dir, "big.bin");
    const downloads = [ftp.download("a.txt", a), ftp.download("big.bin", big), ftp.pwd()];
    const [first, second, pwd] = await Promise.all(downloads);
    assert.equal(pwd, "/");
    assert.deepEqual(first, { bytes: 14, size: 14 });
    assert.equal((second as { bytes: number }).bytes, 600 * 1024);
    assert.equal(await readFile(a, "utf8"), TREE["a.txt"]);
    assert.deepEqual(await readFile(big), TREE["big.bin"]);
    assert.ok(!existsSync(`${a}.part`) && !existsSync(`${big}.part`));
    await ftp.quit();
  });

  it("keeps downloads to one path in order: the last one called wins, never a mix", async () => {
    const server = await startFtpServer({ tree: TREE, anonymous: true });
    after(() => server.close());
    const ftp = await FtpClient.connect(server.urls.ftp);
    const target = join(dir, "same.txt");
    const order: string[] = [];
    const one = ftp.download("b.txt", target).then(() => order.push("b"));
    const two = ftp.download("a.txt", target).then(() => order.push("a"));
    await Promise.all([one, two]);
    assert.deepEqual(order, ["b", "a"]);
    assert.equal(await readFile(target, "utf8"), TREE["a.txt"]);
    assert.ok(!existsSync(`${target}.part`));
    await ftp.quit();
  });
});
