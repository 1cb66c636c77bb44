/**
 * `smtp-send`: N messages (default 2,000) of 10 KiB over one connection into Postfix's smtp-sink
 * on 127.0.0.1, a C sink that accepts and drops everything (aiosmtpd and Postfix itself are too
 * slow to tell clients apart). `smtp-send-postfix`: the same into a private Postfix over its
 * submission port with STARTTLS + AUTH PLAIN (SASL by Dovecot), to a recipient Postfix discards.
 *
 * - `node-net`: the ceiling, a bare socket exchange written inline (smtp-bare.ts);
 * - `inetkit`: `SmtpClient.connect()` + `send(buffer, { from, to })` awaited per message;
 * - `inetkit-built`: the same, each message made by `buildMessage({ from, to, subject, text })`;
 * - `nodemailer`: nodemailer 10.6's `SMTPConnection` (under its transports), `send()` per message;
 * - `nodemailer-built`: `createTransport({ pool: true, maxConnections: 1, maxMessages: Infinity })`
 *   and `sendMail({ from, to, subject, text })` per message (composed by nodemailer);
 * - `curl`: one process, one config block per message (curl reuses the connection);
 * - `smtplib`: Python's `SMTP.sendmail()` per message.
 *
 * The Node contenders run as one esbuild bundle under plain `node` (smtp-node-entry.ts), so each
 * one's peak RSS is a whole process's, as it is for curl and python3. `bytes` counts messages.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Contender, ContenderResult, Params, Workload } from "../types.js";
import { runProgram, scratch } from "./ftp-common.js";
import { benchMessage, curlSend, MESSAGE_BYTES, smtplibSend, smtpParams } from "./smtp-common.js";

/** Runs one Node contender of the bundled program; its CPU time is the timed part's, its RSS the process's. */
async function runNode(params: Params, contender: string): Promise<ContenderResult> {
  const run = await runProgram(process.execPath, [String(params.bundle), contender, JSON.stringify(params)]);
  const result = JSON.parse(run.stdout.trim().split("\n").pop() ?? "") as ContenderResult;
  return { ms: result.ms, bytes: result.bytes, cpuMs: result.cpuMs, maxRSS: run.maxRSS };
}

/** Bundles smtp-node-entry.ts (inetkit and nodemailer inside) into `dir` for plain `node`. */
async function bundle(dir: string): Promise<string> {
  const { build } = await import("esbuild");
  await build({
    entryPoints: [fileURLToPath(new URL("./smtp-node-entry.ts", import.meta.url))],
    bundle: true,
    // Each contender's library in a chunk of its own, loaded by its dynamic import only.
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
    // nodemailer's CommonJS parts call require(); give the ESM bundle one.
    banner: {
      js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
    },
  });
  return join(dir, "smtp-node-entry.mjs");
}

const CONTENDERS: Contender[] = [
  {
    name: "node-net",
    role: "ceiling",
    description: "bare net.Socket written inline: MAIL+RCPT+DATA in one write, then the message and the dot",
    run: (params) => runNode(params, "node-net"),
  },
  {
    name: "inetkit",
    role: "ours",
    description:
      "SmtpClient.connect() + send(buffer, { from, to }) awaited per message (plain node, bundled)",
    run: (params) => runNode(params, "inetkit"),
  },
  {
    name: "inetkit-built",
    role: "ours",
    description: "the same, each message made by buildMessage({ from, to, subject, text }) and streamed",
    run: (params) => runNode(params, "inetkit-built"),
  },
  {
    name: "nodemailer",
    role: "theirs",
    description: "nodemailer 10.6 SMTPConnection: connect, login, send(envelope, buffer) per message",
    run: (params) => runNode(params, "nodemailer"),
  },
  {
    name: "nodemailer-built",
    role: "theirs",
    description:
      "nodemailer createTransport({ pool, maxConnections: 1, maxMessages: Infinity }).sendMail({ from, to, subject, text })",
    run: (params) => runNode(params, "nodemailer-built"),
  },
  {
    name: "curl",
    role: "theirs",
    description:
      "one curl process, one --config block per message (the connection is reused); sum of time_total",
    run: (params) => curlSend(smtpParams(params)),
  },
  {
    name: "smtplib",
    role: "theirs",
    description: "Python smtplib: one SMTP connection, sendmail() per message",
    run: (params) => smtplibSend(smtpParams(params)),
  },
];

/**
 * Writes the message and the bundle into a scratch folder, starts the peer with `start`, and
 * returns the params and a teardown that stops the peer and removes the folder. The interop module
 * is loaded here only, so contender children never load it.
 */
async function setupWith(
  count: number,
  start: () => Promise<{ params: Params; stop(): Promise<void> }>,
): Promise<{ params: Params; teardown(): Promise<void> }> {
  const work = await scratch();
  try {
    const from = "bench@example.org";
    const peer = await start();
    const to = String(peer.params.to);
    const messageFile = join(work.dir, "message.eml");
    await writeFile(messageFile, benchMessage(from, to), { mode: 0o644 });
    const params: Params = {
      ...peer.params,
      bytes: count,
      from,
      to,
      messageFile,
      bundle: await bundle(work.dir),
    };
    return {
      params,
      teardown: async () => {
        await peer.stop();
        await work.remove();
      },
    };
  } catch (error) {
    await work.remove();
    throw error;
  }
}

export const smtpSend: Workload = {
  name: "smtp-send",
  description: `send N messages of ${MESSAGE_BYTES / 1024} KiB over one plain SMTP connection into smtp-sink on 127.0.0.1`,
  defaultBytes: 2000,
  // Messages, counted per second in the table (the harness calls them entries).
  unit: "messages",
  contenders: CONTENDERS,
  setup: ({ bytes }) =>
    setupWith(bytes, async () => {
      const { startSmtpSink } = await import("../../test/interop/smtp/peers.js");
      const sink = await startSmtpSink();
      return {
        params: { host: sink.host, port: sink.port, to: "sink@example.org", security: "none" },
        stop: sink.stop,
      };
    }),
};

export const smtpSendPostfix: Workload = {
  name: "smtp-send-postfix",
  description: `send N messages of ${MESSAGE_BYTES / 1024} KiB into Postfix's submission port (STARTTLS + AUTH PLAIN), discarded there`,
  defaultBytes: 2000,
  unit: "messages",
  contenders: CONTENDERS,
  setup: ({ bytes }) =>
    setupWith(bytes, async () => {
      const { startPostfix } = await import("../../test/interop/smtp/peers.js");
      const postfix = await startPostfix();
      const params: Params = {
        host: postfix.host,
        port: postfix.ports.submission,
        to: postfix.sinkAddress,
        security: "starttls",
        user: postfix.user,
        password: postfix.password,
        caFile: postfix.caFile,
      };
      return { params, stop: postfix.stop };
    }),
};
