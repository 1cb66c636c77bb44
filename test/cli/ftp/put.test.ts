// `inet ftp put` against our own FTP server: local globs expanded by inet (dotfiles left out, as a
// shell does), one file under a new name, --json, --resume, and the failures.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FtpServer } from "../../../src/servers/index.js";
import { cleanup, ftp, readTree, serveTree, summary, tempDir, writeTree } from "./ftp-fixtures.js";

let server: FtpServer;
let root: string;
let url: string;
let aliceUrl: string;
let local: string;
before(async () => {
  ({ server, root, url, aliceUrl } = await serveTree({ "up/": "", "keep.txt": "k" }));
  local = await tempDir();
  await writeTree(local, {
    "a.py": "print('a')\n",
    "b.py": "print('b')\n",
    ".hidden.py": "no\n",
    "doc1.pdf": "%PDF-1",
    "doc2.pdf": "%PDF-2",
    "notes.txt": "n",
    "pkg.py/inside.py": "a folder named like a file",
  });
});
after(async () => {
  await server.close();
  await cleanup();
});

describe("inet ftp put", () => {
  it("expands a quoted glob itself, skipping dotfiles and folders", async () => {
    const run = await ftp("put", "--insecure", join(local, "*.py"), `${aliceUrl}/up/`);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await readTree(join(root, "up")), { "a.py": "print('a')\n", "b.py": "print('b')\n" });
    assert.match(run.stderr, /skipped .*pkg\.py: not a regular file/);
    assert.match(run.stderr, /^\/up\/a\.py {2}11 B$/m);
    assert.match(run.stderr, /^2 files, 22 B in /m);
  });

  it("several patterns, two connections, and a --json summary", async () => {
    const run = await ftp(
      "put",
      "--insecure",
      "--json",
      "-P",
      "2",
      join(local, "doc*.pdf"),
      join(local, "notes.txt"),
      `${aliceUrl}/up`,
    );
    assert.equal(run.code, 0, run.stderr);
    const result = summary(run);
    assert.equal(result.files, 3);
    assert.equal(result.bytes, 13);
    assert.deepEqual(result.errors, []);
    const uploaded = result.uploaded as Array<{ local: string; remote: string }>;
    assert.deepEqual(uploaded.map((entry) => entry.remote).sort(), [
      "/up/doc1.pdf",
      "/up/doc2.pdf",
      "/up/notes.txt",
    ]);
    assert.equal(await readFile(join(root, "up", "doc2.pdf"), "utf8"), "%PDF-2");
  });

  it("one file to a URL that is not a folder takes that name", async () => {
    const run = await ftp("put", "--insecure", join(local, "notes.txt"), `${aliceUrl}/renamed.txt`);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await readFile(join(root, "renamed.txt"), "utf8"), "n");
    const several = await ftp("put", "--insecure", join(local, "*.pdf"), `${aliceUrl}/nofolder`);
    assert.equal(several.code, 2);
    assert.match(several.stderr, /not a remote folder/);
  });

  it("--resume sends only the rest of a file cut short, and leaves a complete one alone", async () => {
    const content = Buffer.from("0123456789".repeat(1000));
    await writeFile(join(local, "resume.bin"), content);
    await writeFile(join(root, "up", "resume.bin"), content.subarray(0, 4000));
    const run = await ftp(
      "put",
      "--insecure",
      "--json",
      "--resume",
      join(local, "resume.bin"),
      `${aliceUrl}/up/`,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(summary(run).bytes, 6000, "only the missing 6000 bytes");
    assert.deepEqual(await readFile(join(root, "up", "resume.bin")), content);
    const again = await ftp(
      "put",
      "--insecure",
      "--json",
      "--resume",
      join(local, "resume.bin"),
      `${aliceUrl}/up/`,
    );
    assert.equal(summary(again).bytes, 0);
  });

  it("a pattern matching nothing is a local failure (5); a refused upload a remote one (4)", async () => {
    const none = await ftp(
      "put",
      "--insecure",
      join(local, "*.zip"),
      join(local, "notes.txt"),
      `${aliceUrl}/up/`,
    );
    assert.equal(none.code, 5, none.stderr);
    assert.match(none.stderr, /\*\.zip: no file matches/);
    assert.equal(await readFile(join(root, "up", "notes.txt"), "utf8"), "n", "the other file went up");
    const missing = await ftp("put", "--insecure", join(local, "missing.txt"), `${aliceUrl}/up/`);
    assert.equal(missing.code, 5);
    const anonymous = await ftp("put", join(local, "notes.txt"), `${url}/up/`);
    assert.equal(anonymous.code, 4, "anonymous is read-only");
    assert.match(anonymous.stderr, /55\d/);
  });
});
