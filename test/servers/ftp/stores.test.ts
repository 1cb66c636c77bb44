import assert from "node:assert/strict";
import { readdir, readFile, symlink } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { after, describe, it } from "node:test";
import { InvalidArgumentError } from "../../../src/errors.js";
import { DiskStore } from "../../../src/servers/ftp/disk-store.js";
import { MemoryStore } from "../../../src/servers/ftp/memory-store.js";
import type { FileStore, WriteMode } from "../../../src/servers/ftp/store.js";
import { makeTree, removeTree } from "./fixtures.js";

const FILES = { "pub/a.txt": "0123456789", "pub/sub/": "", "top.txt": "top" };

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

async function write(store: FileStore, path: string, mode: WriteMode, data: string): Promise<void> {
  const upload = await store.openWrite(path, mode);
  await pipeline(async function* () {
    yield Buffer.from(data);
  }, upload.stream);
  await upload.commit();
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: NodeJS.ErrnoException) => {
    assert.equal(error.code, code);
    return true;
  });
}

const roots: string[] = [];
after(async () => {
  for (const root of roots) await removeTree(root);
});

const makers: Array<[string, () => Promise<FileStore>]> = [
  [
    "DiskStore",
    async () => {
      const root = await makeTree(FILES);
      roots.push(root);
      return DiskStore.open(root);
    },
  ],
  ["MemoryStore", async () => new MemoryStore(FILES)],
];

for (const [name, make] of makers) {
  describe(`${name}: the FileStore contract`, () => {
    it("stats and lists", async () => {
      const store = await make();
      assert.equal((await store.stat("/")).type, "directory");
      const file = await store.stat("/pub/a.txt");
      assert.equal(file.type, "file");
      assert.equal(file.size, 10);
      const { entries, truncated } = await store.list("/pub", 100);
      assert.equal(truncated, false);
      assert.deepEqual(entries.map((entry) => entry.name).sort(), ["a.txt", "sub"]);
      const cut = await store.list("/pub", 1);
      assert.equal(cut.entries.length, 1);
      assert.equal(cut.truncated, true);
      await rejectsWith(store.stat("/missing"), "ENOENT");
      await rejectsWith(store.list("/top.txt", 10), "ENOTDIR");
    });

    it("reads from an offset", async () => {
      const store = await make();
      assert.equal(await text(await store.openRead("/pub/a.txt", 0)), "0123456789");
      assert.equal(await text(await store.openRead("/pub/a.txt", 7)), "789");
      await rejectsWith(store.openRead("/pub", 0), "EISDIR");
    });

    it("replaces only on commit; an aborted upload leaves nothing", async () => {
      const store = await make();
      const upload = await store.openWrite("/top.txt", { kind: "replace" });
      upload.stream.write(Buffer.from("new"));
      assert.equal(await text(await store.openRead("/top.txt", 0)), "top", "not visible before commit");
      await upload.abort();
      assert.equal(await text(await store.openRead("/top.txt", 0)), "top");
      await write(store, "/top.txt", { kind: "replace" }, "replaced");
      assert.equal(await text(await store.openRead("/top.txt", 0)), "replaced");
      await write(store, "/fresh.txt", { kind: "replace" }, "fresh");
      assert.equal((await store.stat("/fresh.txt")).size, 5);
      assert.deepEqual((await store.list("/", 100)).entries.map((entry) => entry.name).sort(), [
        "fresh.txt",
        "pub",
        "top.txt",
      ]);
    });

    it("appends, writes at an offset, and creates exclusively", async () => {
      const store = await make();
      await write(store, "/pub/a.txt", { kind: "append" }, "AB");
      assert.equal(await text(await store.openRead("/pub/a.txt", 0)), "0123456789AB");
      await write(store, "/pub/a.txt", { kind: "offset", offset: 3 }, "x");
      assert.equal(await text(await store.openRead("/pub/a.txt", 0)), "012x");
      await rejectsWith(store.openWrite("/pub/a.txt", { kind: "offset", offset: 99 }), "EINVAL");
      await rejectsWith(store.openWrite("/pub/a.txt", { kind: "create" }), "EEXIST");
      const created = await store.openWrite("/pub/new.txt", { kind: "create" });
      await rejectsWith(store.openWrite("/pub/new.txt", { kind: "create" }), "EEXIST");
      await created.abort();
      await rejectsWith(store.stat("/pub/new.txt"), "ENOENT");
      await rejectsWith(store.openWrite("/pub/sub", { kind: "replace" }), "EISDIR");
      await rejectsWith(store.openWrite("/nowhere/x", { kind: "replace" }), "ENOENT");
    });

    it("makes, removes and renames", async () => {
      const store = await make();
      await store.makeDirectory("/pub/made");
      await rejectsWith(store.makeDirectory("/pub/made"), "EEXIST");
      await rejectsWith(store.removeDirectory("/pub"), "ENOTEMPTY");
      await store.removeDirectory("/pub/made");
      await rejectsWith(store.remove("/pub/sub"), "EISDIR");
      await store.rename("/top.txt", "/pub/sub/moved.txt");
      assert.equal(await text(await store.openRead("/pub/sub/moved.txt", 0)), "top");
      await rejectsWith(store.stat("/top.txt"), "ENOENT");
      await rejectsWith(store.rename("/pub", "/pub/sub/inner"), "EINVAL");
      await store.remove("/pub/sub/moved.txt");
      await rejectsWith(store.remove("/pub/sub/moved.txt"), "ENOENT");
      await rejectsWith(store.removeDirectory("/"), "EBUSY");
    });

    it("sets the modification time", async () => {
      const store = await make();
      const date = new Date("2001-02-03T04:05:06Z");
      await store.setModifiedAt("/pub/a.txt", date);
      assert.equal((await store.stat("/pub/a.txt")).modifiedAt.getTime(), date.getTime());
    });
  });
}

