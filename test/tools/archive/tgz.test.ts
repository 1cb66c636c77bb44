// TarGzWriter and readTarGzEntries: round trips through our reader and Python's tarfile (and
// `tar tzf` when installed), PAX headers for long and non-ASCII names and sub-second times,
// empty archives, spooled streams, call order, failing sources, abort; archives Python wrote
// (GNU and PAX formats) and hostile ones (bad checksums, `../` names, huge PAX headers).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, describe, it } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { AbortError, InvalidArgumentError, LimitError, ProtocolError } from "../../../src/errors.js";
import { readTarGzEntries, TarGzWriter } from "../../../src/tools/archive/index.js";
import { parsePaxRecords, parsePaxTime, paxRecord, paxTime } from "../../../src/tools/archive/tar-format.js";
import { cleanUp, installed, python, pythonRead, scratchDir } from "./helpers.js";

after(cleanUp);

const LONG = `deep/${"long-folder-name/".repeat(8)}file-with-a-long-name.txt`;
const WHEN = new Date("2023-09-10T11:12:13.456Z");

describe("TarGzWriter", () => {
  it("round trips folders, empty files, long and UTF-8 names, modes and times (us, Python, tar)", async () => {
    const dir = await scratchDir();
    const path = join(dir, "t.tar.gz");
    const files: Record<string, Buffer> = {
      "a.txt": Buffer.from("alpha\n"),
      "empty.txt": Buffer.alloc(0),
      "naïve/日本語.txt": Buffer.from("utf-8\n"),
      [LONG]: randomBytes(70_000),
      "spooled.bin": randomBytes(200_000),
      "sized.bin": Buffer.from("exactly eleven"),
    };
    const tar = await TarGzWriter.open(path);
    await tar.addDirectory("naïve", { modifiedAt: new Date(1_000_000_000_000) });
    await tar.addFile("a.txt", files["a.txt"]!, { modifiedAt: new Date(1_600_000_000_000), mode: 0o600 });
    await tar.addFile("empty.txt", Buffer.alloc(0), { modifiedAt: WHEN });
    await tar.addFile("naïve/日本語.txt", new Uint8Array(files["naïve/日本語.txt"]!), { modifiedAt: WHEN });
    await tar.addFile(LONG, files[LONG]!, { modifiedAt: WHEN });
    await tar.addFile(
      "spooled.bin",
      Readable.from([files["spooled.bin"]!.subarray(0, 1000), files["spooled.bin"]!.subarray(1000)]),
      {
        modifiedAt: WHEN,
      },
    );
    await tar.addFile("sized.bin", Readable.from([files["sized.bin"]!]), { modifiedAt: WHEN, size: 14 });
    const summary = await tar.finish();
    assert.equal(summary.entries, 7);
    assert.deepEqual(await readdir(dir), ["t.tar.gz"]);

    const entries = await readTarGzEntries(path);
    assert.deepEqual(
      entries.map((e) => [e.name, e.type]),
      [["naïve", "directory"], ...Object.keys(files).map((n) => [n, "file"])],
    );
    for (const entry of entries.filter((e) => e.type === "file")) {
      assert.deepEqual(await entry.read(), files[entry.name], entry.name);
    }
    assert.equal(entries[1]!.mode, 0o600);
    assert.equal(entries[1]!.modifiedAt?.getTime(), 1_600_000_000_000);
    assert.equal(entries[2]!.modifiedAt?.getTime(), WHEN.getTime(), "milliseconds kept through PAX");
    assert.equal(entries[0]!.mode, 0o755);

    const seen = pythonRead(path, "tgz");
    assert.deepEqual(
      seen.map((e) => e.name),
      ["naïve", ...Object.keys(files)],
    );
    for (const entry of seen.filter((e) => !e.dir)) {
      assert.deepEqual(Buffer.from(entry.data, "base64"), files[entry.name], entry.name);
    }
    assert.equal(seen[2]!.mtime, WHEN.getTime() / 1000);
    assert.equal(seen[1]!.mode, 0o600);
    if (installed("tar")) {
      const listing = execFileSync("tar", ["tzf", path], { encoding: "utf8" });
      assert.ok(listing.includes(LONG), "tar sees the long name");
      assert.ok(listing.includes("naïve/日本語.txt"));
    }
  });

  it("writes a valid empty archive", async () => {
    const path = join(await scratchDir(), "empty.tgz");
    const tar = await TarGzWriter.open(path);
    await tar.finish();
    assert.equal(gunzipSync(await readFile(path)).length, 1024);
    assert.deepEqual(await readTarGzEntries(path), []);
    assert.deepEqual(pythonRead(path, "tgz"), []);
  });

  it("writes concurrent calls in call order, and a failing sized stream breaks the writer", async () => {
    const dir = await scratchDir();
    const path = join(dir, "o.tgz");
    const tar = await TarGzWriter.open(path);
    const calls = Array.from({ length: 8 }, (_, i) =>
      tar.addFile(
        `f${i}`,
        Readable.from(
          (async function* () {
            for (let k = 0; k < 8 - i; k += 1) {
              await new Promise((resolve) => setImmediate(resolve));
              yield Buffer.from(`${i}`.repeat(100));
            }
          })(),
        ),
      ),
    );
    await Promise.all(calls);
    await assert.rejects(tar.addFile("text", Readable.from(["a string"])), InvalidArgumentError);
    await tar.finish();
    const entries = await readTarGzEntries(path);
    assert.deepEqual(
      entries.map((e) => [e.name, e.size]),
      Array.from({ length: 8 }, (_, i) => [`f${i}`, (8 - i) * 100]),
    );

    const broken = await TarGzWriter.open(join(dir, "b.tgz"));
    await assert.rejects(broken.addFile("short", Readable.from([Buffer.from("abc")]), { size: 10 }), /fewer/);
    await assert.rejects(broken.addFile("next", Buffer.from("x")), /fewer/);
    await assert.rejects(broken.finish(), /fewer/);
    await broken.abort();
    assert.deepEqual(await readdir(dir), ["o.tgz"]);
  });

  it("abort removes the temporary file, spools included", async () => {
    const dir = await scratchDir();
    const tar = await TarGzWriter.open(join(dir, "x.tgz"));
    const endless = new Readable({ read() {} });
    endless.push(Buffer.alloc(5000));
    const running = tar.addFile("endless", endless);
    const outcome = assert.rejects(running, AbortError);
    // Wait until the spool file exists (it is opened asynchronously).
    for (let turn = 0; turn < 1000 && (await readdir(dir)).length < 2; turn += 1) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal((await readdir(dir)).length, 2, "the archive and the spool");
    await tar.abort();
    await outcome;
    await assert.rejects(tar.addFile("late", Buffer.from("l")), AbortError);
    assert.deepEqual(await readdir(dir), []);
  });

  it("refuses unsafe and duplicate names", async () => {
    const tar = await TarGzWriter.open(join(await scratchDir(), "r.tgz"));
    for (const name of ["", "/abs", "../x", "a/../../x", "a\0b", "a//b"]) {
      await assert.rejects(tar.addFile(name, Buffer.from("x")), InvalidArgumentError, JSON.stringify(name));
    }
    await tar.addDirectory("d");
    await assert.rejects(tar.addDirectory("d/"), InvalidArgumentError);
    await tar.abort();
  });

  it("round trips any safe names and contents (property)", async () => {
    const segment = fc
      .string({ minLength: 1, maxLength: 40, unit: "grapheme" })
      .filter((s) => !/[/\\\0]/.test(s) && s !== "." && s !== ".." && !/^[A-Za-z]:/.test(s));
    const entry = fc.record({
      path: fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("/")),
      data: fc.uint8Array({ maxLength: 2000 }),
      ms: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    });
    const dir = await scratchDir();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(entry, { maxLength: 5, selector: (e) => e.path }), async (items) => {
        const path = join(dir, `p${(run += 1)}.tgz`);
        const tar = await TarGzWriter.open(path);
        await Promise.all(
          items.map((i) => tar.addFile(i.path, Buffer.from(i.data), { modifiedAt: new Date(i.ms) })),
        );
        await tar.finish();
        const entries = await readTarGzEntries(path);
        assert.deepEqual(
          entries.map((e) => [e.name, e.modifiedAt?.getTime()]),
          items.map((i) => [i.path, i.ms]),
        );
        for (const [index, e] of entries.entries())
          assert.deepEqual(await e.read(), Buffer.from(items[index]!.data));
        if (run % 10 === 1) {
          assert.deepEqual(
            pythonRead(path, "tgz").map((e) => [e.name, Buffer.from(e.data, "base64")]),
            items.map((i) => [i.path, Buffer.from(i.data)]),
          );
        }
      }),
      { numRuns: 40 },
    );
  });
});

