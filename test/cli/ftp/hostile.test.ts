// `inet ftp get` and `inet ftp mirror` against a scripted server whose listing holds names that
// would escape the target (`../../x`, `/etc/…`, `..\..\y`, `C:evil`), a terminal escape, and a
// symlink-then-file pair: nothing is written outside DEST, the rest is downloaded, every refusal
// is reported, and no control character reaches the terminal.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type ScriptedSession, startScriptedServer } from "../../../src/servers/index.js";
import { answerEpsv, loginPreamble } from "../../ftp/scripted-ftp.js";
import { cleanup, ftp, readTree, summary, tempDir } from "./ftp-fixtures.js";

after(cleanup);

const line = (name: string, kind = "-rw-r--r--", size = 3) =>
  `${kind} 1 u g ${size} Jan  1 00:00 ${name}\r\n`;

const HOSTILE = [
  line("../../x"),
  line("/etc/inetkit-cli-x"),
  line("a\x1b[2Jb"),
  line("C:evil"),
  line("..\\..\\y"),
  line("link -> /etc", "lrwxrwxrwx", 4),
  line("link"),
  line("ok.txt"),
].join("");

async function serveList(session: ScriptedSession, path: string, body: string): Promise<void> {
  await session.expectLine("TYPE A");
  await session.sendLine("200 ascii");
  const data = await answerEpsv(session);
  await session.expectLine(`LIST ${path}`);
  await session.sendLine("150 here it comes");
  (await data.accepted).end(body);
  await session.sendLine("226 done");
}

async function serveRetr(session: ScriptedSession, path: string, body: string): Promise<void> {
  await session.expectLine("TYPE I");
  await session.sendLine("200 binary");
  const data = await answerEpsv(session);
  await session.expectLine(`RETR ${path}`);
  await session.sendLine("150 sending");
  (await data.accepted).end(body);
  await session.sendLine("226 done");
}

async function goodbye(session: ScriptedSession): Promise<void> {
  await session.expectLine("QUIT");
  await session.sendLine("221 bye");
}

const EXPECTED_REFUSALS = [
  "../../x",
  "..\\..\\y",
  "/etc/inetkit-cli-x",
  "C:evil",
  "a\x1b[2Jb",
  "link",
  "link",
];

function checkClean(stdout: string, stderr: string): void {
  assert.ok(!stdout.includes("\x1b") && !stderr.includes("\x1b"), "no escape character printed");
  assert.match(stderr, /refused the name "a\^\[\[2Jb"|refused the name "a\\u001b\[2Jb"/);
}

describe("hostile listings", () => {
  it("get with a glob: only the safe file, only inside DEST; refusals reported, exit 4", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session, { features: [] });
      await serveList(session, "/x", HOSTILE);
      await serveRetr(session, "/x/ok.txt", "ok\n");
      await goodbye(session);
    });
    const base = await tempDir();
    const dest = join(base, "deep", "dest");
    const run = await ftp("get", `ftp://127.0.0.1:${server.port}/x/*`, dest);
    assert.equal(run.code, 4, run.stderr);
    assert.deepEqual(await readTree(base), { "deep/dest/ok.txt": "ok\n" });
    assert.ok(!existsSync("/etc/inetkit-cli-x"));
    checkClean(run.stdout, run.stderr);
    assert.equal(run.stderr.match(/refused the name/g)?.length, EXPECTED_REFUSALS.length);
    assert.match(run.stderr, /^\/x\/ok\.txt {2}3 B$/m);
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("get --json lists the refusals exactly, escaped", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session, { features: [] });
      await serveList(session, "/x", HOSTILE);
      await serveRetr(session, "/x/ok.txt", "ok\n");
      await goodbye(session);
    });
    const dest = await tempDir();
    const run = await ftp("get", "--json", `ftp://127.0.0.1:${server.port}/x/*`, dest);
    assert.equal(run.code, 4);
    const result = summary(run);
    assert.equal(result.files, 1);
    assert.deepEqual(result.refused.map((refusal) => refusal.name).sort(), EXPECTED_REFUSALS);
    assert.ok(result.refused.every((refusal) => refusal.directory === "/x" && refusal.reason.length > 0));
    assert.ok(!run.stdout.includes("\x1b"));
  });

  it("mirror: the same, through the mirror library", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session, { features: [] });
      await serveList(session, "/x", HOSTILE);
      await serveRetr(session, "/x/ok.txt", "ok\n");
      await goodbye(session);
    });
    const base = await tempDir();
    const dest = join(base, "deep", "dest");
    const run = await ftp("mirror", `ftp://127.0.0.1:${server.port}/x`, dest);
    assert.equal(run.code, 4, run.stderr);
    assert.deepEqual(await readTree(base), { "deep/dest/ok.txt": "ok\n" });
    checkClean(run.stdout, run.stderr);
    assert.equal(run.stderr.match(/refused the name/g)?.length, EXPECTED_REFUSALS.length);
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("mirror --dry-run shows the refusals without writing anything", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session, { features: [] });
      await serveList(session, "/x", HOSTILE);
      await goodbye(session);
    });
    const base = await tempDir();
    const run = await ftp("mirror", "--dry-run", `ftp://127.0.0.1:${server.port}/x`, join(base, "dest"));
    assert.equal(
      run.stdout,
      "get     ok.txt  (missing, 3 B)\nplan: 1 to transfer (3 B), 0 folders to create, 0 to delete, 0 unchanged, 0 skipped, 7 refused\n",
    );
    checkClean(run.stdout, run.stderr);
    assert.deepEqual(await readTree(base), {});
  });
});
