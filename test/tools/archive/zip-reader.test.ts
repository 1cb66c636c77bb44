// readZipEntries on archives we did not write (Python's zipfile: stored, deflated, cp437 names,
// forced ZIP64) and on hostile ones: corrupt data, a wrong CRC, a truncated file, names that
// climb out (`../`), absolute names, too many entries, entries too large to read whole.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { LimitError, ProtocolError } from "../../../src/errors.js";
import { readZipEntries, ZipWriter } from "../../../src/tools/archive/index.js";
import { cleanUp, python, pythonRead, scratchDir } from "./helpers.js";

after(cleanUp);

const MAKE_ZIP = `
import sys, zipfile
path, mode = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(path, "w") as z:
    if mode == "plain":
        z.writestr(zipfile.ZipInfo("stored.txt", (2020, 1, 2, 3, 4, 6)), b"stored bytes", zipfile.ZIP_STORED)
        z.writestr(zipfile.ZipInfo("deflated.txt", (2020, 1, 2, 3, 4, 6)), b"deflate me " * 1000, zipfile.ZIP_DEFLATED)
        z.writestr("dir/", b"")
        z.writestr("caf\\u00e9.txt", b"utf8 flag set by python")
    elif mode == "zip64":
        with z.open("forced.bin", "w", force_zip64=True) as f:
            f.write(b"z" * 100000)
    else:
        z.writestr(mode, b"evil")
`;

function pyZip(path: string, mode: string): void {
  python(MAKE_ZIP, path, mode);
}

/** A cp437 name (no UTF-8 flag): byte 0x82 is "é". */
async function cp437Zip(path: string): Promise<void> {
  pyZip(path, "plain");
  const bytes = await readFile(path);
  // Rename "dir/" to "d\x82r/" in both headers and clear nothing else: python wrote it without the UTF-8 flag.
  let at = bytes.indexOf("dir/");
  while (at >= 0) {
    bytes[at + 1] = 0x82;
    at = bytes.indexOf("dir/", at + 1);
  }
  await writeFile(path, bytes);
}

