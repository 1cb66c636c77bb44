import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectionClosedError, InvalidArgumentError, ProtocolError } from "../../../src/errors.js";
import { startScriptedServer } from "../../../src/servers/index.js";
import { RawClient } from "./raw-client.js";

const SMTP = `
  S: 220 ready
  C: EHLO client.example
  S: 250-hello
  S: 250 SIZE 1000
  C: /^MAIL FROM:<.*>$/
  S: 250 ok
  C: *
  S: 221 bye
`;

describe("scripted server: recording", () => {
  it("plays S: lines with CRLF and records C: lines exactly as received", async () => {
    await using server = await startScriptedServer(SMTP);
    const client = await RawClient.connect(server.port);
    assert.equal((await client.readRawLine())?.toString(), "220 ready\r\n");
    client.write("EHLO client.example\r\n");
    assert.equal((await client.readRawLine())?.toString(), "250-hello\r\n");
    assert.equal(await client.readLine(), "250 SIZE 1000");
    client.write("MAIL FROM:<a@b.example>\r\n");
    assert.equal(await client.readLine(), "250 ok");
    client.write("QUIT  trailing  \r\n");
    assert.equal(await client.readLine(), "221 bye");
    assert.equal(await client.readLine(), null, "the server ends the connection at the end of the script");
    const session = await server.session(0);
    await session.done;
    assert.deepEqual(session.mismatches, []);
    assert.deepEqual(session.errors, []);
    assert.equal(session.closed, true);
    assert.equal(
      server.transcript(),
      "S: 220 ready\nC: EHLO client.example\nS: 250-hello\nS: 250 SIZE 1000\n" +
        "C: MAIL FROM:<a@b.example>\nS: 250 ok\nC: QUIT  trailing  \nS: 221 bye\n",
    );
  });

  it("records UTF-8 client lines, notes a bare LF, and keeps lines split across writes whole", async () => {
    await using server = await startScriptedServer("C: *\nC: *\nC: *\nS: done");
    const client = await RawClient.connect(server.port);
    client.write("caf");
    client.write(Buffer.from("é ✓\r", "utf8").subarray(0, 2));
    await new Promise((resolve) => setImmediate(resolve));
    client.write(Buffer.concat([Buffer.from("é ✓\r", "utf8").subarray(2), Buffer.from("\nbare\n\r\n")]));
    assert.equal(await client.readLine(), "done");
    const session = await server.session();
    assert.deepEqual(session.lines.slice(0, 3), [
      { from: "C", text: "café ✓" },
      { from: "C", text: "bare", bareLF: true },
      { from: "C", text: "" },
    ]);
  });

  it("records a mismatch with both texts, stops the script and closes", async () => {
    await using server = await startScriptedServer("S: 220 ready\nC: EHLO a\nS: 250 never sent");
    const client = await RawClient.connect(server.port);
    await client.readLine();
    client.write("HELO b\r\n");
    assert.equal(await client.readLine(), null);
    const session = await server.session();
    await session.done;
    assert.deepEqual(session.mismatches, [
      { step: 1, expected: "EHLO a", actual: "HELO b", reason: "unexpected-line" },
    ]);
    assert.deepEqual(session.errors, []);
    assert.equal(server.transcript(), "S: 220 ready\nC: HELO b\n");
  });

  it("goes on after a mismatch with onMismatch: continue", async () => {
    await using server = await startScriptedServer("C: /^A/\nS: next", { onMismatch: "continue" });
    const client = await RawClient.connect(server.port);
    client.write("B\r\n");
    assert.equal(await client.readLine(), "next");
    const session = await server.session();
    assert.deepEqual(session.mismatches, [
      { step: 0, expected: "/^A/", actual: "B", reason: "unexpected-line" },
    ]);
  });

  it("records a client that closes instead of sending the expected line, with its partial line", async () => {
    await using server = await startScriptedServer("S: hi\nC: QUIT");
    const client = await RawClient.connect(server.port);
    await client.readLine();
    client.socket.end("QU");
    const session = await server.session();
    await session.done;
    assert.deepEqual(session.mismatches, [{ step: 1, expected: "QUIT", actual: "QU", reason: "closed" }]);
  });

  it("bounds client lines: an over-long line is a line-too-long mismatch and the session is destroyed", async () => {
    await using server = await startScriptedServer("C: *\nS: never", { maxLineLength: 1000 });
    const client = await RawClient.connect(server.port);
    client.write(Buffer.alloc(200_000, "a"));
    await client.closed;
    const session = await server.session();
    await session.done;
    assert.equal(session.mismatches.length, 1);
    assert.equal(session.mismatches[0]?.reason, "line-too-long");
    assert.equal(session.lines.length, 0);
  });

  it("serves each connection its own run of the script, numbered in order", async () => {
    await using server = await startScriptedServer("S: hello\nC: *");
    const first = await RawClient.connect(server.port);
    const second = await RawClient.connect(server.port);
    assert.equal(await first.readLine(), "hello");
    assert.equal(await second.readLine(), "hello");
    first.write("one\r\n");
    second.write("two\r\n");
    await first.closed;
    await second.closed;
    const ids = server.sessions.map((s) => s.id);
    assert.deepEqual(ids, [1, 2]);
    const seen = server.sessions.map((s) => s.lines[1]?.text).sort();
    assert.deepEqual(seen, ["one", "two"]);
    assert.match(
      server.transcript(),
      /^# session 1\nS: hello\nC: (one|two)\n# session 2\nS: hello\nC: (one|two)\n$/,
    );
  });

  it("listens on ::1 when asked, and builds URLs for either family", async () => {
    await using v6 = await startScriptedServer("S: six", { host: "::1" });
    assert.equal(v6.host, "::1");
    assert.equal(v6.url("imap"), `imap://[::1]:${v6.port}`);
    const client = await RawClient.connect(v6.port, "::1");
    assert.equal(await client.readLine(), "six");
    await using v4 = await startScriptedServer("S: four");
    assert.equal(v4.url("smtp"), `smtp://127.0.0.1:${v4.port}`);
    await assert.rejects(
      startScriptedServer("S: x", { host: "0.0.0.0" as "127.0.0.1" }),
      InvalidArgumentError,
    );
  });

  it("refuses transcript text that does not parse", async () => {
    await assert.rejects(startScriptedServer("S: ok\nbogus"), InvalidArgumentError);
  });
});

