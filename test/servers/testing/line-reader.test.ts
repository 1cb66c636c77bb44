import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { ConnectionClosedError, LimitError } from "../../../src/errors.js";
import { LineReader } from "../../../src/servers/testing/line-reader.js";

/** A reader attached to an in-memory stream standing in for the session's socket. */
function attached(maxLineLength = 1000): { reader: LineReader; input: PassThrough } {
  const reader = new LineReader(maxLineLength);
  const input = new PassThrough();
  reader.attach(input);
  return { reader, input };
}

describe("LineReader (scripted server input over a ByteReader)", () => {
  it("reads CRLF and bare-LF lines, decoding UTF-8, however the input is split", async () => {
    const wire = Buffer.from("A é\r\nbare\n\r\nlast\r\n", "utf8");
    for (let at = 0; at <= wire.length; at++) {
      const { reader, input } = attached();
      input.write(wire.subarray(0, at));
      await tick();
      input.end(wire.subarray(at));
      const lines = [];
      for (let i = 0; i < 4; i++) lines.push(await reader.readLine());
      assert.deepEqual(
        lines,
        [
          { text: "A é", bareLF: false },
          { text: "bare", bareLF: true },
          { text: "", bareLF: false },
          { text: "last", bareLF: false },
        ],
        `split at ${at}`,
      );
      await assert.rejects(reader.readLine(), { reason: "the client closed the connection" });
    }
  });

  it("reads exact byte counts between lines", async () => {
    const { reader, input } = attached();
    input.write("DATA\r\nhel");
    assert.deepEqual(await reader.readLine(), { text: "DATA", bareLF: false });
    const bytes = reader.readBytes(5);
    await tick();
    input.write("lo\r\nNEXT\n");
    assert.equal((await bytes).toString(), "hello");
    assert.deepEqual(await reader.readLine(), { text: "", bareLF: false });
    assert.deepEqual(await reader.readLine(), { text: "NEXT", bareLF: true });
    input.end("ab");
    await assert.rejects(reader.readBytes(3), (error: unknown) => {
      assert.ok(error instanceof ConnectionClosedError);
      assert.equal(error.reason, "the client closed the connection before 3 bytes");
      return true;
    });
  });

  it("quotes a partial line when the input ends in its middle, and previews it as pending", async () => {
    const { reader, input } = attached();
    input.end("QU");
    await assert.rejects(reader.readLine(), (error: unknown) => {
      assert.ok(error instanceof ConnectionClosedError);
      assert.equal(error.reason, 'the client closed the connection: "QU" without a line ending');
      return true;
    });
    assert.equal(await reader.pending(), "QU", "the partial line stays unread");
    assert.equal(await reader.pending(), "QU", "previewing does not consume");
  });

  it("previews at most 80 characters of what is pending, and nothing when nothing is", async () => {
    const { reader, input } = attached();
    assert.equal(await reader.pending(), undefined);
    input.write("x".repeat(200));
    await tick();
    assert.equal(await reader.pending(), `${"x".repeat(80)}…`);
    input.end("\r\n");
    assert.deepEqual(await reader.readLine(), { text: "x".repeat(200), bareLF: false });
  });

  it("fails an over-long line with LimitError instead of buffering it, and accepts one at the limit", async () => {
    const { reader, input } = attached(10);
    input.write("0123456789\r\n0123456789xy");
    assert.deepEqual(await reader.readLine(), { text: "0123456789", bareLF: false });
    await assert.rejects(reader.readLine(), (error: unknown) => {
      assert.ok(error instanceof LimitError);
      return true;
    });
    input.destroy();
  });

  it("waitForData resolves once a byte waits, without consuming it, and at the end of input", async () => {
    const { reader, input } = attached();
    let resolved = false;
    const waiting = reader.waitForData().then(() => {
      resolved = true;
    });
    await tick();
    assert.equal(resolved, false);
    input.write("X\n");
    await waiting;
    assert.deepEqual(await reader.readLine(), { text: "X", bareLF: true });
    input.end();
    await reader.waitForData();
    await assert.rejects(reader.readLine(), ConnectionClosedError);
  });

  it("end() lets buffered lines drain, then fails reads", async () => {
    const { reader, input } = attached();
    input.write("one\r\ntw");
    await tick();
    reader.end();
    assert.deepEqual(await reader.readLine(), { text: "one", bareLF: false });
    await assert.rejects(reader.readLine(), ConnectionClosedError);
    input.destroy();
  });

  it("detach hands back every unread byte, including what the stream held while paused", async () => {
    const { reader, input } = attached();
    input.write("HELLO\r\n");
    assert.deepEqual(await reader.readLine(), { text: "HELLO", bareLF: false });
    // More than the high-water mark: the reader pauses the stream, which then buffers the rest.
    const burst = Buffer.alloc(70 * 1024, "a");
    const tail = Buffer.alloc(8 * 1024, "b");
    input.write(burst);
    await tick();
    assert.equal(input.isPaused(), true, "the reader paused its source");
    input.write(tail);
    await tick();
    assert.ok(input.readableLength > 0, "the stream holds bytes the reader has not seen");
    const early = await reader.detach();
    assert.deepEqual(early, Buffer.concat([burst, tail]));
    assert.equal(input.listenerCount("data"), 0);
    // Reading resumes on whatever is attached next (the TLS socket after an upgrade).
    const next = new PassThrough();
    reader.attach(next);
    next.end("after\r\n");
    assert.deepEqual(await reader.readLine(), { text: "after", bareLF: false });
    await assert.rejects(reader.readLine(), ConnectionClosedError);
    input.destroy();
  });

  it("a line waiting on a detached stream is completed by the next one attached", async () => {
    const { reader, input } = attached();
    input.write("par");
    await tick();
    assert.deepEqual(await reader.detach(), Buffer.from("par"));
    const line = reader.readLine();
    const next = new PassThrough();
    reader.attach(next);
    next.write("tial\n");
    assert.deepEqual(await line, { text: "tial", bareLF: true });
    next.destroy();
    input.destroy();
  });
});
