// mirrorDown against the loopback FTP server: round trips, dry runs, second runs, filters,
// comparisons, a pool, and resuming after a cut.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { AbortError } from "../../../src/errors.js";
import { mirrorDown, planMirror } from "../../../src/tools/ftp-mirror/index.js";
import { connect, pool, readTree, recorder, removeDir, serve, tempDir, writeTree } from "./fixtures.js";

const TREE: Record<string, string | Buffer> = {
  "top.txt": "top\n",
  "naïve café.txt": "accents\n",
  "日本語/ファイル.txt": "utf-8 names\n",
  "a/b/mid.txt": "middle\n",
  "a/b/c/deep.bin": randomBytes(300_000),
  "a/b/c/zero.txt": "",
  "a/empty/": "",
  "skip/x.log": "log\n",
};

const scratch: string[] = [];
async function scratchDir(): Promise<string> {
  const dir = await tempDir();
  scratch.push(dir);
  return dir;
}
after(async () => {
  for (const dir of scratch) await removeDir(dir);
});

describe("mirrorDown", () => {
  it("copies a three-level tree with UTF-8 names, then a second run transfers nothing", async () => {
    const server = await serve({ tree: TREE });
    const ftp = await connect(server);
    try {
      const dest = join(await scratchDir(), "dest");
      const first = await mirrorDown({ client: ftp, remote: "/", local: dest, recursive: true });
      assert.deepEqual(first.errors, []);
      assert.deepEqual(first.refused, []);
      assert.equal(first.transferred.files, 7);
      assert.equal(
        first.transferred.bytes,
        Object.values(TREE).reduce((sum, v) => sum + v.length, 0),
      );
      assert.deepEqual(await readTree(dest, true), binaryTree(TREE));

      const second = await mirrorDown({ client: ftp, remote: "/", local: dest, recursive: true });
      assert.deepEqual(second.plan.actions, [], "nothing to do over an unchanged tree");
      assert.equal(second.transferred.files, 0);
      assert.equal(second.plan.unchanged, 7);
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("is not recursive by default", async () => {
    const server = await serve({ tree: TREE });
    const ftp = await connect(server);
    try {
      const dest = await scratchDir();
      const result = await mirrorDown({ client: ftp, remote: "/", local: dest });
      assert.deepEqual(Object.keys(await readTree(dest)).sort(), ["naïve café.txt", "top.txt"]);
      assert.ok(result.skipped.some((s) => s.path === "a" && /not recursive/.test(s.reason)));
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("a dry run changes nothing (not even the target folder) and a real run then does exactly its plan", async () => {
    const server = await serve({ tree: TREE });
    const ftp = await connect(server);
    try {
      const base = await scratchDir();
      const dest = join(base, "dest");
      // Part of the tree is there already, plus an extra file for --delete.
      await writeTree(dest, { "top.txt": "top\n", "a/b/mid.txt": "changed\n", "gone.txt": "old\n" });
      const before = await readTree(base);
      const options = { client: ftp, remote: "/", local: dest, recursive: true, delete: true };
      const dry = await mirrorDown({ ...options, dryRun: true });
      assert.deepEqual(await readTree(base), before, "the dry run changed nothing");
      assert.equal(dry.transferred.files, 0);

      const seen = recorder();
      const real = await mirrorDown({ ...options, onEvent: seen.onEvent });
      assert.deepEqual(real.plan.actions, dry.plan.actions, "the same plan");
      const done = seen.events.flatMap((e) => (e.type === "file-done" ? [e.path] : [])).sort();
      const planned = dry.plan.actions.filter((a) => a.kind === "transfer").map((a) => a.path);
      assert.deepEqual(done, planned);
      assert.deepEqual(
        real.created,
        dry.plan.actions.filter((a) => a.kind === "mkdir").map((a) => a.path),
      );
      assert.deepEqual(real.deleted, ["gone.txt"]);
      assert.deepEqual(
        dry.plan.actions.filter((a) => a.kind === "delete"),
        [{ kind: "delete", path: "gone.txt", type: "file" }],
      );
      assert.deepEqual(await readTree(dest, true), binaryTree(TREE));

      const fresh = join(base, "fresh");
      const dryFresh = await mirrorDown({ ...options, local: fresh, dryRun: true });
      assert.equal(dryFresh.plan.createTarget, true);
      assert.ok(!existsSync(fresh), "no folder was created by the dry run");
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("filters with include and exclude, including ** and folder patterns", async () => {
    const server = await serve({ tree: TREE });
    const ftp = await connect(server);
    try {
      const dest = await scratchDir();
      const result = await mirrorDown({
        client: ftp,
        remote: "/",
        local: dest,
        recursive: true,
        include: ["**/*.txt"],
        exclude: ["skip/", "a/b/c/**"],
      });
      assert.deepEqual(Object.keys(await readTree(dest)).sort(), [
        "a/b/mid.txt",
        "a/empty/",
        "naïve café.txt",
        "top.txt",
        "日本語/ファイル.txt",
      ]);
      assert.ok(result.skipped.some((s) => s.path === "skip" && s.reason === "excluded"));
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("onlyNewer, onlyMissing and newerThan decide by the remote's times", async () => {
    const T = new Date("2024-03-01T12:00:00Z");
    const shift = (seconds: number) => new Date(T.getTime() + seconds * 1000);
    const remoteRoot = await scratchDir();
    await writeTree(remoteRoot, {
      "newer.txt": "new content\n",
      "older.txt": "remote, older\n",
      "missing.txt": "m\n",
    });
    await utimes(join(remoteRoot, "newer.txt"), shift(100), shift(100));
    await utimes(join(remoteRoot, "older.txt"), shift(-100), shift(-100));
    await utimes(join(remoteRoot, "missing.txt"), shift(-200), shift(-200));
    const server = await serve({ root: remoteRoot });
    const ftp = await connect(server);
    const localCopy = async () => {
      const dest = await scratchDir();
      await writeTree(dest, { "newer.txt": "old\n", "older.txt": "local\n" });
      await utimes(join(dest, "newer.txt"), T, T);
      await utimes(join(dest, "older.txt"), T, T);
      return dest;
    };
    const transferred = async (options: object) => {
      const result = await mirrorDown({ client: ftp, remote: "/", local: await localCopy(), ...options });
      assert.deepEqual(result.errors, []);
      return result.plan.actions.map((a) => a.path);
    };
    try {
      assert.deepEqual(await transferred({}), ["missing.txt", "newer.txt", "older.txt"]);
      assert.deepEqual(await transferred({ onlyNewer: true }), ["missing.txt", "newer.txt"]);
      assert.deepEqual(await transferred({ onlyMissing: true }), ["missing.txt"]);
      assert.deepEqual(await transferred({ newerThan: T }), ["newer.txt"]);
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("through a pool of 4: the same result, several transfers at once", async () => {
    const tree: Record<string, string> = {};
    for (let i = 0; i < 24; i += 1) tree[`d${i % 3}/f${i}.txt`] = `file ${i}\n`.repeat(200 + i);
    const server = await serve({ tree });
    const ftp = await connect(server);
    const connections = pool(server, 4);
    try {
      const one = await scratchDir();
      const four = await scratchDir();
      const sequential = await mirrorDown({ client: ftp, remote: "/", local: one, recursive: true });
      const seen = recorder();
      const parallel = await mirrorDown({
        pool: connections,
        remote: "/",
        local: four,
        recursive: true,
        onEvent: seen.onEvent,
      });
      assert.deepEqual(parallel.errors, []);
      assert.deepEqual(parallel.transferred, sequential.transferred);
      assert.deepEqual(parallel.plan.actions, sequential.plan.actions);
      assert.deepEqual(await readTree(four), await readTree(one));
      assert.deepEqual(await readTree(four), tree);
      assert.ok(seen.peak() >= 2 && seen.peak() <= 4, `peak ${seen.peak()}`);
      const slots = new Set(seen.events.flatMap((e) => (e.type === "file-start" ? [e.slot] : [])));
      assert.ok([...slots].every((slot) => slot >= 0 && slot < 4));
      assert.ok(connections.connections <= 4);
    } finally {
      await connections.close();
      ftp.close();
      await server.close();
    }
  });

  it("resumes a download cut short, from its .part", async () => {
    // Large enough that the cut comes mid-file: after the abort, only the chunks already received
    // (at most the read pool, 4 MiB) are still written to the .part.
    const big = randomBytes(16 * 1024 * 1024);
    const server = await serve({ tree: { "big.bin": big, "small.txt": "s\n" } });
    let ftp = await connect(server);
    try {
      const dest = await scratchDir();
      const controller = new AbortController();
      await assert.rejects(
        mirrorDown({
          client: ftp,
          remote: "/",
          local: dest,
          resume: true,
          signal: controller.signal,
          onEvent: (event) => {
            if (event.type === "file-progress" && event.path === "big.bin") controller.abort();
          },
        }),
        AbortError,
      );
      // A cut connection is replaced by a new one.
      ftp.close();
      ftp = await connect(server);
      const part = join(dest, "big.bin.part");
      const kept = (await stat(part)).size;
      assert.ok(kept > 0 && kept < big.length, `a partial file of ${kept} bytes was kept`);
      assert.ok(!existsSync(join(dest, "big.bin")), "never presented as complete");

      const result = await mirrorDown({ client: ftp, remote: "/", local: dest, resume: true });
      assert.deepEqual(result.errors, []);
      assert.equal(
        result.transferred.bytes,
        big.length - kept + 2,
        "only the rest of big.bin, and small.txt",
      );
      assert.deepEqual(await readTree(dest, true), { "big.bin": big, "small.txt": Buffer.from("s\n") });
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("verifies sizes when asked", async () => {
    const server = await serve({ tree: TREE });
    const ftp = await connect(server);
    try {
      const dest = await scratchDir();
      const result = await mirrorDown({
        client: ftp,
        remote: "/",
        local: dest,
        recursive: true,
        verify: true,
      });
      assert.deepEqual(result.errors, []);
      assert.equal(result.transferred.files, 7);
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("refuses bad options", async () => {
    const server = await serve({ tree: TREE });
    const ftp = await connect(server);
    try {
      await assert.rejects(
        planMirror({ direction: "down", client: ftp, remote: "", local: "x" }),
        /remote folder/,
      );
      await assert.rejects(mirrorDown({ remote: "/", local: "x" }), /client or a pool/);
      await assert.rejects(
        mirrorDown({ client: ftp, remote: "/", local: "x", onlyNewer: true, onlyMissing: true }),
        /cannot be combined/,
      );
      const file = join(await scratchDir(), "a-file");
      await writeFile(file, "x");
      await assert.rejects(mirrorDown({ client: ftp, remote: "/", local: file }), /not a folder/);
    } finally {
      ftp.close();
      await server.close();
    }
  });
});

function binaryTree(tree: Record<string, string | Buffer>): Record<string, string | Buffer> {
  const out: Record<string, string | Buffer> = {};
  for (const [key, value] of Object.entries(tree)) out[key] = key.endsWith("/") ? "" : Buffer.from(value);
  return out;
}
