// The shell driven through standard input (not a terminal: a script), in-process, against our
// own FTP server on a temporary folder.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { quoteWord } from "../../../../src/cli/commands/ftp/shell/words.js";
import { startFtpServer } from "../../../../src/servers/index.js";
import { runCli } from "../../run-cli.js";
import { cleanup, HOME, readTree, serveTree, tempDir, writeTree } from "../ftp-fixtures.js";

/** Runs `inet ftp shell ARGS` with `lines` on stdin. */
function shell(args: string[], lines: string[]) {
  return runCli(["ftp", "shell", ...args], { input: `${lines.join("\n")}\n` });
}

const CONFIG = () => process.env.INET_CONFIG!;

describe("inet ftp shell, scripted through stdin", () => {
  after(cleanup);

  it("runs a whole session: open, ls, cd, get, put, mget, mput, mkdir, rename, rm, rmdir, bookmark", async () => {
    const { server, root, aliceUrl } = await serveTree({
      "pub/a.txt": "alpha\n",
      "pub/b.txt": "bravo\n",
      "pub/c.bin": "charlie\n",
      readme: "read me\n",
    });
    try {
      const local = await tempDir();
      await writeTree(local, { "up.py": "print(1)\n", "one.md": "# one\n", "two.md": "# two\n" });
      const run = await shell(
        ["--insecure"],
        [
          `open ${aliceUrl}/`,
          `lcd ${quoteWord(local)}`,
          "ls",
          "cd pub",
          "pwd",
          "ls -l",
          "get a.txt",
          "get b.txt 'b copy.txt'",
          "mget *.txt c.bin",
          "put up.py",
          "mput *.md",
          'mkdir "new dir"',
          "rename up.py 'new dir/moved.py'",
          'ls "new dir"',
          "rm 'new dir/moved.py'",
          "rmdir new\\ dir",
          "bookmark work",
          "bookmarks",
          "quit",
          "ls",
        ],
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^connected to ftp:\/\/alice@127\.0\.0\.1:\d+, in \/$/m);
      // ls of the top, then the pwd after cd.
      assert.match(run.stdout, /^pub\/\nreadme\n\/pub\n/m);
      assert.match(run.stdout, /^-rw\S*\s+6\s+\d{4}-\d\d-\d\d \d\d:\d\d {2}a\.txt$/m);
      assert.match(run.stdout, /^moved\.py\n/m);
      assert.match(run.stdout, /^bookmark work: ftp:\/\/alice@127\.0\.0\.1:\d+ in \/pub$/m);
      assert.match(run.stdout, /^work {2}ftp:\/\/alice@127\.0\.0\.1:\d+ {2}\/pub$/m);
      // Progress without a terminal: one line per file, then a summary, on stderr.
      assert.match(run.stderr, /^a\.txt {2}6 B$/m);
      assert.match(run.stderr, /^3 files, 20 B in /m);
      assert.deepEqual(await readTree(local), {
        "a.txt": "alpha\n",
        "b copy.txt": "bravo\n",
        "b.txt": "bravo\n",
        "c.bin": "charlie\n",
        "one.md": "# one\n",
        "two.md": "# two\n",
        "up.py": "print(1)\n",
      });
      assert.deepEqual(await readTree(join(root, "pub")), {
        "a.txt": "alpha\n",
        "b.txt": "bravo\n",
        "c.bin": "charlie\n",
        "one.md": "# one\n",
        "two.md": "# two\n",
      });
      // The quit ended the script: the ls after it never ran.
      assert.equal(run.stdout.match(/^readme$/gm)?.length, 1);
      const config = JSON.parse(await readFile(CONFIG(), "utf8"));
      assert.deepEqual(config.bookmarks.work, {
        url: `${aliceUrl.replace(":secret", "")}`,
        remotePath: "/pub",
      });
      assert.equal((await stat(CONFIG())).mode & 0o777, 0o600);
      // Scripts leave no history behind.
      assert.equal(existsSync(join(HOME, "state", "inetkit", "ftp-history")), false);
    } finally {
      await server.close();
    }
  });

  it("goes on after a failing command and exits with the code of the last failure", async () => {
    const { server, root, url } = await serveTree({ "pub/a.txt": "alpha\n" });
    try {
      const run = await shell(
        [`${url}/pub`],
        ["frobnicate", "cd /nowhere", "get 'it''s missing'", "ls", "pwd", "get 'unterminated"],
      );
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /^inet: unknown command "frobnicate" \(try 'help'\)$/m);
      assert.match(run.stderr, /^inet: server replied 550/m);
      assert.match(run.stderr, /^inet: unterminated ' quote$/m);
      assert.match(run.stdout, /^a\.txt\n\/pub$/m);
      assert.equal(existsSync(join(root, "pub", "its missing")), false);

      const remoteLast = await shell([`${url}/pub`], ["frobnicate", "cd /nowhere", "pwd"]);
      assert.equal(remoteLast.code, 4, "the last failure was the server's (550)");
      const allGood = await shell([`${url}/pub`], ["pwd", "ls"]);
      assert.equal(allGood.code, 0);
    } finally {
      await server.close();
    }
  });

  it("-e stops at the first failure", async () => {
    const { server, root, aliceUrl } = await serveTree({ "pub/a.txt": "alpha\n" });
    try {
      const run = await shell(
        ["-e", "--insecure", `${aliceUrl}/`],
        ["mkdir first", "cd /nowhere", "mkdir second"],
      );
      assert.equal(run.code, 4);
      assert.equal(existsSync(join(root, "first")), true);
      assert.equal(existsSync(join(root, "second")), false);
    } finally {
      await server.close();
    }
  });

  it("says what is wrong when not connected, or when a command is misused", async () => {
    const run = await shell([], ["ls", "get", "mirror --bogus", "help get", "help nothing"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^inet: not connected: use 'open URL' or 'open BOOKMARK' first$/m);
    assert.match(run.stderr, /^inet: usage: get \[-c\] REMOTE \[LOCAL\]$/m);
    assert.match(run.stderr, /^inet: mirror: unknown option '--bogus'/m);
    assert.match(run.stdout, /^usage: get \[-c\] REMOTE \[LOCAL\]$/m);
    assert.match(run.stderr, /^inet: help: no command "nothing"$/m);
  });

  it("refuses to send a password over plain ftp:// without --insecure", async () => {
    const { server, aliceUrl } = await serveTree({ "a.txt": "a" });
    try {
      const run = await shell([], [`open ${aliceUrl}/`, "ls"]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /refusing to log in as alice over plain ftp:\/\//);
      assert.ok(!run.stderr.includes("secret"));
      const insecure = await shell([], [`open --insecure ${aliceUrl}/`, "ls"]);
      assert.equal(insecure.code, 0, insecure.stderr);
      assert.match(insecure.stdout, /^a\.txt$/m);
    } finally {
      await server.close();
    }
  });

  it("stores a bookmark's password only with --password, and opens the bookmark later", async () => {
    const { server, aliceUrl } = await serveTree({ "pub/a.txt": "alpha\n" });
    try {
      const run = await shell(
        ["--insecure", `${aliceUrl}/pub`],
        ["bookmark plain", "bookmark --password withpw", "bookmark 'bad name'"],
      );
      assert.equal(run.code, 2, "the bad name is refused");
      const config = JSON.parse(await readFile(CONFIG(), "utf8"));
      assert.equal(config.bookmarks.plain.password, undefined);
      assert.equal(config.bookmarks.withpw.password, "secret");
      assert.match(run.stdout, /^bookmark withpw: .* \(password stored in /m);
      assert.ok(!run.stdout.includes("secret") && !run.stderr.includes("secret"));

      const reopened = await shell(["--insecure", "withpw"], ["pwd", "mkdir made", "ls"]);
      assert.equal(reopened.code, 0, reopened.stderr);
      assert.match(reopened.stdout, /^\/pub\na\.txt\nmade\/$/m);
      const noPassword = await shell(["--insecure", "plain"], ["pwd"]);
      assert.notEqual(noPassword.code, 0, "no password is known for the plain bookmark");
    } finally {
      await server.close();
    }
  });

  it("escapes hostile remote names and refuses to write them locally", async () => {
    const server = await startFtpServer({
      tree: { "ok.txt": "fine\n", "evil\u001b]0;pwned\u0007.txt": "bad\n", "bidi\u202etxt.exe": "x" },
      anonymous: true,
    });
    try {
      const local = await tempDir();
      const run = await shell([server.urls.ftp], [`lcd ${quoteWord(local)}`, "ls", "ls -l", "mget *.txt"]);
      assert.equal(run.code, 4, "a refused name counts as a remote failure");
      for (const text of [run.stdout, run.stderr]) {
        assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/.test(text), JSON.stringify(text));
      }
      assert.match(run.stdout, /^evil\^\[\]0;pwned\^G\.txt$/m);
      assert.match(run.stdout, /^bidi⟨RLO⟩txt\.exe$/m);
      assert.match(run.stderr, /refused the name "evil/);
      assert.deepEqual(await readTree(local), { "ok.txt": "fine\n" });
    } finally {
      await server.close();
    }
  });

  it("mirrors both ways, with a dry run that changes nothing", async () => {
    const { server, root, aliceUrl } = await serveTree({ "site/a.txt": "a\n", "site/sub/b.txt": "b\n" });
    try {
      const local = await tempDir();
      await writeTree(local, { "up/c.txt": "c\n" });
      const run = await shell(
        ["--insecure", `${aliceUrl}/`],
        [
          `lcd ${quoteWord(local)}`,
          "mirror --dry-run -r site",
          "lls",
          "mirror -r site",
          "mirror -r site",
          "mirror -R up",
          "ls up",
        ],
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stdout,
        /^get a\.txt \(missing\)\nget sub\/b\.txt \(missing\)\n2 to transfer, 0 unchanged$/m,
      );
      assert.match(run.stdout, /^up\/\n/m, "the dry run created nothing locally");
      assert.deepEqual(await readTree(join(local, "site")), { "a.txt": "a\n", "sub/b.txt": "b\n" });
      assert.match(run.stderr, /^0 files, 0 B in /m, "the second mirror transferred nothing");
      assert.deepEqual(await readTree(join(root, "up")), { "c.txt": "c\n" });
      assert.match(run.stdout, /^c\.txt$/m);
    } finally {
      await server.close();
    }
  });
});
