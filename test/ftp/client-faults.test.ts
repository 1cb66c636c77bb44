// FtpClient against scripted servers: exact command transcripts, TLS negotiation, and the faults
// the FTP issue names (mid-transfer close, 226 before/after EOF, PASV elsewhere, no data
// connection, REST refused, malformed replies, oversized replies, hostile listing names).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  ConnectionClosedError,
  InvalidArgumentError,
  LimitError,
  ProtocolError,
  ReplyError,
  TimeoutError,
  TlsError,
} from "../../src/errors.js";
import { FtpClient } from "../../src/ftp/client.js";
import { startScriptedServer, testCertificates } from "../../src/servers/index.js";
import { answerEpsv, loginPreamble } from "./scripted-ftp.js";

const certs = testCertificates();
const dir = await mkdtemp(join(tmpdir(), "inetkit-ftp-"));
after(() => rm(dir, { recursive: true, force: true }));

describe("FtpClient against scripted servers", () => {
  it("logs in anonymously, reads FEAT, and says exactly what the transcript expects", async () => {
    await using server = await startScriptedServer(`
      S: 220 hello
      C: USER anonymous
      S: 331 any password
      C: /^PASS anonymous@$/
      S: 230 ok
      C: FEAT
      S: 211-Features:
      S:  UTF8
      S:  MLST type*;size*;
      S: 211 End
      C: OPTS UTF8 ON
      S: 200 ok
      C: PWD
      S: 257 "/pub" is current
      C: QUIT
      S: 221 bye
    `);
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    assert.equal(await ftp.pwd(), "/pub");
    assert.ok(ftp.session.features.has("MLST"));
    await ftp.quit();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("refuses to send a password over plain FTP without allowInsecureAuth, before PASS is written", async () => {
    await using server = await startScriptedServer(`
      S: 220 hello
      C: USER alice
      S: 331 password please
      stall
    `);
    await assert.rejects(
      FtpClient.connect(`ftp://alice:secret@127.0.0.1:${server.port}`, { netrc: false }),
      (error: unknown) =>
        error instanceof TlsError && error.reason === "insecure-auth" && !error.message.includes("secret"),
    );
    assert.ok(!server.transcript().includes("PASS"));
  });

  it("negotiates AUTH TLS, then sends PBSZ 0 and PROT P without being asked", async () => {
    await using server = await startScriptedServer(`
      S: 220 hello
      C: AUTH TLS
      S: 234 go ahead
      TLS
      C: PBSZ 0
      S: 200 ok
      C: PROT P
      S: 200 ok
      C: USER alice
      S: 331 password please
      C: PASS hunter2
      S: 230 ok
      C: FEAT
      S: 502 no
      C: QUIT
      S: 221 bye
    `);
    const ftp = await FtpClient.connect(`ftpes://alice:hunter2@127.0.0.1:${server.port}`, {
      tls: { ca: certs.ca.cert },
      netrc: false,
    });
    assert.equal(ftp.session.dataProtected, true);
    assert.equal(ftp.session.tls?.authorized, true);
    await ftp.quit();
    assert.deepEqual(server.sessions[0]?.mismatches, []);
  });

  it("fails closed when AUTH TLS is refused: no USER or PASS goes out", async () => {
    await using server = await startScriptedServer(`
      S: 220 hello
      C: AUTH TLS
      S: 534 not available
      stall
    `);
    await assert.rejects(
      FtpClient.connect(`ftpes://alice:hunter2@127.0.0.1:${server.port}`, { netrc: false }),
      (error: unknown) => error instanceof ReplyError && error.status === 534,
    );
    assert.ok(!/USER|PASS/.test(server.transcript()));
  });

  it("fails closed on bytes injected after the AUTH TLS go-ahead", async () => {
    await using server = await startScriptedServer(`
      S: 220 hello
      C: AUTH TLS
      S: 234 go ahead
      inject 230 fake login\\r\\n
      stall
    `);
    await assert.rejects(
      FtpClient.connect(`ftpes://127.0.0.1:${server.port}`, { tls: { ca: certs.ca.cert } }),
      (error: unknown) => error instanceof ProtocolError && error.reason === "data-after-starttls",
    );
  });

  it("rejects `257` without a closing quote", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session);
      await session.expectLine("PWD");
      await session.sendLine('257 "Only one');
      await session.stall();
    });
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    await assert.rejects(ftp.pwd(), ProtocolError);
    ftp.close();
  });

  it("fails with LimitError on a 1 MB reply line", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session);
      await session.expectLine("PWD");
      await session.send(`257 "${"a".repeat(1024 * 1024)}"\r\n`);
      await session.stall();
    });
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    await assert.rejects(ftp.pwd(), LimitError);
    ftp.close();
  });

  it("downloads to a path through .part and renames only when complete", async () => {
    const body = Buffer.from("hello, ftp\n".repeat(1000));
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session);
      await session.expectLine("TYPE I");
      await session.sendLine("200 binary");
      await session.expectLine("SIZE /f.txt");
      await session.sendLine(`213 ${body.length}`);
      await session.expectLine("MDTM /f.txt");
      await session.sendLine("213 20240131120000");
      const data = await answerEpsv(session);
      await session.expectLine("RETR /f.txt");
      // 226 before the data: the client must still wait for the end of the data.
      await session.sendLine("150 here it comes");
      await session.sendLine("226 done");
      const socket = await data.accepted;
      socket.end(body);
      await session.stall();
    });
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    const target = join(dir, "f.txt");
    const progress: number[] = [];
    const result = await ftp.download("/f.txt", target, { onProgress: (p) => progress.push(p.bytes) });
    assert.equal(result.bytes, body.length);
    assert.deepEqual(await readFile(target), body);
    assert.ok(!existsSync(`${target}.part`));
    assert.equal(progress.at(-1), body.length);
    ftp.close();
  });

  it("ignores the address in a PASV reply and dials the control peer", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session, { features: ["REST STREAM"] });
      await session.expectLine("TYPE I");
      await session.sendLine("200 binary");
      await session.expectLine("EPSV");
      await session.sendLine("500 EPSV? never heard of it");
      await session.expectLine("PASV");
      const { dataPort } = await import("./scripted-ftp.js");
      const data = await dataPort();
      const p1 = data.port >> 8;
      const p2 = data.port & 255;
      // 10.0.0.1 is not ours: a client that trusted it would try to connect elsewhere.
      await session.sendLine(`227 Entering Passive Mode (10,0,0,1,${p1},${p2})`);
      await session.expectLine("RETR x");
      await session.sendLine("150 ok");
      const socket = await data.accepted;
      assert.equal(socket.remoteAddress, "127.0.0.1");
      socket.end("abc");
      await session.sendLine("226 done");
      await session.stall();
    });
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`, { netrc: false });
    const chunks: Buffer[] = [];
    const sink = new (await import("node:stream")).PassThrough();
    sink.on("data", (c: Buffer) => chunks.push(c));
    await ftp.download("x", sink);
    assert.equal(Buffer.concat(chunks).toString(), "abc");
    ftp.close();
  });

  it("rejects a PASV reply with an octet over 255 without connecting", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session, { features: ["REST STREAM"] });
      await session.expectLine("TYPE I");
      await session.sendLine("200 binary");
      await session.expectLine("EPSV");
      await session.sendLine("502 no");
      await session.expectLine("PASV");
      await session.sendLine("227 Entering Passive Mode (1216,256,2,127,127,127)");
      await session.stall();
    });
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    await assert.rejects(ftp.download("x", join(dir, "never")), ProtocolError);
    assert.ok(!existsSync(join(dir, "never")));
    ftp.close();
  });

  it("reports a server that closes mid-RETR, and leaves no final file", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session);
      await session.expectLine("TYPE I");
      await session.sendLine("200 binary");
      await session.expectLine("SIZE big");
      await session.sendLine("213 100000");
      await session.expectLine("MDTM big");
      await session.sendLine("550 no time");
      const data = await answerEpsv(session);
      await session.expectLine("RETR big");
      await session.sendLine("150 ok");
      const socket = await data.accepted;
      socket.write(Buffer.alloc(5000, 1));
      await session.delay(20);
      session.destroy();
      socket.destroy();
    });
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    const target = join(dir, "big");
    await assert.rejects(ftp.download("big", target), (error: unknown) => {
      return (
        error instanceof ConnectionClosedError ||
        error instanceof ProtocolError ||
        error instanceof ReplyError
      );
    });
    assert.ok(!existsSync(target), "the final name was never created");
    assert.ok(!existsSync(`${target}.part`), "without resume the partial file is removed");
  });

  it("names the data phase when 150 comes and the data connection never does (active mode)", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session, { features: ["REST STREAM"] });
      await session.expectLine("TYPE I");
      await session.sendLine("200 binary");
      await session.expectLine(/^EPRT \|1\|127\.0\.0\.1\|\d+\|$/);
      await session.sendLine("200 ok");
      await session.expectLine("RETR x");
      await session.sendLine("150 opening");
      await session.stall();
    });
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`, {
      mode: "active",
      timeouts: { data: 200 },
    });
    const sink = new (await import("node:stream")).PassThrough();
    await assert.rejects(
      ftp.download("x", sink),
      (error: unknown) => error instanceof TimeoutError && error.phase === "data",
    );
    ftp.close();
  });

  it("refuses to resume when the server refuses REST, and keeps the part", async () => {
    const target = join(dir, "resume.bin");
    await writeFile(`${target}.part`, Buffer.alloc(10, 1));
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session);
      await session.expectLine("TYPE I");
      await session.sendLine("200 binary");
      await session.expectLine("SIZE resume.bin");
      await session.sendLine("213 20");
      await session.expectLine("MDTM resume.bin");
      await session.sendLine("550 no");
      await answerEpsv(session);
      await session.expectLine("REST 10");
      await session.sendLine("502 REST not implemented");
      await session.stall();
    });
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    await assert.rejects(
      ftp.download("resume.bin", target, { resume: true }),
      (error: unknown) => error instanceof ProtocolError && error.reason === "rest-refused",
    );
    assert.ok(existsSync(`${target}.part`), "the partial file stays for a later resume");
    assert.ok(!existsSync(target));
    ftp.close();
  });

  it("bounds a LIST that never ends", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session, { features: [] });
      await session.expectLine("TYPE A");
      await session.sendLine("200 ascii");
      const data = await answerEpsv(session);
      await session.expectLine("LIST");
      await session.sendLine("150 here comes a long one");
      const socket = await data.accepted;
      const line = Buffer.from(
        "-rw-r--r--    1 ftp      ftp             1 Jan 31 12:00 file\r\n".repeat(1000),
      );
      const pump = () => {
        while (!socket.destroyed && socket.write(line)) {}
        if (!socket.destroyed) socket.once("drain", pump);
      };
      pump();
      await session.expectLine("ABOR");
      socket.destroy();
      await session.expectLine("NOOP");
      await session.sendLine("426 aborted");
      await session.sendLine("226 abort done");
      await session.sendLine("200 noop");
      await session.expectLine("PWD");
      await session.sendLine('257 "/" still here');
      await session.stall();
    });
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`, { maxListingBytes: 1024 * 1024 });
    await assert.rejects(
      ftp.list(),
      (error: unknown) => error instanceof LimitError && error.limit === 1024 * 1024,
    );
    assert.equal(await ftp.pwd(), "/", "ABOR put the control connection back in step");
    ftp.close();
  });

  it("returns hostile names in a listing as data, untouched", async () => {
    const names = ["../../etc/passwd", "a/b", "evil\x1b[2Jname", "..", "."];
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session, { features: [] });
      await session.expectLine("TYPE A");
      await session.sendLine("200 ascii");
      const data = await answerEpsv(session);
      await session.expectLine("LIST /x");
      await session.sendLine("150 ok");
      const socket = await data.accepted;
      socket.end(
        names.map((n) => `-rw-r--r--    1 ftp      ftp             1 Jan 31 12:00 ${n}\r\n`).join(""),
      );
      // 226 long after the data ended: the client waits for it.
      await session.delay(300);
      await session.sendLine("226 done");
      await session.stall();
    });
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    const entries = await ftp.list("/x");
    assert.deepEqual(
      entries.map((e) => e.name),
      ["../../etc/passwd", "a/b", "evil\x1b[2Jname"],
      "only . and .. are left out; everything else is the tools' to judge",
    );
    ftp.close();
  });

  it("refuses CR/LF in a path before anything is sent", async () => {
    await using server = await startScriptedServer(async (session) => {
      await loginPreamble(session);
      await session.stall();
    });
    const ftp = await FtpClient.connect(`ftp://127.0.0.1:${server.port}`);
    await assert.rejects(ftp.remove("a\r\nPORT 10,0,0,1,0,22"), InvalidArgumentError);
    await assert.rejects(ftp.cd("x\0y"), InvalidArgumentError);
    assert.ok(!server.transcript().includes("DELE"));
    ftp.close();
  });
});
