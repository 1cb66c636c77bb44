/**
 * `inet mail send`: build a message (text, HTML, attachments; or composed in `$EDITOR`) and send
 * it over SMTP — or, with `--dry-run`, print it and the envelope and send nothing.
 *
 * Exit codes: 0 when every recipient was accepted; 4 when the server refused some recipients (the
 * others got the message; the refused ones are listed) or all of them, or the message; 3 when the
 * connection, TLS or the login failed; 2 for usage errors; 5 for unreadable local files; 130 when
 * composing was cancelled or interrupted.
 */
import { ProtocolError, ReplyError } from "../../../errors.js";
import { type BuiltMessage, buildMessage } from "../../../mime/build/index.js";
import type { SendResult } from "../../../smtp/index.js";
import type { CommandContext, CommandSpec, ParsedArgs } from "../../command.js";
import type { InetConfig } from "../../config.js";
import { EXIT } from "../../exit-codes.js";
import { sanitize } from "../../terminal.js";
import { loadCliConfig } from "../ftp/common.js";
import { safeJson } from "../ftp/progress.js";
import { type CheckedDraft, checkAttachments, checkDraft, draftFromArgs } from "./compose.js";
import {
  chooseMailServer,
  type MailServerChoice,
  mailConnectOptions,
  openSmtp,
  smtpOptionsFrom,
} from "./connect.js";
import { type EditSession, editDraft } from "./editor.js";

