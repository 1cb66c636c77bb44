// Smoke tests for the real FTP peers: vsftpd and ProFTPD start on loopback and answer real
// clients (curl, lftp, Python's ftplib) on their plain, explicit-TLS and implicit-TLS listeners,
// with the test CA trusted and verification on. In CI a missing peer or client fails the test;
// elsewhere it is skipped with the reason (docs/interop.md says how to install them).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { isAlive } from "./peer-process.js";
import { type FtpPeer, type PeerName, pythonPath, startFtpPeer, unavailable, usable } from "./peers.js";

const run = promisify(execFile);
const CLIENT_TIMEOUT = 20_000;

/** Runs a client program; its stdout. A failure carries the program's stderr in the message. */
async function client(program: string, args: string[]): Promise<string> {
  const { stdout } = await run(program, args, { timeout: CLIENT_TIMEOUT, maxBuffer: 16 << 20 });
  return stdout;
}

function curl(peer: FtpPeer, ...args: string[]): Promise<string> {
  return client("curl", ["-sS", "--max-time", "15", "--user", `${peer.user}:${peer.password}`, ...args]);
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Names from `ls -l` style lines (the last field; the smoke files have no spaces). */
function namesOf(listing: string): string[] {
  return listing
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "")
    .map((line) => line.trim().split(/\s+/).at(-1) ?? "");
}

const PLAIN_FTPLIB = `
import ftplib, json, sys
host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ftp = ftplib.FTP()
ftp.connect(host, port, timeout=10)
ftp.login(user, password)
names = ftp.nlst()
chunks = []
ftp.retrbinary("RETR hello.txt", chunks.append)
ftp.quit()
print(json.dumps({"names": names, "hello": b"".join(chunks).decode()}))
`;

// Control connection only: stock FTP_TLS does not resume the TLS session on data connections,
// which both peers require, so its transfers fail by design (docs/interop.md).
const FTP_TLS_CONTROL = `
import ftplib, json, ssl, sys
host, port, user, password, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ftp = ftplib.FTP_TLS(context=ssl.create_default_context(cafile=cafile))
ftp.connect(host, port, timeout=10)
ftp.login(user, password)
ftp.prot_p()
print(json.dumps({"pwd": ftp.pwd(), "version": ftp.sock.version()}))
ftp.quit()
`;

const HELLO = "hello from inetkit\n";

