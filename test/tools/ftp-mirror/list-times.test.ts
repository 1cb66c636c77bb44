// A mirror from a server without MLSD (vsftpd: LIST times to the minute) takes size and time from
// the listing: no SIZE, no MDTM per file; each file carries the listed time, so the next run
// finds the tree unchanged. With resume, a coarse time is asked with MDTM (a .part is compared to
// the second). In CI a missing vsftpd fails the run; elsewhere the test is skipped.
import assert from "node:assert/strict";
import { mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FtpClient } from "../../../src/ftp/client.js";
import { mirrorDown } from "../../../src/tools/ftp-mirror/index.js";
import { type FtpPeer, startFtpPeer, unavailable, usable } from "../../interop/ftp/peers.js";
import { readTree, removeDir, tempDir } from "./fixtures.js";

const TREE: Record<string, string> = { "a.txt": "alpha\n", "d/b.txt": "bravo\n", "d/c.bin": "charlie\n" };

describe("mirror from a LIST-only server (vsftpd)", () => {
  let peer: FtpPeer | undefined;
  const folders: string[] = [];
  before(async () => {
    if (unavailable("vsftpd") !== undefined) return;
    peer = await startFtpPeer("vsftpd");
    await mkdir(join(peer.root, "tree", "d"), { recursive: true });
    for (const [name, text] of Object.entries(TREE)) await writeFile(join(peer.root, "tree", name), text);
  });
  after(async () => {
    await peer?.stop();
    for (const folder of folders) await removeDir(folder);
  });

  /** A client whose commands are counted by verb. */
  async function counted(): Promise<{ client: FtpClient; sent: Map<string, number> }> {
    const sent = new Map<string, number>();
    const client = await FtpClient.connect(`ftp://${peer!.user}@127.0.0.1:${peer!.ports.plain}`, {
      password: peer!.password,
      allowInsecureAuth: true,
      netrc: false,
      onTrace: (event) => {
        if (event.direction !== "send") return;
        const verb = event.text.split(" ")[0]!;
        sent.set(verb, (sent.get(verb) ?? 0) + 1);
      },
    });
    return { client, sent };
  }

  it("stamps each file with its listed time, asks neither SIZE nor MDTM, and a second run is a no-op", async (t) => {
    if (!usable(t, "vsftpd")) return;
    const local = join(await tempDir(), "copy");
    folders.push(local);
    const { client, sent } = await counted();
    try {
      const first = await mirrorDown({ client, remote: "/tree", local, recursive: true });
      assert.deepEqual(first.errors, []);
      assert.equal(first.transferred.files, 3);
      assert.deepEqual(await readTree(local), TREE);
      assert.equal(sent.get("SIZE"), undefined);
      assert.equal(sent.get("MDTM"), undefined);
      const listed = await client.list("/tree");
      const a = listed.find((entry) => entry.name === "a.txt")!;
      assert.equal((await stat(join(local, "a.txt"))).mtime.getTime(), a.modifiedAt!.getTime());
      const exact = await client.modifiedAt("/tree/a.txt");
      assert.ok(exact.getTime() - a.modifiedAt!.getTime() < 60_000, "the listed minute of the real time");
      const second = await mirrorDown({ client, remote: "/tree", local, recursive: true });
      assert.deepEqual(second.plan.actions, [], "nothing to do over an unchanged tree");
      assert.equal(second.plan.unchanged, 3);
    } finally {
      await client.quit();
    }
  });

  it("with resume, asks MDTM for the exact time of each file", async (t) => {
    if (!usable(t, "vsftpd")) return;
    const local = join(await tempDir(), "copy");
    folders.push(local);
    const { client, sent } = await counted();
    try {
      const result = await mirrorDown({ client, remote: "/tree", local, recursive: true, resume: true });
      assert.deepEqual(result.errors, []);
      assert.equal(sent.get("MDTM"), 3);
      assert.equal(sent.get("SIZE"), undefined);
      const exact = await client.modifiedAt("/tree/d/b.txt");
      assert.equal((await stat(join(local, "d", "b.txt"))).mtime.getTime(), exact.getTime());
    } finally {
      await client.quit();
    }
  });
});