const MAKE_TAR = `
import io, sys, tarfile
path, fmt, name = sys.argv[1], sys.argv[2], sys.argv[3]
formats = {"gnu": tarfile.GNU_FORMAT, "pax": tarfile.PAX_FORMAT, "ustar": tarfile.USTAR_FORMAT}
with tarfile.open(path, "w:gz", format=formats[fmt]) as t:
    for n, data in [(name, b"payload"), ("second.txt", b"two")]:
        info = tarfile.TarInfo(n); info.size = len(data); info.mtime = 1234567890
        t.addfile(info, io.BytesIO(data))
    info = tarfile.TarInfo("link"); info.type = tarfile.SYMTYPE; info.linkname = "second.txt"
    t.addfile(info)
    info = tarfile.TarInfo("./folder"); info.type = tarfile.DIRTYPE
    t.addfile(info)
`;

describe("readTarGzEntries", () => {
  it("reads Python's GNU, PAX and ustar archives (long names, symlinks, ./ prefixes)", async () => {
    const long = `${"x".repeat(120)}/${"y".repeat(90)}.txt`;
    for (const format of ["gnu", "pax", "ustar"]) {
      const path = join(await scratchDir(), `${format}.tgz`);
      const name = format === "ustar" ? `${"p".repeat(120)}/short.txt` : long;
      python(MAKE_TAR, path, format, name);
      const entries = await readTarGzEntries(path);
      assert.deepEqual(
        entries.map((e) => [e.name, e.type]),
        [
          [name, "file"],
          ["second.txt", "file"],
          ["link", "symlink"],
          ["folder", "directory"],
        ],
        format,
      );
      assert.equal((await entries[0]!.read()).toString(), "payload");
      assert.equal((await entries[1]!.read()).toString(), "two");
      assert.equal(entries[0]!.modifiedAt?.getTime(), 1_234_567_890_000);
    }
  });

  it("refuses climbing and absolute names, bad checksums, corrupt gzip and oversized headers", async () => {
    for (const name of ["../../etc/x", "/etc/passwd", "a/../../b"]) {
      const path = join(await scratchDir(), "evil.tgz");
      python(MAKE_TAR, path, "pax", name);
      await assert.rejects(
        readTarGzEntries(path),
        (e) => e instanceof ProtocolError && e.reason === "unsafe-entry-name",
        name,
      );
    }
    const dir = await scratchDir();
    const good = join(dir, "good.tgz");
    python(MAKE_TAR, good, "pax", "fine.txt");
    const raw = gunzipSync(await readFile(good));
    const badSum = Buffer.from(raw);
    badSum[10] = badSum[10]! ^ 1;
    await writeFile(join(dir, "sum.tgz"), gzipSync(badSum));
    await assert.rejects(readTarGzEntries(join(dir, "sum.tgz")), ProtocolError);

    await writeFile(join(dir, "cut.tgz"), gzipSync(raw.subarray(0, 700)));
    await assert.rejects(readTarGzEntries(join(dir, "cut.tgz")), ProtocolError);

    const gz = await readFile(good);
    gz.fill(0x55, 20, 40);
    await writeFile(join(dir, "gz.tgz"), gz);
    await assert.rejects(readTarGzEntries(join(dir, "gz.tgz")), ProtocolError);

    const tar = await TarGzWriter.open(join(dir, "pax.tgz"));
    await tar.addFile(`${"n".repeat(3000)}.txt`, Buffer.from("x"));
    await tar.finish();
    await assert.rejects(readTarGzEntries(join(dir, "pax.tgz"), { maxHeaderBytes: 1000 }), LimitError);
    assert.equal((await readTarGzEntries(join(dir, "pax.tgz"))).length, 1);
    await assert.rejects(readTarGzEntries(good, { maxEntries: 2 }), LimitError);
  });

  it("PAX records survive parsing whatever their length (every length boundary)", () => {
    for (let size = 0; size < 1100; size += 1) {
      const value = "v".repeat(size);
      const record = paxRecord("path", value);
      assert.equal(Buffer.byteLength(record), Number(record.split(" ")[0]));
      const parsed = parsePaxRecords(Buffer.from(record + paxRecord("mtime", "1.5")));
      assert.ok(parsed instanceof Map);
      assert.equal(parsed.get("path"), value);
      assert.equal(parsed.get("mtime"), "1.5");
    }
    for (const ms of [0, 1, 999, 1000, 1_077_573_548_258, 4_102_444_800_001]) {
      assert.equal(parsePaxTime(paxTime(new Date(ms))), ms);
    }
    assert.equal(parsePaxTime("12.3456789"), 12_345);
    assert.equal(parsePaxTime("-1.5"), -1500);
    assert.equal(parsePaxTime("1e9"), undefined);
    assert.equal(typeof parsePaxRecords(Buffer.from("99 path=x\n")), "string");
    assert.equal(typeof parsePaxRecords(Buffer.from("5 a=b\n")), "string");
  });
});
