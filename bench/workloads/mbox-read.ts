/**
 * `mbox-read`: read a generated mbox of N bytes (default 1 GiB) message by message, from a file.
 * Setup writes the file once with `writeMbox` (mboxrd): mixed messages — short notes, medium
 * texts with `From ` lines to quote, and base64 "attachments" up to 1 MiB. Each contender checks
 * it found every message and reports the file's size; the table's peak RSS column shows whether
 * memory stayed flat while the whole file streamed through.
 *
 * - `inetkit`: `readMbox(path)`, each message whole (`content()`), bytes counted;
 * - `inetkit-stream`: `streamMbox(path)`, each body drained as a stream;
 * - `node-split`: the file read with the same chunk size, `\nFrom ` occurrences counted with
 *   `indexOf` (no unquoting, no blank-line rule, no message bytes delivered): the ceiling;
 * - `python-mailbox`: Python's `mailbox.mbox(path)`, `get_bytes(key)` for every key (it scans
 *   the file for its table of contents first, then seeks to each message).
 */
import { createReadStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ContenderResult, Params, Workload } from "../types.js";
import { python, runProgram } from "./ftp-common.js";

const CHUNK = 256 * 1024;

/** A deterministic mix of messages adding up to about `bytes` bytes. */
async function* messages(bytes: number): AsyncGenerator<{ content: Buffer; sender: string; date: Date }> {
  const when = new Date(Date.UTC(2024, 0, 1));
  const paragraph =
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt\n" +
    "ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation.\n\n";
  const base64Line = `${"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo".repeat(3).slice(0, 76)}\n`;
  let made = 0;
  for (let n = 0; made < bytes; n += 1) {
    const kind = n % 10;
    const head =
      `From: Sender ${n} <sender${n}@example.org>\nTo: reader@example.org\nSubject: message ${n}\n` +
      `Date: Mon, 01 Jan 2024 00:00:00 +0000\nMessage-ID: <${n}@example.org>\n`;
    let body: string;
    if (kind < 6) {
      body = `\n${paragraph.repeat(1 + (n % 7))}`;
    } else if (kind < 9) {
      body = `\n${paragraph.repeat(20 + (n % 50))}From the archive:\n>From an older quote\n${paragraph}`;
    } else {
      const lines = 1000 + ((n * 37) % 13_000); // about 77 KB to 1 MB
      body = `MIME-Version: 1.0\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n${base64Line.repeat(lines)}`;
    }
    const content = Buffer.from(head + body);
    made += content.length + 60;
    yield { content, sender: `sender${n}@example.org`, date: when };
  }
}

/** Times `work` (wall clock and this process's CPU). */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await work();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { value, ms, cpuMs: (used.user + used.system) / 1000 };
}

/** The file's size when `found` is the number of messages setup wrote, else 0 (the harness then fails). */
function checked(params: Params, found: number): number {
  if (found !== Number(params.messages)) {
    process.stderr.write(`found ${found} messages, expected ${params.messages}\n`);
    return 0;
  }
  return Number(params.bytes);
}

async function inetkit(params: Params): Promise<ContenderResult> {
  const { readMbox } = await import("../../src/mime/mailbox/index.js");
  const { value, ms, cpuMs } = await timed(async () => {
    let count = 0;
    let bytes = 0;
    for await (const message of readMbox(String(params.path), { chunkSize: CHUNK })) {
      bytes += message.content().length;
      count += 1;
    }
    return { count, bytes };
  });
  return { ms, cpuMs, bytes: value.bytes > 0 ? checked(params, value.count) : 0 };
}

async function inetkitStream(params: Params): Promise<ContenderResult> {
  const { streamMbox } = await import("../../src/mime/mailbox/index.js");
  const { value, ms, cpuMs } = await timed(async () => {
    let count = 0;
    let bytes = 0;
    for await (const message of streamMbox(String(params.path), { chunkSize: CHUNK })) {
      for await (const chunk of message.body()) bytes += chunk.length;
      count += 1;
    }
    return { count, bytes };
  });
  return { ms, cpuMs, bytes: value.bytes > 0 ? checked(params, value.count) : 0 };
}

async function nodeSplit(params: Params): Promise<ContenderResult> {
  const needle = Buffer.from("\nFrom ");
  const { value, ms, cpuMs } = await timed(async () => {
    let count = 0;
    let tail = Buffer.alloc(0);
    let first = true;
    for await (const chunk of createReadStream(String(params.path), { highWaterMark: CHUNK })) {
      const buffer = tail.length > 0 ? Buffer.concat([tail, chunk as Buffer]) : (chunk as Buffer);
      if (first && buffer.subarray(0, 5).toString() === "From ") count += 1;
      first = false;
      for (let at = buffer.indexOf(needle); at >= 0; at = buffer.indexOf(needle, at + 1)) count += 1;
      tail = Buffer.from(buffer.subarray(Math.max(0, buffer.length - (needle.length - 1))));
    }
    return count;
  });
  return { ms, cpuMs, bytes: checked(params, value) };
}

const PYTHON_MAILBOX = `
import mailbox, sys, time
start = time.perf_counter()
box = mailbox.mbox(sys.argv[1], create=False)
count = 0
size = 0
for key in box.iterkeys():
    size += len(box.get_bytes(key))
    count += 1
ms = (time.perf_counter() - start) * 1000
print(ms, count)
`;

async function pythonMailbox(params: Params): Promise<ContenderResult> {
  const run = await runProgram(python(), ["-c", PYTHON_MAILBOX, String(params.path)]);
  const [ms = Number.NaN, count = Number.NaN] = run.stdout.trim().split(" ").map(Number);
  return { ms, bytes: checked(params, count), cpuMs: run.cpuMs, maxRSS: run.maxRSS };
}

export const mboxRead: Workload = {
  name: "mbox-read",
  description: "read a generated N-byte mbox file message by message (mixed sizes, From lines, attachments)",
  defaultBytes: 1024 * 1024 * 1024,
  contenders: [
    {
      name: "inetkit",
      role: "ours",
      description: "readMbox(path): every message whole (content()), one at a time",
      run: inetkit,
    },
    {
      name: "inetkit-stream",
      role: "ours",
      description: "streamMbox(path): every body drained as a stream",
      run: inetkitStream,
    },
    {
      name: "node-split",
      role: "ceiling",
      description: "the file streamed in 256 KiB chunks, '\\nFrom ' counted with indexOf (no unquoting)",
      run: nodeSplit,
    },
    {
      name: "python-mailbox",
      role: "theirs",
      description: "Python's mailbox.mbox: table of contents, then get_bytes(key) for every key",
      run: pythonMailbox,
    },
  ],
  async setup({ bytes }) {
    const { writeMbox } = await import("../../src/mime/mailbox/index.js");
    const dir = await mkdtemp(join(tmpdir(), "inetkit-bench-mbox-"));
    try {
      const path = join(dir, "bench.mbox");
      const { messages: count } = await writeMbox(path, messages(bytes), { fsync: false });
      const size = (await stat(path)).size;
      return {
        params: { path, bytes: size, messages: count },
        teardown: () => rm(dir, { recursive: true, force: true }),
      };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  },
};
