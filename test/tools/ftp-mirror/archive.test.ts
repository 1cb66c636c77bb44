// mirrorDown with `archive`: the tree lands in a ZIP or tar.gz (read back with our readers and
// with Python's zipfile/tarfile), in parallel too; dry runs write nothing; failures and aborts
// leave no archive behind unless keepPartial; incompatible options are refused.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { AbortError, InvalidArgumentError } from "../../../src/errors.js";
import type { ArchiveEntry } from "../../../src/tools/archive/index.js";
import { readTarGzEntries, readZipEntries } from "../../../src/tools/archive/index.js";
import {
  executeMirrorPlan,
  type MirrorOptions,
  mirrorDown,
  mirrorUp,
  planMirror,
} from "../../../src/tools/ftp-mirror/index.js";
import { connect, pool, recorder, removeDir, serve, tempDir } from "./fixtures.js";

const TREE: Record<string, string | Buffer> = {
  "top.txt": "top\n",
  "naïve café.txt": "accents\n",
  "日本語/ファイル.txt": "utf-8 names\n",
  "a/b/mid.txt": "middle\n",
  "a/b/c/deep.bin": randomBytes(300_000),
  "a/b/c/zero.txt": "",
  "a/empty/": "",
};
const FILES = Object.entries(TREE).filter(([name]) => !name.endsWith("/"));
const FOLDERS = ["a", "a/b", "a/b/c", "a/empty", "日本語"];
const WHEN = new Date("2021-03-04T05:06:07Z");

const scratch: string[] = [];
async function scratchDir(): Promise<string> {
  const dir = await tempDir();
  scratch.push(dir);
  return dir;
}
after(async () => {
  for (const dir of scratch) await removeDir(dir);
});

/** A server on TREE whose files all carry WHEN as their time. */
async function treeServer(tree: Record<string, string | Buffer> = TREE) {
  const server = await serve({ tree });
  const ftp = await connect(server);
  for (const name of Object.keys(tree)) {
    if (!name.endsWith("/")) await ftp.setModifiedAt(`/${name}`, WHEN);
  }
  return { server, ftp };
}

async function contents(entries: ArchiveEntry[]): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const entry of entries) if (entry.type === "file") out[entry.name] = await entry.read();
  return out;
}

function expected(tree: Record<string, string | Buffer>): Record<string, Buffer> {
  return Object.fromEntries(
    Object.entries(tree)
      .filter(([name]) => !name.endsWith("/"))
      .map(([name, value]) => [name, Buffer.from(value)]),
  );
}

