// Every fault knob of the scripted server, observed from a raw client (and from the server's own
// record of its writes, where the client alone cannot tell how bytes were grouped).
import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, it } from "node:test";
import { startScriptedServer } from "../../../src/servers/index.js";
import { RawClient } from "./raw-client.js";

describe("scripted server: fault knobs", () => {
  it("delay holds the next reply back at least that long", async () => {
    await using server = await startScriptedServer("C: GO\ndelay 60\nS: late");
    const client = await RawClient.connect(server.port);
    const start = performance.now();
    client.write("GO\r\n");
    assert.equal(await client.readLine(), "late");
    // A lower bound only (timers never fire early by more than the 1 ms rounding).
    assert.ok(performance.now() - start >= 59, "the reply came after the delay");
  });

  it("stall stops answering but keeps the socket open until the client closes", async () => {
    await using server = await startScriptedServer("S: hi\nC: *\nstall\nS: never");
    const client = await RawClient.connect(server.port);
    assert.equal(await client.readLine(), "hi");
    client.write("HELP\r\n");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(client.pending.length, 0, "no bytes while stalled");
    assert.equal(client.ended, false, "the socket is still open");
    const session = await server.session();
    assert.equal(session.closed, false);
    client.socket.end();
    await session.done;
    assert.equal(session.closed, true);
    assert.deepEqual(
      session.lines.map((l) => l.text),
      ["hi", "HELP"],
    );
  });

  it("drip sends the next line one byte per write, spaced out", async () => {
    await using server = await startScriptedServer("C: GO\ndrip 5\nS: 250 dripped\nS: 250 normal");
    const client = await RawClient.connect(server.port);
    const start = performance.now();
    client.write("GO\r\n");
    assert.equal(await client.readLine(), "250 dripped");
    const elapsed = performance.now() - start;
    assert.equal(await client.readLine(), "250 normal");
    const session = await server.session();
    assert.deepEqual(
      session.writes,
      [...new Array(13).fill(1), 12],
      "13 one-byte writes, then one normal write",
    );
    assert.ok(elapsed >= 12 * 4, `12 gaps of 5 ms (took ${elapsed.toFixed(1)} ms)`);
  });

  it("closeAfterBytes lets exactly n more bytes out, then destroys the connection", async () => {
    await using server = await startScriptedServer(
      "S: 220 hi\nC: GO\ncloseAfterBytes 7\nS: 250 hello world\nS: never",
    );
    const client = await RawClient.connect(server.port);
    assert.equal(await client.readLine(), "220 hi");
    client.write("GO\r\n");
    assert.equal((await client.readAll()).toString(), "250 hel");
    const session = await server.session();
    await session.done;
    assert.deepEqual(session.errors, []);
    assert.equal(session.writes.at(-1), 7);
  });

  it("closeAfterBytes 0 closes at once", async () => {
    await using server = await startScriptedServer("closeAfterBytes 0\nS: never");
    const client = await RawClient.connect(server.port);
    assert.equal((await client.readAll()).length, 0);
  });

  it("close ends the connection cleanly mid-script", async () => {
    await using server = await startScriptedServer("S: bye\nclose\nS: never");
    const client = await RawClient.connect(server.port);
    assert.equal((await client.readAll()).toString(), "bye\r\n");
    assert.equal(client.error, undefined);
  });

  it("reset destroys the connection with a TCP RST", async () => {
    await using server = await startScriptedServer("S: x\nreset");
    const client = await RawClient.connect(server.port);
    await client.closed;
    assert.equal((client.error as NodeJS.ErrnoException | undefined)?.code, "ECONNRESET");
  });

  it("closeAt ends the connection, unanswered, when the client sends that command", async () => {
    await using server = await startScriptedServer("S: 220\ncloseAt QUIT\nC: *\nS: 250 a\nC: *\nS: 250 b");
    const client = await RawClient.connect(server.port);
    assert.equal(await client.readLine(), "220");
    client.write("QUITE\r\n"); // only the verb QUIT counts, not a longer word
    assert.equal(await client.readLine(), "250 a");
    client.write("quit now\r\n");
    assert.equal(await client.readLine(), null);
    const session = await server.session();
    await session.done;
    assert.deepEqual(session.mismatches, []);
    assert.deepEqual(session.errors, []);
    assert.equal(session.lines.at(-1)?.text, "quit now");
  });

  it("bareLF terminates the following lines with LF only, until turned off", async () => {
    await using server = await startScriptedServer("bareLF\nS: 250-a\nS: 250 b\nbareLF off\nS: 220 c");
    const client = await RawClient.connect(server.port);
    assert.equal((await client.readAll()).toString(), "250-a\n250 b\n220 c\r\n");
  });

  it("split sends each line in one-byte writes, or in two writes at an offset", async () => {
    await using server = await startScriptedServer(
      "split\nS: 250 ok\nsplit 3\nS: 220 hello\nsplit off\nS: end",
    );
    const client = await RawClient.connect(server.port);
    assert.equal((await client.readAll()).toString(), "250 ok\r\n220 hello\r\nend\r\n");
    const session = await server.session();
    assert.deepEqual(session.writes, [1, 1, 1, 1, 1, 1, 1, 1, 3, 8, 5]);
  });

  it("inject puts bytes in the SAME write as the line before it: one 'data' event", async () => {
    await using server = await startScriptedServer(
      "S: 220 ready\nC: STARTTLS\nS: 220 go ahead\ninject 250 fake\\r\\n\nstall",
    );
    const client = await RawClient.connect(server.port);
    assert.equal(await client.readLine(), "220 ready");
    const before = client.events.length;
    client.write("STARTTLS\r\n");
    assert.equal(await client.readLine(), "220 go ahead");
    assert.equal(client.events[before]?.toString(), "220 go ahead\r\n250 fake\r\n");
    const session = await server.session();
    assert.equal(session.writes.at(-1), "220 go ahead\r\n250 fake\r\n".length);
    assert.deepEqual(
      session.lines.map((l) => l.text),
      ["220 ready", "STARTTLS", "220 go ahead", "250 fake"],
    );
  });

  it("raw sends bytes as they are, escapes decoded", async () => {
    await using server = await startScriptedServer("raw 250 bare CR\\r\nS: x");
    const client = await RawClient.connect(server.port);
    assert.equal((await client.readAll()).toString(), "250 bare CR\rx\r\n");
  });

  it("oversized streams a 5 MiB line in bounded chunks, waiting for the client", async () => {
    const size = 5 * 1024 * 1024;
    await using server = await startScriptedServer(`C: GO\noversized ${size}\nS: 250 after`);
    const socket = connect({ port: server.port, host: "127.0.0.1" });
    let received = 0;
    let events = 0;
    let tail = Buffer.alloc(0);
    let allX = true;
    const finished = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.on("data", (chunk: Buffer) => {
      events++;
      const before = received;
      received += chunk.length;
      const xs = chunk.subarray(0, Math.max(0, Math.min(chunk.length, size - before)));
      if (xs.some((b) => b !== 0x78)) allX = false;
      if (received > size) tail = Buffer.concat([tail, chunk.subarray(Math.max(0, size - before))]);
      // Read slowly at first, so the server really has to wait for us.
      if (events === 1) {
        socket.pause();
        setTimeout(() => socket.resume(), 50);
      }
    });
    socket.write("GO\r\n");
    await finished;
    assert.equal(received, size + "250 after\r\n".length);
    assert.ok(allX, "the line is all x");
    assert.equal(tail.toString(), "250 after\r\n");
    assert.ok(events > 1, "it arrived in many reads");
    const session = await server.session();
    const chunks = session.writes.slice(0, -1);
    assert.equal(
      chunks.reduce((a, b) => a + b, 0),
      size,
    );
    assert.ok(chunks.length >= 80, `written in ${chunks.length} chunks`);
    assert.ok(
      chunks.every((n) => n <= 64 * 1024),
      "no write larger than 64 KiB",
    );
    assert.ok(session.maxQueuedBytes <= 64 * 1024, `at most one chunk queued (${session.maxQueuedBytes})`);
    assert.deepEqual(session.lines.at(1), { from: "S", text: `[${size} bytes without a line ending]` });
  });

  it("offers the same knobs as session methods", async () => {
    await using server = await startScriptedServer(async (session) => {
      session.bareLF();
      await session.sendLine("a");
      session.bareLF(false);
      session.split(2);
      await session.sendLine("bc");
      session.split("off");
      await session.sendLine("220 go", { inject: "250 injected\r\n" });
      await session.oversized(10);
      session.drip(1);
      await session.send("xyz");
      session.closeAfterBytes(2);
      await session.sendLine("never whole");
    });
    const client = await RawClient.connect(server.port);
    assert.equal((await client.readAll()).toString(), "a\nbc\r\n220 go\r\n250 injected\r\nxxxxxxxxxxxyzne");
    const session = await server.session();
    await session.done;
    assert.deepEqual(session.writes, [2, 2, 2, 22, 10, 1, 1, 1, 2]);
    assert.deepEqual(session.errors, []);
  });
});
