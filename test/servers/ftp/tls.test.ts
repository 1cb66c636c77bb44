import assert from "node:assert/strict";
import { constants } from "node:crypto";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ConnectionOptions, TLSSocket } from "node:tls";
import { startFtpServer } from "../../../src/servers/ftp/index.js";
import { serveTree, tlsFixture } from "./fixtures.js";
import { FtpTestClient, readAll } from "./ftp-client.js";

const { tls, ca } = tlsFixture();

function clientTls(version?: "TLSv1.2" | "TLSv1.3"): ConnectionOptions {
  return { ca, servername: "localhost", ...(version ? { minVersion: version, maxVersion: version } : {}) };
}

/** Logs in over AUTH TLS with PBSZ 0 and PROT P. */
async function secureLogin(port: number, version?: "TLSv1.2" | "TLSv1.3"): Promise<FtpTestClient> {
  const { client } = await FtpTestClient.connect(port);
  await client.upgrade(clientTls(version));
  await client.expect("USER alice", 331);
  await client.expect("PASS secret", 230);
  await client.expect("PBSZ 0", 200);
  await client.expect("PROT P", 200);
  await client.expect("TYPE I", 200);
  return client;
}

describe("FTPS: AUTH TLS, PROT P and TLS session reuse (RFC 4217)", () => {
  let fixture: Awaited<ReturnType<typeof serveTree>>;

  before(async () => {
    fixture = await serveTree(
      { "pub/readme.txt": "hello over tls\n" },
      { tls, requireTlsSessionReuse: true },
    );
  });
  after(() => fixture.done());

  it("announces AUTH TLS, PBSZ and PROT in FEAT, and an ftpes URL", async () => {
    const { client } = await FtpTestClient.connect(fixture.server.port);
    const feat = await client.send("FEAT");
    for (const name of ["AUTH TLS", "PBSZ", "PROT"]) assert.ok(feat.lines.includes(` ${name}`), name);
    assert.equal(fixture.server.urls.ftpes, `ftpes://127.0.0.1:${fixture.server.port}`);
    await client.quit();
  });

  for (const version of ["TLSv1.2", "TLSv1.3"] as const) {
    it(`moves data over PROT P when the data connection resumes the session (${version})`, async () => {
      const client = await secureLogin(fixture.server.port, version);
      assert.equal((client.socket as TLSSocket).getProtocol(), version);
      for (const mode of ["EPSV", "PASV", "EPRT"] as const) {
        const open = await client.prepare(mode, { tls: true });
        client.write("RETR pub/readme.txt");
        const preliminary = await client.reply();
        assert.ok(preliminary.code === 125 || preliminary.code === 150);
        const data = (await open()) as TLSSocket;
        assert.equal(data.isSessionReused(), true, `${mode}: the client resumed`);
        assert.equal((await readAll(data)).toString(), "hello over tls\n");
        assert.equal((await client.reply()).code, 226, mode);
      }
      const stored = await client.store(`STOR up-${version}.txt`, "secret upload", "EPSV", { tls: true });
      assert.equal(stored.final.code, 226);
      assert.equal(await readFile(join(fixture.root, `up-${version}.txt`), "utf8"), "secret upload");
      const listing = await client.listing("NLST pub", "EPSV", { tls: true });
      assert.equal(listing.text, "pub/readme.txt\r\n");
      await client.quit();
    });
  }

  it("resumes TLS 1.2 sessions by ID for clients that take no ticket (curl's way)", async () => {
    const { client } = await FtpTestClient.connect(fixture.server.port);
    await client.upgrade({ ...clientTls("TLSv1.2"), secureOptions: constants.SSL_OP_NO_TICKET });
    await client.expect("USER alice", 331);
    await client.expect("PASS secret", 230);
    await client.expect("PBSZ 0", 200);
    await client.expect("PROT P", 200);
    await client.expect("TYPE I", 200);
    const open = await client.prepare("EPSV", { tls: true });
    client.write("RETR pub/readme.txt");
    assert.equal((await client.reply()).code, 125);
    const data = (await open()) as TLSSocket;
    assert.equal(data.isSessionReused(), true);
    assert.equal((await readAll(data)).toString(), "hello over tls\n");
    assert.equal((await client.reply()).code, 226);
    await client.quit();
  });

  it("refuses a PROT P data connection that does not resume the session (522, like vsftpd)", async () => {
    const client = await secureLogin(fixture.server.port);
    const open = await client.prepare("EPSV", { tls: true, resume: false });
    client.write("RETR pub/readme.txt");
    assert.equal((await client.reply()).code, 125);
    const data = await open().catch(() => undefined);
    data?.on("error", () => {});
    const final = await client.reply();
    assert.equal(final.code, 522);
    assert.equal(final.text, "SSL connection failed: session reuse required");
    data?.destroy();
    assert.equal((await client.send("NOOP")).code, 200);
    await client.quit();
  });

  it("sequences PBSZ and PROT (RFC 4217 §8–9)", async () => {
    const { client } = await FtpTestClient.connect(fixture.server.port);
    assert.equal((await client.send("PBSZ 0")).code, 503);
    assert.equal((await client.send("PROT P")).code, 503);
    assert.equal((await client.send("AUTH KERBEROS_V4")).code, 504);
    await client.upgrade(clientTls());
    assert.equal((await client.send("AUTH TLS")).code, 503, "already on TLS");
    assert.equal((await client.send("PROT P")).code, 503, "PBSZ first");
    assert.equal((await client.send("PBSZ x")).code, 501);
    await client.expect("PBSZ 0", 200);
    assert.equal((await client.send("PROT S")).code, 536);
    assert.equal((await client.send("PROT X")).code, 504);
    await client.expect("PROT C", 200);
    await client.quit();
  });

  it("discards commands sent before the TLS handshake, and starts the login over", async () => {
    const { client } = await FtpTestClient.connect(fixture.server.port);
    await client.expect("USER alice", 331);
    await client.expect("PASS secret", 230);
    // AUTH TLS and an injected USER in one segment: the USER must never run (CVE-2011-0411).
    client.write("AUTH TLS\r\nUSER alice\r\n");
    assert.equal((await client.reply()).code, 234);
    await client.upgradeAfterReply(clientTls());
    assert.equal((await client.send("PASS secret")).code, 503, "the injected USER was dropped");
    assert.equal((await client.send("PWD")).code, 530, "AUTH TLS ended the earlier login");
    await client.quit();
  });
});

