// mirrorDown with `backupZip`: the zip holds exactly the local files replaced or deleted, with
// their old bytes and times; no zip when nothing is replaced; a dry run names the files and
// writes nothing; a failed transfer keeps its file out of the zip; uploads are refused.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, utimes } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { InvalidArgumentError } from "../../../src/errors.js";
import { readZipEntries } from "../../../src/tools/archive/index.js";
import {
  executeMirrorPlan,
  type MirrorOptions,
  mirrorDown,
  mirrorUp,
  planMirror,
} from "../../../src/tools/ftp-mirror/index.js";
import { connect, pool, readTree, removeDir, serve, tempDir, writeTree } from "./fixtures.js";

const REMOTE: Record<string, string> = {
  "same.txt": "same\n",
  "changed.txt": "new content\n",
  "newer.txt": "same size!\n",
  "fresh.txt": "fresh\n",
  "a/inner.txt": "inner new\n",
  "a/kept.txt": "kept\n",
};
const OLD = new Date("2020-01-02T03:04:05Z");

const scratch: string[] = [];
async function scratchDir(): Promise<string> {
  const dir = await tempDir();
  scratch.push(dir);
  return dir;
}
after(async () => {
  for (const dir of scratch) await removeDir(dir);
});

/** A local copy with replaced, deleted and unchanged files (times set so that only those differ). */
async function localCopy(local: string): Promise<void> {
  await writeTree(local, {
    "same.txt": "same\n",
    "changed.txt": "old\n",
    "newer.txt": "same size?\n",
    "a/inner.txt": "inner old, longer\n",
    "a/kept.txt": "kept\n",
    "extra.txt": "extra, deleted\n",
    "gone/deep/x.txt": "deleted folder's file\n",
    "gone/y.txt": "another\n",
  });
  for (const name of ["same.txt", "a/kept.txt"]) await utimes(join(local, name), new Date(), new Date());
  for (const name of ["newer.txt", "changed.txt", "a/inner.txt", "extra.txt", "gone/y.txt"]) {
    await utimes(join(local, name), OLD, OLD);
  }
}

async function zipContents(path: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readZipEntries(path)) out[entry.name] = (await entry.read()).toString("utf8");
  return out;
}

const REPLACED = ["a/inner.txt", "changed.txt", "newer.txt"];
const DELETED = ["extra.txt", "gone/deep/x.txt", "gone/y.txt"];

