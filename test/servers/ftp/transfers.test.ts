import assert from "node:assert/strict";
import { once } from "node:events";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type FtpServer, startFtpServer } from "../../../src/servers/ftp/index.js";
import { serveTree, USERS } from "./fixtures.js";
import { type DataMode, epsvPort, FtpTestClient, readAll } from "./ftp-client.js";

const MODES: DataMode[] = ["PASV", "EPSV", "PORT", "EPRT"];

describe("FTP server: transfers on disk", () => {
  let fixture: Awaited<ReturnType<typeof serveTree>>;
  let client: FtpTestClient;

  before(async () => {
    fixture = await serveTree({
      "pub/readme.txt": "hello\n",
      "pub/b.bin": Buffer.from([0, 1, 2, 255]),
      "pub/sub/": "",
      "pub/with space.txt": "s",
      "lines.txt": "a\nb\r\nc\n",
    });
    client = await FtpTestClient.login(fixture.server.port);
  });
  after(async () => {
    await client.quit();
    await fixture.done();
  });

  for (const mode of MODES) {
    it(`RETR and STOR over ${mode}`, async () => {
      const { data, final, preliminary } = await client.retr("pub/readme.txt", mode);
      assert.ok(preliminary.code === 150 || preliminary.code === 125, preliminary.lines[0]);
      assert.equal(final.code, 226);
      assert.equal(data.toString(), "hello\n");
      const stored = await client.store(`STOR up-${mode}.bin`, Buffer.from(`payload ${mode}`), mode);
      assert.equal(stored.final.code, 226);
      assert.equal(await readFile(join(fixture.root, `up-${mode}.bin`), "utf8"), `payload ${mode}`);
    });
  }

  it("says 125 when the passive connection is already open, 150 otherwise", async () => {
    assert.equal((await client.retr("pub/readme.txt", "EPSV")).preliminary.code, 125);
    const { preliminary } = await client.retr("pub/readme.txt", "EPRT");
    assert.equal(preliminary.code, 150);
    assert.match(preliminary.text, /\(6 bytes\)/);
  });

  it("needs a data connection set-up first (425)", async () => {
    assert.equal((await client.send("RETR pub/readme.txt")).code, 425);
    assert.equal((await client.send("LIST")).code, 425);
  });

  it("lists in ls -l form (LIST), names (NLST) and facts (MLSD)", async () => {
    const list = await client.listing("LIST pub");
    assert.equal(list.final.code, 226);
    const lines = list.text.split("\r\n").filter(Boolean);
    assert.ok(list.text.endsWith("\r\n"));
    assert.deepEqual(
      lines.map((line) => line.replace(/^.* \d\d:\d\d /, "").replace(/^.* \d{4} /, "")),
      ["b.bin", "readme.txt", "sub", "with space.txt"],
    );
    assert.match(
      lines[1]!,
      /^-rw-r--r-- +1 ftp +ftp +6 [A-Z][a-z]{2} [ \d]\d (\d\d:\d\d| \d{4}) readme\.txt$/,
    );
    assert.match(lines[2]!, /^drwx/);
    const flagged = await client.listing("LIST -la pub");
    assert.equal(flagged.text, list.text);

    const names = await client.listing("NLST");
    assert.deepEqual(names.text.split("\r\n").filter(Boolean).sort(), (await readdir(fixture.root)).sort());
    const prefixed = await client.listing("NLST pub");
    assert.ok(prefixed.text.split("\r\n").includes("pub/readme.txt"));

    const mlsd = await client.listing("MLSD pub");
    assert.equal(mlsd.final.code, 226);
    const facts = mlsd.text.split("\r\n").filter(Boolean);
    assert.equal(facts.length, 4, "no cdir/pdir entries");
    assert.ok(facts.includes(facts.find((line) => line.endsWith("; readme.txt"))!));
    assert.match(
      facts.find((line) => line.endsWith(" readme.txt"))!,
      /^type=file;size=6;modify=\d{14};perm=adfrw;UNIX\.mode=0644; readme\.txt$/,
    );
    assert.match(
      facts.find((line) => line.endsWith(" sub"))!,
      /^type=dir;modify=\d{14};perm=cdeflmp;UNIX\.mode=0\d{3}; sub$/,
    );
  });

  it("lists a single file, and refuses what is not there", async () => {
    const one = await client.listing("LIST pub/readme.txt");
    assert.equal(one.text.split("\r\n").filter(Boolean).length, 1);
    assert.match(one.text, / readme\.txt\r\n$/);
    assert.equal((await client.listing("NLST pub/readme.txt")).text, "pub/readme.txt\r\n");
    assert.equal((await client.listing("LIST missing")).final.code, 550);
    assert.equal((await client.listing("MLSD pub/readme.txt")).final.code, 501);
  });

  it("TYPE A converts line endings both ways (RFC 959 §3.1.1.1)", async () => {
    await client.expect("TYPE A", 200);
    const { data } = await client.retr("lines.txt");
    assert.equal(data.toString(), "a\r\nb\r\nc\r\n");
    await client.store("STOR ascii-up.txt", "x\r\ny\r\nz");
    assert.equal(await readFile(join(fixture.root, "ascii-up.txt"), "utf8"), "x\ny\nz");
    await client.expect("TYPE I", 200);
    assert.equal((await client.retr("lines.txt")).data.toString(), "a\nb\r\nc\n");
  });

  it("REST + RETR resumes from an offset; REST beyond the end is 554", async () => {
    await client.expect("REST 2", 350);
    assert.equal((await client.retr("pub/readme.txt")).data.toString(), "llo\n");
    await client.expect("REST 100", 350);
    const beyond = await client.retr("pub/readme.txt");
    assert.equal(beyond.final.code, 554);
    assert.equal((await client.send("REST -1")).code, 501);
    assert.equal((await client.retr("pub/readme.txt")).data.toString(), "hello\n", "REST is used once");
  });

  it("REST + STOR writes from the offset, cutting the rest; APPE appends", async () => {
    await writeFile(join(fixture.root, "resume.txt"), "0123456789");
    await client.expect("REST 4", 350);
    assert.equal((await client.store("STOR resume.txt", "ab")).final.code, 226);
    assert.equal(await readFile(join(fixture.root, "resume.txt"), "utf8"), "0123ab");
    assert.equal((await client.store("APPE resume.txt", "++")).final.code, 226);
    assert.equal(await readFile(join(fixture.root, "resume.txt"), "utf8"), "0123ab++");
    assert.equal((await client.store("APPE fresh.txt", "new")).final.code, 226);
    assert.equal(await readFile(join(fixture.root, "fresh.txt"), "utf8"), "new");
  });

  it("STOU stores under a new unique name and says which", async () => {
    const first = await client.store("STOU unique.txt", "one");
    assert.equal(first.preliminary.text, "FILE: unique.txt");
    const second = await client.store("STOU unique.txt", "two");
    assert.equal(second.preliminary.text, "FILE: unique.txt.1");
    assert.equal(second.final.code, 226);
    assert.equal(await readFile(join(fixture.root, "unique.txt"), "utf8"), "one");
    assert.equal(await readFile(join(fixture.root, "unique.txt.1"), "utf8"), "two");
  });

  it("STOR replaces a file only when the upload completes; a reset upload leaves nothing", async () => {
    await writeFile(join(fixture.root, "keep.txt"), "original");
    const open = await client.prepare("EPSV");
    client.write("STOR keep.txt");
    assert.equal((await client.reply()).code, 125);
    const data = await open();
    data.write("partial data that never finishes");
    await new Promise((resolve) => setTimeout(resolve, 20));
    data.resetAndDestroy();
    const final = await client.reply();
    assert.equal(final.code, 426);
    assert.equal(await readFile(join(fixture.root, "keep.txt"), "utf8"), "original");
    const leftovers = (await readdir(fixture.root)).filter((name) => name.endsWith(".upload"));
    assert.deepEqual(leftovers, []);
  });

  it("refuses STOR into a missing folder or over a folder (553)", async () => {
    assert.equal((await client.store("STOR nowhere/x.txt", "x")).final.code, 553);
    assert.equal((await client.store("STOR pub/sub", "x")).final.code, 553);
  });

  it("accepts the passive connection only from the control peer", async () => {
    const reply = await client.expect("EPSV", 229);
    const port = epsvPort(reply.text);
    const intruder = connect({ host: "127.0.0.1", port, localAddress: "127.0.0.2" });
    intruder.on("error", () => {});
    await once(intruder, "close");
    const data = connect({ host: "127.0.0.1", port });
    await once(data, "connect");
    client.write("RETR pub/readme.txt");
    assert.equal((await client.reply()).code, 125);
    assert.equal((await readAll(data)).toString(), "hello\n");
    assert.equal((await client.reply()).code, 226);
  });

  it("refuses PORT/EPRT to another address, to a privileged port, or malformed (FTP bounce)", async () => {
    assert.equal((await client.send("PORT 127,0,0,2,200,10")).code, 504);
    assert.equal((await client.send("EPRT |1|127.0.0.2|51210|")).code, 504);
    assert.equal((await client.send("PORT 127,0,0,1,0,21")).code, 504);
    assert.equal((await client.send("PORT 127,0,0,1,300,1")).code, 501);
    assert.equal((await client.send("EPRT |3|x|1|")).code, 522);
    assert.equal((await client.send("EPRT garbage")).code, 501);
    assert.equal((await client.send("EPSV 2")).code, 522);
  });

  it("ABOR mid-RETR closes the data connection: 426, then 226 (RFC 959 §4.1.3)", async () => {
    await writeFile(join(fixture.root, "large.bin"), Buffer.alloc(16 * 1024 * 1024, 7));
    const open = await client.prepare("EPSV");
    client.write("RETR large.bin");
    assert.equal((await client.reply()).code, 125);
    const data: Socket = await open();
    // Read one chunk, then stop reading so the server's writes back up.
    await once(data, "data");
    data.pause();
    const closed = once(data, "close");
    client.write("ABOR");
    assert.equal((await client.reply()).code, 426);
    assert.equal((await client.reply()).code, 226);
    data.destroy();
    await closed;
    assert.equal((await client.send("NOOP")).code, 200, "the control connection stays usable");
  });

  it("ABOR mid-STOR drops the upload: 426, 226, and no file", async () => {
    const open = await client.prepare("EPSV");
    client.write("STOR aborted.bin");
    assert.equal((await client.reply()).code, 125);
    const data = await open();
    data.write(Buffer.alloc(64 * 1024, 1));
    client.write("ABOR");
    assert.equal((await client.reply()).code, 426);
    assert.equal((await client.reply()).code, 226);
    data.destroy();
    await assert.rejects(stat(join(fixture.root, "aborted.bin")));
    assert.deepEqual(
      (await readdir(fixture.root)).filter((name) => name.endsWith(".upload")),
      [],
    );
  });

  it("STAT during a transfer reports progress", async () => {
    const open = await client.prepare("EPSV");
    client.write("RETR large.bin");
    assert.equal((await client.reply()).code, 125);
    const data = await open();
    await once(data, "data");
    data.pause();
    const status = await client.send("STAT");
    assert.equal(status.code, 213);
    assert.match(status.text, /^Transferring \/large\.bin: \d+ bytes so far\.$/);
    data.resume();
    const received = await readAll(data);
    assert.ok(received.length > 0);
    assert.equal((await client.reply()).code, 226);
    assert.equal((await stat(join(fixture.root, "large.bin"))).size, 16 * 1024 * 1024);
  });
});

