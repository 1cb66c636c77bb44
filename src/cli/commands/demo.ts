/**
 * `inet demo`: every loopback server started, and talked to through the library, step by step.
 * Each protocol contributes its steps to {@link DEMO_STEPS}.
 */
import { type CommandSpec, parseSeconds, stringOption } from "../command.js";
import { ftpSteps } from "../demo/ftp.js";
import { mailSteps } from "../demo/mail.js";
import { socketSteps } from "../demo/sockets.js";
import { type DemoStep, runDemo } from "../demo/steps.js";
import { EXIT } from "../exit-codes.js";

/** The steps `inet demo` runs, in order. */
export const DEMO_STEPS: readonly DemoStep[] = [...socketSteps, ...ftpSteps, ...mailSteps];

export const demoCommand: CommandSpec = {
  name: "demo",
  summary: "start every loopback server and talk to each, step by step",
  usage: "inet demo [--timeout SECONDS] [--trace]",
  description: [
    "Starts each of inetkit's servers on loopback (port 0: the system picks free ports), talks to " +
      "it through the same library calls a program would use, prints what it does and what came " +
      "back, checks every reply, and closes everything. Nothing leaves this machine.",
    "So far: the socket chapter's timestamp server over TCP/IPv4, TCP/IPv6 (skipped when the " +
      "machine has no ::1), a Unix-domain socket, and UDP; the FTP chapter's ftplib session " +
      "(login, cd, dir, download, upload) over FTPES; and its myMail.py: a message sent over " +
      "SMTP (STARTTLS, login) from one local user to another, read back from the mail store and " +
      "its body compared with what was sent.",
    "Exits 0 when every step passed (or was skipped); otherwise with the code of the first failure " +
      "(4 when a reply did not have the expected shape).",
  ].join("\n\n"),
  options: [
    {
      name: "timeout",
      type: "string",
      value: "SECONDS",
      description: "limit for each network wait (default 10)",
    },
  ],
  positionals: { min: 0, max: 0 },
  examples: [
    ["inet demo", "run every step"],
    ["inet demo --trace", "the same, with every line on the wire shown on stderr"],
  ],
  async run(args, context) {
    const timeout = parseSeconds(stringOption(args, "timeout"), "timeout", 10);
    context.out.line("inet demo: each step starts a server on loopback and talks to it through the library.");
    context.out.line();
    const summary = await runDemo(DEMO_STEPS, context.out, {
      signal: context.signal,
      onTrace: context.out.onTrace,
      timeout,
    });
    const failed = summary.failed > 0 ? `, ${summary.failed} failed` : "";
    context.out.line(`Done: ${summary.passed} steps passed, ${summary.skipped} skipped${failed}.`);
    return summary.failed > 0 ? summary.exitCode : EXIT.ok;
  },
};
