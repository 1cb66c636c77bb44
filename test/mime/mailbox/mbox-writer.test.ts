// writeMbox: write → read gives the same bytes (From lines, >From, >>From, CRLF; a missing final
// newline is added); From lines; atomic replacement (no temporary left, the old file intact on
// failure); append (separator, symlink refused, cut back on failure); Writables with backpressure.
import assert from "node:assert/strict";
import { lstat, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable, Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { AbortError, InvalidArgumentError } from "../../../src/errors.js";
import { readMbox } from "../../../src/mime/mailbox/mbox-reader.js";
import { asctime, formatFromLine, writeMbox } from "../../../src/mime/mailbox/mbox-writer.js";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "inetkit-mbox-write-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const WHEN = new Date(Date.UTC(2024, 1, 3, 4, 5, 6));

const MESSAGES = [
  "Subject: plain\n\nhello\n",
  "Subject: from lines\n\nFrom the start of a line\n>From quoted once\n>>From quoted twice\nFrom\n",
  "From the very first line\n\nbody\n",
  "Subject: crlf\r\n\r\nFrom here\r\n>From there\r\n\r\n",
  "Subject: blank lines at the end\n\nbody\n\n\n",
  "",
  "\n",
  "Subject: \u00e9t\u00e9 8-bit \xff\n\nbinary \x00 bytes\n",
];

async function readAll(source: string | Buffer, format: "mboxrd" | "mboxo" = "mboxrd"): Promise<string[]> {
  const out: string[] = [];
  for await (const m of readMbox(source, { format })) out.push(m.content().toString("latin1"));
  return out;
}

function bytes(text: string): Buffer {
  return Buffer.from(text, "latin1");
}

describe("asctime and formatFromLine", () => {
  it("formats dates as C's asctime does, day padded with a blank", () => {
    assert.equal(asctime(new Date(0)), "Thu Jan  1 00:00:00 1970");
    assert.equal(asctime(WHEN), "Sat Feb  3 04:05:06 2024");
    assert.equal(asctime(new Date(Date.UTC(1999, 11, 31, 23, 59, 59))), "Fri Dec 31 23:59:59 1999");
  });

  it("builds the From line, MAILER-DAEMON by default, and refuses injection", () => {
    assert.equal(formatFromLine(undefined, WHEN), "From MAILER-DAEMON Sat Feb  3 04:05:06 2024");
    assert.equal(formatFromLine("a@b", "Mon Jan  1 00:00:00 2001"), "From a@b Mon Jan  1 00:00:00 2001");
    assert.match(formatFromLine(), /^From MAILER-DAEMON \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
    for (const sender of ["", "a b", "a\nb", "a\0", "j\u00f6rg"]) {
      assert.throws(() => formatFromLine(sender, WHEN), InvalidArgumentError);
    }
    for (const date of ["", "x\r\nFrom evil", "\u00e9"]) {
      assert.throws(() => formatFromLine("a@b", date), InvalidArgumentError);
    }
    assert.throws(() => formatFromLine("a@b", new Date(Number.NaN)), InvalidArgumentError);
  });
});

describe("writeMbox round trips", () => {
  for (const format of ["mboxrd", "mboxo"] as const) {
    it(`${format}: write then read gives the same bytes (a final newline added where missing)`, async () => {
      const path = join(dir, `round-${format}.mbox`);
      const inputs = [...MESSAGES, "no trailing newline", "crlf without\r\nfinal ending"];
      const result = await writeMbox(
        path,
        inputs.map((m) => ({ content: bytes(m), sender: "x@example.org", date: WHEN })),
        { format },
      );
      assert.equal(result.messages, inputs.length);
      const file = await readFile(path);
      assert.equal(result.bytes, file.length);
      const expected = inputs.map((m) => {
        if (m === "" || m.endsWith("\n")) return m;
        return m.includes("\r\n") ? `${m}\r\n` : `${m}\n`;
      });
      const read = await readAll(path, format);
      if (format === "mboxrd") {
        assert.deepEqual(read, expected);
      } else {
        // mboxo cannot tell a quoted From from a real >From: those lines lose a '>'.
        assert.deepEqual(
          read,
          expected.map((m) => m.replace(/^>From /gm, "From ")),
        );
      }
      for (const line of file.toString("latin1").split("\n")) {
        if (line.startsWith("From ")) assert.equal(line, "From x@example.org Sat Feb  3 04:05:06 2024");
      }
    });
  }

  it("accepts Buffers, Uint8Arrays, Readables and async iterables, sync or async lists", async () => {
    const out = new PassThrough();
    const collected: Buffer[] = [];
    out.on("data", (chunk: Buffer) => collected.push(chunk));
    async function* parts() {
      yield Buffer.from("Subject: it");
      yield Buffer.from("erable\n\nFr");
      yield Buffer.from("om split\n");
    }
    async function* messages() {
      yield Buffer.from("Subject: buffer\n\nb\n");
      yield new Uint8Array(Buffer.from("Subject: u8\n\nu\n"));
      yield Readable.from([Buffer.from("Subject: readable\n\nFrom r\n")]);
      yield { content: parts(), sender: "s@x" };
    }
    await writeMbox(out, messages());
    const read = await readAll(Buffer.concat(collected));
    assert.deepEqual(read, [
      "Subject: buffer\n\nb\n",
      "Subject: u8\n\nu\n",
      "Subject: readable\n\nFrom r\n",
      "Subject: iterable\n\nFrom split\n",
    ]);
    assert.equal(out.writableEnded, true);
  });

  it("refuses what is not a message, and a stream of strings", async () => {
    await assert.rejects(writeMbox(new PassThrough(), ["text" as unknown as Buffer]), InvalidArgumentError);
    await assert.rejects(writeMbox(new PassThrough(), [Readable.from(["a string"])]), InvalidArgumentError);
    await assert.rejects(
      writeMbox(new PassThrough(), [{ content: Buffer.from("x"), sender: "a b" }]),
      InvalidArgumentError,
    );
  });
});

describe("writeMbox to a Writable", () => {
  it("waits for drain (backpressure) and keeps the stream open with end: false", async () => {
    const received: Buffer[] = [];
    let maxBuffered = 0;
    const slow: Writable = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        maxBuffered = Math.max(maxBuffered, slow.writableLength);
        setImmediate(() => {
          received.push(chunk);
          callback();
        });
      },
    });
    const big = Buffer.alloc(1024 * 1024, "a");
    async function* chunked() {
      for (let at = 0; at < big.length; at += 4096) yield big.subarray(at, at + 4096);
    }
    await writeMbox(slow, [{ content: chunked(), date: WHEN }], { end: false });
    assert.equal(slow.writableEnded, false);
    // The writer never ran ahead by more than one 4 KiB chunk beyond the high-water mark.
    assert.ok(maxBuffered > 0 && maxBuffered <= 1024 + 4096 + 64, `buffered ${maxBuffered}`);
    slow.end();
    await new Promise((resolve) => slow.on("finish", resolve));
    const read = await readAll(Buffer.concat(received));
    assert.equal(read.length, 1);
    assert.equal(read[0]!.length, big.length + 1);
  });
});

