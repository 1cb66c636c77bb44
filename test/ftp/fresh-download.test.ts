// downloadFresh: the local side of a download from byte 0 — small files wait in memory until the
// exchange is over, large ones stream; `.part` then rename; failures leave nothing behind.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { InvalidArgumentError } from "../../src/errors.js";
import { downloadFresh, type FreshDownload, WRITE_BEHIND_BYTES } from "../../src/ftp/fresh-download.js";

const dir = await mkdtemp(join(tmpdir(), "inetkit-fresh-"));
after(() => rm(dir, { recursive: true, force: true }));

let count = 0;
const fresh = () => join(dir, `f${count++}.bin`);

/** A job whose transfer delivers `body` in chunks of `chunk` bytes (with a turn of the loop each). */
function job(path: string, body: Buffer, extra: Partial<FreshDownload> & { chunk?: number } = {}) {
  const calls = { modifiedOf: 0, retrieve: 0 };
  const { chunk = 64 * 1024, ...rest } = extra;
  const result: FreshDownload = {
    path,
    total: body.length,
    knownTime: null,
    sync: false,
    async modifiedOf() {
      calls.modifiedOf += 1;
      return new Date("2020-01-02T03:04:05Z");
    },
    async retrieve(sink) {
      calls.retrieve += 1;
      for (let at = 0; at < body.length; at += chunk) {
        await new Promise((resolve) => setImmediate(resolve));
        await sink(body.subarray(at, at + chunk));
      }
      return body.length;
    },
    ...rest,
  };
  return { job: result, calls };
}

describe("downloadFresh", () => {
  it("keeps a small file in memory until finish(), then writes, stamps and renames it", async () => {
    const path = fresh();
    const body = Buffer.alloc(4096, 7);
    const when = new Date("2024-05-06T07:08:00Z");
    const { job: small, calls } = job(path, body, { knownTime: when });
    const tail = await downloadFresh(small);
    assert.ok(!existsSync(path) && !existsSync(`${path}.part`), "nothing on disk before finish()");
    assert.deepEqual(await tail.finish(), { bytes: 4096, size: 4096 });
    assert.deepEqual(await readFile(path), body);
    assert.equal((await stat(path)).mtime.getTime(), when.getTime());
    assert.ok(!existsSync(`${path}.part`));
    assert.equal(calls.modifiedOf, 0, "a known time needs no MDTM");
  });

  it("streams a file larger than the write-behind budget through PATH.part", async () => {
    const path = fresh();
    const body = Buffer.from(Array.from({ length: WRITE_BEHIND_BYTES * 3 + 17 }, (_, i) => i % 253));
    let sawPart = false;
    const { job: large } = job(path, body, { sync: true, knownTime: undefined });
    const retrieve = large.retrieve;
    large.retrieve = async (sink) =>
      retrieve(async (chunk) => {
        await sink(chunk);
        sawPart ||= existsSync(`${path}.part`);
      });
    const tail = await downloadFresh(large);
    assert.ok(sawPart, "the .part was written during the transfer");
    await tail.finish();
    assert.deepEqual(await readFile(path), body);
    assert.equal((await stat(path)).mtime.toISOString(), "2020-01-02T03:04:05.000Z", "MDTM's time");
  });

  it("replaces an existing file only at the rename", async () => {
    const path = fresh();
    await writeFile(path, "old");
    const tail = await downloadFresh(job(path, Buffer.from("new content")).job);
    assert.equal(await readFile(path, "utf8"), "old");
    await tail.finish();
    assert.equal(await readFile(path, "utf8"), "new content");
  });

  it("writes an empty file without a transfer when the size is known to be 0", async () => {
    const path = fresh();
    const { job: empty, calls } = job(path, Buffer.alloc(0));
    await (await downloadFresh(empty)).finish();
    assert.equal((await stat(path)).size, 0);
    assert.equal(calls.retrieve, 0);
  });

  it("refuses a PATH.part that is not a regular file before any transfer", async () => {
    const path = fresh();
    await mkdir(`${path}.part`);
    const { job: blocked, calls } = job(path, Buffer.from("x"));
    await assert.rejects(downloadFresh(blocked), InvalidArgumentError);
    assert.equal(calls.retrieve, 0);
  });

  it("leaves neither the file nor a .part when the transfer fails (small or streamed)", async () => {
    for (const size of [100, WRITE_BEHIND_BYTES * 2]) {
      const path = fresh();
      const failure = new Error("cut");
      const { job: broken } = job(path, Buffer.alloc(size, 1));
      const retrieve = broken.retrieve;
      broken.retrieve = async (sink) => {
        await retrieve(sink);
        throw failure;
      };
      await assert.rejects(downloadFresh(broken), (error: unknown) => error === failure);
      assert.ok(!existsSync(path) && !existsSync(`${path}.part`), `size ${size}`);
    }
  });

  it("removes the .part when the local side fails in finish()", async () => {
    const folder = join(dir, "vanishing");
    await mkdir(folder);
    const path = join(folder, "a.bin");
    const tail = await downloadFresh(job(path, Buffer.from("abc")).job);
    await rm(folder, { recursive: true });
    await assert.rejects(tail.finish(), (error: NodeJS.ErrnoException) => error.code === "ENOENT");
    assert.ok(!existsSync(folder));
  });

  it("writes a device in place: nothing renamed, no MDTM", async () => {
    const { job: toNull, calls } = job("/dev/null", Buffer.alloc(1000, 2), { knownTime: undefined });
    const tail = await downloadFresh(toNull);
    assert.deepEqual(await tail.finish(), { bytes: 1000, size: 1000 });
    assert.equal(calls.modifiedOf, 0);
    assert.ok(!existsSync("/dev/null.part"));
  });

  it("leaves no stray .part file in its folder", async () => {
    const parts: string[] = [];
    for (const name of await readdir(dir)) {
      if (name.endsWith(".part") && (await stat(join(dir, name))).isFile()) parts.push(name);
    }
    assert.deepEqual(parts, []);
  });
});
