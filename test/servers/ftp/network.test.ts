import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { startFtpServer } from "../../../src/servers/ftp/index.js";
import { ipv6LoopbackAvailable } from "../../../src/servers/timestamp/index.js";
import { NO_IPV6_CODES } from "../../../src/servers/timestamp/loopback.js";
import { epsvPort, FtpTestClient } from "./ftp-client.js";

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("FTP server: addresses, port ranges and bounds", () => {
  it("takes passive ports from passivePorts", async () => {
    const port = await freePort();
    const server = await startFtpServer({
      tree: { "a.txt": "a" },
      anonymous: true,
      passivePorts: { min: port, max: port },
    });
    try {
      const client = await FtpTestClient.login(server.port, "anonymous", "x");
      assert.equal(epsvPort((await client.send("EPSV")).text), port);
      const { data, final } = await client.retr("a.txt", "PASV");
      assert.equal(final.code, 226);
      assert.equal(data.toString(), "a");
      await client.quit();
    } finally {
      await server.close();
    }
  });

  it("cuts a listing at maxListEntries and says so (451)", async () => {
    const server = await startFtpServer({
      tree: { a: "", b: "", c: "" },
      anonymous: true,
      maxListEntries: 2,
    });
    try {
      const client = await FtpTestClient.login(server.port, "anonymous", "x");
      const { text, final } = await client.listing("NLST");
      assert.equal(final.code, 451);
      assert.equal(text.split("\r\n").filter(Boolean).length, 2);
      await client.quit();
    } finally {
      await server.close();
    }
  });

  it("refuses contradictory options", async () => {
    await assert.rejects(startFtpServer({}), /exactly one of `root` and `tree`/);
    await assert.rejects(startFtpServer({ tree: {}, root: "." }), /exactly one/);
    await assert.rejects(startFtpServer({ tree: {}, implicitTls: true }), /needs `tls`/);
    await assert.rejects(startFtpServer({ tree: {}, requireTlsSessionReuse: true }), /needs `tls`/);
    await assert.rejects(
      startFtpServer({
        tree: {},
        users: [
          { user: "a", password: "1" },
          { user: "a", password: "2" },
        ],
      }),
      /twice/,
    );
    await assert.rejects(startFtpServer({ tree: {}, passivePorts: { min: 10, max: 5 } }), /passivePorts/);
  });

  it("serves over IPv6 with EPSV and EPRT (family 2), refusing PASV", async () => {
    if (!(await ipv6LoopbackAvailable())) {
      await assert.rejects(startFtpServer({ tree: {}, host: "::1" }), (error: NodeJS.ErrnoException) =>
        NO_IPV6_CODES.has(error.code ?? ""),
      );
      return;
    }
    const server = await startFtpServer({ tree: { "six.txt": "six" }, anonymous: true, host: "::1" });
    try {
      assert.equal(server.urls.ftp, `ftp://[::1]:${server.port}`);
      const { client } = await FtpTestClient.connect(server.port, { host: "::1" });
      await client.expect("USER anonymous", 331);
      await client.expect("PASS x", 230);
      await client.expect("TYPE I", 200);
      assert.equal((await client.send("PASV")).code, 425);
      assert.equal((await client.send("EPSV 1")).code, 522);
      for (const mode of ["EPSV", "EPRT"] as const) {
        const { data, final } = await client.retr("six.txt", mode);
        assert.equal(final.code, 226, mode);
        assert.equal(data.toString(), "six");
      }
      assert.equal((await client.send("EPRT |1|127.0.0.1|5000|")).code, 504, "not the control peer");
      await client.quit();
    } finally {
      await server.close();
    }
  });
});
