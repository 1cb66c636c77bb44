/**
 * What `inet mail send` is asked to send, gathered from the command line (and the account's
 * sender): the addresses, the subject, the text from `--text`, `--text-file` or standard input,
 * the HTML and the attachments — checked before any connection is made, then turned into a
 * `MessageSpec` for `buildMessage`.
 */
import { constants } from "node:fs";
import { access, open, stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { InvalidArgumentError } from "../../../errors.js";
import { parseAddressList, parseMailbox } from "../../../mime/address/index.js";
import type { MessageSpec } from "../../../mime/build/index.js";
import type { Address } from "../../../mime/types.js";
import { type CommandContext, type ParsedArgs, stringOption, stringsOption } from "../../command.js";

/** The largest text or HTML body read from a file or standard input (attach bigger files). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** A message before it is built: what the command line (or the editor) said. */
export interface Draft {
  from: string | undefined;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string | undefined;
  /** The plain text, when there is one. */
  text: string | undefined;
  /** The HTML file's name and text, when `--html` was given. */
  html: { path: string; text: string } | undefined;
  /** Files to attach. */
  attachments: string[];
  /** Further header fields (from the editor), in order. */
  headers: Array<[string, string]>;
}

/**
 * The draft the options describe. The text comes from `--text`, else `--text-file` (`-` is
 * standard input), else — unless `--html` or `--edit` is given — standard input (with a hint on
 * stderr when it is a terminal). Files are read here; attachments are only checked (see
 * {@link checkAttachments}) and read while sending.
 *
 * @throws {InvalidArgumentError} for both `--text` and `--text-file`, a body over
 *   {@link MAX_BODY_BYTES}, or text that is not UTF-8; Node's system errors for unreadable files.
 */
export async function draftFromArgs(
  args: ParsedArgs,
  context: CommandContext,
  defaults: { from?: string | undefined },
): Promise<Draft> {
  const textOption = stringOption(args, "text");
  const textFile = stringOption(args, "text-file");
  const htmlFile = stringOption(args, "html");
  if (textOption !== undefined && textFile !== undefined) {
    throw new InvalidArgumentError("give the text once: --text or --text-file, not both");
  }
  const draft: Draft = {
    from: stringOption(args, "from") ?? defaults.from,
    to: stringsOption(args, "to"),
    cc: stringsOption(args, "cc"),
    bcc: stringsOption(args, "bcc"),
    subject: stringOption(args, "subject"),
    text: textOption,
    html:
      htmlFile === undefined
        ? undefined
        : { path: htmlFile, text: decodeUtf8(await readBounded(htmlFile), htmlFile) },
    attachments: stringsOption(args, "attach"),
    headers: [],
  };
  const fromStdin =
    textFile === "-" ||
    (textFile === undefined &&
      textOption === undefined &&
      htmlFile === undefined &&
      args.values.edit !== true);
  if (fromStdin) {
    // Say what is missing before the user types a whole message.
    if (args.values.edit !== true) checkDraft({ ...draft, text: "" });
    if (context.io.stdin.isTTY === true) {
      context.out.note("Type the message, then Ctrl-D on a line of its own (Ctrl-C cancels):");
    }
    draft.text = await readStdinText(context, "standard input");
  } else if (textFile !== undefined) {
    draft.text = decodeUtf8(await readBounded(textFile), textFile);
  }
  // A text ends with a line break, as a text file does (--text "hi" is the line "hi").
  if (draft.text !== undefined && draft.text !== "" && !draft.text.endsWith("\n")) draft.text += "\n";
  return draft;
}

/** Reads a whole file of at most {@link MAX_BODY_BYTES}. */
async function readBounded(path: string): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new InvalidArgumentError(`${path} is not a regular file`);
    if (info.size > MAX_BODY_BYTES) throw tooLarge(path);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Standard input as text, at most {@link MAX_BODY_BYTES}. Ctrl-C (the command's signal) ends the
 * wait even while no byte comes.
 */
function readStdinText(context: CommandContext, what: string): Promise<string> {
  const stdin: Readable = context.io.stdin;
  const { signal } = context;
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: unknown) => {
      stdin.off("data", onData);
      stdin.off("end", onEnd);
      stdin.off("error", finish);
      signal.removeEventListener("abort", onAbort);
      stdin.pause();
      if (error !== undefined) reject(error);
      else {
        try {
          resolve(decodeUtf8(Buffer.concat(chunks), what));
        } catch (failure) {
          reject(failure);
        }
      }
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > MAX_BODY_BYTES) finish(tooLarge(what));
      else chunks.push(buffer);
    };
    const onEnd = () => finish();
    const onAbort = () => finish(signal.reason);
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    stdin.on("data", onData);
    stdin.once("end", onEnd);
    stdin.once("error", finish);
    stdin.resume();
  });
}

function tooLarge(what: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `${what} holds more than ${MAX_BODY_BYTES / 1024 / 1024} MiB: send it as an attachment (--attach)`,
  );
}

/**
 * Decodes UTF-8 (a BOM is dropped).
 * @throws {InvalidArgumentError} when `bytes` are not UTF-8, naming `what`.
 */
