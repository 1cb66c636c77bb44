// `inet ftp ls` against our own FTP server: names, --long, --json, a glob, bookmarks, and the exit
// codes for bad usage, a refused login and a missing folder.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { saveConfig } from "../../../src/cli/config.js";
import type { FtpServer } from "../../../src/servers/index.js";
import { cleanup, ftp, serveTree } from "./ftp-fixtures.js";

let server: FtpServer;
let url: string;
let aliceUrl: string;
before(async () => {
  ({ server, url, aliceUrl } = await serveTree({
    "pub/a.txt": "aaa",
    "pub/b.tar.gz": "0123456789",
    "pub/c.tar.gz": "",
    "pub/sub/deep.txt": "deep",
    "pub/we\x1b[2Jird.txt": "x",
  }));
});
after(async () => {
  await server.close();
  await cleanup();
});

describe("inet ftp ls", () => {
  it("prints the names, sorted, one per line, escaping control characters", async () => {
    const run = await ftp("ls", `${url}/pub`);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, "a.txt\nb.tar.gz\nc.tar.gz\nsub\nwe^[[2Jird.txt\n");
    assert.equal(run.stderr, "");
  });

  it("--long shows type, size, date and name in columns", async () => {
    const run = await ftp("ls", "--long", `${url}/pub`);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 5);
    assert.match(lines[0]!, /^file {3}3 {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}a\.txt$/);
    assert.match(lines[1]!, /^file {2}10 {2}\S+ \S+ {2}b\.tar\.gz$/);
    assert.match(lines[3]!, /^dir {4}- {2}\S+ \S+ {2}sub$/);
    assert.ok(!run.stdout.includes("\x1b"));
  });

  it("--json prints the entries with ISO dates", async () => {
    const run = await ftp("ls", "--json", `${url}/pub`);
    assert.equal(run.code, 0, run.stderr);
    const entries = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(
      entries.map((entry) => [entry.name, entry.type, entry.size]),
      [
        ["a.txt", "file", 3],
        ["b.tar.gz", "file", 10],
        ["c.tar.gz", "file", 0],
        ["sub", "directory", undefined],
        ["we\x1b[2Jird.txt", "file", 1],
      ],
    );
    for (const entry of entries) {
      assert.match(String(entry.modifiedAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    assert.ok(!run.stdout.includes("\x1b"), "the escape character is written as \\u001b");
  });

  it("a glob in the last part lists only the matches", async () => {
    const run = await ftp("ls", `${url}/pub/*.tar.gz`);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, "b.tar.gz\nc.tar.gz\n");
    const escaped = await ftp("ls", `${url}/pub/%3F.txt`);
    assert.equal(escaped.stdout, "a.txt\n", "? written %3F is a glob");
    assert.equal((await ftp("ls", `${url}/pub/?.txt`)).code, 2, "a bare ? would be a URL query");
  });

  it("a URL naming a file lists that file", async () => {
    const run = await ftp("ls", "-l", `${url}/pub/b.tar.gz`);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^file {2}10 {2}\S+ \S+ {2}b\.tar\.gz\n$/);
  });

  it("opens a bookmark by name", async () => {
    await saveConfig({ bookmarks: { mine: { url, remotePath: "/pub/sub" } }, sites: {}, defaults: {} });
    const run = await ftp("ls", "mine");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, "deep.txt\n");
    const unknown = await ftp("ls", "nobody");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /neither an FTP URL .* nor a bookmark/);
  });

  it("logs in with a password only with --insecure over plain ftp://", async () => {
    const refused = await ftp("ls", `${aliceUrl}/pub`);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /use ftpes:\/\/ .*or pass --insecure/);
    assert.ok(!refused.stderr.includes("secret"), "the password is never printed");
    const run = await ftp("ls", "--insecure", `${aliceUrl}/pub/sub`);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, "deep.txt\n");
    assert.match(run.stderr, /warning: sending the password for alice in the clear/);
  });

  it("exit codes: 2 for bad usage, 3 for a refused login, 4 for a missing folder", async () => {
    assert.equal((await ftp("ls")).code, 2);
    assert.equal((await ftp("ls", "--bogus", url)).code, 2);
    assert.equal((await ftp("ls", "smtp://127.0.0.1/")).code, 2);
    assert.equal((await ftp("ls", "--timeout", "soon", url)).code, 2);
    const login = await ftp("ls", "--insecure", url.replace("ftp://", "ftp://alice:wrong@"));
    assert.equal(login.code, 3, login.stderr);
    assert.ok(!login.stderr.includes("wrong"));
    const missing = await ftp("ls", `${url}/no/such/folder`);
    assert.equal(missing.code, 4, missing.stderr);
    assert.match(missing.stderr, /^inet: .*55\d/m);
  });

  it("--help teaches: description, options, examples and exit codes", async () => {
    const run = await ftp("ls", "--help");
    assert.equal(run.code, 0);
    for (const part of ["Usage: inet ftp ls", "--long", "--insecure", "Examples:", "Exit codes:", "glob"]) {
      assert.ok(run.stdout.includes(part), part);
    }
  });
});
