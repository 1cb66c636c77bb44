/**
 * `loopback-receive`: how fast can a client take in a stream of bytes? A sender process writes N
 * bytes over TCP on 127.0.0.1 as fast as it can; each contender connects and drains them.
 *
 * - `inetkit`: `Connection.connect()` and `connection.stream()` — the raw-mode read a protocol
 *   client's download goes through, with its silence limit and an abort signal armed.
 * - `node-net`: a plain `net.Socket` counting 'data' events — the ceiling.
 */
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Connection } from "../../src/transport/connection.js";
import type { Params, Workload } from "../types.js";

async function inetkit(params: Params): Promise<{ ms: number; bytes: number }> {
  const start = performance.now();
  const connection = await Connection.connect({
    host: "127.0.0.1",
    port: Number(params.port),
    timeout: 60_000,
  });
  const controller = new AbortController();
  let bytes = 0;
  for await (const chunk of connection.stream({ phase: "data", signal: controller.signal })) {
    bytes += chunk.length;
  }
  const ms = performance.now() - start;
  await connection.end();
  return { ms, bytes };
}

function nodeNet(params: Params): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let bytes = 0;
    const socket = connect({ host: "127.0.0.1", port: Number(params.port) });
    socket.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    socket.on("end", () => resolve({ ms: performance.now() - start, bytes }));
    socket.on("error", reject);
  });
}

export const loopbackReceive: Workload = {
  name: "loopback-receive",
  description: "receive N bytes over TCP on 127.0.0.1 from a sender process writing as fast as it can",
  defaultBytes: 1024 * 1024 * 1024,
  contenders: [
    {
      name: "inetkit",
      role: "ours",
      description: "Connection + connection.stream() (raw mode, silence limit and abort signal armed)",
      run: inetkit,
    },
    {
      name: "node-net",
      role: "ceiling",
      description: "plain net.Socket counting 'data' events",
      run: nodeNet,
    },
  ],
  async setup({ bytes }) {
    const script = fileURLToPath(new URL("./sender.ts", import.meta.url));
    const sender = spawn(process.execPath, ["--import", "tsx", script, String(bytes)], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    const exited = new Promise<void>((resolve) => sender.once("exit", () => resolve()));
    const lines = createInterface({ input: sender.stdout! });
    const port = await new Promise<number>((resolve, reject) => {
      lines.once("line", (line) => resolve((JSON.parse(line) as { port: number }).port));
      sender.once("exit", (code) => reject(new Error(`the sender exited with ${code}`)));
    });
    lines.close();
    return {
      params: { port, bytes },
      async teardown() {
        sender.stdin!.end();
        await exited;
      },
    };
  },
};