describe("scripted server: function scripts", () => {
  it("offers send, sendLine, expectLine, readLine and readBytes, and records them", async () => {
    let caught: unknown;
    await using server = await startScriptedServer(async (session) => {
      await session.sendLine("+OK ready");
      assert.equal(await session.expectLine(/^USER /), "USER alice");
      await session.send("+OK one\r\n+OK two\r\n");
      assert.equal(await session.readLine(), "DATA 5");
      assert.equal((await session.readBytes(5)).toString(), "hello");
      try {
        await session.expectLine("NOOP");
      } catch (error) {
        caught = error;
      }
    });
    const client = await RawClient.connect(server.port);
    assert.equal(await client.readLine(), "+OK ready");
    client.write("USER alice\r\n");
    assert.equal(await client.readLine(), "+OK one");
    assert.equal(await client.readLine(), "+OK two");
    client.write("DATA 5\r\nhelloRSET\r\n");
    assert.equal(await client.readLine(), null);
    const session = await server.session();
    await session.done;
    assert.ok(caught instanceof ProtocolError && caught.reason === "unexpected-line");
    assert.deepEqual(session.mismatches, [
      { step: undefined, expected: "NOOP", actual: "RSET", reason: "unexpected-line" },
    ]);
    assert.deepEqual(session.errors, [], "a recorded mismatch is not counted again as an error");
    assert.equal(
      session.transcript(),
      "S: +OK ready\nC: USER alice\nS: +OK one\nS: +OK two\nC: DATA 5\nC: [5 bytes]\nC: RSET\n",
    );
  });

  it("records what a script throws, and ends the connection", async () => {
    await using server = await startScriptedServer(async (session) => {
      await session.sendLine("hi");
      throw new Error("script bug");
    });
    const client = await RawClient.connect(server.port);
    assert.equal(await client.readLine(), "hi");
    assert.equal(await client.readLine(), null);
    const session = await server.session();
    await session.done;
    assert.deepEqual(
      session.errors.map((e) => e.message),
      ["script bug"],
    );
  });

  it("throws ConnectionClosedError from readLine when the client hangs up, without recording an error", async () => {
    let caught: unknown;
    await using server = await startScriptedServer(async (session) => {
      try {
        for (;;) await session.readLine();
      } catch (error) {
        caught = error;
        throw error;
      }
    });
    const client = await RawClient.connect(server.port);
    client.socket.end("a\r\nb\r\n");
    const session = await server.session();
    await session.done;
    assert.ok(caught instanceof ConnectionClosedError);
    assert.deepEqual(
      session.lines.map((l) => l.text),
      ["a", "b"],
    );
    assert.deepEqual(session.errors, []);
  });
});

describe("scripted server: lifecycle", () => {
  it("close() destroys open sessions, wakes stalls and sleeps, and resolves", async () => {
    const server = await startScriptedServer("S: hi\ndelay 600000\nS: never");
    const stalled = await startScriptedServer("S: hi\nstall");
    const a = await RawClient.connect(server.port);
    const b = await RawClient.connect(stalled.port);
    assert.equal(await a.readLine(), "hi");
    assert.equal(await b.readLine(), "hi");
    await Promise.all([server.close(), stalled.close()]);
    await a.closed;
    await b.closed;
    assert.equal(server.sessions[0]?.closed, true);
    assert.equal(stalled.sessions[0]?.closed, true);
    const refused = await RawClient.connect(server.port);
    assert.equal((refused.error as NodeJS.ErrnoException | undefined)?.code, "ECONNREFUSED");
  });

  it("session(i) waits for the connection, and fails once the server is closed", async () => {
    const server = await startScriptedServer("S: hi");
    const waiting = server.session(0);
    const client = await RawClient.connect(server.port);
    assert.equal((await waiting).id, 1);
    await client.readAll();
    const never = assert.rejects(server.session(5), ConnectionClosedError);
    await server.close();
    await never;
  });
});
