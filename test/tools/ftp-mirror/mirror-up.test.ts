// mirrorUp against the loopback FTP server (a folder on disk, so the result can be read back).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { stat, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { mirrorDown, mirrorUp } from "../../../src/tools/ftp-mirror/index.js";
import { connect, pool, readTree, recorder, removeDir, serve, tempDir, writeTree } from "./fixtures.js";

const scratch: string[] = [];
after(async () => {
  for (const dir of scratch) await removeDir(dir);
});
async function scratchDir(): Promise<string> {
  const dir = await tempDir();
  scratch.push(dir);
  return dir;
}

const TREE: Record<string, string | Buffer> = {
  "readme.txt": "hello\n",
  "ünïcødé/名前.txt": "utf-8\n",
  "a/b/c/deep.bin": randomBytes(200_000),
  "a/b/mid.txt": "mid\n",
  "a/empty/": "",
};

describe("mirrorUp", () => {
  it("uploads a tree into a new remote folder, keeps times with MFMT, and a second run does nothing", async () => {
    const serverRoot = await scratchDir();
    const local = await scratchDir();
    await writeTree(local, TREE);
    const when = new Date("2023-07-01T08:30:15Z");
    await utimes(join(local, "readme.txt"), when, when);
    const server = await serve({ root: serverRoot });
    const ftp = await connect(server);
    try {
      const first = await mirrorUp({ client: ftp, local, remote: "/backup/site", recursive: true });
      assert.deepEqual(first.errors, []);
      assert.equal(first.plan.createTarget, true);
      assert.equal(first.transferred.files, 4);
      assert.deepEqual(await readTree(join(serverRoot, "backup", "site"), true), binary(TREE));
      assert.equal((await stat(join(serverRoot, "backup/site/readme.txt"))).mtime.getTime(), when.getTime());

      const second = await mirrorUp({ client: ftp, local, remote: "/backup/site", recursive: true });
      assert.equal(second.plan.compareTimes, true, "the server offers MFMT");
      assert.deepEqual(second.plan.actions, []);
      assert.equal(second.plan.unchanged, 4);

      // And back down again: the reverse round trip gives the same tree.
      const back = await scratchDir();
      const down = await mirrorDown({ client: ftp, remote: "/backup/site", local: back, recursive: true });
      assert.deepEqual(down.errors, []);
      assert.deepEqual(await readTree(back, true), binary(TREE));
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("dry run changes nothing remotely; the real run does its plan, deletes the extra, through a pool", async () => {
    const serverRoot = await scratchDir();
    await writeTree(serverRoot, {
      "site/readme.txt": "old\n",
      "site/stale.txt": "x",
      "site/stale-dir/x": "x",
    });
    const local = await scratchDir();
    await writeTree(local, TREE);
    const server = await serve({ root: serverRoot });
    const ftp = await connect(server);
    const connections = pool(server, 3);
    try {
      const before = await readTree(serverRoot);
      const options = {
        client: ftp,
        pool: connections,
        local,
        remote: "/site",
        recursive: true,
        delete: true,
      };
      const dry = await mirrorUp({ ...options, dryRun: true });
      assert.deepEqual(await readTree(serverRoot), before);
      assert.deepEqual(
        dry.plan.actions.filter((a) => a.kind === "delete"),
        [
          { kind: "delete", path: "stale-dir", type: "directory" },
          { kind: "delete", path: "stale.txt", type: "file" },
        ],
      );
      const seen = recorder();
      const real = await mirrorUp({ ...options, onEvent: seen.onEvent });
      assert.deepEqual(real.errors, []);
      assert.deepEqual(real.plan.actions, dry.plan.actions);
      assert.deepEqual(real.deleted, ["stale-dir", "stale.txt"]);
      assert.deepEqual(
        seen.events.flatMap((e) => (e.type === "file-done" ? [e.path] : [])).sort(),
        dry.plan.actions.flatMap((a) => (a.kind === "transfer" ? [a.path] : [])),
      );
      assert.deepEqual(await readTree(join(serverRoot, "site"), true), binary(TREE));
    } finally {
      await connections.close();
      ftp.close();
      await server.close();
    }
  });

  it("does not follow local symlinks, and skips what is not a file", async () => {
    const serverRoot = await scratchDir();
    const base = await scratchDir();
    const local = join(base, "local");
    await writeTree(base, { "secret/password.txt": "do not upload", "local/ok.txt": "ok" });
    await symlink(join(base, "secret"), join(local, "linked-dir"));
    await symlink(join(base, "secret", "password.txt"), join(local, "linked-file"));
    const server = await serve({ root: serverRoot });
    const ftp = await connect(server);
    try {
      const result = await mirrorUp({ client: ftp, local, remote: "/", recursive: true });
      assert.deepEqual(result.errors, []);
      assert.deepEqual(await readTree(serverRoot), { "ok.txt": "ok" });
      assert.deepEqual(
        result.skipped.map((s) => s.path),
        ["linked-dir", "linked-file"],
      );
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("uploads a changed file again (size or time)", async () => {
    const serverRoot = await scratchDir();
    const local = await scratchDir();
    await writeTree(local, { "a.txt": "one\n", "b.txt": "two\n" });
    const server = await serve({ root: serverRoot });
    const ftp = await connect(server);
    try {
      await mirrorUp({ client: ftp, local, remote: "/" });
      await writeFile(join(local, "a.txt"), "one, longer\n");
      const later = new Date(Date.now() + 5000);
      await writeFile(join(local, "b.txt"), "TWO\n");
      await utimes(join(local, "b.txt"), later, later);
      const again = await mirrorUp({ client: ftp, local, remote: "/" });
      assert.deepEqual(
        again.plan.actions.map((a) => (a.kind === "transfer" ? [a.path, a.reason] : a.kind)),
        [
          ["a.txt", "size"],
          ["b.txt", "newer"],
        ],
      );
      assert.deepEqual(await readTree(serverRoot), { "a.txt": "one, longer\n", "b.txt": "TWO\n" });
    } finally {
      ftp.close();
      await server.close();
    }
  });
});

function binary(tree: Record<string, string | Buffer>): Record<string, string | Buffer> {
  const out: Record<string, string | Buffer> = {};
  for (const [key, value] of Object.entries(tree)) out[key] = key.endsWith("/") ? "" : Buffer.from(value);
  return out;
}
