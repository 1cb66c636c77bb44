/**
 * `inet udp serve` and `inet udp send`: the socket chapter's UDP timestamp server and client
 * (tsUserv.py / tsUclnt.py, and their IPv6 twins).
 */
import { startTimestampServer } from "../../servers/timestamp/index.js";
import { parseSocketTarget, udpAsk } from "../../tools/timestamp.js";
import { type CommandSpec, type GroupSpec, parsePort, parseSeconds, stringOption } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { forEachInputLine, untilAborted } from "../interactive.js";
import { DEFAULT_PORT, logMessage } from "./tcp.js";

const serve: CommandSpec = {
  name: "serve",
  summary: "run the UDP timestamp server (answers each datagram with [ctime] message)",
  usage: "inet udp serve [--host HOST] [--port PORT]",
  description: [
    "Binds a UDP socket and answers every datagram with one datagram, '[ctime] message', sent " +
      "back to its sender, as the book's tsUserv.py does. There are no connections: each " +
      "datagram stands alone.",
    "Prints 'listening on udp://HOST:PORT', then one line per datagram. Stops cleanly on Ctrl-C " +
      "or SIGTERM (exit 0).",
  ].join("\n\n"),
  options: [
    {
      name: "host",
      type: "string",
      value: "HOST",
      description: "address to bind (default 127.0.0.1; ::1 for IPv6)",
    },
    {
      name: "port",
      type: "string",
      value: "PORT",
      description: `port to bind (default ${DEFAULT_PORT}; 0: any free port)`,
    },
  ],
  positionals: { min: 0, max: 0 },
  examples: [
    ["inet udp serve", `bind 127.0.0.1:${DEFAULT_PORT}, like tsUserv.py`],
    ["inet udp serve --host ::1 --port 0", "IPv6, on a free port"],
  ],
  async run(args, context) {
    const server = await startTimestampServer({
      protocol: "udp",
      host: stringOption(args, "host") ?? "127.0.0.1",
      port: parsePort(stringOption(args, "port") ?? String(DEFAULT_PORT), "port", true),
      onMessage: (event) => logMessage(context, event),
    });
    context.out.line(`listening on ${server.url}`);
    await untilAborted(context.signal);
    await server.close();
    return EXIT.ok;
  },
};

const send: CommandSpec = {
  name: "send",
  summary: "send datagrams to a UDP timestamp server and print the replies",
  usage: "inet udp send HOST:PORT | [IPV6]:PORT [MESSAGE...] [--timeout SECONDS]",
  description: [
    "Sends each MESSAGE as one datagram and prints the reply datagram, as the book's tsUclnt.py " +
      "does. Without MESSAGE arguments it reads lines like 'inet tcp connect': a '> ' prompt on a " +
      "terminal, none when stdin is a pipe; an empty line or the end of input ends it.",
    "UDP promises nothing: a datagram or its reply may be lost, so each waits at most --timeout " +
      "seconds. A closed port is reported at once when the system says so.",
  ].join("\n\n"),
  options: [
    {
      name: "timeout",
      type: "string",
      value: "SECONDS",
      description: "how long to wait for each reply (default 5)",
    },
  ],
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  examples: [
    [`inet udp send 127.0.0.1:${DEFAULT_PORT} hello`, "one datagram, one reply"],
    [`inet udp send [::1]:${DEFAULT_PORT}`, "interactive, over IPv6"],
  ],
  async run(args, context) {
    const target = parseSocketTarget(args.positionals[0]!);
    const timeout = parseSeconds(stringOption(args, "timeout"), "timeout", 5);
    const options = { timeout, signal: context.signal, onTrace: context.out.onTrace };
    const ask = async (message: string) => context.out.remote(await udpAsk(target, message, options));
    const messages = args.positionals.slice(1);
    if (messages.length > 0) {
      for (const message of messages) await ask(message);
    } else {
      await forEachInputLine(context, ask);
    }
    return EXIT.ok;
  },
};

/** The `inet udp` group. */
export const udpGroup: GroupSpec = {
  name: "udp",
  summary: "the UDP timestamp server and client",
  description:
    "The socket chapter's UDP timestamp pair: a server that answers each datagram with the " +
    "time, and a client that sends datagrams. IPv4 and IPv6.",
  commands: [serve, send],
};
