// The mirror against servers that lie or fail: hostile names in a listing, a symlink-then-file
// pair, a subfolder whose listing fails, a listing cut by the server's limit — nothing is written
// outside the target, nothing is deleted after an error.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ReplyError } from "../../../src/errors.js";
import { FtpClient } from "../../../src/ftp/client.js";
import { type ScriptedSession, startScriptedServer } from "../../../src/servers/index.js";
import { mirrorDown } from "../../../src/tools/ftp-mirror/index.js";
import { answerEpsv, loginPreamble } from "../../ftp/scripted-ftp.js";
import { connect, readTree, recorder, removeDir, serve, tempDir, writeTree } from "./fixtures.js";

const scratch: string[] = [];
after(async () => {
  for (const dir of scratch) await removeDir(dir);
});
async function scratchDir(): Promise<string> {
  const dir = await tempDir();
  scratch.push(dir);
  return dir;
}

const line = (name: string, kind = "-rw-r--r--", size = 3) =>
  `${kind} 1 u g ${size} Jan  1 00:00 ${name}\r\n`;

/** Serves one LIST of `path` with `body` over a fresh passive data port. */
async function serveList(
  session: ScriptedSession,
  path: string,
  body: string,
  setType = true,
): Promise<void> {
  if (setType) {
    await session.expectLine("TYPE A");
    await session.sendLine("200 ascii");
  }
  const data = await answerEpsv(session);
  await session.expectLine(`LIST ${path}`);
  await session.sendLine("150 here it comes");
  const socket = await data.accepted;
  socket.end(body);
  await session.sendLine("226 done");
}

/** Serves one RETR of `path` (no SIZE/MDTM: the script's FEAT offers neither). */
async function serveRetr(
  session: ScriptedSession,
  path: string,
  body: string,
  setType = true,
): Promise<void> {
  if (setType) {
    await session.expectLine("TYPE I");
    await session.sendLine("200 binary");
  }
  const data = await answerEpsv(session);
  await session.expectLine(`RETR ${path}`);
  await session.sendLine("150 sending");
  const socket = await data.accepted;
  socket.end(body);
  await session.sendLine("226 done");
}