describe("writeMbox to a path", () => {
  it("replaces a file atomically and leaves no temporary file; mode 0600", async () => {
    const path = join(dir, "atomic.mbox");
    await writeFile(path, "old content\n");
    await writeMbox(path, [Buffer.from("Subject: new\n\nx\n")]);
    assert.deepEqual(await readAll(path), ["Subject: new\n\nx\n"]);
    const names = await readdir(dir);
    assert.deepEqual(
      names.filter((n) => n.includes("atomic")),
      ["atomic.mbox"],
    );
    assert.equal((await lstat(path)).mode & 0o777, 0o600);
  });

  it("leaves the old file and no temporary file when a message fails mid-way", async () => {
    const path = join(dir, "failing.mbox");
    await writeFile(path, "From old\nold\n");
    async function* broken() {
      yield Buffer.from("Subject: half\n\n");
      throw new Error("source broke");
    }
    await assert.rejects(writeMbox(path, [Buffer.from("ok\n"), broken()]), /source broke/);
    assert.equal(await readFile(path, "utf8"), "From old\nold\n");
    assert.deepEqual(
      (await readdir(dir)).filter((n) => n.includes("failing")),
      ["failing.mbox"],
    );
  });

  it("replaces a symlink at the path instead of writing through it", async () => {
    const target = join(dir, "target.txt");
    await writeFile(target, "precious\n");
    const path = join(dir, "link.mbox");
    await symlink(target, path);
    await writeMbox(path, [Buffer.from("x\n")]);
    assert.equal(await readFile(target, "utf8"), "precious\n");
    assert.equal((await lstat(path)).isSymbolicLink(), false);
  });

  it("stops with AbortError and leaves nothing behind", async () => {
    const path = join(dir, "aborted.mbox");
    const controller = new AbortController();
    async function* messages() {
      yield Buffer.from("one\n");
      controller.abort();
      yield Buffer.from("two\n");
    }
    await assert.rejects(writeMbox(path, messages(), { signal: controller.signal }), AbortError);
    assert.deepEqual(
      (await readdir(dir)).filter((n) => n.includes("aborted")),
      [],
    );
  });

  it("appends, adding the blank line an existing file lacks", async () => {
    const cases: [string, string][] = [
      ["", ""],
      ["From a\nx\n\n", "From a\nx\n\n"],
      ["From a\nx\n", "From a\nx\n\n"],
      ["From a\nx", "From a\nx\n\n"],
      ["From a\r\nx\r\n\r\n", "From a\r\nx\r\n\r\n"],
      ["From a\r\nx\r\n", "From a\r\nx\r\n\n"],
      ["\n\r\n", "\n\r\n"],
    ];
    for (const [start, kept] of cases) {
      const path = join(dir, "append.mbox");
      await writeFile(path, start);
      await writeMbox(path, [{ content: Buffer.from("new\n"), sender: "n@x", date: WHEN }], { append: true });
      assert.equal(
        await readFile(path, "latin1"),
        `${kept}From n@x Sat Feb  3 04:05:06 2024\nnew\n\n`,
        JSON.stringify(start),
      );
    }
  });

  it("creates the file when appending to a missing one, and appends twice in order", async () => {
    const path = join(dir, "fresh-append.mbox");
    await writeMbox(path, [Buffer.from("one\n")], { append: true });
    await writeMbox(path, [Buffer.from("two\n"), Buffer.from("From three\n")], { append: true });
    assert.deepEqual(await readAll(path), ["one\n", "two\n", "From three\n"]);
  });

  it("refuses to append through a symlink", async () => {
    const target = join(dir, "append-target.txt");
    await writeFile(target, "precious\n");
    const path = join(dir, "append-link.mbox");
    await symlink(target, path);
    await assert.rejects(writeMbox(path, [Buffer.from("x\n")], { append: true }), InvalidArgumentError);
    assert.equal(await readFile(target, "utf8"), "precious\n");
  });

  it("cuts an append back to the old length when a message fails", async () => {
    const path = join(dir, "append-fail.mbox");
    await writeFile(path, "From a\nold\n\n");
    async function* broken() {
      yield Buffer.from("x".repeat(300_000)); // more than one batch reaches the file
      throw new Error("source broke");
    }
    await assert.rejects(writeMbox(path, [Buffer.from("ok\n"), broken()], { append: true }), /source broke/);
    assert.equal(await readFile(path, "utf8"), "From a\nold\n\n");
  });
});
