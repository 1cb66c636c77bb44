import assert from "node:assert/strict";
import { mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { after, beforeEach, describe, it } from "node:test";
import { startFtpServer } from "../../../src/servers/index.js";
import { cleanup, ftp, readTree, serveTree, tempDir } from "./ftp-fixtures.js";

const CONFIG = () => process.env.INET_CONFIG!;

/** Starts from an empty config file. */
async function resetConfig(): Promise<void> {
  await mkdir(dirname(CONFIG()), { recursive: true, mode: 0o700 });
  await writeFile(CONFIG(), "{}\n", { mode: 0o600 });
}

async function config(): Promise<{ sites: Record<string, Record<string, string>> }> {
  return JSON.parse(await readFile(CONFIG(), "utf8"));
}

describe("inet ftp sites and sync", () => {
  beforeEach(resetConfig);
  after(cleanup);

  it("adds, lists and removes sites in the config file (mode 0600)", async () => {
    const local = await tempDir();
    let run = await ftp(
      "sites",
      "add",
      "py",
      "ftp://ftp.example.test/pub",
      "--pattern",
      "*.py",
      "--local",
      local,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, "added site py\n");
    run = await ftp(
      "sites",
      "add",
      "docs",
      "ftpes://bob@files.example.test",
      "--local",
      local,
      "--remote",
      "/docs",
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await stat(CONFIG())).mode & 0o777, 0o600);
    assert.deepEqual((await config()).sites, {
      py: { url: "ftp://ftp.example.test/pub", pattern: "*.py", local },
      docs: { url: "ftpes://bob@files.example.test", remotePath: "/docs", local },
    });

    run = await ftp("sites");
    assert.equal(run.code, 0);
    const lines = run.stdout.trimEnd().split("\n");
    assert.match(lines[0]!, /^NAME +URL +REMOTE +PATTERN +LOCAL$/);
    assert.match(lines[1]!, /^docs +ftpes:\/\/bob@files\.example\.test +\/docs +\S+$/);
    assert.match(lines[2]!, /^py +ftp:\/\/ftp\.example\.test\/pub +\*\.py +\S+$/);
    const json = await ftp("sites", "list", "--json");
    assert.deepEqual(JSON.parse(json.stdout), [
      { name: "docs", url: "ftpes://bob@files.example.test", remote: "/docs", pattern: "", local },
      { name: "py", url: "ftp://ftp.example.test/pub", remote: "", pattern: "*.py", local },
    ]);

    run = await ftp("sites", "add", "py", "ftp://ftp.example.test/src", "--local", local);
    assert.equal(run.stdout, "replaced site py\n");
    run = await ftp("sites", "remove", "docs");
    assert.equal(run.code, 0);
    assert.deepEqual(Object.keys((await config()).sites), ["py"]);
  });

  it("never stores a password given in the URL", async () => {
    const local = await tempDir();
    const run = await ftp("sites", "add", "p", "ftpes://alice:hunter2@h.example.test/x", "--local", local);
    assert.equal(run.code, 0);
    assert.match(run.stderr, /password in the URL was not stored/);
    const text = await readFile(CONFIG(), "utf8");
    assert.ok(!text.includes("hunter2"));
    assert.equal((await config()).sites.p!.url, "ftpes://alice@h.example.test/x");
  });

  it("refuses bad input with exit code 2", async () => {
    const local = await tempDir();
    for (const args of [
      ["sites", "add", "bad name", "ftp://h/", "--local", local],
      ["sites", "add", "x", "imap://h/", "--local", local],
      ["sites", "add", "x", "ftp://h/"],
      ["sites", "add", "x"],
      ["sites", "remove", "nothing"],
      ["sites", "frob"],
      ["sync"],
      ["sync", "--all", "x"],
      ["sync", "nothing"],
    ]) {
      const run = await ftp(...args);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, /^inet: /);
    }
  });

  it("fetches each site's matching files that are new or newer; a second sync is a no-op", async () => {
    const { server, root, url } = await serveTree({
      "pub/a.py": "print('a')\n",
      "pub/b.py": "print('b')\n",
      "pub/readme.txt": "not python\n",
      "docs/doc1.pdf": "%PDF-1\n",
      "docs/doc2.pdf": "%PDF-2\n",
      "docs/notes.pdf": "%PDF-n\n",
    });
    try {
      const py = await tempDir();
      const docs = join(await tempDir(), "docs-here");
      assert.equal(
        (await ftp("sites", "add", "py", `${url}/pub`, "--pattern", "*.py", "--local", py)).code,
        0,
      );
      assert.equal(
        (
          await ftp(
            "sites",
            "add",
            "docs",
            `${url}/`,
            "--remote",
            "/docs",
            "--pattern",
            "doc*.pdf",
            "--local",
            docs,
          )
        ).code,
        0,
      );

      let run = await ftp("sync", "--all");
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await readTree(py), { "a.py": "print('a')\n", "b.py": "print('b')\n" });
      assert.deepEqual(await readTree(docs), { "doc1.pdf": "%PDF-1\n", "doc2.pdf": "%PDF-2\n" });
      assert.match(run.stderr, /^site docs: .*\n(.*\n)*2 files, 14 B in /m);
      assert.match(run.stderr, /^site py: .*\n(.*\n)*2 files, 22 B in /m);

      run = await ftp("sync", "py", "docs");
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr.match(/^0 files, 0 B in /gm)?.length, 2, run.stderr);

      // One remote file changes (newer): only it comes again.
      const changed = join(root, "pub", "b.py");
      await writeFile(changed, "print('B!')\n");
      const later = new Date(Date.now() + 3600_000);
      await utimes(changed, later, later);
      run = await ftp("sync", "--all", "--json");
      assert.equal(run.code, 0, run.stderr);
      const summary = JSON.parse(run.stdout);
      assert.deepEqual(
        summary.sites.map((site: { name: string; files: number; code: number }) => [
          site.name,
          site.files,
          site.code,
        ]),
        [
          ["docs", 0, 0],
          ["py", 1, 0],
        ],
      );
      assert.equal(summary.files, 1);
      assert.equal(await readFile(join(py, "b.py"), "utf8"), "print('B!')\n");
    } finally {
      await server.close();
    }
  });

  it("reports a failing site and still syncs the others; the exit code says so", async () => {
    const { server, url } = await serveTree({ "pub/a.py": "a\n" });
    const gone = await startFtpServer({ tree: {}, anonymous: true });
    const deadUrl = gone.urls.ftp;
    await gone.close();
    try {
      const good = await tempDir();
      const bad = await tempDir();
      assert.equal((await ftp("sites", "add", "good", `${url}/pub`, "--local", good)).code, 0);
      assert.equal((await ftp("sites", "add", "nofolder", `${url}/missing`, "--local", bad)).code, 0);
      assert.equal((await ftp("sites", "add", "down", deadUrl, "--local", bad)).code, 0);

      let run = await ftp("sync", "nofolder", "good");
      assert.equal(run.code, 4, run.stderr);
      assert.match(run.stderr, /^inet: site nofolder: server replied 550/m);
      assert.deepEqual(await readTree(good), { "a.py": "a\n" });

      run = await ftp("sync", "--all", "--json");
      assert.equal(run.code, 3, "a connection failure outranks the remote one");
      const summary = JSON.parse(run.stdout);
      const byName = Object.fromEntries(
        summary.sites.map((site: { name: string; code: number; errors: unknown[] }) => [site.name, site]),
      );
      assert.equal(byName.down.code, 3);
      assert.equal(byName.down.errors.length, 1);
      assert.equal(byName.nofolder.code, 4);
      assert.equal(byName.good.code, 0);
      assert.deepEqual(await readTree(bad), {});
    } finally {
      await server.close();
    }
  });
});
