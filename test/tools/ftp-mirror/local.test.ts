// The confined local side (W2) and the verify helpers.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { InvalidArgumentError } from "../../../src/errors.js";
import {
  localPath,
  makeLocalDirectory,
  openLocalRoot,
  prepareLocalFile,
  readLocalDirectory,
  removeLocal,
} from "../../../src/tools/ftp-mirror/local.js";
import { digestCommand, findDigest, localDigest } from "../../../src/tools/ftp-mirror/verify.js";
import { readTree, removeDir, tempDir, writeTree } from "./fixtures.js";

const scratch: string[] = [];
after(async () => {
  for (const dir of scratch) await removeDir(dir);
});

async function setUp() {
  const base = await tempDir();
  scratch.push(base);
  await writeTree(base, { "outside/secret.txt": "secret", "root/file.txt": "f", "root/dir/": "" });
  await symlink(join(base, "outside"), join(base, "root", "out-dir"));
  await symlink(join(base, "outside", "secret.txt"), join(base, "root", "out-file"));
  const root = await openLocalRoot(join(base, "root"), "posix");
  return { base, root };
}

describe("local side", () => {
  it("builds paths only from safe names", async () => {
    const { root } = await setUp();
    assert.equal(localPath(root, "dir/x"), join(root.path, "dir", "x"));
    assert.equal(localPath(root, ""), root.path);
    for (const bad of ["../x", "a/../../x", "/etc", "a//b", "a/\x1b"]) {
      assert.throws(() => localPath(root, bad), InvalidArgumentError, bad);
    }
  });

  it("lists with lstat: symlinks are symlinks", async () => {
    const { root } = await setUp();
    const entries = await readLocalDirectory(root, "");
    const types = Object.fromEntries(entries.map((e) => [e.name, e.type]));
    assert.deepEqual(types, {
      dir: "directory",
      "file.txt": "file",
      "out-dir": "symlink",
      "out-file": "symlink",
    });
    await assert.rejects(readLocalDirectory(root, "out-dir"), InvalidArgumentError);
  });

  it("creates folders only inside the real root, never through a symlink", async () => {
    const { base, root } = await setUp();
    await makeLocalDirectory(root, "dir/new");
    assert.ok(existsSync(join(root.path, "dir", "new")));
    await assert.rejects(makeLocalDirectory(root, "out-dir/evil"), InvalidArgumentError);
    await assert.rejects(makeLocalDirectory(root, "out-dir"), InvalidArgumentError);
    await assert.rejects(makeLocalDirectory(root, "file.txt"), InvalidArgumentError);
    assert.deepEqual(await readTree(join(base, "outside")), { "secret.txt": "secret" });
  });

  it("never prepares a write through a symlink, nor into a symlinked folder", async () => {
    const { root } = await setUp();
    assert.equal(await prepareLocalFile(root, "dir/new.txt"), join(root.path, "dir", "new.txt"));
    assert.equal(await prepareLocalFile(root, "file.txt"), join(root.path, "file.txt"));
    await assert.rejects(prepareLocalFile(root, "out-file"), /symlink/);
    await assert.rejects(prepareLocalFile(root, "out-dir/secret.txt"), /outside/);
    await assert.rejects(prepareLocalFile(root, "dir"), InvalidArgumentError);
  });

  it("deletes only what was planned, inside, never the root or through a symlink", async () => {
    const { base, root } = await setUp();
    await mkdir(join(root.path, "dir", "sub"));
    await writeFile(join(root.path, "dir", "sub", "x"), "x");
    await symlink(join(base, "outside"), join(root.path, "dir", "sub", "link"));
    await assert.rejects(removeLocal(root, "", "directory"), InvalidArgumentError);
    await assert.rejects(removeLocal(root, "out-dir", "directory"), /symlink/);
    await assert.rejects(removeLocal(root, "out-file", "file"), /symlink/);
    await assert.rejects(removeLocal(root, "dir", "file"), InvalidArgumentError);
    await removeLocal(root, "dir", "directory");
    await removeLocal(root, "file.txt", "file");
    assert.deepEqual(await readTree(root.path), {
      "out-dir": `-> ${join(base, "outside")}`,
      "out-file": `-> ${join(base, "outside", "secret.txt")}`,
    });
    assert.deepEqual(
      await readTree(join(base, "outside")),
      { "secret.txt": "secret" },
      "the link inside was removed, not followed",
    );
  });
});

describe("verify helpers", () => {
  it("picks the digest the server offers", () => {
    assert.deepEqual(digestCommand(new Map([["HASH", "SHA-1;SHA-256*;MD5"]])), {
      command: "HASH",
      algorithm: "sha256",
    });
    assert.deepEqual(digestCommand(new Map([["HASH", "CRC32*;MD5"]])), undefined);
    assert.deepEqual(digestCommand(new Map([["XMD5", ""]])), { command: "XMD5", algorithm: "md5" });
    assert.deepEqual(
      digestCommand(
        new Map([
          ["XSHA1", ""],
          ["XMD5", ""],
        ]),
      ),
      { command: "XSHA1", algorithm: "sha1" },
    );
    assert.equal(digestCommand(new Map([["SIZE", ""]])), undefined);
  });

  it("finds the digest in HASH and X… replies", () => {
    const sha = "a".repeat(64);
    assert.equal(findDigest([`SHA-256 0-49 ${sha} file name.txt`], "sha256"), sha);
    assert.equal(findDigest(["D41D8CD98F00B204E9800998ECF8427E"], "md5"), "d41d8cd98f00b204e9800998ecf8427e");
    assert.equal(findDigest(["no digest here"], "md5"), undefined);
  });

  it("hashes a local file", async () => {
    const dir = await tempDir();
    scratch.push(dir);
    await writeFile(join(dir, "f"), "hello");
    assert.equal(
      await localDigest(join(dir, "f"), "sha256"),
      createHash("sha256").update("hello").digest("hex"),
    );
  });
});
