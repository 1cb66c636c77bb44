/**
 * The socket chapter's steps of `inet demo`: the timestamp server over TCP/IPv4, TCP/IPv6 (when
 * this machine has an IPv6 loopback), a Unix-domain socket, and UDP.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProtocolError } from "../../errors.js";
import { ipv6LoopbackAvailable, startTimestampServer } from "../../servers/timestamp/index.js";
import type { TimestampServer } from "../../servers/timestamp/types.js";
import type { SocketTarget } from "../../tools/timestamp.js";
import {
  formatSocketTarget,
  openTimestampSession,
  parseTimestampReply,
  udpAsk,
} from "../../tools/timestamp.js";
import type { DemoContext, DemoStep } from "./steps.js";

const MESSAGE = "hello";

/** Checks that `reply` is `[ctime] <sent>`; throws {@link ProtocolError} (`unexpected-reply`) if not. */
export function checkTimestampReply(reply: string, sent: string, peer: string): void {
  const parsed = parseTimestampReply(reply);
  if (!parsed || parsed.message !== sent) {
    throw new ProtocolError(
      "unexpected-reply",
      `expected a reply like "[Sun Nov 22 03:24:32 2026] ${sent}", got ${JSON.stringify(reply.slice(0, 200))}`,
      { host: peer },
    );
  }
}

/** Starts a TCP server, asks it one message through a session, checks the reply, closes both. */
async function tcpRoundTrip(
  context: DemoContext,
  what: string,
  start: () => Promise<TimestampServer>,
): Promise<void> {
  context.say(`Starting ${what}…`);
  const server = await start();
  try {
    context.say(`Listening on ${server.url}`);
    const target: SocketTarget =
      "path" in server.address
        ? { path: server.address.path }
        : { host: server.address.host, port: server.address.port };
    context.say(`Connecting to ${formatSocketTarget(target)}…`);
    const session = await openTimestampSession(target, {
      timeout: context.timeout,
      signal: context.signal,
      onTrace: context.onTrace,
    });
    try {
      context.say(`Sending '${MESSAGE}'…`);
      const reply = await session.ask(MESSAGE);
      context.show("Reply: ", reply);
      checkTimestampReply(reply, MESSAGE, session.peer);
      context.say("The reply is [ctime] followed by our message. ✓");
    } finally {
      await session.close();
    }
  } finally {
    context.say("Closing the connection and the server.");
    await server.close();
  }
}

/** TCP over 127.0.0.1. */
export const tcpIpv4Step: DemoStep = {
  title: "TCP over IPv4 (the book's tsTserv.py / tsTclnt.py)",
  async run(context) {
    await tcpRoundTrip(context, "a TCP timestamp server on 127.0.0.1, port 0 (the system picks one)", () =>
      startTimestampServer({ protocol: "tcp", host: "127.0.0.1" }),
    );
    return undefined;
  },
};

/** TCP over ::1, skipped when the machine has no IPv6 loopback. */
export const tcpIpv6Step: DemoStep = {
  title: "TCP over IPv6 (tsTserv6.py / tsTclnt6.py)",
  async run(context) {
    if (!(await ipv6LoopbackAvailable())) return { skipped: "this machine has no IPv6 loopback (::1)" };
    await tcpRoundTrip(context, "a TCP timestamp server on ::1, port 0", () =>
      startTimestampServer({ protocol: "tcp", host: "::1" }),
    );
    return undefined;
  },
};

/** TCP over a Unix-domain socket in a fresh temporary folder (a named pipe on Windows). */
export const unixStep: DemoStep = {
  title: "A Unix-domain socket (AF_UNIX)",
  async run(context) {
    if (process.platform === "win32") {
      const path = `\\\\.\\pipe\\inetkit-demo-${process.pid}-${Date.now()}`;
      await tcpRoundTrip(context, "a timestamp server on a named pipe", () =>
        startTimestampServer({ protocol: "tcp", path }),
      );
      return undefined;
    }
    const folder = await mkdtemp(join(tmpdir(), "inetkit-demo-"));
    try {
      const path = join(folder, "timestamp.sock");
      await tcpRoundTrip(context, "a timestamp server on a Unix-domain socket", () =>
        startTimestampServer({ protocol: "tcp", path }),
      );
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    return undefined;
  },
};

/** UDP over 127.0.0.1. */
export const udpStep: DemoStep = {
  title: "UDP over IPv4 (tsUserv.py / tsUclnt.py)",
  async run(context) {
    context.say("Starting a UDP timestamp server on 127.0.0.1, port 0…");
    const server = await startTimestampServer({ protocol: "udp", host: "127.0.0.1" });
    try {
      context.say(`Listening on ${server.url}`);
      const { host, port } = server.address as { host: string; port: number };
      context.say(`Sending '${MESSAGE}' in one datagram…`);
      const reply = await udpAsk({ host, port }, MESSAGE, {
        timeout: context.timeout,
        signal: context.signal,
        onTrace: context.onTrace,
      });
      context.show("Reply: ", reply);
      checkTimestampReply(reply, MESSAGE, formatSocketTarget({ host, port }));
      context.say("The reply datagram is [ctime] followed by our message. ✓");
    } finally {
      context.say("Closing the server.");
      await server.close();
    }
    return undefined;
  },
};

/** The socket chapter's steps, in the order the demo runs them. */
export const socketSteps: readonly DemoStep[] = [tcpIpv4Step, tcpIpv6Step, unixStep, udpStep];
