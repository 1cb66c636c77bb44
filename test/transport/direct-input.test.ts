import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DirectInput } from "../../src/transport/direct-input.js";

describe("DirectInput", () => {
  it("copies each read out of the shared buffer, keeps reads made before a sink, and drops them once detached", () => {
    const input = new DirectInput();
    const { buffer, callback } = input.onread;
    const read = (text: string) => {
      buffer.write(text, "latin1");
      assert.equal(callback(text.length, buffer), true, "reading goes on");
    };
    read("220 hello\r\n");
    read("250-a\r\n");
    const got: string[] = [];
    input.attach((chunk) => got.push(chunk.toString("latin1")));
    read("250 b\r\n");
    // The next read overwrites the shared buffer; the chunks handed out stay as they were.
    buffer.fill(0x78);
    assert.deepEqual(got, ["220 hello\r\n", "250-a\r\n", "250 b\r\n"]);
    input.detach();
    read("after\r\n");
    assert.equal(got.length, 3);
  });
});
