/**
 * What the SMTP workloads' contenders share: their params, the 10 KiB message, and the external
 * clients (curl, Python's smtplib) run under `/usr/bin/time`. Only Node built-ins here: this file
 * is also bundled into the plain-node program (smtp-node-entry.ts).
 *
 * Every contender measures the same span: from before it dials to the final reply to its last
 * message (connect, EHLO, STARTTLS and AUTH when asked, N transactions; not QUIT, not process
 * startup). Each counts the messages the server accepted; that count is the run's `bytes`.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ContenderResult, Params } from "../types.js";
import { python, runProgram, scratch } from "./ftp-common.js";

/** What setup hands to every SMTP contender. */
export interface SmtpParams {
  host: string;
  port: number;
  /** Messages to send over the one connection. */
  count: number;
  from: string;
  to: string;
  /** The message, as a file (for curl and smtplib; the Node programs read it into one Buffer). */
  messageFile: string;
  /** `starttls`: STARTTLS required, then AUTH PLAIN with `user`/`password`, the CA in `caFile`. */
  security: "none" | "starttls";
  user: string;
  password: string;
  caFile: string;
}

/** The typed view of the JSON params a child receives. */
export function smtpParams(params: Params): SmtpParams {
  return {
    host: String(params.host),
    port: Number(params.port),
    count: Number(params.bytes),
    from: String(params.from),
    to: String(params.to),
    messageFile: String(params.messageFile),
    security: params.security === "starttls" ? "starttls" : "none",
    user: String(params.user ?? ""),
    password: String(params.password ?? ""),
    caFile: String(params.caFile ?? ""),
  };
}

/** Size of the benchmark message. */
export const MESSAGE_BYTES = 10 * 1024;

/**
 * A message of exactly `size` bytes (at least ~300): a few header fields, then 78-byte lines of
 * printable ASCII (no leading dots: nobody has dot-stuffing to do), the last line cut to fit.
 */
export function benchMessage(from: string, to: string, size = MESSAGE_BYTES): Buffer {
  const head =
    `From: Bench <${from}>\r\nTo: <${to}>\r\nSubject: smtp-send benchmark\r\n` +
    "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\nMessage-ID: <smtp-send@example.org>\r\n" +
    "Content-Type: text/plain; charset=us-ascii\r\n\r\n";
  const line = `${"The quick brown fox jumps over the lazy dog. 0123456789 ".repeat(2).slice(0, 76)}\r\n`;
  let body = "";
  // Stop while at least 2 bytes remain, so the last line (maybe empty) can take up the rest.
  while (head.length + body.length + line.length + 2 <= size) body += line;
  body += `${"x".repeat(size - head.length - body.length - 2)}\r\n`;
  return Buffer.from(head + body, "latin1");
}

/** The plain-text body `inetkit-built` and `nodemailer-built` compose into a message (~10 KiB). */
export function benchText(): string {
  const line = `${"The quick brown fox jumps over the lazy dog. 0123456789 ".repeat(2).slice(0, 76)}\n`;
  return line.repeat(Math.floor((MESSAGE_BYTES - 400) / line.length));
}

/**
 * curl: one process, a config file with one block per message joined by `next`; curl keeps the
 * connection and sends MAIL/RCPT/DATA again on it (no RSET). Its time is the sum of the
 * transfers' own `time_total` (the first includes connecting), so reading 2,000 config blocks
 * and starting the process are not counted; CPU and peak RSS are the whole process's.
 */
export async function curlSend(p: SmtpParams): Promise<ContenderResult> {
  const { dir, remove } = await scratch();
  try {
    const scheme = "smtp";
    const block = [
      `url = "${scheme}://${p.host}:${p.port}"`,
      `mail-from = "${p.from}"`,
      `mail-rcpt = "${p.to}"`,
      `upload-file = "${p.messageFile}"`,
      'write-out = "%{response_code} %{time_total}\\n"',
      ...(p.security === "starttls"
        ? [
            "ssl-reqd",
            `cacert = "${p.caFile}"`,
            `user = "${p.user}:${p.password}"`,
            'login-options = "AUTH=PLAIN"',
          ]
        : []),
    ].join("\n");
    const config = join(dir, "curl.cfg");
    await writeFile(config, Array.from({ length: p.count }, () => block).join("\nnext\n"));
    const run = await runProgram("curl", ["--silent", "--show-error", "--config", config]);
    let ms = 0;
    let accepted = 0;
    for (const line of run.stdout.trim().split("\n")) {
      const [code = "", seconds = "0"] = line.split(" ");
      if (code === "250") accepted += 1;
      ms += Number(seconds) * 1000;
    }
    return { ms, bytes: accepted, cpuMs: run.cpuMs, maxRSS: run.maxRSS };
  } finally {
    await remove();
  }
}

const SMTPLIB_SEND = `
import smtplib, ssl, sys, time
host, port, count, sender, rcpt, path, security, user, password, cafile = sys.argv[1:11]
message = open(path, "rb").read()
start = time.perf_counter()
smtp = smtplib.SMTP(host, int(port))
if security == "starttls":
    smtp.starttls(context=ssl.create_default_context(cafile=cafile))
    smtp.login(user, password)
accepted = 0
for _ in range(int(count)):
    refused = smtp.sendmail(sender, [rcpt], message)
    accepted += 1 - len(refused)
ms = (time.perf_counter() - start) * 1000
smtp.quit()
print(ms, accepted)
`;

/** Python's smtplib: one `SMTP` connection, `sendmail()` once per message with the same bytes. */
export async function smtplibSend(p: SmtpParams): Promise<ContenderResult> {
  const args = [p.host, String(p.port), String(p.count), p.from, p.to, p.messageFile, p.security];
  const run = await runProgram(python(), ["-c", SMTPLIB_SEND, ...args, p.user, p.password, p.caFile]);
  const [ms = Number.NaN, accepted = Number.NaN] = run.stdout.trim().split(" ").map(Number);
  return { ms, bytes: accepted, cpuMs: run.cpuMs, maxRSS: run.maxRSS };
}
