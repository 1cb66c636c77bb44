// lftp, a real client, mirroring a 200-file tree from and to inetkit's loopback FTP server, in
// plain FTP and over AUTH TLS with the test CA trusted and TLS session reuse required.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";
import { startFtpServer, testCertificates } from "../../../src/servers/index.js";
import { usable } from "./peers.js";

const run = promisify(execFile);
const certs = testCertificates();
const work = await mkdtemp(join(tmpdir(), "inetkit-lftp-"));
after(() => rm(work, { recursive: true, force: true }));

/**
 * A tree of 200 files in 10 folders, up to 64 KiB, one with a UTF-8 name; with `empty`, every
 * seventh file is empty. (lftp 4.9 opens no TLS session at all on the data connection of an empty
 * upload, so a server that requires PROT P — ours, like vsftpd — answers 522: the TLS run uses no
 * empty files.)
 */
async function makeTree(root: string, empty: boolean): Promise<void> {
  for (let d = 0; d < 10; d++) {
    const folder = join(root, `dir-${d}`);
    await mkdir(folder, { recursive: true });
    for (let f = 0; f < 20; f++) {
      const name = d === 0 && f === 0 ? "résumé 日本.txt" : `file-${f}.bin`;
      const size = empty && (d * 20 + f) % 7 === 0 ? 0 : (((d * 20 + f) * 997) % 65535) + 1;
      await writeFile(join(folder, name), Buffer.alloc(size, d * 20 + f));
    }
  }
}

/** relative path → SHA-256, for every file under `root`. */
async function digest(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(
      relative(root, path),
      createHash("sha256")
        .update(await readFile(path))
        .digest("hex"),
    );
  }
  return out;
}

async function lftp(port: number, commands: string[], tls: boolean): Promise<void> {
  const caFile = join(work, "ca.pem");
  await writeFile(caFile, certs.ca.cert);
  const settings = tls
    ? [
        "set ftp:ssl-force true",
        "set ftp:ssl-protect-data true",
        `set ssl:ca-file ${caFile}`,
        "set ssl:verify-certificate yes",
      ]
    : ["set ftp:ssl-allow no"];
  const script = [...settings, "set net:max-retries 1", "set net:timeout 10", ...commands, "quit"].join("; ");
  await run("lftp", ["-u", "alice,wonderland", "-e", script, `ftp://127.0.0.1:${port}`], {
    timeout: 120_000,
  });
}

describe("lftp against the loopback FTP server", () => {
  for (const tls of [false, true]) {
    it(`mirrors a 200-file tree down and back up${tls ? " over AUTH TLS with session reuse required" : ""}`, async (t) => {
      if (!usable(t, "lftp")) return;
      const served = join(work, `served-${tls}`);
      await makeTree(served, !tls);
      const server = await startFtpServer({
        root: served,
        users: [{ user: "alice", password: "wonderland" }],
        ...(tls ? { tls: certs.localhost, requireTls: true, requireTlsSessionReuse: true } : {}),
      });
      try {
        const down = join(work, `down-${tls}`);
        await lftp(server.port, [`mirror / ${down}`], tls);
        const expected = await digest(served);
        assert.equal(expected.size, 200);
        assert.deepEqual(await digest(down), expected);
        await lftp(server.port, [`mirror -R ${down} /uploaded`], tls);
        assert.deepEqual(await digest(join(served, "uploaded")), expected);
      } finally {
        await server.close();
      }
    });
  }
});