export function decodeUtf8(bytes: Buffer, what: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidArgumentError(`${what} is not UTF-8 text: convert it, or send it with --attach`);
  }
}

/**
 * Checks that every attachment is a readable regular file, before anything is sent.
 * @throws {InvalidArgumentError} for a folder or other non-file; Node's ENOENT/EACCES otherwise.
 */
export async function checkAttachments(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    const info = await stat(path);
    if (!info.isFile()) throw new InvalidArgumentError(`--attach ${path}: not a regular file`);
    await access(path, constants.R_OK);
  }
}

/** A checked draft, ready for `buildMessage`. */
export interface CheckedDraft {
  spec: MessageSpec;
  /** The Bcc addresses (envelope only), to mark them when the envelope is shown. */
  bcc: Set<string>;
}

/**
 * Checks the draft's addresses and turns it into a {@link MessageSpec}: a sender, at least one
 * recipient (To, Cc or Bcc), a subject (`""` allowed), a text, an HTML or an attachment. A UTF-8
 * local part in any address asks for SMTPUTF8 (RFC 6531), which the server must then offer.
 *
 * @throws {InvalidArgumentError} naming the option (or header) that is missing or invalid.
 */
export function checkDraft(draft: Draft, where: "options" | "editor" = "options"): CheckedDraft {
  const name = (option: string, header: string) =>
    where === "options" ? `--${option}` : `the ${header} line`;
  if (draft.from === undefined || draft.from.trim() === "") {
    throw new InvalidArgumentError(
      where === "options"
        ? "who is it from? pass --from ADDR (or use an account: --account NAME)"
        : "the From line is empty",
    );
  }
  const from = parse(() => parseMailbox(draft.from!.trim()), name("from", "From"));
  const lists = {
    to: addresses(draft.to, name("to", "To")),
    cc: addresses(draft.cc, name("cc", "Cc")),
    bcc: addresses(draft.bcc, name("bcc", "Bcc")),
  };
  if (lists.to.length + lists.cc.length + lists.bcc.length === 0) {
    throw new InvalidArgumentError(
      where === "options"
        ? "no recipient: pass --to ADDR (or --cc, --bcc)"
        : "no recipient: the To line is empty",
    );
  }
  if (draft.subject === undefined) {
    throw new InvalidArgumentError("no subject: pass --subject TEXT (--subject '' for none)");
  }
  if (draft.text === undefined && draft.html === undefined && draft.attachments.length === 0) {
    throw new InvalidArgumentError("nothing to send: give --text, --text-file, --html or --attach");
  }
  // Fields the builder writes from its own options (an editor's Reply-To:, In-Reply-To:, References:).
  const own = (field: string) => draft.headers.find(([name]) => name.toLowerCase() === field)?.[1];
  const replyTo = own("reply-to");
  const replyToList = replyTo !== undefined ? addresses([replyTo], "the Reply-To line") : [];
  const inReplyTo = own("in-reply-to");
  const references = own("references");
  const headers = draft.headers.filter(
    ([name]) => !["reply-to", "in-reply-to", "references"].includes(name.toLowerCase()),
  );
  const mailboxes = [from, ...[lists.to, lists.cc, lists.bcc].flat().flatMap(mailboxesOf)];
  const smtputf8 = mailboxes.some((mailbox) => /[^\x00-\x7f]/.test(localPart(mailbox.address)));
  const spec: MessageSpec = {
    from: draft.from.trim(),
    subject: draft.subject,
    ...(lists.to.length > 0 ? { to: lists.to } : {}),
    ...(lists.cc.length > 0 ? { cc: lists.cc } : {}),
    ...(lists.bcc.length > 0 ? { bcc: lists.bcc } : {}),
    ...(draft.text !== undefined ? { text: draft.text } : {}),
    ...(draft.html !== undefined ? { html: draft.html.text } : {}),
    ...(draft.attachments.length > 0 ? { attachments: draft.attachments.map((path) => ({ path })) } : {}),
    ...(replyToList.length > 0 ? { replyTo: replyToList } : {}),
    ...(inReplyTo ? { inReplyTo } : {}),
    ...(references ? { references } : {}),
    ...(headers.length > 0 ? { headers } : {}),
    ...(smtputf8 ? { smtputf8 } : {}),
  };
  return { spec, bcc: new Set(lists.bcc.flatMap(mailboxesOf).map((mailbox) => mailbox.address)) };
}

function parse<T>(run: () => T, what: string): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof InvalidArgumentError) {
      throw new InvalidArgumentError(`${what}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** Every address of the texts (each may be a list: `a@x, B <b@y>`), empty texts skipped. */
function addresses(texts: readonly string[], what: string): Address[] {
  return texts.flatMap((text) => parse(() => parseAddressList(text, { allowEmpty: true }), what));
}

function mailboxesOf(address: Address): Array<{ address: string }> {
  return "group" in address ? address.members : [address];
}

function localPart(address: string): string {
  const at = address.lastIndexOf("@");
  return at < 0 ? address : address.slice(0, at);
}