export const sendCommand: CommandSpec = {
  name: "send",
  summary: "send a message (text, HTML, attachments; or compose it in $EDITOR)",
  usage:
    "inet mail send --from ADDR --to ADDR... [--cc ADDR]... [--bcc ADDR]... --subject TEXT " +
    "[--text TEXT | --text-file FILE | < FILE] [--html FILE] [--attach FILE]... [--edit] [--dry-run] " +
    "[--json] [--server URL | --account NAME] [--insecure] [--ca FILE] [--timeout SECONDS]",
  description: [
    "Builds a MIME message and hands it to an SMTP server: the book's smtplib.sendmail() on the " +
      "command line. The text comes from --text, --text-file (- for standard input) or, when " +
      "neither is given, standard input; --html adds an HTML version (the text then becomes its " +
      "plain alternative); each --attach adds a file. --to, --cc and --bcc may be repeated and " +
      "each may hold a comma-separated list. Bcc recipients get the message but appear in no " +
      "header. Addresses with a UTF-8 local part need a server offering SMTPUTF8.",
    "--edit opens the message in your editor ($VISUAL, else $EDITOR, else vi) as a template of " +
      "header lines (From, To, Cc, Bcc, Subject), an empty line and the text, prefilled from the " +
      "options; what you save is sent. Leaving the file unchanged or deleting the text cancels " +
      "(exit 130, nothing sent). The file is private (mode 0600) and removed afterwards; when " +
      "sending fails it is kept, and its path is printed.",
    "--dry-run prints the message exactly as it would be sent on standard output (redirect it to " +
      "a .eml file) and the envelope on standard error (MAIL FROM and every RCPT TO, Bcc " +
      "included), and connects to nothing. --json prints the result as JSON: accepted, rejected " +
      "(address, code, enhancedCode, text), the server's response, the envelope and the Message-ID.",
    "The server is --server URL, else the server of the account (--account NAME, else the " +
      "default account; see 'inet mail accounts'), whose sender is used when --from is not given. " +
      "smtp+starttls:// requires STARTTLS (port 587) and smtps:// is TLS from the start (465); " +
      "certificates are verified (--ca FILE trusts a private CA). Plain smtp:// never upgrades " +
      "and never carries a password without --insecure. With a user name (in the URL or the " +
      "account) the client logs in; the password comes from the URL, the account (only when " +
      "stored there), ~/.netrc, INET_SMTP_PASSWORD or INET_PASSWORD, or a prompt on a terminal.",
    "When the server refuses some recipients, the message still goes to the others: the refused " +
      "ones are listed on standard error (and under rejected in --json) and the exit code is 4, " +
      "so that a script notices. Sending again would reach the accepted recipients twice. When " +
      "every recipient is refused nothing is sent (exit 4). What the server says is printed with " +
      "its control characters escaped.",
  ].join("\n\n"),
  options: [
    {
      name: "from",
      short: "f",
      type: "string",
      value: "ADDR",
      description: "the sender (default: the account's)",
    },
    {
      name: "to",
      short: "t",
      type: "string",
      value: "ADDR",
      multiple: true,
      description: "a recipient (repeatable)",
    },
    {
      name: "cc",
      type: "string",
      value: "ADDR",
      multiple: true,
      description: "a copy recipient (repeatable)",
    },
    {
      name: "bcc",
      type: "string",
      value: "ADDR",
      multiple: true,
      description: "a hidden recipient: in the envelope, in no header (repeatable)",
    },
    { name: "subject", short: "s", type: "string", value: "TEXT", description: "the subject ('' for none)" },
    { name: "text", type: "string", value: "TEXT", description: "the text of the message" },
    {
      name: "text-file",
      type: "string",
      value: "FILE",
      description: "read the text from FILE (UTF-8; - for standard input)",
    },
    { name: "html", type: "string", value: "FILE", description: "an HTML version, read from FILE" },
    {
      name: "attach",
      type: "string",
      value: "FILE",
      multiple: true,
      description: "attach FILE (repeatable)",
    },
    { name: "edit", short: "e", type: "boolean", description: "compose the message in $VISUAL / $EDITOR" },
    {
      name: "dry-run",
      short: "n",
      type: "boolean",
      description: "print the message and the envelope; send nothing",
    },
    {
      name: "json",
      type: "boolean",
      description: "print the result (or, with --dry-run, the message) as JSON",
    },
    ...mailConnectOptions,
  ],
  positionals: { min: 0, max: 0 },
  examples: [
    [
      "inet mail send --server smtp+starttls://alice@mail.example.org --from alice@example.org " +
        "--to bob@example.org --subject 'Lunch?' --text 'At noon?'",
      "log in as alice (password from ~/.netrc, INET_SMTP_PASSWORD or a prompt) and send",
    ],
    [
      "fortune | inet mail send -a work -t bob@example.org -s 'Quote of the day'",
      "the text from standard input, sent as the account 'work'",
    ],
    [
      "inet mail send -a work -t team@example.org --cc boss@example.org -s Report --text-file notes.txt " +
        "--html report.html --attach report.pdf",
      "text and HTML versions and an attachment",
    ],
    ["inet mail send -a work -t bob@example.org --edit", "write it in your editor, then send it"],
    [
      "inet mail send -f a@example.org -t b@example.org -s Test --text hi --dry-run > test.eml",
      "see exactly what would be sent (the envelope goes to stderr)",
    ],
    [
      "inet mail send --server smtp://127.0.0.1:2525 -f alice@localhost -t bob@localhost -s hi --text hello",
      "to the loopback server of 'inet serve mail' (no login needed for its own users)",
    ],
  ],
  async run(args, context) {
    const config = await loadCliConfig(context);
    const choice = chooseMailServer(args, config);
    let draft = await draftFromArgs(args, context, { from: choice.account?.from });
    let editing: EditSession | undefined;
    let sent = false;
    try {
      if (args.values.edit === true) {
        editing = await editDraft(draft, context);
        if ("cancelled" in editing.result) {
          context.out.error(`nothing sent: ${editing.result.cancelled}`);
          return EXIT.interrupted;
        }
        draft = editing.result.draft;
      }
      const checked = checkDraft(draft, editing ? "editor" : "options");
      await checkAttachments(draft.attachments);
      const message = buildMessage(checked.spec);
      if (args.values["dry-run"] === true) {
        await printDryRun(message, checked, choice, args, context);
        sent = true;
        return EXIT.ok;
      }
      const code = await send(message, checked, { choice, config, args, context });
      sent = true;
      return code;
    } finally {
      if (editing && (sent || "cancelled" in editing.result)) await editing.discard();
      else if (editing) context.out.note(`inet: the message you wrote is kept in ${sanitize(editing.path)}`);
    }
  },
};