for (const name of ["vsftpd", "proftpd"] as const satisfies readonly PeerName[]) {
  describe(`${name} peer`, () => {
    let peer: FtpPeer | undefined;
    let local = "";

    before(async () => {
      local = mkdtempSync(join(tmpdir(), "inetkit-peer-client-"));
      // Nothing to start when it is missing: each test then fails (CI) or skips with the reason.
      if (unavailable(name) !== undefined) return;
      peer = await startFtpPeer(name);
      writeFileSync(join(peer.root, "hello.txt"), HELLO);
    });

    after(async () => {
      await peer?.stop();
      if (local) rmSync(local, { recursive: true, force: true });
    });

    /** The running peer when it and `clients` are usable; undefined after a (non-CI) skip. */
    function ready(t: { skip(message?: string): void }, ...clients: ("curl" | "lftp" | "python3")[]) {
      if (!usable(t, name, ...clients)) return undefined;
      assert.ok(peer, `${name} did not start`);
      return peer;
    }

    it("greets on all listeners and reports its processes", (t) => {
      const p = ready(t);
      if (!p) return;
      assert.equal(p.ports.explicitTls, p.ports.plain);
      assert.notEqual(p.ports.implicitTls, p.ports.plain);
      assert.ok(p.pids().length >= 1);
      assert.match(p.ca, /BEGIN CERTIFICATE/);
      assert.equal(readFileSync(p.caFile, "utf8"), p.ca);
    });

    it("plain FTP: curl logs in and lists the root", async (t) => {
      const p = ready(t, "curl");
      if (!p) return;
      const listing = await curl(p, `ftp://${p.host}:${p.ports.plain}/`);
      assert.ok(namesOf(listing).includes("hello.txt"), listing);
    });

    it("active mode: curl lists over EPRT/PORT", async (t) => {
      const p = ready(t, "curl");
      if (!p) return;
      // Plain only: curl 7.88's active mode over TLS is broken on the client side.
      const listing = await curl(p, "--ftp-port", "127.0.0.1", `ftp://${p.host}:${p.ports.plain}/`);
      assert.ok(namesOf(listing).includes("hello.txt"), listing);
    });

    it("explicit FTPS: curl --ssl-reqd lists, uploads and downloads 1 MiB intact", async (t) => {
      const p = ready(t, "curl");
      if (!p) return;
      const base = `ftp://${p.host}:${p.ports.explicitTls}/`;
      const tls = ["--ssl-reqd", "--cacert", p.caFile];
      assert.ok(namesOf(await curl(p, ...tls, base)).includes("hello.txt"));

      const data = randomBytes(1 << 20);
      const source = join(local, `${name}-up.bin`);
      writeFileSync(source, data);
      // vsftpd 3.0.3 loses the tail of TLS 1.3 uploads from clients that close the data
      // connection without reading its session tickets (curl does; docs/interop.md), so curl
      // uploads to it over TLS 1.2. ProFTPD 1.3.8 copes, and gets TLS 1.3.
      const version = name === "vsftpd" ? ["--tls-max", "1.2"] : [];
      await curl(p, ...tls, ...version, "--upload-file", source, `${base}upload.bin`);
      assert.equal(sha256(readFileSync(join(p.root, "upload.bin"))), sha256(data));

      const target = join(local, `${name}-down.bin`);
      await curl(p, ...tls, "--output", target, `${base}upload.bin`);
      assert.equal(sha256(readFileSync(target)), sha256(data));
    });

    it("implicit FTPS: curl lists over ftps://", async (t) => {
      const p = ready(t, "curl");
      if (!p) return;
      const listing = await curl(p, "--cacert", p.caFile, `ftps://${p.host}:${p.ports.implicitTls}/`);
      assert.ok(namesOf(listing).includes("hello.txt"), listing);
    });

    it("lftp lists over AUTH TLS with PROT P, trusting the test CA", async (t) => {
      const p = ready(t, "lftp");
      if (!p) return;
      const script = [
        `set ssl:ca-file "${p.caFile}"`,
        "set ssl:verify-certificate yes",
        "set ftp:ssl-force yes",
        "set ftp:ssl-protect-data yes",
        "set net:max-retries 1",
        "set net:timeout 10",
        `open -u ${p.user},${p.password} -p ${p.ports.explicitTls} ${p.host}`,
        "cls -1",
      ].join("; ");
      const names = (await client("lftp", ["-c", script])).split(/\r?\n/);
      assert.ok(names.includes("hello.txt"), names.join("\n"));
    });

    it("Python ftplib: plain login, NLST and RETR", async (t) => {
      const p = ready(t, "python3");
      if (!p) return;
      const args = ["-c", PLAIN_FTPLIB, p.host, String(p.ports.plain), p.user, p.password];
      const result = JSON.parse(await client(pythonPath()!, args)) as { names: string[]; hello: string };
      assert.ok(result.names.includes("hello.txt"), result.names.join(", "));
      assert.equal(result.hello, HELLO);
    });

    it("Python FTP_TLS: verified AUTH TLS login and PROT P on the control connection", async (t) => {
      const p = ready(t, "python3");
      if (!p) return;
      const args = ["-c", FTP_TLS_CONTROL, p.host, String(p.ports.explicitTls), p.user, p.password, p.caFile];
      const result = JSON.parse(await client(pythonPath()!, args)) as { pwd: string; version: string };
      assert.equal(result.pwd, "/");
      assert.match(result.version, /^TLSv1\.[23]$/);
    });

    it("stop() kills the listeners and their sessions and removes the folder", async (t) => {
      const p = ready(t);
      if (!p) return;
      const listeners = name === "vsftpd" ? 2 : 1; // vsftpd runs one process per listener
      // An idle session: its process must die with the peer.
      const socket = connect({ host: p.host, port: p.ports.plain });
      const closed = once(socket, "close");
      socket.on("error", () => {});
      const [greeting] = (await once(socket, "data")) as [Buffer];
      assert.match(greeting.toString("latin1"), /^220/);
      const pids = p.pids();
      assert.ok(pids.length > listeners, `no session process among ${pids.join(", ")}`);

      await p.stop();
      assert.deepEqual(
        pids.filter((pid) => isAlive(pid)),
        [],
      );
      assert.equal(existsSync(p.root), false);
      await closed;
      const refused = connect({ host: p.host, port: p.ports.plain });
      const [error] = (await once(refused, "error")) as [NodeJS.ErrnoException];
      assert.equal(error.code, "ECONNREFUSED");
      await p.stop(); // idempotent
    });
  });
}
