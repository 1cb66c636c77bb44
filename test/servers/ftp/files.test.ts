import assert from "node:assert/strict";
import { lstat, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { makeTree, removeTree, serveTree } from "./fixtures.js";
import { FtpTestClient } from "./ftp-client.js";

describe("FTP server: paths, confinement and file commands", () => {
  let fixture: Awaited<ReturnType<typeof serveTree>>;
  let outside: string;
  let client: FtpTestClient;

  before(async () => {
    outside = await makeTree({ "secret.txt": "top secret\n", "dir/inner.txt": "inner\n" });
    fixture = await serveTree({
      "pub/readme.txt": "hello\n",
      "pub/deep/er/file.bin": "x",
      'quote"d/': "",
      "empty/": "",
    });
    await symlink(join(outside, "secret.txt"), join(fixture.root, "escape.txt"));
    await symlink(join(outside, "dir"), join(fixture.root, "escape-dir"));
    await symlink("pub/readme.txt", join(fixture.root, "inside-link.txt"));
    client = await FtpTestClient.login(fixture.server.port);
  });
  after(async () => {
    await client.quit();
    await fixture.done();
    await removeTree(outside);
  });

  it("CWD, CDUP and PWD move inside the tree (RFC 959 §4.1.1)", async () => {
    await client.expect("CWD pub/deep", 250);
    assert.equal((await client.send("PWD")).text, '"/pub/deep" is the current directory');
    await client.expect("CDUP", 250);
    assert.equal((await client.send("XPWD")).text, '"/pub" is the current directory');
    await client.expect("CWD /", 250);
    assert.equal((await client.send("CWD nowhere")).code, 550);
    assert.equal((await client.send("CWD pub/readme.txt")).code, 550);
  });

  it("never climbs above the root: CWD ../../.., CDUP at /, absolute paths", async () => {
    await client.expect("CWD pub", 250);
    await client.expect("CWD ../../..", 250);
    assert.equal((await client.send("PWD")).text, '"/" is the current directory');
    await client.expect("CDUP", 250);
    assert.equal((await client.send("PWD")).text, '"/" is the current directory');
    await client.expect("CWD /pub/../../../pub", 250);
    assert.equal((await client.send("PWD")).text, '"/pub" is the current directory');
    await client.expect("CWD /", 250);
  });

  it("refuses RETR ../../etc/passwd and absolute system paths (they resolve inside the root)", async () => {
    for (const path of ["../../etc/passwd", "/etc/passwd", "../../../../../../etc/passwd"]) {
      const { final } = await client.retr(path);
      assert.equal(final.code, 550, path);
    }
    assert.equal((await client.send("SIZE ../../etc/passwd")).code, 550);
  });

  it("refuses symlinks that lead outside the root, follows those that stay inside", async () => {
    assert.equal((await client.retr("escape.txt")).final.code, 550);
    assert.equal((await client.send("CWD escape-dir")).code, 550);
    assert.equal((await client.send("SIZE escape.txt")).code, 550);
    assert.equal((await client.listing("LIST escape-dir")).final.code, 550);
    const inside = await client.retr("inside-link.txt");
    assert.equal(inside.final.code, 226);
    assert.equal(inside.data.toString(), "hello\n");
    // Writing through an escaping link is refused, and the file outside is untouched.
    assert.equal((await client.store("APPE escape.txt", "more")).final.code, 550);
    assert.equal((await client.store("STOR escape-dir/new.txt", "new")).final.code, 550);
    assert.equal(await readFile(join(outside, "secret.txt"), "utf8"), "top secret\n");
    await assert.rejects(stat(join(outside, "dir", "new.txt")));
  });

  it("refuses NUL in a path with 553", async () => {
    client.write(Buffer.from("SIZE a\0b\r\n"));
    assert.equal((await client.reply()).code, 553);
  });

  it("MKD, RMD with quoting (RFC 959 Appendix II)", async () => {
    const made = await client.send("MKD new dir");
    assert.equal(made.code, 257);
    assert.equal(made.text, '"/new dir" created');
    assert.ok((await stat(join(fixture.root, "new dir"))).isDirectory());
    assert.equal((await client.send("MKD new dir")).code, 550);
    assert.equal((await client.send('CWD quote"d')).code, 250);
    assert.equal((await client.send("PWD")).text, '"/quote""d" is the current directory');
    await client.expect("CWD /", 250);
    assert.equal((await client.send("RMD pub")).code, 550, "not empty");
    await client.expect("RMD new dir", 250);
    assert.equal((await client.send("RMD new dir")).code, 550);
    assert.equal((await client.send("RMD /")).code, 550);
  });

  it("DELE removes files, not folders", async () => {
    await writeFile(join(fixture.root, "gone.txt"), "x");
    await client.expect("DELE gone.txt", 250);
    await assert.rejects(stat(join(fixture.root, "gone.txt")));
    assert.equal((await client.send("DELE gone.txt")).code, 550);
    assert.equal((await client.send("DELE empty")).code, 550);
  });

  it("RNFR + RNTO renames; RNTO without RNFR is 503; RNFR expires after another command", async () => {
    await writeFile(join(fixture.root, "old.txt"), "content");
    await client.expect("RNFR old.txt", 350);
    await client.expect("RNTO pub/new.txt", 250);
    assert.equal(await readFile(join(fixture.root, "pub", "new.txt"), "utf8"), "content");
    assert.equal((await client.send("RNTO again.txt")).code, 503);
    await client.expect("RNFR pub/new.txt", 350);
    await client.expect("NOOP", 200);
    assert.equal((await client.send("RNTO again.txt")).code, 503);
    assert.equal((await client.send("RNFR missing.txt")).code, 550);
    await client.expect("RNFR pub", 350);
    assert.equal((await client.send("RNTO pub/deep/pub")).code, 550, "a folder into itself");
    await client.expect("DELE pub/new.txt", 250);
  });

  it("SIZE (RFC 3659 §4) in binary and ASCII", async () => {
    await writeFile(join(fixture.root, "lines.txt"), "a\nb\r\nc\n");
    await client.expect("TYPE I", 200);
    assert.equal((await client.send("SIZE lines.txt")).text, "7");
    await client.expect("TYPE A", 200);
    assert.equal((await client.send("SIZE lines.txt")).text, "9");
    await client.expect("TYPE I", 200);
    assert.equal((await client.send("SIZE pub")).code, 550);
    assert.equal((await client.send("SIZE missing")).code, 550);
  });

  it("MDTM and MFMT read and set the modification time in UTC", async () => {
    const set = await client.send("MFMT 20200229123456 pub/readme.txt");
    assert.equal(set.code, 213);
    assert.equal(set.text, "Modify=20200229123456; /pub/readme.txt");
    assert.equal((await client.send("MDTM pub/readme.txt")).text, "20200229123456");
    assert.equal(
      (await stat(join(fixture.root, "pub", "readme.txt"))).mtime.toISOString(),
      "2020-02-29T12:34:56.000Z",
    );
    assert.equal((await client.send("MFMT 20210230000000 pub/readme.txt")).code, 501);
    assert.equal((await client.send("MFMT pub/readme.txt")).code, 501);
    assert.equal((await client.send("MDTM missing")).code, 550);
  });

  it("MLST gives the facts of one entry on the control connection (RFC 3659 §7)", async () => {
    const reply = await client.send("MLST pub/readme.txt");
    assert.equal(reply.code, 250);
    assert.equal(reply.lines.length, 3);
    assert.match(
      reply.lines[1]!,
      /^ type=file;size=6;modify=\d{14};perm=adfrw;UNIX\.mode=0644; \/pub\/readme\.txt$/,
    );
    const folder = await client.send("MLST");
    assert.match(folder.lines[1]!, /^ type=dir;modify=\d{14};perm=cdeflmp;UNIX\.mode=0\d{3}; \/$/);
  });

  it("STAT with a path lists on the control connection", async () => {
    const reply = await client.send("STAT pub");
    assert.equal(reply.code, 213);
    assert.ok(reply.lines.some((line) => / readme\.txt$/.test(line) && line.startsWith(" -rw-r--r--")));
    assert.equal(reply.lines.at(-1), "213 End of status.");
  });

  it("keeps the symlink itself when it is renamed or deleted (never the target)", async () => {
    await client.expect("RNFR escape.txt", 350);
    await client.expect("RNTO moved-link.txt", 250);
    assert.ok((await lstat(join(fixture.root, "moved-link.txt"))).isSymbolicLink());
    await client.expect("DELE moved-link.txt", 250);
    assert.equal(await readFile(join(outside, "secret.txt"), "utf8"), "top secret\n");
  });
});
