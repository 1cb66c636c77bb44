// FtpClient against inetkit's own loopback FTP server: both ends of the project talking, plain and
// over TLS with session reuse required, passive and active.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ReplyError } from "../../src/errors.js";
import { FtpClient } from "../../src/ftp/client.js";
import { startFtpServer, testCertificates } from "../../src/servers/index.js";

const certs = testCertificates();
const work = await mkdtemp(join(tmpdir(), "inetkit-ftp-loop-"));
after(() => rm(work, { recursive: true, force: true }));

describe("FtpClient against the loopback FTP server", () => {
  it("lists, downloads and is refused writes as anonymous", async () => {
    const server = await startFtpServer({
      tree: { "pub/readme.txt": "hello\n", "pub/sub/": "" },
      anonymous: true,
    });
    try {
      await using ftp = await FtpClient.connect(server.urls.ftp);
      const entries = await ftp.list("/pub");
      assert.deepEqual(entries.map((e) => [e.name, e.type]).sort(), [
        ["readme.txt", "file"],
        ["sub", "directory"],
      ]);
      const local = join(work, "readme.txt");
      await ftp.download("/pub/readme.txt", local);
      assert.equal(await readFile(local, "utf8"), "hello\n");
      await assert.rejects(ftp.upload(Buffer.from("x"), "/pub/new.txt"), (error: unknown) => {
        return error instanceof ReplyError && error.isPermanent;
      });
    } finally {
      await server.close();
    }
  });

  for (const mode of ["passive", "active"] as const) {
    it(`round-trips files over FTPES with session reuse required (${mode})`, async () => {
      const server = await startFtpServer({
        tree: {},
        users: [{ user: "alice", password: "wonderland" }],
        tls: certs.localhost,
        requireTls: true,
        requireTlsSessionReuse: true,
      });
      try {
        await using ftp = await FtpClient.connect(`ftpes://alice@127.0.0.1:${server.port}`, {
          password: "wonderland",
          tls: { ca: certs.ca.cert },
          mode,
          netrc: false,
        });
        assert.equal(ftp.session.dataProtected, true);
        const data = randomBytes(2 * 1024 * 1024 + 3);
        await ftp.mkdir("/a/b", { recursive: true });
        await ftp.upload(data, "/a/b/file.bin");
        assert.equal(await ftp.size("/a/b/file.bin"), data.length);
        await ftp.rename("/a/b/file.bin", "/a/moved.bin");
        const local = join(work, `moved-${mode}.bin`);
        await ftp.download("/a/moved.bin", local);
        assert.ok((await readFile(local)).equals(data));
        const when = new Date("2024-01-31T12:00:00Z");
        await ftp.setModifiedAt("/a/moved.bin", when);
        assert.equal((await ftp.modifiedAt("/a/moved.bin")).toISOString(), when.toISOString());
        await ftp.cd("/a");
        assert.equal(await ftp.pwd(), "/a");
        await ftp.cd("..");
        await ftp.rmdir("/a", { recursive: true });
        assert.deepEqual(await ftp.names("/"), []);
      } finally {
        await server.close();
      }
    });
  }

  it("queues calls made without await, in order", async () => {
    const server = await startFtpServer({ tree: { "one.txt": "1", "two.txt": "22" }, anonymous: true });
    try {
      await using ftp = await FtpClient.connect(server.urls.ftp);
      const [a, b, where] = await Promise.all([ftp.size("one.txt"), ftp.size("two.txt"), ftp.pwd()]);
      assert.deepEqual([a, b, where], [1, 2, "/"]);
    } finally {
      await server.close();
    }
  });
});