describe("FTPS: implicit TLS and requireTls", () => {
  it("serves implicit FTPS on its own port", async () => {
    const fixture = await serveTree({ "a.txt": "implicit\n" }, { tls, implicitTls: true });
    try {
      assert.equal(fixture.server.urls.ftps, `ftps://127.0.0.1:${fixture.server.implicitPort}`);
      const { client, greeting } = await FtpTestClient.connect(fixture.server.implicitPort!, {
        tls: clientTls(),
      });
      assert.equal(greeting.code, 220);
      await client.expect("USER alice", 331);
      await client.expect("PASS secret", 230);
      await client.expect("PBSZ 0", 200);
      await client.expect("PROT P", 200);
      const { data, final } = await client.retr("a.txt", "EPSV", { tls: true });
      assert.equal(final.code, 226);
      assert.equal(data.toString(), "implicit\r\n", "TYPE A (the RFC 959 default) sends CRLF");
      await client.quit();
    } finally {
      await fixture.done();
    }
  });

  it("with requireTls: no login before AUTH TLS (530), no clear data (521, 534)", async () => {
    const fixture = await serveTree({ "a.txt": "x" }, { tls, requireTls: true });
    try {
      const { client } = await FtpTestClient.connect(fixture.server.port);
      assert.equal((await client.send("USER alice")).code, 530);
      assert.equal((await client.send("PASS secret")).code, 530);
      await client.upgrade(clientTls());
      await client.expect("USER alice", 331);
      await client.expect("PASS secret", 230);
      await client.expect("PBSZ 0", 200);
      assert.equal((await client.send("PROT C")).code, 534);
      await client.expect("EPSV", 229);
      assert.equal((await client.send("RETR a.txt")).code, 521);
      await client.expect("PROT P", 200);
      assert.equal((await client.retr("a.txt", "EPSV", { tls: true })).final.code, 226);
      await client.quit();
    } finally {
      await fixture.done();
    }
  });

  it("drops a client that fails the implicit TLS handshake without disturbing others", async () => {
    const server = await startFtpServer({ tree: {}, tls, implicitTls: true, anonymous: true });
    try {
      const plain = connect({ host: "127.0.0.1", port: server.implicitPort! });
      plain.on("error", () => {});
      await once(plain, "connect");
      plain.write("USER anonymous\r\n");
      await once(plain, "close");
      const { client, greeting } = await FtpTestClient.connect(server.implicitPort!, { tls: clientTls() });
      assert.equal(greeting.code, 220);
      await client.quit();
    } finally {
      await server.close();
    }
  });
});
