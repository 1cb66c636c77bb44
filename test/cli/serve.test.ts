import assert from "node:assert/strict";
import { access, readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { parseUsers } from "../../src/cli/commands/serve.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { makeTree, removeTree } from "../servers/ftp/fixtures.js";
import { FtpTestClient, readAll } from "../servers/ftp/ftp-client.js";
import { Capture, runCli } from "./run-cli.js";

describe("inet serve ftp", () => {
  it("serves a folder to --user accounts and anonymous, printing its URLs, until interrupted", async () => {
    const root = await makeTree({ "hello.txt": "hi\n" });
    const controller = new AbortController();
    const stdout = new Capture();
    try {
      const running = runCli(
        [
          "serve",
          "ftp",
          "--root",
          root,
          "--user",
          "alice:secret",
          "--user",
          "bob:pw:with:colons",
          "--anonymous",
          "--port",
          "0",
        ],
        { signal: controller.signal, stdout },
      );
      const [, port] = await stdout.waitFor(/listening on ftp:\/\/127\.0\.0\.1:(\d+)\n/);
      await stdout.waitFor(/users: .*\n/);
      assert.match(stdout.text(), /users: alice \(read-write\), bob \(read-write\), anonymous \(read-only\)/);
      const alice = await FtpTestClient.login(Number(port), "alice", "secret");
      assert.equal((await alice.retr("hello.txt")).data.toString(), "hi\n");
      await alice.quit();
      const bob = await FtpTestClient.login(Number(port), "bob", "pw:with:colons");
      await bob.quit();
      const { client } = await FtpTestClient.connect(Number(port));
      await client.expect("USER anonymous", 331);
      await client.expect("PASS x", 230);
      assert.equal((await client.send("MKD nope")).code, 550);
      await client.quit();
      controller.abort();
      const result = await running;
      assert.equal(result.code, 0);
    } finally {
      await removeTree(root);
    }
  });

  it("--tls makes a certificate and names the CA file clients should trust", async () => {
    const root = await makeTree({ "hello.txt": "secret hi\n" });
    const controller = new AbortController();
    const stdout = new Capture();
    try {
      const running = runCli(
        [
          "serve",
          "ftp",
          "--root",
          root,
          "--user",
          "alice:secret",
          "--tls",
          "--port",
          "0",
          "--implicit-port",
          "0",
        ],
        { signal: controller.signal, stdout },
      );
      const [, port] = await stdout.waitFor(/listening on ftpes:\/\/127\.0\.0\.1:(\d+) \(AUTH TLS\)\n/);
      const [, implicitPort] = await stdout.waitFor(
        /listening on ftps:\/\/127\.0\.0\.1:(\d+) \(implicit TLS\)\n/,
      );
      const [, caFile] = await stdout.waitFor(/CA certificate: (.+)\n/);
      const ca = await readFile(caFile!, "utf8");
      assert.match(ca, /^-----BEGIN CERTIFICATE-----/);
      const { client } = await FtpTestClient.connect(Number(port));
      await client.upgrade({ ca, servername: "localhost" });
      await client.expect("USER alice", 331);
      await client.expect("PASS secret", 230);
      await client.expect("PBSZ 0", 200);
      await client.expect("PROT P", 200);
      await client.expect("TYPE I", 200);
      const open = await client.prepare("EPSV", { tls: true });
      client.write("RETR hello.txt");
      assert.equal((await client.reply()).code, 125);
      assert.equal((await readAll(await open())).toString(), "secret hi\n");
      assert.equal((await client.reply()).code, 226);
      await client.quit();
      const implicit = await FtpTestClient.connect(Number(implicitPort), {
        tls: { ca, servername: "127.0.0.1" },
      });
      assert.equal(implicit.greeting.code, 220);
      await implicit.client.quit();
      controller.abort();
      assert.equal((await running).code, 0);
      await assert.rejects(access(caFile!), "the CA file is removed on exit");
    } finally {
      await removeTree(root);
    }
  });

  it("refuses bad command lines with exit code 2", async () => {
    const cases: string[][] = [
      ["serve", "ftp", "--anonymous"],
      ["serve", "ftp", "--root", "."],
      ["serve", "ftp", "--root", ".", "--user", "nocolon"],
      ["serve", "ftp", "--root", ".", "--anonymous", "--implicit-port", "0"],
      ["serve", "ftp", "--root", ".", "--anonymous", "--cert", "x.pem"],
      ["serve", "ftp", "--root", ".", "--anonymous", "--port", "70000"],
    ];
    for (const argv of cases) {
      const { code, stderr } = await runCli(argv);
      assert.equal(code, 2, argv.join(" "));
      assert.match(stderr, /^inet: /);
      assert.ok(!stderr.includes("nocolon"), "a --user value is never echoed (it may be a password)");
    }
  });

  it("exits 5 (local error) when the folder does not exist", async () => {
    const { code, stderr } = await runCli([
      "serve",
      "ftp",
      "--root",
      "/nonexistent/inetkit",
      "--anonymous",
      "--port",
      "0",
    ]);
    assert.equal(code, 5);
    assert.match(stderr, /ENOENT/);
  });

  it("has help that shows the repeatable --user and the group in 'inet --help'", async () => {
    const help = await runCli(["serve", "ftp", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--user NAME:PASSWORD +an account that may read and write \(repeatable\)/);
    assert.match((await runCli(["--help"])).stdout, /serve ftp/);
  });

  it("parses --user values, passwords with colons included", () => {
    assert.deepEqual(parseUsers(["a:b", "c:d:e", "f:"], false), [
      { user: "a", password: "b", readOnly: false },
      { user: "c", password: "d:e", readOnly: false },
      { user: "f", password: "", readOnly: false },
    ]);
    assert.throws(() => parseUsers([":x"], false), InvalidArgumentError);
    assert.throws(() => parseUsers(["a:1", "a:2"], false), InvalidArgumentError);
  });
});
