/**
 * The `mime-parse` contenders' program: bundled by esbuild at setup and run by plain `node` (no
 * tsx, whose loader alone takes ~30 MiB), so the peak RSS the table shows is the parse's own plus
 * Node's baseline. Prints one JSON line: `{"ms":…,"bytes":…,"cpuMs":…}`.
 *
 * Usage: node BUNDLE OPERATION MESSAGE_PATH  (OPERATION: stream, keep, read-decode, idle)
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { parseMessage } from "../../src/mime/parse/index.js";

type Operation = "stream" | "keep" | "read-decode" | "idle";

async function stream(path: string): Promise<void> {
  let received = 0;
  const message = await parseMessage(createReadStream(path), {
    onAttachment: async (attachment) => {
      for await (const chunk of attachment.stream) received += (chunk as Buffer).length;
    },
  });
  const expected = message.attachments.reduce((sum, a) => sum + a.size, 0);
  if (message.attachments.length !== 2 || received !== expected) {
    throw new Error(`stream: ${received} bytes streamed, ${expected} expected`);
  }
}

async function keep(path: string): Promise<void> {
  const message = await parseMessage(createReadStream(path));
  const big = message.attachments[1];
  if (!big || (await big.content()).length !== big.size) throw new Error("keep: unexpected result");
}

async function readDecode(path: string): Promise<void> {
  let decoded = 0;
  for await (const chunk of createReadStream(path)) {
    decoded += Buffer.from((chunk as Buffer).toString("latin1"), "base64").length;
  }
  if (decoded === 0) throw new Error("read-decode: nothing decoded");
}

const [operation, path] = process.argv.slice(2) as [Operation, string];
const work = { stream, keep, "read-decode": readDecode, idle: async () => {} }[operation];
if (!work || !path) throw new Error("usage: node BUNDLE stream|keep|read-decode|idle MESSAGE_PATH");
const bytes = (await stat(path)).size;
const cpu = process.cpuUsage();
const start = performance.now();
await work(path);
const ms = performance.now() - start;
const used = process.cpuUsage(cpu);
process.stdout.write(`${JSON.stringify({ ms, bytes, cpuMs: (used.user + used.system) / 1000 })}\n`);
