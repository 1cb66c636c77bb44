// `inet ftp mirror` against our own FTP server: both directions, a second run that does nothing,
// a dry run whose plan is exactly what the real run then does, --delete and its scope, filters,
// --newer-than, the --json summary and usage errors.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parseNewerThan } from "../../../src/cli/commands/ftp/mirror.js";
import { InvalidArgumentError } from "../../../src/errors.js";
import { cleanup, ftp, readTree, serveTree, summary, tempDir, writeTree } from "./ftp-fixtures.js";

after(cleanup);

const TREE = {
  "top.txt": "top\n",
  "notes.log": "log\n",
  "docs/a.pdf": "%PDF a",
  "docs/b.txt": "b\n",
  "docs/deeper/c.txt": "c\n",
  "tmp/junk.txt": "junk\n",
  "empty/": "",
};

describe("inet ftp mirror (download)", () => {
  it("-r copies the tree; a second run transfers nothing", async () => {
    const { server, url } = await serveTree(TREE);
    try {
      const dest = join(await tempDir(), "copy");
      const first = await ftp("mirror", "-r", `${url}/`, dest);
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(await readTree(dest), TREE);
      assert.match(first.stderr, /^docs\/deeper\/c\.txt {2}2 B$/m);
      const second = await ftp("mirror", "-r", "--json", `${url}/`, dest);
      assert.equal(second.code, 0, second.stderr);
      const result = summary(second);
      assert.equal(result.files, 0);
      assert.deepEqual(result.transferred, []);
      assert.deepEqual(result.created, []);
      assert.equal(result.unchanged, 6);
    } finally {
      await server.close();
    }
  });

  it("without -r only the top folder's files", async () => {
    const { server, url } = await serveTree(TREE);
    try {
      const dest = await tempDir();
      const run = await ftp("mirror", `${url}/`, dest);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await readTree(dest), { "notes.log": "log\n", "top.txt": "top\n" });
    } finally {
      await server.close();
    }
  });

  it("--dry-run prints the plan, changes nothing, and the real run does exactly that", async () => {
    const { server, url } = await serveTree(TREE);
    try {
      const dest = await tempDir();
      await writeTree(dest, { "top.txt": "changed\n", "gone.txt": "old\n", "olddir/x.txt": "x" });
      const before = await readTree(dest);
      const text = await ftp("mirror", "-r", "--delete", "--dry-run", `${url}/`, dest);
      assert.equal(text.code, 0, text.stderr);
      const lines = text.stdout.trimEnd().split("\n");
      assert.deepEqual(lines.slice(0, 4), [
        "mkdir   docs/",
        "mkdir   docs/deeper/",
        "mkdir   empty/",
        "mkdir   tmp/",
      ]);
      assert.ok(lines.includes("get     top.txt  (size, 4 B)"), text.stdout);
      assert.ok(lines.includes("get     docs/deeper/c.txt  (missing, 2 B)"));
      assert.ok(lines.includes("delete  gone.txt"));
      assert.ok(lines.includes("delete  olddir/"));
      assert.match(
        lines.at(-1)!,
        /^plan: 6 to transfer \(\d+ B\), 4 folders to create, 2 to delete, 0 unchanged/,
      );
      assert.deepEqual(await readTree(dest), before, "a dry run changes nothing");

      const planned = summary(await ftp("mirror", "-r", "--delete", "--dry-run", "--json", `${url}/`, dest));
      assert.equal(planned.dryRun, true);
      const actions = planned.actions as Array<{ kind: string; path: string }>;
      const of = (kind: string) =>
        actions.filter((action) => action.kind === kind).map((action) => action.path);
      assert.deepEqual(await readTree(dest), before);

      const real = await ftp("mirror", "-r", "--delete", "--json", `${url}/`, dest);
      assert.equal(real.code, 0, real.stderr);
      const done = summary(real);
      assert.deepEqual(done.created, of("mkdir"));
      assert.deepEqual(done.transferred, [...of("transfer")].sort());
      assert.deepEqual(done.deleted, of("delete"));
      assert.equal(done.files, of("transfer").length);
      assert.deepEqual(await readTree(dest), TREE);
    } finally {
      await server.close();
    }
  });

  it("--delete removes only what is gone from the source, inside the target, never excluded names", async () => {
    const { server, url } = await serveTree({ "keep.txt": "k", "sub/s.txt": "s" });
    try {
      const base = await tempDir();
      const dest = join(base, "dest");
      await writeTree(base, {
        "outside.txt": "outside",
        "dest/extra.txt": "e",
        "dest/mine.log": "excluded, so never deleted",
        "dest/sub/old.txt": "o",
        "dest/sub/s.txt": "s",
      });
      const run = await ftp("mirror", "-r", "--delete", "-s", "*.log", `${url}/`, dest);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /^deleted extra\.txt$/m);
      assert.deepEqual(await readTree(base), {
        "outside.txt": "outside",
        "dest/keep.txt": "k",
        "dest/mine.log": "excluded, so never deleted",
        "dest/sub/s.txt": "s",
      });
      // Without --delete nothing is ever removed.
      await writeFile(join(dest, "extra2.txt"), "e");
      await ftp("mirror", "-r", `${url}/`, dest);
      assert.ok(existsSync(join(dest, "extra2.txt")));
    } finally {
      await server.close();
    }
  });

  it("--include, --exclude and -s (repeatable) pick what is mirrored", async () => {
    const { server, url } = await serveTree(TREE);
    try {
      const dest = await tempDir();
      const run = await ftp(
        "mirror",
        "-r",
        "--include",
        "*.txt",
        "-s",
        "tmp/",
        "--exclude",
        "top*",
        `${url}/`,
        dest,
      );
      assert.equal(run.code, 0, run.stderr);
      const tree = await readTree(dest);
      assert.deepEqual(
        Object.keys(tree).filter((path) => !path.endsWith("/")),
        ["docs/b.txt", "docs/deeper/c.txt"],
      );
      const pdfs = await tempDir();
      await ftp("mirror", "-r", "-i", "docs/*.pdf", `${url}/`, pdfs);
      assert.deepEqual(
        Object.keys(await readTree(pdfs)).filter((path) => !path.endsWith("/")),
        ["docs/a.pdf"],
      );
    } finally {
      await server.close();
    }
  });

  it("--newer-than takes a date or an age", async () => {
    const { server, root, url } = await serveTree({ "old.txt": "old", "new.txt": "new" });
    try {
      const old = new Date("2020-06-01T00:00:00Z");
      await utimes(join(root, "old.txt"), old, old);
      const byDate = await tempDir();
      assert.equal((await ftp("mirror", "--newer-than", "2021-01-01", `${url}/`, byDate)).code, 0);
      assert.deepEqual(await readTree(byDate), { "new.txt": "new" });
      const byAge = await tempDir();
      assert.equal((await ftp("mirror", "--newer-than", "30d", `${url}/`, byAge)).code, 0);
      assert.deepEqual(await readTree(byAge), { "new.txt": "new" });
    } finally {
      await server.close();
    }
  });
});

