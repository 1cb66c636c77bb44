/**
 * `mime-parse`: parse one generated message of N bytes (default 100 MiB) from a file: a short
 * text part, an HTML part, a small inline image and one large base64 attachment taking nearly
 * all of it. The table's peak RSS column is the point: with `onAttachment` consuming the stream,
 * the parser's memory must not grow with the message (the issue asks for well under 64 MiB).
 *
 * Every contender is the same small program (mime-parse-entry.ts) bundled by esbuild and run by
 * plain `node`, its peak RSS taken by /usr/bin/time:
 * - `inetkit-stream`: `parseMessage(file stream, { onAttachment })`, the callback draining each
 *   attachment's stream and counting its bytes;
 * - `inetkit-keep`: `parseMessage(file stream)` keeping every body in memory (for contrast);
 * - `read-decode`: the file read as a stream, every chunk base64-decoded with Buffer, no MIME
 *   parsing at all — the ceiling for reading and decoding this much;
 * - `node-idle`: the program doing nothing — Node's baseline RSS, to read the others against.
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ContenderResult, Params, Workload } from "../types.js";
import { runProgram } from "./ftp-common.js";

const BOUNDARY = "bench-boundary-0123456789";

function head(): string {
  return [
    "From: Bench <bench@example.org>",
    "To: reader@example.org",
    "Subject: =?utf-8?q?a_large_message?=",
    "Date: Mon, 01 Jan 2024 00:00:00 +0000",
    "Message-ID: <bench@example.org>",
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${BOUNDARY}"`,
    "",
    `--${BOUNDARY}`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    "The attachment follows.",
    `--${BOUNDARY}`,
    "Content-Type: text/html; charset=utf-8",
    "",
    "<p>The attachment follows.</p>",
    `--${BOUNDARY}`,
    "Content-Type: image/png",
    "Content-ID: <logo@example.org>",
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.alloc(3000, 0x89).toString("base64").replace(/.{76}/g, "$&\r\n"),
    `--${BOUNDARY}`,
    "Content-Type: application/octet-stream",
    'Content-Disposition: attachment; filename="big.bin"',
    "Content-Transfer-Encoding: base64",
    "",
    "",
  ].join("\r\n");
}

/** Writes the message to `path`: about `bytes` bytes in all. */
async function generate(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  const write = async (text: string | Buffer): Promise<void> => {
    if (!out.write(text)) await once(out, "drain");
  };
  const top = head();
  await write(top);
  const tail = `\r\n--${BOUNDARY}--\r\n`;
  // 57 raw bytes make one 76-character line + CRLF (78 bytes).
  const lines = Math.max(1, Math.floor((bytes - top.length - tail.length) / 78));
  const block = 1024;
  let x = 0x2545f491;
  for (let done = 0; done < lines; done += block) {
    const count = Math.min(block, lines - done);
    const raw = Buffer.alloc(count * 57);
    for (let i = 0; i < raw.length; i += 1) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      raw[i] = x & 0xff;
    }
    await write(
      raw
        .toString("base64")
        .replace(/.{76}/g, "$&\r\n")
        .replace(/\r\n$/, count === lines - done ? "" : "\r\n"),
    );
  }
  await write(tail);
  out.end();
  await once(out, "finish");
}

/** Runs one operation of the bundled program under plain `node`, with its own peak RSS. */
async function runBundled(params: Params, operation: string): Promise<ContenderResult> {
  const run = await runProgram(process.execPath, [String(params.bundle), operation, String(params.path)]);
  const result = JSON.parse(run.stdout.trim().split("\n").pop() ?? "") as ContenderResult;
  return { ms: result.ms, bytes: result.bytes, cpuMs: result.cpuMs, maxRSS: run.maxRSS };
}

async function bundle(dir: string): Promise<string> {
  const { build } = await import("esbuild");
  const outfile = join(dir, "mime-parse.mjs");
  await build({
    entryPoints: [fileURLToPath(new URL("./mime-parse-entry.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    logLevel: "warning",
  });
  return outfile;
}

export const mimeParse: Workload = {
  name: "mime-parse",
  description:
    "parse one generated message (text, HTML, inline image, one large base64 attachment) from a file",
  defaultBytes: 100 * 1024 * 1024,
  contenders: [
    {
      name: "inetkit-stream",
      role: "ours",
      description: "parseMessage(file stream, { onAttachment }) draining each attachment stream (plain node)",
      run: (params) => runBundled(params, "stream"),
    },
    {
      name: "inetkit-keep",
      role: "ours",
      description: "parseMessage(file stream) keeping every body in memory (plain node)",
      run: (params) => runBundled(params, "keep"),
    },
    {
      name: "read-decode",
      role: "ceiling",
      description:
        "the file read as a stream and base64-decoded chunk by chunk, no MIME parsing (plain node)",
      run: (params) => runBundled(params, "read-decode"),
    },
    {
      name: "node-idle",
      role: "ceiling",
      description: "the same program doing nothing: Node's own baseline RSS",
      run: (params) => runBundled(params, "idle"),
    },
  ],
  async setup({ bytes }) {
    const dir = await mkdtemp(join(tmpdir(), "inetkit-bench-mime-"));
    const path = join(dir, "message.eml");
    await generate(path, bytes);
    return {
      params: { path, bytes: (await stat(path)).size, bundle: await bundle(dir) },
      teardown: () => rm(dir, { recursive: true, force: true }),
    };
  },
};
