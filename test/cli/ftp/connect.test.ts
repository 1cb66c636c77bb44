// Opening a session for `inet ftp`: URLs and bookmarks, passwords from ~/.netrc, the environment
// or a terminal prompt that does not echo, anonymous logins that never send a stored password,
// and the --insecure rule for plain ftp://.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import type { CommandContext } from "../../../src/cli/command.js";
import { openFtp, promptSecret, resolveFtpTarget } from "../../../src/cli/commands/ftp/connect.js";
import { Output } from "../../../src/cli/output.js";
import { AbortError, InvalidArgumentError } from "../../../src/errors.js";
import { type FtpServer, startScriptedServer } from "../../../src/servers/index.js";
import { Capture } from "../run-cli.js";
import { cleanup, ftp, serveTree } from "./ftp-fixtures.js";

let server: FtpServer;
let url: string;
let port: number;
before(async () => {
  ({ server, url } = await serveTree({ "hello.txt": "hi" }));
  port = server.port;
});
after(async () => {
  await server.close();
  await cleanup();
});

/** A context whose stdin and stderr are (fake) terminals. */
function terminal() {
  const stdin = Object.assign(new PassThrough(), {
    isTTY: true,
    isRaw: false,
    modes: [] as boolean[],
    setRawMode(mode: boolean) {
      this.modes.push(mode);
      this.isRaw = mode;
      return this;
    },
  });
  const stderr = Object.assign(new Capture(), { isTTY: true });
  const io = { stdin, stdout: new Capture(), stderr };
  const controller = new AbortController();
  const context: CommandContext = {
    io,
    out: new Output(io),
    signal: controller.signal,
    interrupt: () => controller.abort(new AbortError()),
  };
  return { context, stdin, stderr };
}

describe("resolveFtpTarget", () => {
  it("takes FTP URLs and bookmark names, nothing else", () => {
    assert.equal(resolveFtpTarget("ftpes://h/pub/x").path, "/pub/x");
    const config = {
      bookmarks: { b: { url: "ftp://h/top", remotePath: "/other" } },
      sites: {},
      defaults: {},
    };
    const resolved = resolveFtpTarget("b", config);
    assert.equal(resolved.target.host, "h");
    assert.equal(resolved.path, "/other");
    assert.throws(() => resolveFtpTarget("nope", config), InvalidArgumentError);
    assert.throws(() => resolveFtpTarget("__proto__", config), InvalidArgumentError);
    assert.throws(() => resolveFtpTarget("imap://h/"), /not an FTP URL/);
  });
});

describe("credentials", () => {
  it("a password from ~/.netrc (NETRC), bound to the host", async () => {
    await writeFile(process.env.NETRC!, `machine 127.0.0.1 login alice password secret\n`, { mode: 0o600 });
    try {
      const run = await ftp("ls", "--insecure", `ftp://alice@127.0.0.1:${port}/`);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, "hello.txt\n");
    } finally {
      await writeFile(process.env.NETRC!, "", { mode: 0o600 });
    }
  });

  it("a password from INET_FTP_PASSWORD", async () => {
    process.env.INET_FTP_PASSWORD = "secret";
    try {
      const run = await ftp("ls", "--insecure", `ftp://alice@127.0.0.1:${port}/`);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(!run.stderr.includes("secret"));
    } finally {
      delete process.env.INET_FTP_PASSWORD;
    }
  });

  it("no password anywhere and no terminal: a usage error naming where passwords come from", async () => {
    const run = await ftp("ls", "--insecure", `ftp://alice@127.0.0.1:${port}/`);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /INET_FTP_PASSWORD/);
  });

  it("an anonymous login never sends a stored password", async () => {
    process.env.INET_FTP_PASSWORD = "do-not-send";
    try {
      await using scripted = await startScriptedServer(async (session) => {
        await session.sendLine("220 ready");
        await session.expectLine("USER anonymous");
        await session.sendLine("331 e-mail address please");
        await session.expectLine("PASS anonymous@");
        await session.sendLine("230 welcome");
        await session.expectLine("FEAT");
        await session.sendLine("502 no");
        await session.expectLine("QUIT");
        await session.sendLine("221 bye");
      });
      const { context } = terminal();
      const opened = await openFtp(`ftp://127.0.0.1:${scripted.port}/pub`, { context });
      assert.equal(opened.path, "/pub");
      assert.equal(opened.pool, undefined);
      await opened.close();
      assert.deepEqual(scripted.sessions[0]?.mismatches, []);
    } finally {
      delete process.env.INET_FTP_PASSWORD;
    }
  });

  it("on a terminal, asks for the password without echoing it", async () => {
    const { context, stdin, stderr } = terminal();
    const opening = openFtp(`ftp://alice@127.0.0.1:${port}/`, { context, insecure: true, parallel: 2 });
    await stderr.waitFor(/Password for alice@127\.0\.0\.1: $/);
    stdin.write("sec");
    stdin.write("x\x7fret\r");
    const opened = await opening;
    try {
      assert.deepEqual(
        (await opened.client.list("/")).map((entry) => entry.name),
        ["hello.txt"],
      );
      assert.ok(opened.pool, "a pool for --parallel 2");
      assert.equal((await opened.pool!.run((client) => client.list("/"))).length, 1);
      assert.ok(!stderr.text().includes("secret"), "nothing echoed");
      assert.deepEqual(stdin.modes, [true, false], "raw mode on, then restored");
      assert.match(opened.url, /^ftp:\/\/alice@127\.0\.0\.1:\d+$/);
    } finally {
      await opened.close();
    }
  });

  it("Ctrl-C at the prompt interrupts", async () => {
    const { context, stdin, stderr } = terminal();
    const asking = promptSecret(context, "Password: ");
    await stderr.waitFor(/Password: $/);
    stdin.write("ab\x03");
    await assert.rejects(asking, AbortError);
    assert.deepEqual(stdin.modes, [true, false]);
  });

  it("the URL of the session never shows the password", async () => {
    const { context } = terminal();
    const opened = await openFtp(`ftp://alice:secret@127.0.0.1:${port}/a%20b`, { context, insecure: true });
    try {
      assert.equal(opened.url, `ftp://alice@127.0.0.1:${port}/a%20b`);
      assert.equal(opened.path, "/a b");
    } finally {
      await opened.close();
    }
    assert.ok(url.length > 0);
  });
});
