import assert from "node:assert/strict";
import { lstat, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HistoryStore, maskPasswords } from "../../../../src/cli/commands/ftp/shell/history.js";

describe("maskPasswords", () => {
  it("leaves the password out of every URL, keeping the user", () => {
    assert.equal(maskPasswords("open ftp://alice:s3cret@host/pub"), "open ftp://alice@host/pub");
    assert.equal(maskPasswords("open ftpes://bob:pw@h:2121"), "open ftpes://bob@h:2121");
    assert.equal(maskPasswords("open 'ftp://u:p w@h/'"), "open 'ftp://u@h/'");
    assert.equal(maskPasswords("open ftp://u:p\\ w@h/"), "open ftp://u@h/");
  });

  it("removes a password holding / or @ completely", () => {
    for (const line of ["open ftp://u:a/b@h/", "open ftp://u:a@b@h/", "open ftp://u:a?b#c@h"]) {
      const masked = maskPasswords(line);
      assert.equal(masked.startsWith("open ftp://u@"), true, masked);
      assert.ok(!/a[/@?]b/.test(masked), masked);
    }
  });

  it("leaves lines without a URL password as they are", () => {
    for (const line of [
      "get a.txt",
      "open ftp://alice@host/",
      "open work",
      "open ftp://h:21/x",
      "put a@b:c",
    ]) {
      assert.equal(maskPasswords(line), line);
    }
  });
});

describe("HistoryStore", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "inet-history-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes lines with mode 0600 (folder 0700) and reads them back, newest last", async () => {
    const path = join(dir, "state", "inetkit", "ftp-history");
    const store = await HistoryStore.load(path);
    assert.deepEqual(store.lines, []);
    assert.equal(await store.add("ls"), "ls");
    assert.equal(await store.add("open ftp://alice:secret@127.0.0.1/"), "open ftp://alice@127.0.0.1/");
    assert.equal(await store.add("cd pub "), "cd pub");
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, "state", "inetkit"))).mode & 0o777, 0o700);
    const text = await readFile(path, "utf8");
    assert.equal(text, "ls\nopen ftp://alice@127.0.0.1/\ncd pub\n");
    assert.ok(!text.includes("secret"));
    const again = await HistoryStore.load(path);
    assert.deepEqual(again.lines, ["ls", "open ftp://alice@127.0.0.1/", "cd pub"]);
    assert.deepEqual(again.newestFirst(), ["cd pub", "open ftp://alice@127.0.0.1/", "ls"]);
  });

  it("skips blank lines, lines starting with a blank, repeats and overlong lines; keeps escaped blanks", async () => {
    const store = await HistoryStore.load(undefined);
    assert.equal(await store.add(""), undefined);
    assert.equal(await store.add("   "), undefined);
    assert.equal(await store.add(" open ftp://u@h"), undefined);
    assert.equal(await store.add("ls"), "ls");
    assert.equal(await store.add("ls"), undefined);
    assert.equal(await store.add(`get ${"x".repeat(5000)}`), undefined);
    assert.equal(await store.add("get my\\ "), "get my\\ ");
    assert.equal(await store.add("get 'a "), "get 'a ");
    assert.deepEqual(store.lines, ["ls", "get my\\ ", "get 'a "]);
  });

  it("keeps only the newest lines, in memory and (after trimming) in the file", async () => {
    const path = join(dir, "bounded");
    const store = await HistoryStore.load(path, { size: 5 });
    for (let i = 0; i < 23; i += 1) await store.add(`cd ${i}`);
    assert.deepEqual(store.lines, ["cd 18", "cd 19", "cd 20", "cd 21", "cd 22"]);
    const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
    assert.ok(lines.length <= 10, `the file holds ${lines.length} lines`);
    assert.deepEqual(lines.slice(-5), store.lines);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const again = await HistoryStore.load(path, { size: 5 });
    assert.deepEqual(again.lines, store.lines);
  });

  it("masks a password an older file still holds, and tightens a loose mode on the next write", async () => {
    const path = join(dir, "old");
    await writeFile(path, "open ftp://a:hunter2@h/\nls\n", { mode: 0o644 });
    const store = await HistoryStore.load(path);
    assert.deepEqual(store.lines, ["open ftp://a@h/", "ls"]);
    await store.add("pwd");
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  it("never writes through a symlink at the history path", async () => {
    const target = join(dir, "elsewhere");
    await writeFile(target, "untouched\n");
    const path = join(dir, "linked");
    await symlink(target, path);
    const errors: unknown[] = [];
    const store = await HistoryStore.load(path, { onError: (error) => errors.push(error) });
    assert.deepEqual(store.lines, []);
    await store.add("ls");
    assert.equal(await readFile(target, "utf8"), "untouched\n");
    assert.ok((await lstat(path)).isSymbolicLink());
    assert.ok(errors.length >= 1);
    assert.deepEqual(store.lines, ["ls"]);
  });

  it("reports an unusable folder without failing", async () => {
    const blocker = join(dir, "blocker");
    await writeFile(blocker, "");
    const errors: unknown[] = [];
    const store = await HistoryStore.load(join(blocker, "sub", "history"), {
      onError: (e) => errors.push(e),
    });
    assert.equal(await store.add("ls"), "ls");
    assert.ok(errors.length >= 1);
    assert.deepEqual(store.lines, ["ls"]);
  });
});
