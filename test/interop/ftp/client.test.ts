// Our FtpClient against real servers from Debian's packages: vsftpd and ProFTPD, started on
// loopback by test/interop/ftp/peers.ts. In CI a missing peer fails the run (never a skip).
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { ReplyError } from "../../../src/errors.js";
import { FtpClient, type FtpConnectOptions } from "../../../src/ftp/client.js";
import { type FtpPeer, startFtpPeer, unavailable, usable } from "./peers.js";

const work = await mkdtemp(join(tmpdir(), "inetkit-ftp-interop-"));
after(() => rm(work, { recursive: true, force: true }));

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** A deterministic pseudo-random stream of `size` bytes, and its SHA-256. */
function content(size: number, seed: number): { stream: () => Readable; sha: string } {
  const block = randomBytes(1024 * 1024);
  block.writeUInt32BE(seed, 0);
  const hash = createHash("sha256");
  for (let left = size; left > 0; left -= block.length)
    hash.update(block.subarray(0, Math.min(left, block.length)));
  return {
    sha: hash.digest("hex"),
    stream: () =>
      Readable.from(
        (function* () {
          for (let left = size; left > 0; left -= block.length)
            yield block.subarray(0, Math.min(left, block.length));
        })(),
      ),
  };
}

for (const name of ["vsftpd", "proftpd"] as const) {
  describe(`FtpClient against ${name}`, () => {
    let peer: FtpPeer | undefined;
    before(async () => {
      if (unavailable(name) === undefined) peer = await startFtpPeer(name);
    });
    after(() => peer?.stop());

    const connect = (scheme: "ftp" | "ftpes" | "ftps", options: FtpConnectOptions = {}) => {
      assert.ok(peer, `${name} did not start`);
      const port = scheme === "ftps" ? peer.ports.implicitTls : peer.ports.plain;
      return FtpClient.connect(`${scheme}://${peer.user}@127.0.0.1:${port}`, {
        password: peer.password,
        tls: { ca: peer.ca },
        netrc: false,
        allowInsecureAuth: scheme === "ftp",
        ...options,
      });
    };

    it("logs in over plain FTP and lists with LIST (and MLSD where offered)", async (t) => {
      if (!usable(t, name)) return;
      await using ftp = await connect("ftp");
      await ftp.upload(Buffer.from("hello\n"), "hello.txt");
      await ftp.mkdir("sub");
      const entries = await ftp.list();
      const byName = new Map(entries.map((e) => [e.name, e]));
      assert.equal(byName.get("hello.txt")?.type, "file");
      assert.equal(byName.get("hello.txt")?.size, 6);
      assert.equal(byName.get("sub")?.type, "directory");
      const viaList = await ftp.list(undefined, { forceList: true });
      assert.deepEqual(viaList.map((e) => e.name).sort(), entries.map((e) => e.name).sort());
      assert.equal(ftp.session.features.has("MLST"), name === "proftpd", "vsftpd has no MLSD, ProFTPD has");
      assert.deepEqual((await ftp.names()).sort(), ["hello.txt", "sub"]);
      await ftp.remove("hello.txt");
      await ftp.rmdir("sub");
    });

    for (const scheme of ["ftpes", "ftps"] as const) {
      for (const maxVersion of ["TLSv1.2", "TLSv1.3"] as const) {
        it(`moves 50 MB each way over ${scheme} on ${maxVersion} with the TLS session reused (SHA-256 equal)`, async (t) => {
          if (!usable(t, name)) return;
          await using ftp = await connect(scheme, { tls: { ca: peer!.ca, maxVersion } });
          assert.equal(ftp.session.tls?.protocol, maxVersion);
          assert.equal(ftp.session.dataProtected, true);
          const size = 50 * 1024 * 1024;
          const source = content(size, maxVersion.length + scheme.length);
          await ftp.upload(source.stream(), "big.bin");
          assert.equal(await ftp.size("big.bin"), size);
          const local = join(work, `${name}-${scheme}-${maxVersion}.bin`);
          const result = await ftp.download("big.bin", local);
          assert.equal(result.bytes, size);
          assert.equal(await sha256(local), source.sha);
          await ftp.remove("big.bin");
        });
      }
    }

    it("resumes a download from the middle with REST", async (t) => {
      if (!usable(t, name)) return;
      await using ftp = await connect("ftpes");
      const data = randomBytes(3 * 1024 * 1024 + 17);
      await ftp.upload(data, "resume.bin");
      const local = join(work, `${name}-resume.bin`);
      // A first, interrupted attempt: the .part holds the first half.
      await writeFile(`${local}.part`, data.subarray(0, 1_500_000));
      const modified = await ftp.modifiedAt("resume.bin");
      await utimes(`${local}.part`, modified, modified);
      const result = await ftp.download("resume.bin", local, { resume: true });
      assert.equal(result.bytes, data.length - 1_500_000, "only the rest was transferred");
      assert.ok((await readFile(local)).equals(data));
      await ftp.remove("resume.bin");
    });

    it("uploads with a restart offset and appends", async (t) => {
      if (!usable(t, name)) return;
      await using ftp = await connect("ftpes");
      const data = randomBytes(200_000);
      await ftp.upload(data.subarray(0, 50_000), "part.bin");
      await ftp.append(data.subarray(50_000), "part.bin");
      const local = join(work, `${name}-appended.bin`);
      await ftp.download("part.bin", local);
      assert.ok((await readFile(local)).equals(data));
      await ftp.remove("part.bin");
    });

    it("creates and removes directory trees, renames, and keeps UTF-8 names", async (t) => {
      if (!usable(t, name)) return;
      await using ftp = await connect("ftpes");
      await ftp.mkdir("a/b/c", { recursive: true });
      await ftp.mkdir("a/b/c", { recursive: true }); // Existing: no error.
      await ftp.upload(Buffer.from("x"), "a/b/c/résumé 日本.txt");
      await ftp.rename("a/b/c/résumé 日本.txt", "a/b/naïve file.txt");
      const names = (await ftp.list("a/b")).map((e) => e.name).sort();
      assert.deepEqual(names, ["c", "naïve file.txt"]);
      await ftp.rmdir("a", { recursive: true });
      assert.ok(!(await ftp.list()).some((e) => e.name === "a"));
      await assert.rejects(ftp.cd("a"), (error: unknown) => error instanceof ReplyError && error.isPermanent);
    });

    it("transfers in active mode (EPRT)", async (t) => {
      if (!usable(t, name)) return;
      await using ftp = await connect("ftpes", { mode: "active" });
      const data = randomBytes(1024 * 1024);
      await ftp.upload(data, "active.bin");
      const local = join(work, `${name}-active.bin`);
      await ftp.download("active.bin", local);
      assert.ok((await readFile(local)).equals(data));
      assert.ok((await ftp.list()).some((e) => e.name === "active.bin"));
      await ftp.remove("active.bin");
    });

    it("converts line endings in ASCII mode", async (t) => {
      if (!usable(t, name)) return;
      await using ftp = await connect("ftp");
      await ftp.upload(Buffer.from("one\ntwo\n"), "text.txt", { type: "ascii" });
      const local = join(work, `${name}-text.txt`);
      await ftp.download("text.txt", local, { type: "ascii" });
      assert.equal(await readFile(local, "utf8"), "one\ntwo\n");
      await ftp.download("text.txt", `${local}.raw`);
      // What the server stored: ProFTPD turns the wire's CRLF into its native LF; vsftpd (without
      // ascii_upload_enable) keeps the bytes it was sent.
      const stored = name === "proftpd" ? "one\ntwo\n" : "one\r\ntwo\r\n";
      assert.equal(await readFile(`${local}.raw`, "utf8"), stored);
      await ftp.remove("text.txt");
    });

    it("aborts a download through its signal and keeps the control connection usable", async (t) => {
      if (!usable(t, name)) return;
      await using ftp = await connect("ftpes");
      const size = 64 * 1024 * 1024;
      await ftp.upload(content(size, 7).stream(), "abort.bin");
      const controller = new AbortController();
      const local = join(work, `${name}-abort.bin`);
      await assert.rejects(
        ftp.download("abort.bin", local, {
          signal: controller.signal,
          onProgress: ({ bytes }) => {
            if (bytes > 4 * 1024 * 1024) controller.abort();
          },
        }),
        (error: unknown) => (error as Error).name === "AbortError",
      );
      await assert.rejects(stat(local), "no final file after an abort");
      assert.equal(await ftp.pwd(), "/", "the control connection still answers");
      await ftp.remove("abort.bin");
    });
  });
}
