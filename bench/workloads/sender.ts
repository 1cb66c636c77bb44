/**
 * The loopback sender: a separate process that accepts connections on 127.0.0.1 and writes
 * `bytes` bytes to each as fast as the socket takes them, then closes it. Prints `{"port":N}`
 * once listening; exits when its stdin closes (the harness ends it).
 *
 * Usage: node --import tsx bench/workloads/sender.ts BYTES
 */
import { createServer } from "node:net";

const total = Number(process.argv[2]);
if (!Number.isSafeInteger(total) || total <= 0) {
  process.stderr.write("usage: sender.ts BYTES\n");
  process.exit(2);
}
// One buffer written again and again: the sender's own cost stays the same for every contender.
const block = Buffer.alloc(256 * 1024, 0x78);

const server = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on("error", () => {});
  let left = total;
  const pump = () => {
    while (left > 0) {
      const size = Math.min(block.length, left);
      left -= size;
      const more = socket.write(size === block.length ? block : block.subarray(0, size));
      if (!more) {
        socket.once("drain", pump);
        return;
      }
    }
    socket.end();
  };
  pump();
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 })}\n`,
  );
});
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
