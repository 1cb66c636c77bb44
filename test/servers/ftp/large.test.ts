import assert from "node:assert/strict";
import { createCipheriv, createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { Socket } from "node:net";
import { join } from "node:path";
import { Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { after, before, describe, it } from "node:test";
import { serveTree, tlsFixture } from "./fixtures.js";
import { FtpTestClient } from "./ftp-client.js";

const SIZE = 50 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** `size` bytes of deterministic, incompressible content (AES-CTR over zeros), made as it is read. */
function content(size: number): Readable {
  let made = 0;
  const cipher = createCipheriv("aes-128-ctr", Buffer.alloc(16, 1), Buffer.alloc(16, 2));
  const zeros = Buffer.alloc(CHUNK);
  return new Readable({
    read() {
      if (made >= size) {
        this.push(null);
        return;
      }
      const length = Math.min(CHUNK, size - made);
      made += length;
      this.push(cipher.update(zeros.subarray(0, length)));
    },
  });
}

/** A pass-through that hashes what crosses it. */
function hashing(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hashing(hash), new Writable({ write: (_c, _e, cb) => cb() }));
  return hash.digest("hex");
}

describe("FTP server: a 50 MB upload and download, streamed", () => {
  let fixture: Awaited<ReturnType<typeof serveTree>>;
  let expected: string;
  const { tls, ca } = tlsFixture();

  before(async () => {
    fixture = await serveTree({}, { tls, requireTlsSessionReuse: true });
  });
  after(() => fixture.done());

  it("uploads 50 MB with STOR and the file on disk has the same SHA-256", async () => {
    const client = await FtpTestClient.login(fixture.server.port);
    const hash = createHash("sha256");
    const open = await client.prepare("EPSV");
    client.write("STOR big.bin");
    assert.equal((await client.reply()).code, 125);
    const data: Socket = await open();
    await pipeline(content(SIZE), hashing(hash), data);
    expected = hash.digest("hex");
    assert.equal((await client.reply()).code, 226);
    assert.equal(await sha256OfFile(join(fixture.root, "big.bin")), expected);
    assert.equal((await client.send("SIZE big.bin")).text, String(SIZE));
    await client.quit();
  });

  for (const secure of [false, true]) {
    it(`downloads it with RETR${secure ? " over PROT P (TLS, session resumed)" : ""} with the same SHA-256`, async () => {
      let client: FtpTestClient;
      if (secure) {
        ({ client } = await FtpTestClient.connect(fixture.server.port));
        await client.upgrade({ ca, servername: "localhost" });
        await client.expect("USER alice", 331);
        await client.expect("PASS secret", 230);
        await client.expect("PBSZ 0", 200);
        await client.expect("PROT P", 200);
        await client.expect("TYPE I", 200);
      } else {
        client = await FtpTestClient.login(fixture.server.port);
      }
      const open = await client.prepare("EPSV", { tls: secure });
      client.write("RETR big.bin");
      assert.equal((await client.reply()).code, 125);
      const hash = createHash("sha256");
      let bytes = 0;
      await pipeline(
        await open(),
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            hash.update(chunk);
            bytes += chunk.length;
            callback();
          },
        }),
      );
      assert.equal((await client.reply()).code, 226);
      assert.equal(bytes, SIZE);
      assert.equal(hash.digest("hex"), expected);
      await client.quit();
    });
  }
});