describe("FTP server: an in-memory tree", () => {
  let server: FtpServer;
  let client: FtpTestClient;

  before(async () => {
    server = await startFtpServer({
      tree: { "pub/readme.txt": "hello\n", "pub/data.bin": Buffer.from([1, 2, 3]), "incoming/": "" },
      users: USERS,
      memoryLimit: 1024 * 1024,
    });
    client = await FtpTestClient.login(server.port);
  });
  after(async () => {
    await client.quit();
    await server.close();
  });

  it("serves, lists and changes the tree", async () => {
    assert.equal((await client.retr("/pub/readme.txt")).data.toString(), "hello\n");
    assert.deepEqual((await client.retr("/pub/data.bin")).data, Buffer.from([1, 2, 3]));
    assert.equal((await client.listing("NLST pub")).text, "pub/data.bin\r\npub/readme.txt\r\n");
    assert.equal((await client.store("STOR incoming/up.txt", "uploaded")).final.code, 226);
    assert.equal((await client.retr("incoming/up.txt")).data.toString(), "uploaded");
    await client.expect("REST 2", 350);
    assert.equal((await client.store("STOR incoming/up.txt", "L")).final.code, 226);
    assert.equal((await client.store("APPE incoming/up.txt", "!")).final.code, 226);
    assert.equal((await client.retr("incoming/up.txt")).data.toString(), "upL!");
    await client.expect("MKD incoming/sub", 257);
    await client.expect("RNFR incoming/up.txt", 350);
    await client.expect("RNTO incoming/sub/moved.txt", 250);
    assert.equal((await client.send("SIZE incoming/sub/moved.txt")).text, "4");
    assert.equal((await client.send("RMD incoming/sub")).code, 550);
    await client.expect("DELE incoming/sub/moved.txt", 250);
    await client.expect("RMD incoming/sub", 250);
    assert.equal((await client.send("CWD ../../..")).code, 250);
    assert.equal((await client.send("PWD")).text, '"/" is the current directory');
  });

  it("refuses an upload past the memory limit with 452 and keeps nothing of it", async () => {
    const result = await client.store("STOR incoming/huge.bin", Buffer.alloc(2 * 1024 * 1024));
    assert.equal(result.final.code, 452);
    assert.equal((await client.send("SIZE incoming/huge.bin")).code, 550);
  });
});

describe("FTP server: close() during an upload", () => {
  it("ends the transfer and leaves neither the file nor a temporary one", async () => {
    const fixture = await serveTree({});
    const client = await FtpTestClient.login(fixture.server.port);
    const open = await client.prepare("EPSV");
    client.write("STOR interrupted.bin");
    assert.equal((await client.reply()).code, 125);
    const data = await open();
    data.on("error", () => {});
    data.write(Buffer.alloc(64 * 1024, 1));
    await fixture.server.close();
    assert.deepEqual(await readdir(fixture.root), []);
    await client.waitEnd();
    client.close();
    data.destroy();
    await fixture.done();
  });
});