describe("inet ftp mirror --reverse (upload)", () => {
  it("uploads the tree, creating the remote folder; a second run transfers nothing", async () => {
    const { server, root, aliceUrl } = await serveTree({});
    try {
      const source = await tempDir();
      await writeTree(source, TREE);
      const first = await ftp("mirror", "--insecure", "-r", "--reverse", source, `${aliceUrl}/site`);
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(await readTree(join(root, "site")), TREE);
      const second = await ftp("mirror", "--insecure", "-r", "-R", "--json", source, `${aliceUrl}/site`);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(summary(second).files, 0);
      assert.deepEqual(summary(second).transferred, []);
    } finally {
      await server.close();
    }
  });
});

describe("inet ftp mirror usage", () => {
  it("bad command lines exit with 2 (a missing upload folder with 5)", async () => {
    const url = "ftp://127.0.0.1:9/";
    const dest = await tempDir();
    for (const args of [
      [url],
      ["--reverse", dest],
      ["--only-newer", "--only-missing", url, dest],
      ["--newer-than", "yesterday", url, dest],
      ["--parallel", "x", url, dest],
    ]) {
      const run = await ftp("mirror", ...args);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    }
    assert.equal((await ftp("mirror", "--reverse", join(dest, "missing"), url)).code, 5);
  });

  it("parseNewerThan reads dates, date-times and ages", () => {
    const now = new Date("2024-05-10T12:00:00Z");
    assert.equal(parseNewerThan("2024-05-01", now).toISOString(), "2024-05-01T00:00:00.000Z");
    assert.equal(parseNewerThan("2024-05-01T10:30Z", now).toISOString(), "2024-05-01T10:30:00.000Z");
    assert.equal(parseNewerThan("2024-05-01T10:30:15+02:00", now).toISOString(), "2024-05-01T08:30:15.000Z");
    assert.equal(parseNewerThan("7d", now).toISOString(), "2024-05-03T12:00:00.000Z");
    assert.equal(parseNewerThan("90m", now).toISOString(), "2024-05-10T10:30:00.000Z");
    assert.equal(parseNewerThan("2w", now).toISOString(), "2024-04-26T12:00:00.000Z");
    for (const bad of ["", "7", "7y", "2024-13-45", "May 1", "2024-05-01T25:00Z", "-1d"]) {
      assert.throws(() => parseNewerThan(bad, now), InvalidArgumentError, bad);
    }
  });
});
