/**
 * `inet tcp serve` and `inet tcp connect`: the socket chapter's TCP timestamp server and client
 * (tsTserv.py / tsTclnt.py, and their IPv6 twins).
 */
import { InvalidArgumentError } from "../../errors.js";
import { type ServedMessage, startTimestampServer } from "../../servers/timestamp/index.js";
import { formatSocketTarget, openTimestampSession, parseSocketTarget } from "../../tools/timestamp.js";
import {
  type CommandContext,
  type CommandSpec,
  type GroupSpec,
  parsePort,
  parseSeconds,
  stringOption,
} from "../command.js";
import { EXIT } from "../exit-codes.js";
import { forEachInputLine, untilAborted } from "../interactive.js";
import { sanitize, truncate } from "../terminal.js";

/** The book's port for the timestamp pair. */
export const DEFAULT_PORT = 21567;

const serve: CommandSpec = {
  name: "serve",
  summary: "run the TCP timestamp server (answers each line with [ctime] line)",
  usage: "inet tcp serve [--host HOST] [--port PORT] [--unix PATH]",
  description: [
    "Listens for TCP connections and answers every message with the time it arrived and the " +
      "message itself, as the book's tsTserv.py does: '[Sun Nov 22 03:24:32 2026] hello'.",
    "A message is a line (ended by LF or CRLF; the reply ends with LF), or — for clients that send " +
      "bare bytes and wait, like the book's Python client — whatever arrived before the client " +
      "fell quiet for 50 ms. Messages longer than 64 KiB are answered in 64 KiB pieces.",
    "Prints 'listening on tcp://HOST:PORT' (or unix:PATH) once it accepts connections, then one " +
      "line per message served. Stops cleanly on Ctrl-C or SIGTERM (exit 0).",
  ].join("\n\n"),
  options: [
    {
      name: "host",
      type: "string",
      value: "HOST",
      description: "address to listen on (default 127.0.0.1; ::1 for IPv6)",
    },
    {
      name: "port",
      type: "string",
      value: "PORT",
      description: `port to listen on (default ${DEFAULT_PORT}; 0: any free port)`,
    },
    {
      name: "unix",
      type: "string",
      value: "PATH",
      description: "listen on a Unix-domain socket instead of TCP/IP",
    },
  ],
  positionals: { min: 0, max: 0 },
  examples: [
    ["inet tcp serve", `listen on 127.0.0.1:${DEFAULT_PORT}, like tsTserv.py`],
    ["inet tcp serve --host ::1", "the IPv6 variant (tsTserv6.py)"],
    ["inet tcp serve --port 0", "let the system choose a free port; the first line says which"],
    ["inet tcp serve --unix /tmp/ts.sock", "a Unix-domain socket"],
  ],
  async run(args, context) {
    const path = stringOption(args, "unix");
    const host = stringOption(args, "host");
    const portText = stringOption(args, "port");
    if (path !== undefined && (host !== undefined || portText !== undefined)) {
      throw new InvalidArgumentError("--unix cannot be combined with --host or --port");
    }
    const server = await startTimestampServer({
      protocol: "tcp",
      ...(path !== undefined
        ? { path }
        : { host: host ?? "127.0.0.1", port: parsePort(portText ?? String(DEFAULT_PORT), "port", true) }),
      onMessage: (event) => logMessage(context, event),
    });
    context.out.line(`listening on ${server.url}`);
    await untilAborted(context.signal);
    await server.close();
    return EXIT.ok;
  },
};

const connect: CommandSpec = {
  name: "connect",
  summary: "talk to a TCP timestamp server, one line at a time",
  usage: "inet tcp connect HOST:PORT | [IPV6]:PORT | unix:PATH [--timeout SECONDS]",
  description: [
    "Connects to a timestamp server and sends each line you type; prints each reply, as the " +
      "book's tsTclnt.py does. An empty line, or the end of input (Ctrl-D), ends the session.",
    "On a terminal it prompts with '> '. When stdin is not a terminal it reads lines without a " +
      "prompt, so it can be scripted: printf 'hello\\nworld\\n' | inet tcp connect 127.0.0.1:21567",
    "Replies are shown with control characters escaped (ESC as ^[).",
  ].join("\n\n"),
  options: [
    {
      name: "timeout",
      type: "string",
      value: "SECONDS",
      description: "limit for connecting and for each reply (default 30)",
    },
  ],
  positionals: { min: 1, max: 1 },
  examples: [
    [`inet tcp connect 127.0.0.1:${DEFAULT_PORT}`, "talk to a server started with 'inet tcp serve'"],
    [`inet tcp connect [::1]:${DEFAULT_PORT}`, "over IPv6 (tsTclnt6.py)"],
    ["inet tcp connect unix:/tmp/ts.sock", "over a Unix-domain socket"],
    [
      `printf 'hi\\n' | inet --trace tcp connect localhost:${DEFAULT_PORT}`,
      "one message, with the wire trace on stderr",
    ],
  ],
  async run(args, context) {
    const target = parseSocketTarget(args.positionals[0]!);
    const timeout = parseSeconds(stringOption(args, "timeout"), "timeout", 30);
    const session = await openTimestampSession(target, {
      timeout,
      signal: context.signal,
      onTrace: context.out.onTrace,
    });
    if (context.io.stdin.isTTY)
      context.out.note(`connected to ${formatSocketTarget(target)}; an empty line ends`);
    try {
      await forEachInputLine(context, async (line) => {
        context.out.remote(await session.ask(line));
      });
    } finally {
      await session.close();
    }
    return EXIT.ok;
  },
};

/** The `inet tcp` group. */
export const tcpGroup: GroupSpec = {
  name: "tcp",
  summary: "the TCP timestamp server and client",
  description:
    "The socket chapter's TCP timestamp pair: a server that answers each message with the time, " +
    "and an interactive client. IPv4, IPv6 and Unix-domain sockets.",
  commands: [serve, connect],
};

/** Prints one served message: who sent it and what (sanitized, shortened). */
export function logMessage(context: CommandContext, event: ServedMessage): void {
  const text = truncate(sanitize(event.message.toString("utf8")), 200);
  context.out.line(`${event.protocol} ${event.peer}: ${text}`);
}
