// Maildir interop with Python's `mailbox.Maildir` (one python3 run for the whole file): what we
// deliver, flag and move, Python reads with the same keys, subfolders, flags and bytes; what
// Python delivers (raw in new/, or with flags in cur/) we read the same way.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Maildir, type MaildirEntry } from "../../../src/mime/mailbox/maildir.js";
import { askPython, fromB64, type OracleAnswer } from "./python-oracle.js";

let dir: string;
let answer: OracleAnswer;
let ours: Maildir;
let theirsPath: string;
/** What we did to our Maildir: key → expected subdir, flags and bytes. */
const expected = new Map<string, { subdir: "new" | "cur"; flags: string; bytes: Buffer }>();

const THEIRS = [
  { text: "Subject: raw\n\nstored as is\r\n", flags: null, subdir: "new" as const },
  { text: "Subject: flagged\n\nbody\n", flags: "SF", subdir: "cur" as const },
  { text: "Subject: seen only\n\nbody\n", flags: "S", subdir: "cur" as const },
  { text: "Subject: in cur, no flags\n\nbody\n", flags: null, subdir: "cur" as const },
  { text: "Subject: replied and trashed\n\nbody\n", flags: "TR", subdir: "cur" as const },
];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "inetkit-maildir-python-"));
  ours = await Maildir.open(join(dir, "ours"), { create: true });
  const add = async (text: string, flags?: string) => {
    const bytes = Buffer.from(text, "latin1");
    const key = await ours.add(bytes, flags === undefined ? {} : { flags });
    expected.set(key, {
      subdir: flags === undefined ? "new" : "cur",
      flags: flags ? [...flags].sort().join("") : "",
      bytes,
    });
    return key;
  };
  await add("Subject: new\n\nunread\n");
  await add("Subject: crlf\r\n\r\nbytes \xff\x00 kept\r\n");
  await add("Subject: flagged on delivery\n\nx\n", "SRF");
  await add("Subject: empty flags\n\nx\n", "");
  const moved = await add("Subject: moved\n\nx\n");
  await ours.moveToCur(moved);
  expected.set(moved, { ...expected.get(moved)!, subdir: "cur" });
  const flagged = await add("Subject: flagged later\n\nx\n");
  await ours.setFlags(flagged, "DS");
  expected.set(flagged, { ...expected.get(flagged)!, subdir: "cur", flags: "DS" });

  theirsPath = join(dir, "theirs");
  answer = await askPython(dir, {
    write_maildir: {
      path: theirsPath,
      messages: THEIRS.map((m) => ({
        b64: Buffer.from(m.text, "latin1").toString("base64"),
        flags: m.flags,
        subdir: m.subdir,
      })),
    },
    read_maildir: [ours.path, theirsPath],
  });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("Maildir: ours read by Python's mailbox.Maildir", () => {
  it("has the same keys, subfolders, flags and bytes", () => {
    const python = answer.maildir[ours.path]!;
    assert.deepEqual(Object.keys(python).sort(), [...expected.keys()].sort());
    for (const [key, want] of expected) {
      const py = python[key]!;
      assert.equal(py.subdir, want.subdir, key);
      assert.equal(py.flags, want.flags, key);
      assert.deepEqual(fromB64(py.bytes), want.bytes, key);
    }
  });
});

describe("Maildir: Python's read by us", () => {
  it("lists the keys Python gave, in the subfolders and with the flags it set", async () => {
    const keys = answer.maildir_keys!;
    assert.equal(keys.length, THEIRS.length);
    const theirs = await Maildir.open(theirsPath);
    const entries = new Map<string, MaildirEntry>();
    for await (const entry of theirs.list()) entries.set(entry.key, entry);
    assert.deepEqual([...entries.keys()].sort(), [...keys].sort());
    const python = answer.maildir[theirsPath]!;
    for (const [n, key] of keys.entries()) {
      const entry = entries.get(key)!;
      const py = python[key]!;
      assert.equal(entry.subdir, THEIRS[n]!.subdir);
      assert.equal(entry.subdir, py.subdir);
      assert.equal(entry.flags, THEIRS[n]!.flags === null ? "" : [...THEIRS[n]!.flags!].sort().join(""));
      assert.equal(entry.flags, py.flags);
      // Python's own bytes of the message (its generator may have rewritten a Message it was given).
      assert.deepEqual(await theirs.read(key), fromB64(py.bytes));
    }
    // A raw delivery is stored exactly.
    assert.equal((await theirs.read(keys[0]!)).toString("latin1"), THEIRS[0]!.text);
  });

  it("changes flags on Python's messages the way Python would store them", async () => {
    const theirs = await Maildir.open(theirsPath);
    const key = answer.maildir_keys![0]!;
    assert.equal(await theirs.setFlags(key, "SR"), "RS");
    const entry = await theirs.get(key);
    assert.equal(entry.subdir, "cur");
    assert.equal(entry.info, "2,RS");
  });
});