describe("readZipEntries", () => {
  it("reads Python's stored, deflated, UTF-8 and cp437 entries with their times", async () => {
    const dir = await scratchDir();
    const path = join(dir, "py.zip");
    await cp437Zip(path);
    const entries = await readZipEntries(path);
    assert.deepEqual(
      entries.map((e) => [e.name, e.type, e.method]),
      [
        ["stored.txt", "file", 0],
        ["deflated.txt", "file", 8],
        ["d\u00e9r", "directory", 0],
        ["café.txt", "file", 0],
      ],
    );
    assert.equal((await entries[0]!.read()).toString(), "stored bytes");
    assert.equal((await entries[1]!.read()).toString(), "deflate me ".repeat(1000));
    assert.equal((await entries[3]!.read()).toString(), "utf8 flag set by python");
    assert.deepEqual(entries[0]!.modifiedAt, new Date(2020, 0, 2, 3, 4, 6));
  });

  it("reads a streamed entry with forced ZIP64 sizes", async () => {
    const path = join(await scratchDir(), "z64.zip");
    pyZip(path, "zip64");
    const [entry] = await readZipEntries(path);
    assert.equal(entry!.size, 100_000);
    assert.deepEqual(await entry!.read(), Buffer.alloc(100_000, "z"));
  });

  it("refuses names that would escape the folder they are unpacked into", async () => {
    for (const name of ["../../etc/cron.d/x", "/etc/passwd", "a/../../b", "C:/windows/x", "a\\..\\b"]) {
      const path = join(await scratchDir(), "evil.zip");
      pyZip(path, name);
      await assert.rejects(
        readZipEntries(path),
        (error) => error instanceof ProtocolError && error.reason === "unsafe-entry-name",
        name,
      );
    }
  });

  it("detects corrupt data, a wrong CRC and wrong sizes when reading an entry", async () => {
    const dir = await scratchDir();
    const path = join(dir, "ok.zip");
    const zip = await ZipWriter.open(path, { level: 0 });
    await zip.addFile("data.txt", Buffer.from("some stored-ish text that we will flip"));
    await zip.finish();
    const good = await readFile(path);

    const flipped = Buffer.from(good);
    const at = flipped.indexOf("flip");
    flipped[at] = flipped[at]! ^ 0x20; // still valid deflate (level 0 stores), wrong CRC
    await writeFile(join(dir, "crc.zip"), flipped);
    const [entry] = await readZipEntries(join(dir, "crc.zip"));
    await assert.rejects(
      entry!.read(),
      (e) => e instanceof ProtocolError && e.reason === "archive-crc-mismatch",
    );

    const wrongSize = Buffer.from(good);
    const central = wrongSize.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    wrongSize.writeUInt32LE(5, central + 24); // declared size smaller than the data
    await writeFile(join(dir, "size.zip"), wrongSize);
    const [small] = await readZipEntries(join(dir, "size.zip"));
    await assert.rejects(small!.read(), ProtocolError);

    const deflated = join(dir, "deflated.zip");
    const writer = await ZipWriter.open(deflated);
    await writer.addFile("d.txt", Buffer.from("compress me ".repeat(500)));
    await writer.finish();
    const garbled = await readFile(deflated);
    garbled.fill(0xff, 60, 80); // inside the deflate stream
    await writeFile(deflated, garbled);
    const [broken] = await readZipEntries(deflated);
    await assert.rejects(broken!.read(), ProtocolError);
  });

  it("refuses what is not a zip, or is cut short", async () => {
    const dir = await scratchDir();
    await writeFile(join(dir, "text.zip"), "not a zip at all, just some text that is long enough");
    await assert.rejects(readZipEntries(join(dir, "text.zip")), ProtocolError);
    await writeFile(join(dir, "tiny.zip"), "PK");
    await assert.rejects(readZipEntries(join(dir, "tiny.zip")), ProtocolError);

    const path = join(dir, "whole.zip");
    const zip = await ZipWriter.open(path);
    for (let i = 0; i < 5; i += 1) await zip.addFile(`f${i}`, Buffer.from(`file ${i}`));
    await zip.finish();
    const whole = await readFile(path);
    for (const cut of [1, 10, 30, 100]) {
      await writeFile(join(dir, "cut.zip"), whole.subarray(0, whole.length - cut));
      await assert.rejects(readZipEntries(join(dir, "cut.zip")), ProtocolError, `cut ${cut}`);
    }
    // An end record that claims entries beyond the file.
    const lying = Buffer.from(whole);
    lying.writeUInt32LE(whole.length, whole.length - 22 + 16);
    await writeFile(join(dir, "lying.zip"), lying);
    await assert.rejects(readZipEntries(join(dir, "lying.zip")), ProtocolError);
  });

  it("bounds the entry count and the bytes read whole", async () => {
    const path = join(await scratchDir(), "bounds.zip");
    const zip = await ZipWriter.open(path);
    for (let i = 0; i < 10; i += 1) await zip.addFile(`f${i}`, Buffer.alloc(1000 * i));
    await zip.finish();
    await assert.rejects(readZipEntries(path, { maxEntries: 9 }), LimitError);
    const entries = await readZipEntries(path, { maxEntries: 10 });
    await assert.rejects(entries[9]!.read({ maxBytes: 8999 }), LimitError);
    assert.equal((await entries[9]!.read({ maxBytes: 9000 })).length, 9000);
  });

  it("round trips any safe names and contents (property), Python agreeing", async () => {
    const segment = fc
      .string({ minLength: 1, maxLength: 12, unit: "grapheme" })
      .filter((s) => !/[/\\\0]/.test(s) && s !== "." && s !== ".." && !/^[A-Za-z]:/.test(s));
    const entry = fc.record({
      path: fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join("/")),
      data: fc.uint8Array({ maxLength: 3000 }),
    });
    const dir = await scratchDir();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(entry, { maxLength: 6, selector: (e) => e.path }), async (items) => {
        const path = join(dir, `p${(run += 1)}.zip`);
        const zip = await ZipWriter.open(path);
        await Promise.all(items.map((item) => zip.addFile(item.path, Buffer.from(item.data))));
        await zip.finish();
        const entries = await readZipEntries(path);
        assert.deepEqual(
          entries.map((e) => e.name),
          items.map((i) => i.path),
        );
        for (const [index, e] of entries.entries()) {
          assert.deepEqual(await e.read(), Buffer.from(items[index]!.data));
        }
        if (run % 10 === 1) {
          const seen = pythonRead(path, "zip");
          assert.deepEqual(
            seen.map((e) => [e.name, Buffer.from(e.data, "base64")]),
            items.map((i) => [i.path, Buffer.from(i.data)]),
          );
        }
      }),
      { numRuns: 40 },
    );
  });
});