describe("mirrorDown against hostile servers", () => {
  it("refuses names that escape, control characters, drive letters and a symlink-then-file pair", async () => {
    const hostile = [
      line("../../x"),
      line("/etc/inetkit-mirror-x"),
      line("a\x1b[2Jb"),
      line("C:evil"),
      line("..\\..\\y"),
      line("link -> /etc", "lrwxrwxrwx", 4),
      line("link"),
      line("ok.txt"),
    ].join("");
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session, { features: [] });
      await serveList(session, "/x", hostile);
      await serveRetr(session, "/x/ok.txt", "ok\n");
      await session.stall();
    });
    const base = await scratchDir();
    const target = join(base, "deep", "target");
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    try {
      const seen = recorder();
      const result = await mirrorDown({ client: ftp, remote: "/x", local: target, onEvent: seen.onEvent });
      assert.deepEqual(result.errors, []);
      assert.deepEqual(
        await readTree(base),
        { "deep/target/ok.txt": "ok\n" },
        "only the safe file, only inside",
      );
      assert.ok(!existsSync("/etc/inetkit-mirror-x"));
      assert.ok(!existsSync(join(target, "..", "..", "x")));
      const refused = result.refused.map((r) => [r.name, r.directory]);
      assert.deepEqual(refused.sort(), [
        ["../../x", ""],
        ["..\\..\\y", ""],
        ["/etc/inetkit-mirror-x", ""],
        ["C:evil", ""],
        ["a\x1b[2Jb", ""],
        ["link", ""],
        ["link", ""],
      ]);
      assert.ok(result.refused.every((r) => r.reason.length > 0 && !r.reason.includes("\x1b")));
      assert.equal(seen.events.filter((e) => e.type === "refuse").length, 7);
      assert.equal(result.transferred.files, 1);
      assert.deepEqual(server.sessions[0]?.mismatches, []);
    } finally {
      ftp.close();
    }
  });

  it("with only LIST (minute times) and no MDTM, the listed time is kept and a second run does nothing", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session, { features: [] });
      const listing = line("a.txt").replace("Jan  1 00:00", "Mar  3 12:34");
      await serveList(session, "/p", listing);
      await serveRetr(session, "/p/a.txt", "abc");
      await serveList(session, "/p", listing);
      await session.stall();
    });
    const target = await scratchDir();
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    try {
      const first = await mirrorDown({ client: ftp, remote: "/p", local: target });
      assert.equal(first.transferred.files, 1);
      const listed =
        first.plan.actions[0]?.kind === "transfer" ? first.plan.actions[0].modifiedAt : undefined;
      assert.ok(listed !== undefined);
      const { stat } = await import("node:fs/promises");
      assert.equal((await stat(join(target, "a.txt"))).mtime.getTime(), listed.getTime());
      const second = await mirrorDown({ client: ftp, remote: "/p", local: target });
      assert.deepEqual(second.plan.actions, []);
      assert.equal(second.plan.unchanged, 1);
      assert.deepEqual(server.sessions[0]?.mismatches, []);
    } finally {
      ftp.close();
    }
  });

  it("deletes nothing after a subfolder's listing fails, and says why", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session, { features: [] });
      await serveList(session, "/r", line("sub", "drwxr-xr-x", 0) + line("f.txt"));
      await answerEpsv(session);
      await session.expectLine("LIST /r/sub");
      await session.sendLine("550 Permission denied");
      await serveRetr(session, "/r/f.txt", "abc");
      await session.stall();
    });
    const target = await scratchDir();
    await writeTree(target, { "extra.txt": "keep me\n", "sub/inner.txt": "keep me too\n" });
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    try {
      const result = await mirrorDown({
        client: ftp,
        remote: "/r",
        local: target,
        recursive: true,
        delete: true,
      });
      assert.equal(result.errors.length, 1);
      assert.equal(result.errors[0]?.path, "sub");
      assert.ok(result.errors[0]?.error instanceof ReplyError);
      assert.deepEqual(result.deleted, []);
      assert.ok(
        result.skipped.some((s) => s.path === "extra.txt" && /not deleted: a listing failed/.test(s.reason)),
      );
      assert.deepEqual(
        result.plan.actions.filter((a) => a.kind === "delete"),
        [],
      );
      assert.deepEqual(await readTree(target), {
        "extra.txt": "keep me\n",
        "f.txt": "abc",
        "sub/inner.txt": "keep me too\n",
      });
    } finally {
      ftp.close();
    }
  });

  it("deletes nothing after a listing cut short by the server's limit", async () => {
    const tree: Record<string, string> = { "a.txt": "a", "big/": "" };
    for (let i = 0; i < 6; i += 1) tree[`big/f${i}`] = `${i}`;
    const server = await serve({ tree, maxListEntries: 4 });
    const ftp = await connect(server);
    try {
      const target = await scratchDir();
      await writeTree(target, { "extra.txt": "x" });
      const result = await mirrorDown({
        client: ftp,
        remote: "/",
        local: target,
        recursive: true,
        delete: true,
      });
      assert.equal(result.errors[0]?.path, "big");
      assert.deepEqual(result.deleted, []);
      assert.ok((await readTree(target))["extra.txt"] === "x");
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("deletes only inside the target: never through symlinks, never excluded names", async () => {
    const server = await serve({ tree: { "keep.txt": "k", "sub/in.txt": "i" } });
    const ftp = await connect(server);
    try {
      const base = await scratchDir();
      const target = join(base, "target");
      await writeTree(base, {
        "outside/precious.txt": "precious",
        "target/extra.txt": "x",
        "target/old/deep/file.txt": "x",
        "target/notes.log": "excluded, so kept",
        "target/sub/extra-in-sub.txt": "x",
      });
      const { symlink } = await import("node:fs/promises");
      await symlink(join(base, "outside"), join(target, "escape"));
      const result = await mirrorDown({
        client: ftp,
        remote: "/",
        local: target,
        recursive: true,
        delete: true,
        exclude: ["*.log"],
      });
      assert.deepEqual(result.errors, []);
      assert.deepEqual(result.deleted, ["extra.txt", "old", "sub/extra-in-sub.txt"]);
      assert.deepEqual(await readTree(base), {
        "outside/precious.txt": "precious",
        "target/escape": `-> ${join(base, "outside")}`,
        "target/keep.txt": "k",
        "target/notes.log": "excluded, so kept",
        "target/sub/in.txt": "i",
      });
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("never writes through a local symlink at a target path (file or folder)", async () => {
    const server = await serve({ tree: { "f.txt": "remote", "d/inner.txt": "remote inner" } });
    const ftp = await connect(server);
    try {
      const base = await scratchDir();
      const target = join(base, "target");
      await writeTree(base, { "outside/f.txt": "untouched", "outside/d/": "", "target/": "" });
      const { symlink } = await import("node:fs/promises");
      await symlink(join(base, "outside", "f.txt"), join(target, "f.txt"));
      await symlink(join(base, "outside", "d"), join(target, "d"));
      const result = await mirrorDown({ client: ftp, remote: "/", local: target, recursive: true });
      assert.deepEqual(
        result.refused.map((r) => r.name),
        ["d", "f.txt"],
      );
      assert.ok(result.refused.every((r) => /symlink/.test(r.reason)));
      assert.equal(result.transferred.files, 0);
      assert.deepEqual(await readTree(join(base, "outside")), { "d/": "", "f.txt": "untouched" });
    } finally {
      ftp.close();
      await server.close();
    }
  });
});