describe("DiskStore: confinement", () => {
  it("refuses symlinks that resolve outside the root, and lists links as links", async () => {
    const outside = await makeTree({ "secret.txt": "secret" });
    const root = await makeTree({ "in.txt": "in" });
    roots.push(outside, root);
    await symlink(join(outside, "secret.txt"), join(root, "out-link"));
    await symlink(outside, join(root, "out-dir"));
    await symlink("in.txt", join(root, "in-link"));
    const store = await DiskStore.open(root);
    await rejectsWith(store.openRead("/out-link", 0), "EACCES");
    await rejectsWith(store.stat("/out-dir"), "EACCES");
    await rejectsWith(store.list("/out-dir", 10), "EACCES");
    await rejectsWith(store.openWrite("/out-dir/new.txt", { kind: "replace" }), "EACCES");
    await rejectsWith(store.openWrite("/out-link", { kind: "append" }), "EACCES");
    assert.equal(await text(await store.openRead("/in-link", 0)), "in");
    const link = (await store.list("/", 10)).entries.find((entry) => entry.name === "out-link");
    assert.equal(link?.stat.type, "symlink");
    assert.equal(link?.stat.target, join(outside, "secret.txt"));
    assert.equal(await readFile(join(outside, "secret.txt"), "utf8"), "secret");
  });

  it("leaves no temporary file behind after an aborted upload", async () => {
    const root = await makeTree({});
    roots.push(root);
    const store = await DiskStore.open(root);
    const upload = await store.openWrite("/x.bin", { kind: "replace" });
    assert.equal((await readdir(root)).filter((name) => name.endsWith(".upload")).length, 1);
    await upload.abort();
    assert.deepEqual(await readdir(root), []);
  });

  it("refuses a root that is not a folder", async () => {
    const root = await makeTree({ "file.txt": "x" });
    roots.push(root);
    await rejectsWith(DiskStore.open(join(root, "file.txt")), "ENOTDIR");
    await rejectsWith(DiskStore.open(join(root, "missing")), "ENOENT");
  });
});

describe("MemoryStore: its own rules", () => {
  it("refuses tree keys that climb or clash", () => {
    assert.throws(() => new MemoryStore({ "../x": "y" }), InvalidArgumentError);
    assert.throws(() => new MemoryStore({ "a\0b": "y" }), InvalidArgumentError);
    assert.throws(() => new MemoryStore({ a: "file", "a/b": "y" }), InvalidArgumentError);
  });

  it("bounds what it holds (ENOSPC) and keeps nothing of a refused upload", async () => {
    const store = new MemoryStore({ "a.bin": Buffer.alloc(600) }, 1000);
    const upload = await store.openWrite("/b.bin", { kind: "replace" });
    await rejectsWith(
      pipeline(async function* () {
        yield Buffer.alloc(500);
      }, upload.stream),
      "ENOSPC",
    );
    await upload.abort();
    await rejectsWith(store.stat("/b.bin"), "ENOENT");
    await write(store, "/a.bin", { kind: "replace" }, "small");
    await write(store, "/c.bin", { kind: "replace" }, "x".repeat(900));
    assert.equal((await store.stat("/c.bin")).size, 900);
  });
});
