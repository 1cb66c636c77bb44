// WriteQueue: chunks written in call order, coalesced while a write is in flight, and a failure
// rejecting everything queued after it.
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { WriteQueue } from "../../src/ftp/write-queue.js";

describe("WriteQueue", () => {
  it("writes queued chunks in call order, several per system call", async () => {
    const dir = mkdtempSync(join(tmpdir(), "inetkit-wq-"));
    const fd = openSync(join(dir, "out"), "w");
    try {
      let opens = 0;
      const queue = new WriteQueue(async () => {
        opens += 1;
        return fd;
      });
      const chunks = Array.from({ length: 300 }, (_, i) => Buffer.from(`${i},`));
      await Promise.all(chunks.map((chunk) => queue.write(chunk)));
      assert.equal(readFileSync(join(dir, "out"), "latin1"), chunks.map(String).join(""));
      // The first call writes one chunk; all others waited for it and went out together.
      assert.ok(opens <= 3, `${opens} writev calls for 300 chunks`);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects the failing batch and everything after it with the same error", async () => {
    const failure = new Error("no descriptor");
    const queue = new WriteQueue(() => Promise.reject(failure));
    const first = queue.write(Buffer.from("a"));
    const second = queue.write(Buffer.from("b"));
    await assert.rejects(first, (error: unknown) => error === failure);
    await assert.rejects(second, (error: unknown) => error === failure);
    await assert.rejects(queue.write(Buffer.from("c")), (error: unknown) => error === failure);
  });

  it("rejects with the file system's error (a descriptor opened read-only)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "inetkit-wq-"));
    const path = join(dir, "ro");
    closeSync(openSync(path, "w"));
    const fd = openSync(path, "r");
    try {
      const queue = new WriteQueue(async () => fd);
      await assert.rejects(
        queue.write(Buffer.from("x")),
        (error: NodeJS.ErrnoException) => error.code === "EBADF",
      );
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