/** Connects, sends, quits, prints the outcome; returns the exit code. */
async function send(
  message: BuiltMessage,
  checked: CheckedDraft,
  how: { choice: MailServerChoice; config: InetConfig; args: ParsedArgs; context: CommandContext },
): Promise<number> {
  const { choice, config, args, context } = how;
  let client: Awaited<ReturnType<typeof openSmtp>>;
  try {
    client = await openSmtp(choice, { context, ...(await smtpOptionsFrom(args, config)) });
  } catch (error) {
    // Before the first message, a refusal (greeting, EHLO, AUTH — the last reply of a SASL
    // exchange names no command) or no mechanism in common is a failed connection or login.
    if (
      error instanceof ReplyError ||
      (error instanceof ProtocolError && error.reason === "auth-unavailable")
    ) {
      context.out.error(error.message);
      return EXIT.connection;
    }
    throw error;
  }
  let result: SendResult;
  try {
    result = await client.send(message, {
      ...(checked.spec.smtputf8 ? { smtputf8: true } : {}),
      signal: context.signal,
    });
  } finally {
    await client.quit().catch(() => client.close());
  }
  if (args.values.json === true) {
    context.out.line(safeJson({ server: choice.url, ...result }));
  } else {
    const id = result.messageId !== undefined ? `${result.messageId} ` : "";
    context.out.remote(`sent ${id}to ${result.accepted.join(", ")}`);
    context.out.remote(`server: ${result.response}`);
  }
  for (const refused of result.rejected) {
    const code = [refused.code, refused.enhancedCode].filter((part) => part !== undefined).join(" ");
    context.out.error(`not delivered to ${refused.address}: ${code} ${refused.text}`);
  }
  if (result.rejected.length > 0) {
    context.out.note(
      `inet: ${result.rejected.length} of ${result.rejected.length + result.accepted.length} recipients refused; ` +
        "the others got the message (do not resend it to them)",
    );
    return EXIT.remote;
  }
  return EXIT.ok;
}

/** The message on stdout (exact bytes, line ends LF on a terminal), the envelope on stderr. */
async function printDryRun(
  message: BuiltMessage,
  checked: CheckedDraft,
  choice: MailServerChoice,
  args: ParsedArgs,
  context: CommandContext,
): Promise<void> {
  let bytes = await message.toBuffer();
  // The client ends the data with a line break when the message lacks one: show that too.
  if (bytes.length > 0 && !bytes.subarray(-2).equals(Buffer.from("\r\n"))) {
    bytes = Buffer.concat([bytes, Buffer.from("\r\n")]);
  }
  const envelope = message.envelope;
  if (args.values.json === true) {
    context.out.line(
      safeJson({
        dryRun: true,
        ...(choice.url !== undefined ? { server: choice.url } : {}),
        envelope,
        bcc: envelope.to.filter((address) => checked.bcc.has(address)),
        message: bytes.toString("utf8"),
      }),
    );
    return;
  }
  const stdout = context.io.stdout;
  if (stdout.isTTY === true) {
    // On a terminal: readable, and nothing in a file given to --text-file can act on it.
    stdout.write(`${sanitize(bytes.toString("utf8").replace(/\r\n/g, "\n"), { keepNewline: true })}`);
  } else {
    stdout.write(bytes);
  }
  const out = context.out;
  out.note("inet: dry run: nothing was sent");
  out.note(sanitize(`  MAIL FROM:<${envelope.from}>`));
  for (const address of envelope.to) {
    out.note(sanitize(`  RCPT TO:<${address}>${checked.bcc.has(address) ? "  (bcc)" : ""}`));
  }
  out.note(
    choice.url !== undefined ? `  server: ${sanitize(choice.url)} (not contacted)` : "  server: none given",
  );
}
