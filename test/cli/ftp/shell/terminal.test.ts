// The shell on a (pretend) terminal, in-process: Tab completion, history across sessions with
// passwords masked, Ctrl-C at the prompt and during a transfer, Ctrl-D to leave.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, beforeEach, describe, it } from "node:test";
import { quoteWord } from "../../../../src/cli/commands/ftp/shell/words.js";
import { startScriptedServer } from "../../../../src/servers/index.js";
import { answerEpsv, loginPreamble } from "../../../ftp/scripted-ftp.js";
import { cleanup, HOME, readTree, serveTree, tempDir } from "../ftp-fixtures.js";
import { KEY, plain, startTtyShell } from "./tty.js";

const HISTORY = join(HOME, "state", "inetkit", "ftp-history");

describe("inet ftp shell on a terminal", () => {
  beforeEach(async () => {
    await rm(HISTORY, { force: true });
  });
  after(cleanup);

  it("completes names with Tab and recalls history, masked, across sessions", async () => {
    const { server, url, aliceUrl } = await serveTree({
      "pub/readme.txt": "read me\n",
      "pub/release notes.txt": "notes\n",
    });
    try {
      const local = await tempDir();
      const sh = startTtyShell(["ftp", "shell", `${url}/`]);
      await sh.waitFor(/ftp 127\.0\.0\.1:\/> $/);
      let from = sh.mark();
      sh.type(`lcd ${quoteWord(local)}${KEY.enter}`);
      await sh.waitFor(/local folder: .*\n.*ftp 127\.0\.0\.1:\/> $/, from);

      from = sh.mark();
      sh.type(`cd p${KEY.tab}`);
      await sh.waitFor(/cd pub\/$/, from);
      sh.type(KEY.enter);
      await sh.waitFor(/ftp 127\.0\.0\.1:\/pub> $/, from);

      from = sh.mark();
      sh.type(`get rel${KEY.tab}`);
      await sh.waitFor(/get release\\ notes\.txt $/, from);
      sh.type(KEY.enter);
      await sh.waitFor(/ftp 127\.0\.0\.1:\/pub> $/, from);
      assert.deepEqual(await readTree(local), { "release notes.txt": "notes\n" });

      // A password typed in a URL is never written to the history, nor recalled.
      from = sh.mark();
      sh.type(`open --insecure ${aliceUrl}/pub${KEY.enter}`);
      await sh.waitFor(/connected to ftp:\/\/alice@.*\n.*ftp 127\.0\.0\.1:\/pub> $/, from);
      from = sh.mark();
      sh.type(KEY.up);
      await sh.waitFor(/open --insecure ftp:\/\/alice@127\.0\.0\.1:\d+\/pub$/, from);
      assert.ok(!plain(sh.stdout.text()).slice(from).includes("secret"), "the recalled line has no password");
      // Ctrl-C at the prompt drops the line and prompts again, like bash.
      sh.type(KEY.ctrlC);
      await sh.waitFor(/\^C\n.*ftp 127\.0\.0\.1:\/pub> $/, from);
      sh.type(KEY.ctrlD);
      assert.equal(await sh.exited, 0, sh.stderr.text());

      const history = await readFile(HISTORY, "utf8");
      assert.equal(
        history,
        `lcd ${quoteWord(local)}\ncd pub/\nget release\\ notes.txt\nopen --insecure ${aliceUrl.replace(":secret", "")}/pub\n`,
      );
      assert.equal((await stat(HISTORY)).mode & 0o777, 0o600);

      // The next session starts with that history: ↑ brings back the newest line.
      const next = startTtyShell(["ftp", "shell"]);
      await next.waitFor(/ftp> $/);
      from = next.mark();
      next.type(KEY.up);
      await next.waitFor(/ftp> open --insecure ftp:\/\/alice@127\.0\.0\.1:\d+\/pub$/, from);
      next.type(KEY.up);
      await next.waitFor(/ftp> get release\\ notes\.txt$/, from);
      next.type(`${KEY.ctrlU}quit${KEY.enter}`);
      assert.equal(await next.exited, 0, next.stderr.text());
    } finally {
      await server.close();
    }
  });

  it("completes from a cached listing, refreshed after a command changes the remote side", async () => {
    const { server, root, aliceUrl } = await serveTree({ "pub/old.txt": "x" });
    try {
      const sh = startTtyShell(["ftp", "shell", "--insecure", `${aliceUrl}/pub`]);
      await sh.waitFor(/ftp 127\.0\.0\.1:\/pub> $/);
      let from = sh.mark();
      sh.type(`get o${KEY.tab}`);
      await sh.waitFor(/get old\.txt $/, from);
      // Someone else creates a file: this session's cached listing does not know it yet, so
      // `o` still completes to the one name it knew…
      await writeFile(join(root, "pub", "other.txt"), "y");
      from = sh.mark();
      sh.type(`${KEY.ctrlU}get o${KEY.tab}`);
      await sh.waitFor(/get old\.txt $/, from);
      // …but after a change made through the session, the listing is read again.
      sh.type(`${KEY.ctrlU}mkdir fresh${KEY.enter}`);
      await sh.waitFor(/ftp 127\.0\.0\.1:\/pub> $/, from);
      from = sh.mark();
      sh.type(`get ot${KEY.tab}`);
      await sh.waitFor(/get other\.txt $/, from);
      sh.type(`${KEY.ctrlU}cd fr${KEY.tab}`);
      await sh.waitFor(/cd fresh\/$/, from);
      sh.type(KEY.enter);
      await sh.waitFor(/ftp 127\.0\.0\.1:\/pub\/fresh> $/, from);
      sh.type(KEY.ctrlD);
      assert.equal(await sh.exited, 0, sh.stderr.text());
    } finally {
      await server.close();
    }
  });

  it("Ctrl-C during a transfer aborts it and returns to the prompt, the connection still usable", async () => {
    let sending!: () => void;
    const transferring = new Promise<void>((resolve) => {
      sending = resolve;
    });
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session);
      await session.expectLine("PWD");
      await session.sendLine('257 "/" is the current folder');
      await session.expectLine("TYPE I");
      await session.sendLine("200 binary");
      await session.expectLine("SIZE big.bin");
      await session.sendLine("213 1000000");
      await session.expectLine("MDTM big.bin");
      await session.sendLine("213 20240131120000");
      const data = await answerEpsv(session);
      await session.expectLine("RETR big.bin");
      await session.sendLine("150 here it comes, slowly");
      const socket = await data.accepted;
      socket.write(Buffer.alloc(4096), () => sending());
      // …and nothing more until the client gives up.
      await session.expectLine("ABOR");
      socket.destroy();
      await session.sendLine("426 transfer aborted");
      await session.sendLine("226 abort done");
      await session.expectLine("NOOP");
      await session.sendLine("200 ok");
      await session.expectLine("PWD");
      await session.sendLine('257 "/" still here');
      await session.expectLine("QUIT");
      await session.sendLine("221 bye");
    });
    const local = await tempDir();
    const sh = startTtyShell(["ftp", "shell", server.url("ftp")]);
    await sh.waitFor(/ftp 127\.0\.0\.1:\/> $/);
    let from = sh.mark();
    sh.type(`lcd ${quoteWord(local)}${KEY.enter}`);
    await sh.waitFor(/ftp 127\.0\.0\.1:\/> $/, from);
    from = sh.mark();
    sh.type(`get big.bin${KEY.enter}`);
    // The command owns the terminal while it runs (raw mode: Ctrl-C arrives as a byte).
    await transferring;
    assert.equal(sh.stdin.isRaw, true);
    sh.type(KEY.ctrlC);
    await sh.waitFor(/ftp 127\.0\.0\.1:\/> $/, from);
    assert.match(sh.stderr.text(), /^inet: interrupted$/m);
    assert.equal(existsSync(join(local, "big.bin")), false);
    assert.equal(existsSync(join(local, "big.bin.part")), false);
    from = sh.mark();
    sh.type(`pwd${KEY.enter}`);
    await sh.waitFor(/^\/\n.*ftp 127\.0\.0\.1:\/> $/m, from);
    sh.type(KEY.ctrlD);
    assert.equal(await sh.exited, 130, "the interrupted command was the last to fail");
  });
});