/** What Python's zipfile or tarfile sees: name → [size, sha256, mtime seconds] (folders: size -1). */
function pythonListing(path: string, format: "zip" | "tgz"): Record<string, [number, string, number]> {
  const script =
    format === "zip"
      ? `
import hashlib, json, sys, zipfile, time
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
out = {}
for i in z.infolist():
    t = int(time.mktime(i.date_time + (0, 0, -1)))
    out[i.filename] = [-1 if i.is_dir() else i.file_size, "" if i.is_dir() else hashlib.sha256(z.read(i)).hexdigest(), t]
print(json.dumps(out))`
      : `
import hashlib, json, sys, tarfile
t = tarfile.open(sys.argv[1], "r:gz")
out = {}
for i in t.getmembers():
    out[i.name] = [-1 if i.isdir() else i.size, "" if i.isdir() else hashlib.sha256(t.extractfile(i).read()).hexdigest(), int(i.mtime)]
print(json.dumps(out))`;
  return JSON.parse(execFileSync("python3", ["-c", script, path], { encoding: "utf8" }));
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

for (const format of ["zip", "tgz"] as const) {
  const read = format === "zip" ? readZipEntries : readTarGzEntries;
  describe(`mirrorDown into a ${format}`, () => {
    it("holds exactly the tree: folders, files, bytes and remote times (our reader and Python's)", async () => {
      const { server, ftp } = await treeServer();
      try {
        const path = join(await scratchDir(), `tree.${format}`);
        const result = await mirrorDown({
          client: ftp,
          remote: "/",
          local: "",
          recursive: true,
          archive: { format, path },
        });
        assert.deepEqual(result.errors, []);
        assert.deepEqual(result.archive, {
          format,
          path,
          written: true,
          files: FILES.length,
          directories: 5,
        });
        assert.equal(result.plan.local, path);
        assert.equal(result.plan.createTarget, false);
        assert.ok(result.plan.actions.every((a) => a.kind !== "transfer" || a.reason === "missing"));
        assert.equal(result.transferred.files, FILES.length);
        assert.deepEqual(result.created, FOLDERS);

        const entries = await read(path);
        assert.deepEqual(await contents(entries), expected(TREE));
        assert.deepEqual(
          entries
            .filter((e) => e.type === "directory")
            .map((e) => e.name)
            .sort(),
          FOLDERS,
        );
        for (const entry of entries.filter((e) => e.type === "file")) {
          assert.equal(entry.modifiedAt?.getTime(), WHEN.getTime(), entry.name);
        }
        // Folders come before the files inside them.
        const order = entries.map((e) => e.name);
        for (const folder of FOLDERS) {
          const inside = order.findIndex((name) => name.startsWith(`${folder}/`));
          if (inside >= 0) assert.ok(order.indexOf(folder) < inside, folder);
        }

        const python = pythonListing(path, format);
        for (const [name, value] of FILES) {
          const seen = python[name];
          assert.ok(seen, `python lists ${name}`);
          assert.equal(seen[0], Buffer.from(value).length);
          assert.equal(seen[1], sha256(Buffer.from(value)));
          if (format === "tgz") assert.equal(seen[2], WHEN.getTime() / 1000);
        }
        for (const folder of FOLDERS)
          assert.ok(python[`${folder}/`] ?? python[folder], `python lists ${folder}/`);
        assert.deepEqual(
          (await readdir(join(path, ".."))).filter((name) => name !== `tree.${format}`),
          [],
          "no temporary file is left beside the archive",
        );
      } finally {
        ftp.close();
        await server.close();
      }
    });

    it("through a pool of 3: whole entries, one at a time, the same contents", async () => {
      const tree: Record<string, Buffer> = {};
      for (let i = 0; i < 30; i += 1) tree[`d${i % 3}/f${i}.bin`] = randomBytes(1000 + i * 997);
      tree["d0/large.bin"] = randomBytes(1536 * 1024); // past the in-memory spool
      const { server, ftp } = await treeServer(tree);
      const connections = pool(server, 3);
      try {
        const path = join(await scratchDir(), `pool.${format}`);
        const seen = recorder();
        const result = await mirrorDown({
          pool: connections,
          remote: "/",
          local: "",
          recursive: true,
          archive: { format, path },
          onEvent: seen.onEvent,
        });
        assert.deepEqual(result.errors, []);
        assert.equal(result.archive?.files, 31);
        assert.ok(seen.peak() >= 2 && seen.peak() <= 3, `peak ${seen.peak()}`);
        const entries = await read(path);
        assert.deepEqual(await contents(entries), tree);
        assert.equal(entries.length, 31 + 3);
        const python = pythonListing(path, format);
        for (const [name, value] of Object.entries(tree))
          assert.equal(python[name]?.[1], sha256(value), name);
      } finally {
        await connections.close();
        ftp.close();
        await server.close();
      }
    });
  });
}

describe("mirrorDown into an archive: dry runs, failures, refusals", () => {
  it("a dry run plans every file and folder and writes nothing", async () => {
    const { server, ftp } = await treeServer();
    try {
      const dir = await scratchDir();
      const path = join(dir, "tree.zip");
      const result = await mirrorDown({
        client: ftp,
        remote: "/",
        local: path,
        recursive: true,
        dryRun: true,
        archive: { format: "zip", path },
      });
      assert.deepEqual(result.plan.archive, { format: "zip", path });
      assert.deepEqual(
        result.plan.actions.filter((a) => a.kind === "mkdir").map((a) => a.path),
        FOLDERS,
      );
      assert.deepEqual(
        result.plan.actions
          .filter((a) => a.kind === "transfer")
          .map((a) => a.path)
          .sort(),
        FILES.map(([name]) => name).sort(),
      );
      assert.equal(result.plan.totals.files, FILES.length);
      assert.deepEqual(result.archive, { format: "zip", path, written: false, files: 0, directories: 0 });
      assert.deepEqual(await readdir(dir), []);
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("a file that fails: no archive at all, or with keepPartial the rest", async () => {
    const { server, ftp } = await treeServer({ "one.txt": "1\n", "two.txt": "2\n" });
    try {
      for (const keepPartial of [false, true]) {
        const dir = await scratchDir();
        const path = join(dir, "out.tgz");
        const options: MirrorOptions = {
          client: ftp,
          remote: "/",
          local: "",
          archive: { format: "tgz", path, keepPartial },
        };
        const plan = await planMirror({ ...options, direction: "down" });
        plan.actions.push({ kind: "transfer", path: "gone.txt", reason: "missing" });
        const result = await executeMirrorPlan(plan, options);
        assert.deepEqual(
          result.errors.map((e) => e.path),
          ["gone.txt"],
        );
        assert.equal(result.archive?.written, keepPartial);
        if (keepPartial) {
          assert.deepEqual(
            await contents(await readTarGzEntries(path)),
            expected({ "one.txt": "1\n", "two.txt": "2\n" }),
          );
          assert.deepEqual(await readdir(dir), ["out.tgz"]);
        } else {
          assert.deepEqual(await readdir(dir), [], "neither the archive nor a temporary file");
        }
      }
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("an abort removes the archive's temporary file", async () => {
    const tree: Record<string, string> = {};
    for (let i = 0; i < 10; i += 1) tree[`f${i}.txt`] = `file ${i}\n`;
    const { server, ftp } = await treeServer(tree);
    try {
      const dir = await scratchDir();
      const controller = new AbortController();
      await assert.rejects(
        mirrorDown({
          client: ftp,
          remote: "/",
          local: "",
          archive: { format: "zip", path: join(dir, "a.zip") },
          signal: controller.signal,
          onEvent: (event) => {
            if (event.type === "file-done") controller.abort();
          },
        }),
        AbortError,
      );
      assert.deepEqual(await readdir(dir), []);
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("with verify, files go through a temporary file and are checked", async () => {
    const { server, ftp } = await treeServer();
    try {
      const path = join(await scratchDir(), "v.zip");
      const result = await mirrorDown({
        client: ftp,
        remote: "/",
        local: "",
        recursive: true,
        verify: true,
        archive: { format: "zip", path },
      });
      assert.deepEqual(result.errors, []);
      assert.deepEqual(await contents(await readZipEntries(path)), expected(TREE));
    } finally {
      ftp.close();
      await server.close();
    }
  });

  it("refuses options that compare with or change a folder, and uploads", async () => {
    const { server, ftp } = await treeServer();
    try {
      const archive = { format: "zip" as const, path: join(await scratchDir(), "x.zip") };
      const base = { client: ftp, remote: "/", local: "", archive };
      for (const extra of [
        { delete: true },
        { onlyNewer: true },
        { onlyMissing: true },
        { resume: true },
        { backupZip: join(await scratchDir(), "b.zip") },
      ]) {
        await assert.rejects(mirrorDown({ ...base, ...extra }), InvalidArgumentError, JSON.stringify(extra));
      }
      await assert.rejects(mirrorUp({ ...base, local: await scratchDir() }), InvalidArgumentError);
      await assert.rejects(
        mirrorDown({ ...base, archive: { format: "rar" as "zip", path: archive.path } }),
        InvalidArgumentError,
      );
      await assert.rejects(
        mirrorDown({ ...base, archive: { format: "zip", path: "" } }),
        InvalidArgumentError,
      );
      assert.equal(existsSync(archive.path), false);
    } finally {
      ftp.close();
      await server.close();
    }
  });
});
