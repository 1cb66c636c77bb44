/**
 * The Node contenders of the SMTP workloads, as one program bundled by esbuild at setup (with
 * inetkit and nodemailer inside) and run by plain `node`, without tsx: peak RSS and speed are
 * what a user's process would see, the same way for every Node client. Each contender imports
 * its library lazily (the bundle is split), so a process holds only its own client's code. Prints one JSON line:
 * `{"ms":…,"bytes":…,"cpuMs":…}` (bytes: messages accepted).
 *
 * Usage: node BUNDLE CONTENDER PARAMS_JSON
 * (CONTENDER: node-net, inetkit, inetkit-built, nodemailer, nodemailer-built)
 */
import { readFileSync } from "node:fs";
import type SMTPConnection from "nodemailer/lib/smtp-connection";
import type { SmtpClient } from "../../src/smtp/index.js";
import { benchText, type SmtpParams, smtpParams } from "./smtp-common.js";

/** Runs `work` and measures its wall time and this process's CPU time. */
async function timed(work: () => Promise<number>): Promise<{ ms: number; bytes: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const bytes = await work();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, bytes, cpuMs: (used.user + used.system) / 1000 };
}

const SUBJECT = "smtp-send benchmark";

/** `SmtpClient`: one connection, `send()` awaited per message (a Buffer, or a built message). */
async function inetkit(p: SmtpParams, built: boolean) {
  const { SmtpClient } = await import("../../src/smtp/index.js");
  const { buildMessage } = await import("../../src/mime/index.js");
  const message = readFileSync(p.messageFile);
  const text = benchText();
  const starttls = p.security === "starttls";
  let client: SmtpClient | undefined;
  const result = await timed(async () => {
    client = await SmtpClient.connect(`${starttls ? "smtp+starttls" : "smtp"}://${p.host}:${p.port}`, {
      ...(starttls
        ? { user: p.user, password: p.password, tls: { ca: readFileSync(p.caFile, "utf8") } }
        : {}),
    });
    let accepted = 0;
    for (let i = 0; i < p.count; i++) {
      const data = built ? buildMessage({ from: p.from, to: p.to, subject: SUBJECT, text }) : message;
      const sent = await client.send(data, { from: p.from, to: [p.to] });
      accepted += sent.accepted.length;
    }
    return accepted;
  });
  await client?.quit();
  return result;
}

/** nodemailer's `SMTPConnection` (the layer under its transports): connect, login, `send()` per message. */
async function nodemailerConnection(p: SmtpParams) {
  const { default: SMTPConnection } = await import("nodemailer/lib/smtp-connection");
  const message = readFileSync(p.messageFile);
  const starttls = p.security === "starttls";
  let connection: SMTPConnection | undefined;
  const result = await timed(async () => {
    const c = new SMTPConnection({
      host: p.host,
      port: p.port,
      secure: false,
      ...(starttls ? { requireTLS: true, tls: { ca: readFileSync(p.caFile, "utf8") } } : { ignoreTLS: true }),
    });
    connection = c;
    await new Promise<void>((resolve, reject) => {
      c.once("error", reject);
      c.connect(() => resolve());
    });
    if (starttls) {
      await new Promise<void>((resolve, reject) =>
        c.login({ user: p.user, pass: p.password }, (error) => (error ? reject(error) : resolve())),
      );
    }
    let accepted = 0;
    for (let i = 0; i < p.count; i++) {
      accepted += await new Promise<number>((resolve, reject) =>
        c.send({ from: p.from, to: [p.to] }, message, (error, info) =>
          error ? reject(error) : resolve(info.accepted.length),
        ),
      );
    }
    return accepted;
  });
  connection?.quit();
  return result;
}

/** nodemailer's transport as most code uses it: one pooled connection, `sendMail()` composing each message. */
async function nodemailerTransport(p: SmtpParams) {
  const { createTransport } = await import("nodemailer");
  const text = benchText();
  const starttls = p.security === "starttls";
  const transport = createTransport({
    host: p.host,
    port: p.port,
    secure: false,
    pool: true,
    maxConnections: 1,
    maxMessages: Number.POSITIVE_INFINITY,
    ...(starttls
      ? {
          requireTLS: true,
          auth: { user: p.user, pass: p.password },
          tls: { ca: readFileSync(p.caFile, "utf8") },
        }
      : { ignoreTLS: true }),
  });
  const result = await timed(async () => {
    let accepted = 0;
    for (let i = 0; i < p.count; i++) {
      const info = await transport.sendMail({ from: p.from, to: p.to, subject: SUBJECT, text });
      accepted += info.accepted.length;
    }
    return accepted;
  });
  transport.close();
  return result;
}

const [contender, json] = process.argv.slice(2);
const p = smtpParams(JSON.parse(json ?? "{}") as Record<string, string | number | boolean>);
/** The bare-socket ceiling (smtp-bare.ts). */
async function nodeNet(p: SmtpParams) {
  let close: (() => void) | undefined;
  const result = await timed(async () => {
    const { bareSend } = await import("./smtp-bare.js");
    const run = await bareSend(p);
    close = run.close;
    return run.accepted;
  });
  close?.();
  return result;
}

const result =
  contender === "node-net"
    ? await nodeNet(p)
    : contender === "inetkit" || contender === "inetkit-built"
      ? await inetkit(p, contender === "inetkit-built")
      : contender === "nodemailer"
        ? await nodemailerConnection(p)
        : contender === "nodemailer-built"
          ? await nodemailerTransport(p)
          : undefined;
if (!result) throw new Error(`unknown contender ${contender}`);
process.stdout.write(`${JSON.stringify(result)}\n`);
