// The two mail stores against one specification: deliver, list, read, flags, remove, events,
// and all-or-nothing delivery (a failing source leaves nothing behind).
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, describe, it } from "node:test";
import { InvalidArgumentError, LimitError } from "../../../src/errors.js";
import { MaildirMailStore } from "../../../src/servers/mail/maildir-store.js";
import { MemoryMailStore } from "../../../src/servers/mail/memory-store.js";
import { checkMailboxName, type MailStore } from "../../../src/servers/mail/store.js";

const work = await mkdtemp(join(tmpdir(), "inetkit-mail-store-"));
after(() => rm(work, { recursive: true, force: true }));

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function* failing(): AsyncGenerator<Buffer> {
  yield Buffer.from("Subject: half\r\n");
  throw new Error("the client went away");
}

let folders = 0;
const kinds: Array<[string, () => Promise<MailStore>]> = [
  ["memory", async () => new MemoryMailStore()],
  ["maildir", () => MaildirMailStore.open(join(work, `store-${folders++}`), { fsync: false })],
];

for (const [kind, open] of kinds) {
  describe(`${kind} mail store`, () => {
    it("delivers one message to several mailboxes, lists and reads it", async () => {
      const store = await open();
      const events: string[] = [];
      const stop = store.onDelivery(({ user, id }) => events.push(`${user}:${id}`));
      const ids = await store.deliver(
        ["alice", "bob", "alice"],
        Readable.from([Buffer.from("Subject: a\r\n\r\n"), Buffer.from("hi\r\n")]),
      );
      assert.deepEqual([...ids.keys()], ["alice", "bob"]);
      assert.deepEqual(events, [`alice:${ids.get("alice")}`, `bob:${ids.get("bob")}`]);
      stop();
      await store.deliver(["alice"], Buffer.from("second\r\n"));
      assert.equal(events.length, 2, "no events after stop()");
      const list = await store.list("alice");
      assert.equal(list.length, 2);
      assert.equal(list[0]!.id, ids.get("alice"), "oldest first");
      assert.equal(list[0]!.size, 18);
      assert.deepEqual(list[0]!.flags, []);
      assert.ok(list[0]!.receivedAt instanceof Date);
      assert.equal(await text(store.read("bob", ids.get("bob")!)), "Subject: a\r\n\r\nhi\r\n");
      assert.equal((await store.readMessage("alice", list[1]!.id)).toString(), "second\r\n");
      assert.deepEqual(await store.mailboxes(), ["alice", "bob"]);
      assert.deepEqual(await store.list("nobody"), []);
    });

    it("sets flags, and removes messages", async () => {
      const store = await open();
      const id = (await store.deliver(["carol"], Buffer.from("x\r\n"))).get("carol")!;
      const flagged = await store.setFlags("carol", id, ["\\Seen", "\\Flagged", "\\Seen"]);
      assert.deepEqual(flagged.flags, ["\\Flagged", "\\Seen"]);
      assert.deepEqual((await store.stat("carol", id)).flags, ["\\Flagged", "\\Seen"]);
      assert.deepEqual((await store.setFlags("carol", id, ["\\Deleted"])).flags, ["\\Deleted"]);
      await assert.rejects(store.setFlags("carol", id, ["\\Recent" as "\\Seen"]), InvalidArgumentError);
      await store.remove("carol", id);
      assert.deepEqual(await store.list("carol"), []);
      await assert.rejects(store.remove("carol", id), InvalidArgumentError);
      await assert.rejects(store.readMessage("carol", id), InvalidArgumentError);
      await assert.rejects(text(store.read("carol", id)), InvalidArgumentError);
    });

    it("keeps nothing when the content fails part way", async () => {
      const store = await open();
      await store.ensureMailbox("dave");
      await assert.rejects(store.deliver(["dave", "erin"], failing()), /went away/);
      assert.deepEqual(await store.list("dave"), []);
      assert.deepEqual(await store.list("erin"), []);
    });

    it("refuses names that cannot be mailboxes", async () => {
      const store = await open();
      for (const bad of ["", "../x", ".hidden", "a/b", "a b", "x".repeat(65)]) {
        await assert.rejects(store.deliver([bad], Buffer.from("x")), InvalidArgumentError, bad);
        assert.throws(() => checkMailboxName(bad), InvalidArgumentError);
      }
      await assert.rejects(store.deliver([], Buffer.from("x")), InvalidArgumentError);
    });
  });
}

describe("memory mail store", () => {
  it("is bounded: a delivery past the limit fails with LimitError and keeps nothing", async () => {
    const store = new MemoryMailStore(100);
    await store.deliver(["a"], Buffer.alloc(60));
    await assert.rejects(
      store.deliver(["a"], Readable.from([Buffer.alloc(30), Buffer.alloc(30)])),
      LimitError,
    );
    assert.equal((await store.list("a")).length, 1);
    assert.equal(store.bytes, 60);
  });
});

describe("Maildir mail store", () => {
  it("writes one Maildir per user (new/ for unseen, cur/:2,FLAGS once flagged)", async () => {
    const root = join(work, "layout");
    const store = await MaildirMailStore.open(root, { fsync: false });
    const id = (await store.deliver(["alice"], Buffer.from("Subject: on disk\r\n\r\nx\r\n"))).get("alice")!;
    assert.deepEqual((await readdir(root)).sort(), ["alice"]);
    assert.deepEqual((await readdir(join(root, "alice"))).sort(), ["cur", "new", "tmp"]);
    assert.deepEqual(await readdir(join(root, "alice", "new")), [id]);
    assert.equal(await readFile(join(root, "alice", "new", id), "utf8"), "Subject: on disk\r\n\r\nx\r\n");
    await store.setFlags("alice", id, ["\\Answered", "\\Seen"]);
    assert.deepEqual(await readdir(join(root, "alice", "cur")), [`${id}:2,RS`]);
    assert.deepEqual(await readdir(join(root, "alice", "tmp")), []);
    // A second store on the same folder sees the same mail (the disk is the truth).
    const again = await MaildirMailStore.open(root);
    assert.deepEqual(
      (await again.list("alice")).map((m) => [m.id, m.flags]),
      [[id, ["\\Answered", "\\Seen"]]],
    );
  });
});
