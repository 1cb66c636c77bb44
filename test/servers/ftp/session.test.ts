import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TraceEvent } from "../../../src/transport/trace.js";
import { serveTree } from "./fixtures.js";
import { FtpTestClient } from "./ftp-client.js";

describe("FTP server: login and session commands", () => {
  let fixture: Awaited<ReturnType<typeof serveTree>>;
  const trace: TraceEvent[] = [];

  before(async () => {
    fixture = await serveTree(
      { "pub/readme.txt": "hello\n" },
      { anonymous: true, onTrace: (event) => trace.push(event) },
    );
  });
  after(() => fixture.done());

  it("greets with 220 and logs a user in", async () => {
    const { client, greeting } = await FtpTestClient.connect(fixture.server.port);
    assert.equal(greeting.code, 220);
    assert.equal((await client.send("USER alice")).code, 331);
    assert.equal((await client.send("PASS secret")).code, 230);
    assert.equal((await client.send("PWD")).text, '"/" is the current directory');
    await client.quit();
  });

  it("masks PASS in the trace", () => {
    const passes = trace.filter((event) => event.text.startsWith("PASS"));
    assert.ok(passes.length > 0);
    for (const event of passes) assert.equal(event.text, "PASS ****");
    assert.ok(!trace.some((event) => event.text.includes("secret")));
  });

  it("refuses a wrong password with 530, and closes after three failures", async () => {
    const { client } = await FtpTestClient.connect(fixture.server.port);
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      await client.expect("USER alice", 331);
      assert.equal((await client.send("PASS wrong")).code, 530);
    }
    await client.expect("USER alice", 331);
    assert.equal((await client.send("PASS wrong")).code, 421);
    await client.waitEnd();
    client.close();
  });

  it("answers an unknown user like a known one until PASS", async () => {
    const { client } = await FtpTestClient.connect(fixture.server.port);
    assert.equal((await client.send("USER mallory")).code, 331);
    assert.equal((await client.send("PASS x")).code, 530);
    await client.quit();
  });

  it("sequences: PASS without USER is 503, commands before login are 530", async () => {
    const { client } = await FtpTestClient.connect(fixture.server.port);
    assert.equal((await client.send("PASS secret")).code, 503);
    for (const command of ["PWD", "CWD /", "LIST", "RETR x", "STOR x", "PASV", "SIZE x", "MKD x"]) {
      assert.equal((await client.send(command)).code, 530, command);
    }
    assert.equal((await client.send("SYST")).code, 215);
    assert.equal((await client.send("NOOP")).code, 200);
    await client.quit();
  });

  it("lets anonymous read but not write (550)", async () => {
    const { client } = await FtpTestClient.connect(fixture.server.port);
    await client.expect("USER anonymous", 331);
    await client.expect("PASS guest@example.test", 230);
    await client.expect("TYPE I", 200);
    const { data, final } = await client.retr("/pub/readme.txt");
    assert.equal(data.toString(), "hello\n");
    assert.equal(final.code, 226);
    for (const command of [
      "STOR x",
      "APPE x",
      "STOU",
      "DELE /pub/readme.txt",
      "MKD new",
      "RMD pub",
      "RNFR pub",
      "MFMT 20200101000000 pub/readme.txt",
    ]) {
      assert.equal((await client.send(command)).code, 550, command);
    }
    await client.quit();
  });

  it("keeps read-only users from writing", async () => {
    const client = await FtpTestClient.login(fixture.server.port, "reader", "look");
    assert.equal((await client.send("MKD x")).code, 550);
    assert.equal((await client.send("DELE pub/readme.txt")).code, 550);
    const { data } = await client.retr("pub/readme.txt");
    assert.equal(data.toString(), "hello\n");
    await client.quit();
  });

  it("lists its features (RFC 2389) and takes OPTS UTF8 ON and OPTS MLST", async () => {
    const client = await FtpTestClient.login(fixture.server.port);
    const feat = await client.send("FEAT");
    assert.equal(feat.code, 211);
    assert.equal(feat.lines[0], "211-Features:");
    assert.equal(feat.lines.at(-1), "211 End");
    const features = feat.lines.slice(1, -1);
    for (const line of features) assert.match(line, /^ \S/);
    for (const name of ["UTF8", "EPSV", "EPRT", "PASV", "MDTM", "MFMT", "SIZE", "REST STREAM", "TVFS"]) {
      assert.ok(features.includes(` ${name}`), name);
    }
    assert.ok(features.includes(" MLST type*;size*;modify*;perm*;unix.mode*;"));
    assert.ok(!features.some((line) => line.startsWith(" AUTH")), "no AUTH TLS without a certificate");
    assert.equal((await client.send("OPTS UTF8 ON")).code, 200);
    assert.equal((await client.send("OPTS MLST type;size;")).text, "MLST OPTS type;size;");
    const after = await client.send("FEAT");
    assert.ok(after.lines.includes(" MLST type*;size*;modify;perm;unix.mode;"));
    assert.equal((await client.send("OPTS NOPE")).code, 501);
    await client.quit();
  });

  it("answers TYPE, MODE, STRU, SYST, HELP, STAT and unknown commands", async () => {
    const client = await FtpTestClient.login(fixture.server.port);
    const cases: Array<[string, number]> = [
      ["TYPE A", 200],
      ["TYPE A N", 200],
      ["TYPE I", 200],
      ["TYPE L 8", 200],
      ["TYPE E", 504],
      ["TYPE X", 501],
      ["MODE S", 200],
      ["MODE B", 504],
      ["STRU F", 200],
      ["STRU R", 504],
      ["SYST", 215],
      ["ALLO 100", 202],
      ["SITE CHMOD 777 x", 502],
      ["BOGUS", 500],
      ["ABOR", 225],
      ["PBSZ 0", 503],
      ["AUTH TLS", 502],
      ["CWD", 501],
      ["PWD extra", 501],
    ];
    for (const [command, code] of cases) assert.equal((await client.send(command)).code, code, command);
    const help = await client.send("HELP");
    assert.equal(help.code, 214);
    assert.ok(help.lines.some((line) => line.includes("RETR")));
    const stat = await client.send("STAT");
    assert.equal(stat.code, 211);
    assert.ok(stat.lines.some((line) => line.includes("Logged in as alice")));
    await client.quit();
  });

  it("accepts bare-LF command lines and Telnet IAC bytes before ABOR", async () => {
    const client = await FtpTestClient.login(fixture.server.port);
    client.write(Buffer.from("NOOP\n"));
    assert.equal((await client.reply()).code, 200);
    client.write(Buffer.from([0xff, 0xf4, 0xff, 0xf2, ...Buffer.from("ABOR\r\n")]));
    assert.equal((await client.reply()).code, 225);
    client.write(Buffer.from([0x4e, 0x4f, 0x4f, 0x50, 0x20, 0xc3, 0x28, 0x0d, 0x0a]));
    assert.equal((await client.reply()).code, 501, "invalid UTF-8");
    await client.quit();
  });

  it("ends the connection on a command line over the limit, and keeps serving others", async () => {
    const { client } = await FtpTestClient.connect(fixture.server.port);
    client.write(`NOOP ${"x".repeat(10_000)}`);
    await client.waitEnd();
    client.close();
    const other = await FtpTestClient.login(fixture.server.port);
    assert.equal((await other.send("NOOP")).code, 200);
    await other.quit();
  });

  it("says 421 Timeout to an idle client", async () => {
    const quick = await serveTree({}, { timeouts: { idle: 200 } });
    try {
      const { client } = await FtpTestClient.connect(quick.server.port);
      const reply = await client.reply();
      assert.equal(reply.code, 421);
      await client.waitEnd();
      client.close();
    } finally {
      await quick.done();
    }
  });

  it("refuses connections over maxConnections with 421", async () => {
    const small = await serveTree({}, { maxConnections: 1 });
    try {
      const { client: first } = await FtpTestClient.connect(small.server.port);
      const { client: second, greeting } = await FtpTestClient.connect(small.server.port);
      assert.equal(greeting.code, 421);
      second.close();
      await first.quit();
    } finally {
      await small.done();
    }
  });

  it("closes every session on close()", async () => {
    const closing = await serveTree({});
    const { client } = await FtpTestClient.connect(closing.server.port);
    await closing.done();
    await client.waitEnd();
    client.close();
  });
});
