// Real clients against the server: Python's ftplib (FTP and FTP_TLS with prot_p) and curl.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { makeTree, removeTree, serveTree, tlsFixture } from "./fixtures.js";

const run = promisify(execFile);
const { tls, ca } = tlsFixture();

async function python(script: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("python3", ["-c", script, ...args], { timeout: 60_000 });
  return stdout;
}

async function curl(...args: string[]): Promise<string> {
  const { stdout } = await run("curl", ["--silent", "--show-error", "--max-time", "30", ...args], {
    timeout: 60_000,
    encoding: "utf8",
  });
  return stdout;
}

const FTPLIB_PLAIN = `
import ftplib, io, sys
port, passive = int(sys.argv[1]), sys.argv[2] == "passive"
ftp = ftplib.FTP()
ftp.connect("127.0.0.1", port, timeout=30)
ftp.login("alice", "secret")
ftp.set_pasv(passive)
print("PWD", ftp.pwd())
print("NLST", sorted(ftp.nlst("pub")))
chunks = []
ftp.retrbinary("RETR pub/readme.txt", chunks.append)
print("RETR", b"".join(chunks).decode())
ftp.storbinary("STOR from-python-" + sys.argv[2] + ".bin", io.BytesIO(b"\\x00\\x01python\\xff"))
lines = []
ftp.retrlines("LIST pub", lines.append)
print("LIST", len(lines))
ftp.storlines("STOR lines-" + sys.argv[2] + ".txt", io.BytesIO(b"one\\ntwo\\n"))
print("SIZE", ftp.size("pub/readme.txt"))
ftp.rename("from-python-" + sys.argv[2] + ".bin", "renamed-" + sys.argv[2] + ".bin")
ftp.mkd("made-" + sys.argv[2])
ftp.rmd("made-" + sys.argv[2])
print("MLSD", sorted(name for name, facts in ftp.mlsd("pub") if facts["type"] == "file"))
ftp.quit()
`;

const FTPLIB_TLS = `
import ftplib, io, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
context = ssl.create_default_context(cafile=cafile)
ftp = ftplib.FTP_TLS(context=context)
ftp.connect("127.0.0.1", port, timeout=30)
ftp.login("alice", "secret")
ftp.prot_p()
print("NLST", ftp.nlst("pub"))
chunks = []
ftp.retrbinary("RETR pub/readme.txt", chunks.append)
print("RETR", b"".join(chunks).decode())
ftp.storbinary("STOR from-python-tls.bin", io.BytesIO(b"over tls"))
ftp.quit()
`;

describe("real clients against the server", () => {
  let fixture: Awaited<ReturnType<typeof serveTree>>;
  /** Files of the client side (the CA certificate, uploads), outside the served folder. */
  let scratch: string;
  let caFile: string;

  before(async () => {
    fixture = await serveTree({ "pub/readme.txt": "hello from the server\n", "pub/other.bin": "x" }, { tls });
    scratch = await makeTree({ "ca.pem": ca, "upload.txt": "put by curl\n" });
    caFile = join(scratch, "ca.pem");
  });
  after(async () => {
    await fixture.done();
    await removeTree(scratch);
  });

  for (const mode of ["passive", "active"]) {
    it(`Python ftplib (${mode}): login, pwd, nlst, retrbinary, storbinary, LIST, storlines, size, rename, mkd, mlsd`, async () => {
      const out = await python(FTPLIB_PLAIN, String(fixture.server.port), mode);
      assert.match(out, /^PWD \/$/m);
      assert.match(out, /^NLST \['pub\/other.bin', 'pub\/readme.txt'\]$/m);
      assert.match(out, /^RETR hello from the server$/m);
      assert.match(out, /^LIST 2$/m);
      // retrlines left TYPE A on: SIZE counts the CRLF the file would be sent with (RFC 3659 §4).
      assert.match(out, /^SIZE 23$/m);
      assert.match(out, /^MLSD \['other.bin', 'readme.txt'\]$/m);
      assert.deepEqual(
        await readFile(join(fixture.root, `renamed-${mode}.bin`)),
        Buffer.from([0, 1, ...Buffer.from("python"), 255]),
      );
      assert.equal(await readFile(join(fixture.root, `lines-${mode}.txt`), "utf8"), "one\ntwo\n");
    });
  }

  it("Python ftplib FTP_TLS with prot_p (no session reuse required)", async () => {
    const out = await python(FTPLIB_TLS, String(fixture.server.port), caFile);
    assert.match(out, /^NLST \['pub\/other.bin', 'pub\/readme.txt'\]$/m);
    assert.match(out, /^RETR hello from the server$/m);
    assert.equal(await readFile(join(fixture.root, "from-python-tls.bin"), "utf8"), "over tls");
  });

  it("curl: list, get, put (-T), NLST (-l), active mode (-P)", async () => {
    const base = `ftp://alice:secret@127.0.0.1:${fixture.server.port}`;
    const listing = await curl(`${base}/pub/`);
    assert.match(listing, /^-rw-r--r-- .* readme\.txt\r?$/m);
    assert.equal(await curl(`${base}/pub/readme.txt`), "hello from the server\n");
    await curl("-T", join(scratch, "upload.txt"), `${base}/pub/curl.txt`);
    assert.equal(await readFile(join(fixture.root, "pub", "curl.txt"), "utf8"), "put by curl\n");
    assert.deepEqual((await curl("-l", `${base}/pub/`)).split(/\r?\n/).filter(Boolean).sort(), [
      "curl.txt",
      "other.bin",
      "readme.txt",
    ]);
    assert.equal(await curl("-P", "127.0.0.1", `${base}/pub/readme.txt`), "hello from the server\n");
  });

  for (const version of ["1.2", "1.3"]) {
    it(`curl --ssl-reqd --cacert over TLS ${version}: get and put, with session reuse required`, async () => {
      const strict = await serveTree(
        { "pub/readme.txt": "hello over tls\n" },
        { tls, requireTlsSessionReuse: true },
      );
      try {
        const base = `ftp://alice:secret@127.0.0.1:${strict.server.port}`;
        const options = ["--ssl-reqd", "--cacert", caFile, `--tlsv${version}`, "--tls-max", version];
        assert.equal(await curl(...options, `${base}/pub/readme.txt`), "hello over tls\n");
        await curl(...options, "-T", caFile, `${base}/ca-copy.pem`);
        assert.equal(await readFile(join(strict.root, "ca-copy.pem"), "utf8"), ca);
        assert.match(await curl(...options, `${base}/pub/`), / readme\.txt\r?\n$/);
      } finally {
        await strict.done();
      }
    });
  }
});
