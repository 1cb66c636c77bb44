// download(…, { known }): what a listing already told replaces the SIZE and MDTM round trips, and
// the known size is still the count the download must reach.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ProtocolError } from "../../src/errors.js";
import { FtpClient } from "../../src/ftp/client.js";
import { startScriptedServer } from "../../src/servers/index.js";
import { answerEpsv, loginPreamble } from "./scripted-ftp.js";

const dir = await mkdtemp(join(tmpdir(), "inetkit-ftp-known-"));
after(() => rm(dir, { recursive: true, force: true }));

/** A server that expects TYPE I, EPSV and RETR only (a SIZE or MDTM fails the script), and sends `body`. */
function retrOnly(body: Buffer) {
  return startScriptedServer(async (session) => {
    await loginPreamble(session);
    await session.expectLine("TYPE I");
    await session.sendLine("200 binary");
    const data = await answerEpsv(session);
    await session.expectLine("RETR a.bin");
    await session.sendLine("150 here it comes");
    const socket = await data.accepted;
    socket.end(body);
    await new Promise((resolve) => socket.once("close", resolve));
    await session.sendLine("226 done");
    await session.expectLine("QUIT");
    await session.sendLine("221 bye");
  });
}

describe("download with known size and time", () => {
  it("sends neither SIZE nor MDTM, and stamps the file with the known time", async () => {
    const body = Buffer.alloc(3000, 7);
    await using server = await retrOnly(body);
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    const when = new Date("2024-05-06T07:08:09Z");
    const target = join(dir, "a.bin");
    const result = await ftp.download("a.bin", target, { known: { size: 3000, modifiedAt: when } });
    await ftp.quit();
    assert.equal(result.bytes, 3000);
    assert.deepEqual(await readFile(target), body);
    assert.equal((await stat(target)).mtime.getTime(), when.getTime());
    const session = await server.session(0);
    await session.done;
    assert.deepEqual(session.mismatches, [], server.transcript());
  });

  it("refuses a transfer shorter than the known size and leaves no final file", async () => {
    await using server = await retrOnly(Buffer.alloc(1000, 1));
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    const target = join(dir, "short.bin");
    await assert.rejects(
      ftp.download("a.bin", target, { known: { size: 3000, modifiedAt: null } }),
      (error: unknown) => error instanceof ProtocolError,
    );
    assert.ok(!existsSync(target));
    await ftp.quit();
  });
});
