// `inet ftp get --resume` after a connection cut mid-file: the first run keeps NAME.part (and
// never presents it as complete), the second asks the server to restart at its size (REST) and
// fetches only the rest.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type ScriptedSession, startScriptedServer } from "../../../src/servers/index.js";
import { answerEpsv, loginPreamble } from "../../ftp/scripted-ftp.js";
import { cleanup, ftp, summary, tempDir } from "./ftp-fixtures.js";

after(cleanup);

const CONTENT = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
const CUT = 400;

/** SIZE and MDTM of /big.bin, as the client asks before a download. */
async function describeFile(session: ScriptedSession): Promise<void> {
  await session.expectLine("TYPE I");
  await session.sendLine("200 binary");
  await session.expectLine("SIZE /big.bin");
  await session.sendLine(`213 ${CONTENT.length}`);
  await session.expectLine("MDTM /big.bin");
  await session.sendLine("213 20240102030405");
}

describe("inet ftp get --resume", () => {
  it("continues a download cut mid-file from its .part", async () => {
    const dir = await tempDir();
    const target = join(dir, "big.bin");

    await using cut = await startScriptedServer(async (session) => {
      await loginPreamble(session);
      await describeFile(session);
      const data = await answerEpsv(session);
      await session.expectLine("RETR /big.bin");
      await session.sendLine("150 sending");
      // The data connection ends early and the server says the transfer was cut.
      (await data.accepted).end(CONTENT.subarray(0, CUT));
      await session.sendLine("426 Connection closed; transfer aborted");
      await session.expectLine("QUIT");
      await session.sendLine("221 bye");
    });
    const first = await ftp("get", "--resume", `ftp://127.0.0.1:${cut.port}/big.bin`, target);
    assert.notEqual(first.code, 0, "the cut is an error");
    assert.match(first.stderr, /426/);
    assert.ok(!existsSync(target), "never presented as complete");
    assert.equal((await stat(`${target}.part`)).size, CUT);
    assert.deepEqual(cut.sessions[0]?.mismatches, []);

    await using rest = await startScriptedServer(async (session) => {
      await loginPreamble(session);
      await describeFile(session);
      const data = await answerEpsv(session);
      await session.expectLine(`REST ${CUT}`);
      await session.sendLine(`350 restarting at ${CUT}`);
      await session.expectLine("RETR /big.bin");
      await session.sendLine("150 sending the rest");
      (await data.accepted).end(CONTENT.subarray(CUT));
      await session.sendLine("226 done");
      await session.expectLine("QUIT");
      await session.sendLine("221 bye");
    });
    const second = await ftp("get", "--resume", "--json", `ftp://127.0.0.1:${rest.port}/big.bin`, target);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(summary(second).bytes, CONTENT.length - CUT, "only the rest came over the wire");
    assert.deepEqual(await readFile(target), CONTENT);
    assert.ok(!existsSync(`${target}.part`));
    assert.equal((await stat(target)).mtime.toISOString(), "2024-01-02T03:04:05.000Z");
    assert.deepEqual(rest.sessions[0]?.mismatches, []);
  });
});
