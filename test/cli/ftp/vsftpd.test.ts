// `inet ftp` ls, get, put and mirror against a real vsftpd on loopback (AUTH TLS, the test CA
// trusted with --ca, TLS session reuse required): a round trip of a small tree. In CI a missing
// vsftpd fails the run (test/interop/ftp/peers.ts `usable`); elsewhere the test is skipped.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type FtpPeer, startFtpPeer, unavailable, usable } from "../../interop/ftp/peers.js";
import { cleanup, ftp, readTree, summary, tempDir, writeTree } from "./ftp-fixtures.js";

const TREE = {
  "index.html": "<h1>hi</h1>\n",
  "notes.txt": "notes\n",
  "docs/a.txt": "a\n",
  "docs/b.pdf": "%PDF-b",
  "docs/deeper/c.txt": "c\n",
};

describe("inet ftp against vsftpd", () => {
  let peer: FtpPeer | undefined;
  before(async () => {
    if (unavailable("vsftpd") === undefined) peer = await startFtpPeer("vsftpd");
    if (peer) process.env.INET_FTP_PASSWORD = peer.password;
  });
  after(async () => {
    delete process.env.INET_FTP_PASSWORD;
    await peer?.stop();
    await cleanup();
  });

  it("mirror --reverse, ls, get with a glob, put, mirror back: the tree comes back the same", async (t) => {
    if (!usable(t, "vsftpd")) return;
    assert.ok(peer, "vsftpd did not start");
    const base = `ftpes://${peer.user}@127.0.0.1:${peer.ports.plain}`;
    const tls = ["--ca", peer.caFile];

    const source = await tempDir();
    await writeTree(source, TREE);
    const up = await ftp("mirror", ...tls, "-r", "--reverse", "--json", source, `${base}/site`);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(summary(up).files, 5);

    const ls = await ftp("ls", ...tls, "--long", `${base}/site`);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /^dir +(?:-|\d+) +\S+ \S+ +docs$/m);
    assert.match(ls.stdout, /^file +12 +\S+ \S+ +index\.html$/m);

    const got = await tempDir();
    const get = await ftp("get", ...tls, "-P", "2", `${base}/site/docs/*.txt`, `${base}/site/notes.txt`, got);
    assert.equal(get.code, 0, get.stderr);
    assert.deepEqual(await readTree(got), { "a.txt": "a\n", "notes.txt": "notes\n" });

    const put = await ftp("put", ...tls, join(source, "docs", "*.pdf"), `${base}/site/`);
    assert.equal(put.code, 0, put.stderr);

    const back = join(await tempDir(), "back");
    const down = await ftp("mirror", ...tls, "-r", "-P", "3", `${base}/site`, back);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(await readTree(back), { ...TREE, "b.pdf": "%PDF-b" });

    const again = await ftp("mirror", ...tls, "-r", "--json", `${base}/site`, back);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(summary(again).files, 0, "a second run transfers nothing");
    const dry = await ftp("mirror", ...tls, "-r", "--dry-run", "--reverse", source, `${base}/site`);
    assert.match(dry.stdout, /^plan: 0 to transfer/m);
  });
});
