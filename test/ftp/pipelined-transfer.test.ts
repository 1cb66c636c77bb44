// Transfers after the first one: the command goes out right behind EPSV (before the 229), and
// the data connection is made while the server reads it. What happens when EPSV or the command
// is refused then: the session stays in step and the server's own reply is what the caller sees.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ReplyError } from "../../src/errors.js";
import { FtpClient } from "../../src/ftp/client.js";
import { pooledBuffers } from "../../src/ftp/data.js";
import { type ScriptedSession, startScriptedServer } from "../../src/servers/index.js";
import { answerEpsv, dataPort, loginPreamble } from "./scripted-ftp.js";

const dir = await mkdtemp(join(tmpdir(), "inetkit-ftp-pipelined-"));
after(() => rm(dir, { recursive: true, force: true }));

const KNOWN = { size: 5, modifiedAt: null } as const;

/** The first download of a session: TYPE I, EPSV alone, RETR, five bytes. */
async function firstFile(session: ScriptedSession): Promise<void> {
  await session.expectLine("TYPE I");
  await session.sendLine("200 binary");
  const data = await answerEpsv(session);
  await session.expectLine("RETR a.bin");
  const socket = await data.accepted;
  await session.sendLine("150 here it comes");
  socket.end("first");
  await new Promise((resolve) => socket.once("close", resolve));
  await session.sendLine("226 done");
}

/** The next client line, or "(nothing)" when none comes within a second. */
async function nextLineSoon(session: ScriptedSession): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("(nothing)"), 1000);
  });
  try {
    return await Promise.race([session.readLine(), silence]);
  } finally {
    clearTimeout(timer);
  }
}

async function pwdWorks(session: ScriptedSession): Promise<void> {
  await session.expectLine("PWD");
  await session.sendLine('257 "/" is the current directory');
  await session.expectLine("QUIT");
  await session.sendLine("221 bye");
}

describe("pipelined transfers", () => {
  it("sends the next transfer command behind EPSV, before the 229", async () => {
    let second = "";
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session);
      await firstFile(session);
      await session.expectLine("EPSV");
      second = await nextLineSoon(session);
      const data = await dataPort();
      await session.sendLine(`229 Entering Extended Passive Mode (|||${data.port}|)`);
      const socket = await data.accepted;
      await session.sendLine("150 here it comes");
      socket.end("again");
      await new Promise((resolve) => socket.once("close", resolve));
      await session.sendLine("226 done");
      await pwdWorks(session);
    });
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    await ftp.download("a.bin", join(dir, "a.bin"), { known: KNOWN });
    await ftp.download("b.bin", join(dir, "b.bin"), { known: KNOWN });
    assert.equal(await ftp.pwd(), "/");
    await ftp.quit();
    assert.equal(second, "RETR b.bin", server.transcript());
    assert.equal(await readFile(join(dir, "b.bin"), "utf8"), "again");
    const session = await server.session(0);
    await session.done;
    assert.deepEqual(session.mismatches, [], server.transcript());
  });

  it("an EPSV refused after all: the command's reply is read too, the EPSV error thrown", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session);
      await firstFile(session);
      await session.expectLine("EPSV");
      await session.expectLine("RETR b.bin");
      await session.sendLine("425 Cannot open a passive port");
      await session.sendLine("425 Use PORT or PASV first.");
      await pwdWorks(session);
    });
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    await ftp.download("a.bin", join(dir, "a2.bin"), { known: KNOWN });
    await assert.rejects(
      ftp.download("b.bin", join(dir, "b2.bin"), { known: KNOWN }),
      (error: unknown) =>
        error instanceof ReplyError && error.status === 425 && /passive/.test(error.message),
    );
    assert.equal(await ftp.pwd(), "/", "the session is still in step");
    await ftp.quit();
    const session = await server.session(0);
    await session.done;
    assert.deepEqual(session.mismatches, [], server.transcript());
  });

  it("a command refused while its data connection is being made: the server's reply is the error", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session);
      await firstFile(session);
      await session.expectLine("EPSV");
      await session.expectLine("RETR missing.bin");
      // A port nobody listens on any more: the early connect fails, the 550 still arrives.
      const data = await dataPort();
      data.server.close();
      await session.sendLine(`229 Entering Extended Passive Mode (|||${data.port}|)`);
      await session.sendLine("550 Failed to open file.");
      await pwdWorks(session);
    });
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    await ftp.download("a.bin", join(dir, "a3.bin"), { known: KNOWN });
    await assert.rejects(
      ftp.download("missing.bin", join(dir, "m.bin"), { known: KNOWN }),
      (error: unknown) => error instanceof ReplyError && error.status === 550,
    );
    assert.equal(await ftp.pwd(), "/");
    await ftp.quit();
    const session = await server.session(0);
    await session.done;
    assert.deepEqual(session.mismatches, [], server.transcript());
  });
});

describe("the first transfer of a session", () => {
  it("sends nothing until its data connection is up: a refused connect costs no command", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session);
      await session.expectLine("TYPE I");
      await session.sendLine("200 binary");
      await session.expectLine("EPSV");
      const data = await dataPort();
      data.server.close();
      await session.sendLine(`229 Entering Extended Passive Mode (|||${data.port}|)`);
      // No RETR (nor anything to abort): the next line is the client's next command.
      await pwdWorks(session);
    });
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    await assert.rejects(ftp.download("a.bin", join(dir, "never.bin"), { known: KNOWN }));
    assert.equal(await ftp.pwd(), "/");
    await ftp.quit();
    const session = await server.session(0);
    await session.done;
    assert.deepEqual(session.mismatches, [], server.transcript());
  });
});

describe("pooledBuffers", () => {
  it("reads small files through a bare socket and sizes the pool to the file below a MiB", () => {
    assert.deepEqual(pooledBuffers(0), { quick: true });
    assert.deepEqual(pooledBuffers(4096), { quick: true });
    assert.deepEqual(pooledBuffers(256 * 1024), { quick: true });
    assert.deepEqual(pooledBuffers(256 * 1024 + 1), { bufferSize: 512 * 1024, buffers: 2 });
    assert.deepEqual(pooledBuffers(1024 * 1024 - 1), { bufferSize: 1024 * 1024, buffers: 2 });
    assert.deepEqual(pooledBuffers(1024 * 1024), {});
    assert.deepEqual(pooledBuffers(undefined), {});
    assert.deepEqual(pooledBuffers(64 * 1024 * 1024 - 1), {});
    assert.deepEqual(pooledBuffers(64 * 1024 * 1024), { bufferSize: 4 * 1024 * 1024, buffers: 3 });
  });
});
