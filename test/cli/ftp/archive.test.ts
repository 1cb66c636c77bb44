// `inet ftp mirror --zip / --tgz / --backup-zip` against our own FTP server: the archives are read
// back and hold exactly the tree (or exactly the files the run replaced or deleted).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FtpServer } from "../../../src/servers/index.js";
import { readTarGzEntries } from "../../../src/tools/archive/tgz-reader.js";
import { readZipEntries } from "../../../src/tools/archive/zip-reader.js";
import { cleanup, ftp, readTree, serveTree, summary, tempDir, writeTree } from "./ftp-fixtures.js";

const TREE = {
  "top.txt": "top\n",
  "docs/a.txt": "a\n",
  "docs/deeper/b.bin": "\u0000\u0001binary",
  "skip.tmp": "skip me\n",
};

/** An archive's entries as `readTree` gives a folder: files with their text, empty folders as `x/`. */
async function contents(
  entries: Array<{ name: string; type: string; read(): Promise<Buffer> }>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    if (entry.type === "file") out[entry.name] = (await entry.read()).toString("utf8");
    else assert.equal(entry.type, "directory");
  }
  return out;
}

let server: FtpServer;
let url: string;
before(async () => {
  ({ server, url } = await serveTree(TREE));
});
after(async () => {
  await server.close();
  await cleanup();
});

describe("inet ftp mirror into archives", () => {
  it("--zip writes the tree into a zip (filters apply); no folder is made", async () => {
    const dir = await tempDir();
    const zip = join(dir, "tree.zip");
    const run = await ftp("mirror", "-r", "-s", "*.tmp", "--json", `${url}/`, "--zip", zip);
    assert.equal(run.code, 0, run.stderr);
    const result = summary(run);
    assert.deepEqual(result.archive, { format: "zip", path: zip, written: true, files: 3, directories: 2 });
    const entries = await readZipEntries(zip);
    const { "skip.tmp": _, ...expected } = TREE;
    assert.deepEqual(await contents(entries), expected);
    assert.deepEqual(
      entries.filter((entry) => entry.type === "directory").map((entry) => entry.name),
      ["docs", "docs/deeper"],
    );
    assert.deepEqual(
      Object.keys(await readTree(dir)),
      ["tree.zip"],
      "only the zip, no folder, no temporary file",
    );
  });

  it("--tgz writes the tree into a .tar.gz", async () => {
    const dir = await tempDir();
    const tgz = join(dir, "tree.tar.gz");
    const run = await ftp("mirror", "-r", `${url}/`, "--tgz", tgz);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await contents(await readTarGzEntries(tgz)), TREE);
  });

  it("--dry-run with --zip prints the entries and writes nothing", async () => {
    const dir = await tempDir();
    const run = await ftp("mirror", "-r", "--dry-run", `${url}/`, "--zip", join(dir, "x.zip"));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^add {5}docs\/$/m);
    assert.match(run.stdout, /^add {5}docs\/deeper\/b\.bin {2}\(missing, 8 B\)$/m);
    assert.ok(!existsSync(join(dir, "x.zip")));
  });

  it("--backup-zip holds exactly the files the run replaced or deleted, as they were", async () => {
    const base = await tempDir();
    const dest = join(base, "dest");
    await writeTree(dest, {
      "top.txt": "old top, longer than the new one\n",
      "docs/a.txt": "a\n",
      "docs/gone.txt": "deleted by --delete\n",
    });
    const backup = join(base, "backup.zip");
    const run = await ftp("mirror", "-r", "--delete", "--json", "--backup-zip", backup, `${url}/`, dest);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await readTree(dest), TREE);
    assert.deepEqual(await contents(await readZipEntries(backup)), {
      "top.txt": "old top, longer than the new one\n",
      "docs/gone.txt": "deleted by --delete\n",
    });
    const result = summary(run);
    assert.deepEqual((result.backup as { files: string[] }).files.sort(), ["docs/gone.txt", "top.txt"]);
  });

  it("refuses combinations that make no sense (exit 2)", async () => {
    const dir = await tempDir();
    const zip = join(dir, "x.zip");
    for (const args of [
      [`${url}/`, dir, "--zip", zip],
      ["--reverse", dir, `${url}/`, "--zip", zip],
      [`${url}/`, "--zip", zip, "--tgz", join(dir, "x.tgz")],
      [`${url}/`, "--zip", zip, "--delete"],
      [`${url}/`, "--zip", zip, "--backup-zip", join(dir, "b.zip")],
      ["--reverse", dir, `${url}/`, "--backup-zip", join(dir, "b.zip")],
    ]) {
      const run = await ftp("mirror", ...args);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    }
    assert.ok(!existsSync(zip));
  });
});
