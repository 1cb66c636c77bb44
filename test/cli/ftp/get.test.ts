// `inet ftp get` against our own FTP server: globs, DEST as a folder or a file, several URLs,
// parallel connections, the --json summary, failures that leave the rest going, and a local
// symlink that is never written through.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FtpServer } from "../../../src/servers/index.js";
import { cleanup, ftp, readTree, serveTree, summary, tempDir } from "./ftp-fixtures.js";

const big = Buffer.alloc(300_000, 7);
let server: FtpServer;
let url: string;
before(async () => {
  ({ server, url } = await serveTree({
    "pub/a.tar.gz": "aaa",
    "pub/b.tar.gz": "bbbb",
    "pub/c.txt": "c",
    "pub/big.tar.gz": big,
    "pub/folder.tar.gz/inside.txt": "not a file",
    "other/o.txt": "o",
  }));
});
after(async () => {
  await server.close();
  await cleanup();
});

describe("inet ftp get", () => {
  it("downloads what a glob matches into DEST (created), one line per file on stderr", async () => {
    const dest = join(await tempDir(), "downloads");
    const run = await ftp("get", `${url}/pub/*.tar.gz`, dest);
    assert.equal(run.code, 0, run.stderr);
    const tree = await readTree(dest);
    assert.deepEqual(Object.keys(tree).sort(), ["a.tar.gz", "b.tar.gz", "big.tar.gz"]);
    assert.equal(tree["a.tar.gz"], "aaa");
    assert.deepEqual(await readFile(join(dest, "big.tar.gz")), big);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /^\/pub\/a\.tar\.gz {2}3 B$/m);
    assert.match(run.stderr, /^\/pub\/big\.tar\.gz {2}293\.0 KiB$/m);
    assert.match(run.stderr, /skipped \/pub\/folder\.tar\.gz: a folder/);
    assert.match(run.stderr, /^3 files, 293\.0 KiB in /m);
  });

  it("one file may be saved under another name", async () => {
    const dir = await tempDir();
    const run = await ftp("get", `${url}/pub/c.txt`, join(dir, "renamed.txt"));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await readTree(dir), { "renamed.txt": "c" });
  });

  it("several URLs, four connections, and a --json summary", async () => {
    const dest = await tempDir();
    const run = await ftp(
      "get",
      "--json",
      "--parallel",
      "4",
      `${url}/pub/*.tar.gz`,
      `${url}/pub/c.txt`,
      `${url}/other/o.txt`,
      dest,
    );
    assert.equal(run.code, 0, run.stderr);
    const result = summary(run);
    assert.equal(result.files, 5);
    assert.equal(result.bytes, 3 + 4 + big.length + 1 + 1);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.refused, []);
    const downloaded = result.downloaded as Array<{ remote: string; local: string; bytes: number }>;
    assert.deepEqual(downloaded.map((entry) => entry.remote).sort(), [
      "/other/o.txt",
      "/pub/a.tar.gz",
      "/pub/b.tar.gz",
      "/pub/big.tar.gz",
      "/pub/c.txt",
    ]);
    assert.ok(downloaded.every((entry) => entry.local.startsWith(dest)));
    assert.deepEqual(Object.keys(await readTree(dest)).sort(), [
      "a.tar.gz",
      "b.tar.gz",
      "big.tar.gz",
      "c.txt",
      "o.txt",
    ]);
    assert.ok(!run.stderr.includes("/pub/"), "no progress lines with --json");
  });

  it("a missing file fails with 4 while the others are still downloaded", async () => {
    const dest = await tempDir();
    const run = await ftp("get", "--json", `${url}/pub/nope.txt`, `${url}/pub/c.txt`, dest);
    assert.equal(run.code, 4, run.stderr);
    const result = summary(run);
    assert.equal(result.files, 1);
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0]!.path, "/pub/nope.txt");
    assert.match(result.errors[0]!.message, /550/);
    assert.match(run.stderr, /^inet: \/pub\/nope\.txt: .*550/m);
    assert.deepEqual(await readTree(dest), { "c.txt": "c" }, "no .part left for a missing file");
    const none = await ftp("get", `${url}/pub/*.zip`, dest);
    assert.equal(none.code, 4);
    assert.match(none.stderr, /no file matches \*\.zip in \/pub/);
  });

  it("never writes through a local symlink (exit 5) and leaves what it points to alone", async () => {
    const dir = await tempDir();
    const dest = join(dir, "dest");
    await mkdir(dest);
    await writeFile(join(dir, "victim.txt"), "keep me");
    await symlink(join(dir, "victim.txt"), join(dest, "c.txt"));
    const run = await ftp("get", `${url}/pub/c.txt`, `${url}/pub/a.tar.gz`, dest);
    assert.equal(run.code, 5, run.stderr);
    assert.match(run.stderr, /refusing to write through a local symlink/);
    assert.equal(await readFile(join(dir, "victim.txt"), "utf8"), "keep me");
    assert.equal(await readFile(join(dest, "a.tar.gz"), "utf8"), "aaa", "the other file still came");
    const single = await ftp("get", `${url}/pub/c.txt`, join(dest, "c.txt"));
    assert.equal(single.code, 5);
    assert.equal(await readFile(join(dir, "victim.txt"), "utf8"), "keep me");
  });

  it("--json still prints its one object when the connection fails (exit 3)", async () => {
    const run = await ftp("get", "--json", "ftp://127.0.0.1:9/x.txt", await tempDir());
    assert.equal(run.code, 3);
    const result = summary(run);
    assert.equal(result.files, 0);
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0]!.path, "");
    assert.match(result.errors[0]!.message, /ECONNREFUSED/);
    assert.match(run.stderr, /^inet: .*ECONNREFUSED/m);
  });

  it("usage errors exit with 2 before connecting", async () => {
    const dest = await tempDir();
    assert.equal((await ftp("get")).code, 2);
    const folder = await ftp("get", `${url}/pub/`, dest);
    assert.equal(folder.code, 2);
    assert.match(folder.stderr, /names a folder/);
    assert.equal((await ftp("get", "notaurl", `${url}/pub/c.txt`, dest)).code, 2);
    assert.equal((await ftp("get", "--parallel", "0", `${url}/pub/c.txt`, dest)).code, 2);
    assert.equal((await ftp("get", "--parallel", "99", `${url}/pub/c.txt`, dest)).code, 2);
    assert.ok(!existsSync(join(dest, "c.txt")));
  });

  it("--help documents globs, resume, parallel, --json and the exit code rule", async () => {
    const run = await ftp("get", "--help");
    assert.equal(run.code, 0);
    const text = run.stdout.replace(/\s+/g, " ");
    for (const part of ["--resume", "--parallel N", "--json", "glob", "most serious", "Exit codes:"]) {
      assert.ok(text.includes(part), part);
    }
  });
});
