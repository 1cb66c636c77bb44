// Maildir: delivery into new/ (or cur/ with flags) through tmp/, unique keys, listing, reading
// and streaming, flags sorted in the :2, suffix, moves, removal, tmp cleaning; keys checked;
// symlinks never followed out of the folder.
import assert from "node:assert/strict";
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { InvalidArgumentError } from "../../../src/errors.js";
import { Maildir, type MaildirEntry } from "../../../src/mime/mailbox/maildir.js";
import {
  normalizeFlags,
  parseMaildirName,
  uniqueName,
  unsafeKeyReason,
} from "../../../src/mime/mailbox/maildir-names.js";

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "inetkit-maildir-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let folders = 0;
async function fresh(): Promise<Maildir> {
  folders += 1;
  return Maildir.open(join(root, `box${folders}`), { create: true });
}

async function list(maildir: Maildir): Promise<MaildirEntry[]> {
  const out: MaildirEntry[] = [];
  for await (const entry of maildir.list()) out.push(entry);
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

describe("Maildir names", () => {
  it("parses KEY:2,FLAGS names at the first colon", () => {
    assert.deepEqual(parseMaildirName("123.M1P2Q3.host"), {
      key: "123.M1P2Q3.host",
      info: undefined,
      flags: "",
    });
    assert.deepEqual(parseMaildirName("k:2,FS"), { key: "k", info: "2,FS", flags: "FS" });
    assert.deepEqual(parseMaildirName("k:1,experimental"), { key: "k", info: "1,experimental", flags: "" });
    assert.deepEqual(parseMaildirName("k:2,"), { key: "k", info: "2,", flags: "" });
  });

  it("sorts flags in ASCII order, once each, and refuses anything but letters", () => {
    assert.equal(normalizeFlags("SRF"), "FRS");
    assert.equal(normalizeFlags("SSa"), "Sa");
    assert.equal(normalizeFlags(""), "");
    for (const bad of ["S,", "F:", "1", "S/", "é"])
      assert.throws(() => normalizeFlags(bad), InvalidArgumentError);
  });

  it("refuses keys that could leave the folder or break the name", () => {
    for (const bad of ["", ".", "..", ".hidden", "a/b", "../x", "a:2,S", "nul\0", "tab\t", "x".repeat(256)]) {
      assert.notEqual(unsafeKeyReason(bad), undefined, JSON.stringify(bad));
    }
    assert.equal(unsafeKeyReason("1700000000.M12P34Q5.host.example"), undefined);
    assert.equal(unsafeKeyReason("1700000000.M1P2.host,S=1234,W=1300"), undefined);
  });

  it("makes unique names in the spec's form", () => {
    const names = new Set(Array.from({ length: 1000 }, () => uniqueName()));
    assert.equal(names.size, 1000);
    for (const name of names) {
      assert.match(name, /^\d+\.M\d+P\d+Q\d+\.[^/:]+$/);
      assert.equal(unsafeKeyReason(name), undefined);
    }
  });
});

describe("Maildir", () => {
  it("creates tmp/, new/ and cur/ with mode 0700, and opens an existing one", async () => {
    const path = join(root, "created");
    await Maildir.open(path, { create: true });
    for (const sub of ["tmp", "new", "cur"]) {
      const info = await lstat(join(path, sub));
      assert.ok(info.isDirectory());
      assert.equal(info.mode & 0o777, 0o700);
    }
    const again = await Maildir.open(path);
    assert.equal(again.path.endsWith("created"), true);
    await assert.rejects(Maildir.open(join(root, "missing")), { code: "ENOENT" });
    await mkdir(join(root, "half"));
    await mkdir(join(root, "half", "cur"));
    await assert.rejects(Maildir.open(join(root, "half")), InvalidArgumentError);
  });

  it("delivers into new/ through tmp/, and into cur/ with sorted flags", async () => {
    const maildir = await fresh();
    const plain = await maildir.add(Buffer.from("Subject: one\n\nbody\n"));
    const flagged = await maildir.add(Readable.from([Buffer.from("Subject: two\n"), Buffer.from("\nx\n")]), {
      flags: "SF",
    });
    assert.deepEqual(await readdir(join(maildir.path, "tmp")), []);
    assert.deepEqual(await readdir(join(maildir.path, "new")), [plain]);
    assert.deepEqual(await readdir(join(maildir.path, "cur")), [`${flagged}:2,FS`]);
    const entries = await list(maildir);
    const byKey = new Map(entries.map((e) => [e.key, e]));
    assert.equal(byKey.get(plain)!.subdir, "new");
    assert.equal(byKey.get(plain)!.flags, "");
    assert.equal(byKey.get(plain)!.size, 19);
    assert.equal(byKey.get(flagged)!.subdir, "cur");
    assert.equal(byKey.get(flagged)!.flags, "FS");
    assert.equal(byKey.get(flagged)!.info, "2,FS");
    assert.equal((await lstat(join(maildir.path, "new", plain))).mode & 0o777, 0o600);
    assert.equal((await maildir.read(plain)).toString(), "Subject: one\n\nbody\n");
    assert.equal((await maildir.read(flagged)).toString(), "Subject: two\n\nx\n");
  });

  it("sets the file time to the given date", async () => {
    const maildir = await fresh();
    const when = new Date("2020-05-06T07:08:09Z");
    const key = await maildir.add(Buffer.from("x\n"), { date: when });
    assert.equal((await maildir.get(key)).modifiedAt.getTime(), when.getTime());
  });

  it("streams a message in chunks", async () => {
    const maildir = await fresh();
    const big = Buffer.alloc(300_000, "z");
    const key = await maildir.add(big);
    const chunks: Buffer[] = [];
    for await (const chunk of maildir.stream(key)) chunks.push(chunk as Buffer);
    assert.ok(chunks.length > 1);
    assert.deepEqual(Buffer.concat(chunks), big);
    const failing = maildir.stream("no-such-key");
    await assert.rejects(
      (async () => {
        for await (const _ of failing) {
          // nothing
        }
      })(),
      InvalidArgumentError,
    );
  });

  it("sets, adds and removes flags, moving the message to cur/; moves new → cur", async () => {
    const maildir = await fresh();
    const key = await maildir.add(Buffer.from("x\n"));
    assert.equal(await maildir.setFlags(key, "SR"), "RS");
    assert.deepEqual(await readdir(join(maildir.path, "cur")), [`${key}:2,RS`]);
    assert.deepEqual(await readdir(join(maildir.path, "new")), []);
    assert.equal(await maildir.addFlags(key, "FS"), "FRS");
    assert.equal(await maildir.removeFlags(key, "R"), "FS");
    assert.equal((await maildir.get(key)).flags, "FS");
    assert.equal((await maildir.read(key)).toString(), "x\n");

    const other = await maildir.add(Buffer.from("y\n"));
    await maildir.moveToCur(other);
    assert.equal((await maildir.get(other)).subdir, "cur");
    assert.ok((await readdir(join(maildir.path, "cur"))).includes(`${other}:2,`));
    await maildir.moveToCur(other); // already there: nothing changes
    assert.equal((await maildir.get(other)).info, "2,");
  });

  it("finds a message another program renamed, and removes messages", async () => {
    const maildir = await fresh();
    const key = await maildir.add(Buffer.from("x\n"));
    // Another reader marks it seen behind our back.
    const { rename } = await import("node:fs/promises");
    await rename(join(maildir.path, "new", key), join(maildir.path, "cur", `${key}:2,S`));
    assert.equal((await maildir.get(key)).flags, "S");
    assert.equal((await maildir.read(key)).toString(), "x\n");
    await maildir.remove(key);
    assert.deepEqual(await list(maildir), []);
    await assert.rejects(maildir.read(key), InvalidArgumentError);
    await assert.rejects(maildir.remove(key), InvalidArgumentError);
  });

  it("refuses bad keys and bad flags before touching the disk", async () => {
    const maildir = await fresh();
    for (const key of ["../../etc/passwd", "..", "a/b", "", "x:2,S", "\0"]) {
      await assert.rejects(maildir.read(key), InvalidArgumentError, JSON.stringify(key));
      await assert.rejects(maildir.remove(key), InvalidArgumentError);
      await assert.rejects(maildir.setFlags(key, "S"), InvalidArgumentError);
    }
    await assert.rejects(maildir.add(Buffer.from("x"), { flags: "S/../x" }), InvalidArgumentError);
    await assert.rejects(maildir.add("text" as unknown as Buffer), InvalidArgumentError);
    assert.deepEqual(await readdir(join(maildir.path, "tmp")), []);
  });

  it("leaves nothing in tmp/ when the message source fails", async () => {
    const maildir = await fresh();
    async function* broken() {
      yield Buffer.from("half");
      throw new Error("source broke");
    }
    await assert.rejects(maildir.add(broken()), /source broke/);
    assert.deepEqual(await readdir(join(maildir.path, "tmp")), []);
    assert.deepEqual(await readdir(join(maildir.path, "new")), []);
  });

  it("never follows a symlink out of the folder", async () => {
    const maildir = await fresh();
    const outside = join(root, "outside.txt");
    await writeFile(outside, "secret\n");
    // A symlinked message file is neither listed nor read.
    await symlink(outside, join(maildir.path, "cur", "123.link:2,S"));
    await symlink(outside, join(maildir.path, "new", "124.link"));
    // Dot files and folders are not messages either.
    await writeFile(join(maildir.path, "new", ".hidden"), "x");
    await mkdir(join(maildir.path, "new", "125.folder"));
    assert.deepEqual(await list(maildir), []);
    await assert.rejects(maildir.read("123.link"), InvalidArgumentError);
    await assert.rejects(maildir.read("124.link"), InvalidArgumentError);

    // A Maildir whose new/ is a symlink is refused.
    const trap = join(root, "trap");
    await mkdir(join(trap, "tmp"), { recursive: true });
    await mkdir(join(trap, "cur"));
    await mkdir(join(root, "elsewhere"), { recursive: true });
    await symlink(join(root, "elsewhere"), join(trap, "new"));
    await assert.rejects(Maildir.open(trap), InvalidArgumentError);
    assert.equal(await readFile(outside, "utf8"), "secret\n");
  });

  it("cleans tmp/ of files older than 36 hours only", async () => {
    const maildir = await fresh();
    const old = join(maildir.path, "tmp", "old.delivery");
    const recent = join(maildir.path, "tmp", "recent.delivery");
    await writeFile(old, "x");
    await writeFile(recent, "y");
    const longAgo = new Date(Date.now() - 40 * 60 * 60 * 1000);
    await utimes(old, longAgo, longAgo);
    assert.equal(await maildir.cleanTmp(), 1);
    assert.deepEqual(await readdir(join(maildir.path, "tmp")), ["recent.delivery"]);
  });

  it("delivers many messages with distinct keys, concurrently", async () => {
    const maildir = await fresh();
    const keys = await Promise.all(
      Array.from({ length: 200 }, (_, n) => maildir.add(Buffer.from(`m${n}\n`))),
    );
    assert.equal(new Set(keys).size, 200);
    const entries = await list(maildir);
    assert.equal(entries.length, 200);
    const contents = await Promise.all(keys.map((key) => maildir.read(key)));
    assert.deepEqual(
      contents.map((c) => c.toString()),
      keys.map((_, n) => `m${n}\n`),
    );
  });
});