describe("mirrorDown with backupZip", () => {
  it("saves exactly the replaced and deleted files, old bytes and times, then a second run writes no zip", async () => {
    const server = await serve({ tree: REMOTE });
    const ftp = await connect(server);
    try {
      const local = join(await scratchDir(), "local");
      await localCopy(local);
      const backups = await scratchDir();
      const backupZip = join(backups, "backup.zip");
      const options: MirrorOptions = {
        client: ftp,
        remote: "/",
        local,
        recursive: true,
        delete: true,
        backupZip,
      };
      const result = await mirrorDown(options);
      assert.deepEqual(result.errors, []);
      assert.deepEqual(result.plan.backup, { path: backupZip, files: [...REPLACED, ...DELETED].sort() });
      assert.equal(result.backup?.written, true);
      assert.deepEqual([...(result.backup?.files ?? [])].sort(), [...REPLACED, ...DELETED].sort());
      assert.deepEqual(await readTree(local), REMOTE);

      assert.deepEqual(await zipContents(backupZip), {
        "changed.txt": "old\n",
        "newer.txt": "same size?\n",
        "a/inner.txt": "inner old, longer\n",
        "extra.txt": "extra, deleted\n",
        "gone/deep/x.txt": "deleted folder's file\n",
        "gone/y.txt": "another\n",
      });
      const entries = await readZipEntries(backupZip);
      assert.equal(entries.find((e) => e.name === "newer.txt")?.modifiedAt?.getTime(), OLD.getTime());
      const python = execFileSync(
        "python3",
        [
          "-c",
          "import json, sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(json.dumps(sorted(z.namelist())))",
          backupZip,
        ],
        { encoding: "utf8" },
      );
      assert.deepEqual(JSON.parse(python), [...REPLACED, ...DELETED].sort());
      assert.deepEqual(await readdir(backups), ["backup.zip"], "no snapshot or temporary file left");

      // Nothing replaced now: no zip is written, and the earlier one is left alone.
      const again = join(backups, "again.zip");
      const second = await mirrorDown({ ...options, backupZip: again });
      assert.deepEqual(second.plan.actions, []);
      assert.deepEqual(second.backup, { path: again, files: [], written: false });
      assert.deepEqual(await readdir(backups), ["backup.zip"]);
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("a dry run names what would be saved and writes nothing", async () => {
    const server = await serve({ tree: REMOTE });
    const ftp = await connect(server);
    try {
      const local = join(await scratchDir(), "local");
      await localCopy(local);
      const before = await readTree(local);
      const backups = await scratchDir();
      const result = await mirrorDown({
        client: ftp,
        remote: "/",
        local,
        recursive: true,
        delete: true,
        dryRun: true,
        backupZip: join(backups, "b.zip"),
      });
      assert.deepEqual(result.plan.backup?.files, [...REPLACED, ...DELETED].sort());
      assert.deepEqual(result.backup, { path: join(backups, "b.zip"), files: [], written: false });
      assert.deepEqual(await readdir(backups), []);
      assert.deepEqual(await readTree(local), before);
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("a transfer that fails leaves its file in place and out of the zip", async () => {
    const server = await serve({ tree: { "ok.txt": "new\n" } });
    const ftp = await connect(server);
    try {
      const local = join(await scratchDir(), "local");
      await writeTree(local, { "ok.txt": "old!\n", "ghost.txt": "mine\n" });
      const backupZip = join(await scratchDir(), "b.zip");
      const options: MirrorOptions = { client: ftp, remote: "/", local, backupZip };
      const plan = await planMirror({ ...options, direction: "down" });
      // A file the server does not have: its download fails with 550.
      plan.actions.push({ kind: "transfer", path: "ghost.txt", reason: "size" });
      const result = await executeMirrorPlan(plan, options);
      assert.deepEqual(
        result.errors.map((e) => e.path),
        ["ghost.txt"],
      );
      assert.deepEqual(await readTree(local), { "ok.txt": "new\n", "ghost.txt": "mine\n" });
      assert.deepEqual(result.backup?.files, ["ok.txt"]);
      assert.deepEqual(await zipContents(backupZip), { "ok.txt": "old!\n" });
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("through a pool of 3: every replaced file saved once", async () => {
    const remote: Record<string, string> = {};
    const old: Record<string, string> = {};
    for (let i = 0; i < 18; i += 1) {
      remote[`d${i % 3}/f${i}.txt`] = `new ${i}\n`.repeat(50);
      if (i % 2 === 0) old[`d${i % 3}/f${i}.txt`] = `old ${i}\n`;
    }
    const server = await serve({ tree: remote });
    const connections = pool(server, 3);
    try {
      const local = join(await scratchDir(), "local");
      await writeTree(local, old);
      const backupZip = join(await scratchDir(), "b.zip");
      const result = await mirrorDown({ pool: connections, remote: "/", local, recursive: true, backupZip });
      assert.deepEqual(result.errors, []);
      assert.deepEqual(await readTree(local), remote);
      assert.deepEqual(await zipContents(backupZip), old);
    } finally {
      await connections.close();
      await server.close();
    }
  });

  it("is refused for uploads and inside the mirrored folder", async () => {
    const server = await serve({ tree: REMOTE });
    const ftp = await connect(server);
    try {
      const local = await scratchDir();
      const outside = join(await scratchDir(), "b.zip");
      await assert.rejects(
        mirrorUp({ client: ftp, remote: "/", local, backupZip: outside }),
        InvalidArgumentError,
      );
      await assert.rejects(
        mirrorDown({ client: ftp, remote: "/", local, backupZip: join(local, "sub", "b.zip") }),
        InvalidArgumentError,
      );
      await assert.rejects(
        mirrorDown({ client: ftp, remote: "/", local, backupZip: "" }),
        InvalidArgumentError,
      );
      assert.equal(existsSync(outside), false);
    } finally {
      ftp.close();
      await server.close();
    }
  });
});
