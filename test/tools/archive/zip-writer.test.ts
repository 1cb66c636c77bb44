// ZipWriter: round trips through our reader and Python's zipfile (and `unzip -l` when installed),
// empty files and archives, UTF-8 names, modes and times, ZIP64 (a lowered threshold, and more
// than 65 535 entries for real), call order under concurrency, failing sources, abort, refusals.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, describe, it } from "node:test";
import { AbortError, InvalidArgumentError } from "../../../src/errors.js";
import { readZipEntries, ZipWriter } from "../../../src/tools/archive/index.js";
import { cleanUp, installed, pythonRead, scratchDir } from "./helpers.js";

after(cleanUp);

const WHEN = new Date(2022, 6, 15, 13, 45, 31, 250); // local time, odd seconds, milliseconds

/** A stream that yields `parts`, one per turn of the event loop. */
function slowly(parts: Buffer[]): Readable {
  return Readable.from(
    (async function* () {
      for (const part of parts) {
        await new Promise((resolve) => setImmediate(resolve));
        yield part;
      }
    })(),
  );
}

describe("ZipWriter", () => {
  it("round trips folders, files, empty files and UTF-8 names, read back by us and by Python", async () => {
    const dir = await scratchDir();
    const path = join(dir, "a.zip");
    const big = randomBytes(1_300_000); // past the one-shot deflate size
    const files: Record<string, Buffer> = {
      "hello.txt": Buffer.from("hello, world\n"),
      "docs/naïve café.txt": Buffer.from("accents\n"),
      "日本語/ファイル.txt": Buffer.from("utf-8\n"),
      "docs/empty.txt": Buffer.alloc(0),
      "big.bin": big,
      "stream.bin": Buffer.concat([Buffer.alloc(70_000, 1), Buffer.from("tail")]),
    };
    const zip = await ZipWriter.open(path);
    await zip.addDirectory("docs/", { modifiedAt: WHEN, mode: 0o750 });
    await zip.addDirectory("日本語", { modifiedAt: WHEN });
    await zip.addFile("hello.txt", files["hello.txt"]!, { modifiedAt: WHEN, mode: 0o600 });
    await zip.addFile("docs/naïve café.txt", new Uint8Array(files["docs/naïve café.txt"]!), {
      modifiedAt: WHEN,
    });
    await zip.addFile("日本語/ファイル.txt", slowly([files["日本語/ファイル.txt"]!]), { modifiedAt: WHEN });
    await zip.addFile("docs/empty.txt", Buffer.alloc(0), { modifiedAt: WHEN });
    await zip.addFile("big.bin", big, { modifiedAt: WHEN });
    await zip.addFile("stream.bin", slowly([Buffer.alloc(70_000, 1), Buffer.from("tail")]), {
      modifiedAt: WHEN,
      size: 70_004,
    });
    assert.equal(zip.entries, 8);
    const summary = await zip.finish();
    assert.equal(summary.entries, 8);
    assert.equal(summary.bytes, (await readFile(path)).length);
    assert.deepEqual(await readdir(dir), ["a.zip"]);

    const entries = await readZipEntries(path);
    assert.deepEqual(
      entries.map((e) => [e.name, e.type]),
      [
        ["docs", "directory"],
        ["日本語", "directory"],
        ["hello.txt", "file"],
        ["docs/naïve café.txt", "file"],
        ["日本語/ファイル.txt", "file"],
        ["docs/empty.txt", "file"],
        ["big.bin", "file"],
        ["stream.bin", "file"],
      ],
    );
    for (const entry of entries) {
      assert.equal(entry.modifiedAt?.getTime(), Math.floor(WHEN.getTime() / 1000) * 1000, entry.name);
      if (entry.type === "file") {
        assert.deepEqual(await entry.read(), files[entry.name], entry.name);
        assert.equal(entry.size, files[entry.name]!.length);
      }
    }
    assert.equal(entries[0]!.mode, 0o750);
    assert.equal(entries[2]!.mode, 0o600);
    assert.equal(entries[3]!.mode, 0o644);

    const seen = pythonRead(path, "zip");
    assert.deepEqual(
      seen.map((e) => e.name),
      [
        "docs/",
        "日本語/",
        ...Object.keys(files).filter((n) => n !== "big.bin" && n !== "stream.bin"),
        "big.bin",
        "stream.bin",
      ].filter((n, i, all) => all.indexOf(n) === i),
    );
    for (const entry of seen.filter((e) => !e.dir)) {
      assert.deepEqual(Buffer.from(entry.data, "base64"), files[entry.name], entry.name);
    }
    // DOS time: local, in 2-second steps.
    assert.deepEqual(seen[2]!.mtime, [2022, 7, 15, 13, 45, 30]);
    assert.equal(seen[2]!.mode, 0o600);
    if (installed("unzip")) {
      const listing = execFileSync("unzip", ["-l", path], { encoding: "utf8" });
      assert.match(listing, /hello\.txt/);
      assert.match(listing, /8 files/);
    }
  });

  it("writes a valid empty archive", async () => {
    const path = join(await scratchDir(), "empty.zip");
    const zip = await ZipWriter.open(path);
    const summary = await zip.finish();
    assert.deepEqual(summary, { path, entries: 0, bytes: 22 });
    assert.deepEqual(await readZipEntries(path), []);
    assert.deepEqual(pythonRead(path, "zip"), []);
  });

  it("uses ZIP64 records for sizes and offsets at the threshold (lowered for the test)", async () => {
    const path = join(await scratchDir(), "z64.zip");
    const parts = [randomBytes(5000), randomBytes(3000), Buffer.alloc(0), randomBytes(4500)];
    const zip = await ZipWriter.open(path, { zip64Threshold: 1000, zip64EntryThreshold: 3 });
    await zip.addFile("one.bin", parts[0]!);
    await zip.addFile("two.bin", Readable.from([parts[1]!]));
    await zip.addDirectory("folder");
    await zip.addFile("folder/empty", parts[2]!);
    await zip.addFile("folder/three.bin", slowly([parts[3]!.subarray(0, 100), parts[3]!.subarray(100)]), {
      size: 4500,
    });
    await zip.finish();
    const bytes = await readFile(path);
    const signature = (value: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(value);
      return b;
    };
    assert.ok(bytes.includes(signature(0x06064b50)), "a ZIP64 end record");
    assert.ok(bytes.includes(signature(0x07064b50)), "a ZIP64 locator");
    const end = bytes.subarray(bytes.length - 22);
    assert.equal(end.readUInt16LE(10), 0xffff, "the entry count is in the ZIP64 record");
    assert.equal(end.readUInt32LE(16), 0xffffffff, "so is the central directory's offset");

    const entries = await readZipEntries(path);
    assert.deepEqual(
      entries.map((e) => e.name),
      ["one.bin", "two.bin", "folder", "folder/empty", "folder/three.bin"],
    );
    const expected = [parts[0], parts[1], undefined, parts[2], parts[3]];
    for (const [index, entry] of entries.entries()) {
      if (expected[index]) assert.deepEqual(await entry.read(), expected[index]);
    }
    const seen = pythonRead(path, "zip");
    assert.equal(seen.length, 5);
    assert.deepEqual(Buffer.from(seen[4]!.data, "base64"), parts[3]);
    assert.deepEqual(Buffer.from(seen[0]!.data, "base64"), parts[0]);
  });

  it("holds more than 65 535 entries (a real ZIP64 entry count)", async () => {
    const path = join(await scratchDir(), "many.zip");
    const zip = await ZipWriter.open(path, { level: 1 });
    const count = 65_540;
    const pending: Promise<void>[] = [];
    for (let i = 0; i < count; i += 1) pending.push(zip.addDirectory(`d${i}`));
    pending.push(zip.addFile("last.txt", Buffer.from("last\n")));
    await Promise.all(pending);
    await zip.finish();
    const entries = await readZipEntries(path);
    assert.equal(entries.length, count + 1);
    assert.equal(entries[count - 1]!.name, `d${count - 1}`);
    assert.equal((await entries[count]!.read()).toString(), "last\n");
    const total = execFileSync(
      "python3",
      [
        "-c",
        "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(len(z.infolist()), z.read('last.txt').decode())",
        path,
      ],
      { encoding: "utf8" },
    );
    assert.equal(total, `${count + 1} last\n\n`);
  });

  it("writes calls made without waiting one at a time, in call order", async () => {
    const path = join(await scratchDir(), "order.zip");
    const zip = await ZipWriter.open(path);
    const contents = Array.from({ length: 12 }, (_, i) => Buffer.from(`entry ${i} `.repeat(1000 * (12 - i))));
    const calls = contents.map((data, i) =>
      zip.addFile(
        `f${i}.txt`,
        // Early entries arrive slowest: an interleaving writer would mix them.
        slowly(Array.from({ length: 12 - i }, (_, k) => data.subarray(k * 1000 * 9, (k + 1) * 1000 * 9))),
        { size: data.length },
      ),
    );
    await Promise.all(calls);
    await zip.finish();
    const entries = await readZipEntries(path);
    assert.deepEqual(
      entries.map((e) => e.name),
      contents.map((_, i) => `f${i}.txt`),
    );
    for (const [i, entry] of entries.entries()) {
      const data = await entry.read();
      assert.equal(data.length, contents[i]!.length);
    }
    assert.equal(pythonRead(path, "zip").length, 12);
  });

  it("cuts off the entry of a source that fails, and goes on", async () => {
    const dir = await scratchDir();
    const path = join(dir, "partial.zip");
    const zip = await ZipWriter.open(path);
    await zip.addFile("before.txt", Buffer.from("before\n"));
    const failing = Readable.from(
      (async function* () {
        yield randomBytes(200_000);
        throw new Error("disk gone");
      })(),
    );
    await assert.rejects(zip.addFile("broken.bin", failing), /disk gone/);
    const text = Readable.from(["text, not bytes"]);
    await assert.rejects(zip.addFile("text.txt", text), InvalidArgumentError);
    await assert.rejects(
      zip.addFile("short.txt", Readable.from([Buffer.from("abc")]), { size: 4 }),
      /3 bytes/,
    );
    await zip.addFile("after.txt", Buffer.from("after\n"));
    await zip.addFile("broken.bin", Buffer.from("the name is free again\n"));
    await zip.finish();
    const entries = await readZipEntries(path);
    assert.deepEqual(
      entries.map((e) => e.name),
      ["before.txt", "after.txt", "broken.bin"],
    );
    assert.equal((await entries[1]!.read()).toString(), "after\n");
    assert.deepEqual(
      pythonRead(path, "zip").map((e) => e.name),
      ["before.txt", "after.txt", "broken.bin"],
    );
  });

  it("abort removes the temporary file and rejects what is queued", async () => {
    const dir = await scratchDir();
    const zip = await ZipWriter.open(join(dir, "gone.zip"));
    await zip.addFile("one.txt", Buffer.from("1"));
    assert.equal((await readdir(dir)).length, 1);
    assert.match((await readdir(dir))[0]!, /^gone\.zip\.[0-9a-f]{12}\.part$/);
    const endless = new Readable({ read() {} });
    endless.push(Buffer.alloc(1000));
    const running = zip.addFile("endless.bin", endless);
    const queued = zip.addFile("queued.txt", Buffer.from("q"));
    const outcomes = [assert.rejects(running, AbortError), assert.rejects(queued, AbortError)];
    await new Promise((resolve) => setImmediate(resolve));
    await zip.abort();
    await Promise.all(outcomes);
    await assert.rejects(zip.addFile("late.txt", Buffer.from("l")), AbortError);
    await assert.rejects(zip.finish(), AbortError);
    assert.deepEqual(await readdir(dir), []);
  });

  it("replaces an existing file only when finished", async () => {
    const dir = await scratchDir();
    const path = join(dir, "x.zip");
    await writeFile(path, "old");
    const zip = await ZipWriter.open(path);
    await zip.addFile("a", Buffer.from("a"));
    assert.equal(await readFile(path, "utf8"), "old");
    await zip.finish();
    assert.equal((await readZipEntries(path)).length, 1);
    await assert.rejects(zip.finish(), InvalidArgumentError);
    await assert.rejects(zip.addFile("b", Buffer.from("b")), InvalidArgumentError);
  });

  it("refuses unsafe and duplicate names and bad options", async () => {
    const zip = await ZipWriter.open(join(await scratchDir(), "r.zip"));
    for (const name of [
      "",
      "/etc/passwd",
      "../x",
      "a/../../x",
      "a/./b",
      "a//b",
      "a\0b",
      "a\\b",
      "C:x",
      "x/",
    ]) {
      await assert.rejects(zip.addFile(name, Buffer.from("x")), InvalidArgumentError, JSON.stringify(name));
    }
    await assert.rejects(zip.addDirectory("../up"), InvalidArgumentError);
    await zip.addFile("a.txt", Buffer.from("a"));
    await assert.rejects(zip.addFile("a.txt", Buffer.from("again")), InvalidArgumentError);
    await assert.rejects(zip.addFile("m", Buffer.from("m"), { mode: 0o10000 }), InvalidArgumentError);
    await assert.rejects(
      zip.addFile("t", Buffer.from("t"), { modifiedAt: new Date(Number.NaN) }),
      InvalidArgumentError,
    );
    await assert.rejects(zip.addFile("s", "text" as unknown as Buffer), InvalidArgumentError);
    await assert.rejects(
      ZipWriter.open(join(await scratchDir(), "l.zip"), { level: 10 }),
      InvalidArgumentError,
    );
    await assert.rejects(ZipWriter.open(""), InvalidArgumentError);
    await zip.abort();
  });
});
