import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/inet", import.meta.url));

/** Spawns `node bin/inet …` for real. */
function inet(args: string[]) {
  return spawn(process.execPath, [BIN, ...args], { stdio: ["pipe", "pipe", "pipe"] });
}

function collect(child: ReturnType<typeof inet>) {
  const out = { stdout: "", stderr: "" };
  child.stdout!.on("data", (chunk: Buffer) => (out.stdout += chunk));
  child.stderr!.on("data", (chunk: Buffer) => (out.stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { out, exited };
}

describe("bin/inet, spawned", () => {
  it("tcp serve --port 0, then tcp connect through a pipe, then SIGTERM → exit 0", async () => {
    const server = inet(["tcp", "serve", "--port", "0"]);
    const served = collect(server);
    try {
      const port = await new Promise<string>((resolve, reject) => {
        const onData = () => {
          const match = /listening on tcp:\/\/127\.0\.0\.1:(\d+)\n/.exec(served.out.stdout);
          if (match) {
            server.stdout!.off("data", onData);
            resolve(match[1]!);
          }
        };
        server.stdout!.on("data", onData);
        server.once("close", () => reject(new Error(`server exited early: ${served.out.stderr}`)));
      });
      const client = inet(["tcp", "connect", `127.0.0.1:${port}`]);
      const talked = collect(client);
      client.stdin!.end("hello\nworld\n");
      assert.equal(await talked.exited, 0, talked.out.stderr);
      const lines = talked.out.stdout.trimEnd().split("\n");
      assert.equal(lines.length, 2);
      assert.match(lines[0]!, /^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] hello$/);
      assert.match(lines[1]!, /\] world$/);
    } finally {
      server.kill("SIGTERM");
    }
    assert.equal(await served.exited, 0, served.out.stderr);
    assert.match(served.out.stdout, /tcp 127\.0\.0\.1:\d+: hello\ntcp 127\.0\.0\.1:\d+: world\n/);
  });

  it("a bad target exits 2 with the message on stderr", async () => {
    const run = collect(inet(["tcp", "connect", "nowhere"]));
    assert.equal(await run.exited, 2);
    assert.equal(run.out.stdout, "");
    assert.match(run.out.stderr, /^inet: target "nowhere" has no port/);
  });
});
