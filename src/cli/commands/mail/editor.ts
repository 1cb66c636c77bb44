/**
 * `inet mail send --edit`: the message is written to a private temporary file (mode 0600, in a
 * folder of mode 0700) as a template — header lines, an empty line, the text — the user's editor
 * (`$VISUAL`, else `$EDITOR`, else `vi`) is run on it, and what was saved is read back. A file
 * left unchanged, or with no text, cancels the message (as in mutt and git).
 */
import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { InvalidArgumentError } from "../../../errors.js";
import type { CommandContext } from "../../command.js";
import { type Draft, decodeUtf8, MAX_BODY_BYTES } from "./compose.js";

/** The header lines of the template, in order; other fields the user adds are kept as extra headers. */
const TEMPLATE_FIELDS = ["From", "To", "Cc", "Bcc", "Subject"] as const;

const COMMENT = [
  "# Write the message: the header lines, an empty line, then the text.",
  "# Separate several addresses with commas. Lines starting with # before the",
  "# empty line are ignored. Save and quit to send; quit without saving, or",
  "# delete the text, to cancel.",
];

/** The template the editor opens: comments, the header lines, an empty line, the text. */
export function editorTemplate(draft: Draft): string {
  const values: Record<(typeof TEMPLATE_FIELDS)[number], string> = {
    From: draft.from ?? "",
    To: draft.to.join(", "),
    Cc: draft.cc.join(", "),
    Bcc: draft.bcc.join(", "),
    Subject: draft.subject ?? "",
  };
  const notes = [
    ...(draft.html ? [`# The HTML part: ${basename(draft.html.path)}`] : []),
    ...draft.attachments.map((path) => `# Attached: ${basename(path)}`),
  ];
  const lines = [
    ...COMMENT,
    ...notes,
    ...TEMPLATE_FIELDS.map((field) => `${field}: ${values[field]}`.trimEnd()),
    "",
    draft.text ?? "",
  ];
  return lines.join("\n");
}

/** What the user saved: a new draft, or why the message is cancelled. */
export type EditResult = { draft: Draft } | { cancelled: string };

/**
 * Reads back the saved template: header lines up to the first empty line (`#` lines skipped,
 * lines starting with a space or tab continue the previous one), then the text. From, To, Cc,
 * Bcc and Subject replace the draft's; any other field becomes an extra header (the builder
 * refuses the ones it writes itself, such as Date). The HTML and attachments stay as given.
 *
 * @returns `{ cancelled }` when the text is unchanged from `template`, or the file holds no
 *   text, HTML or attachment.
 * @throws {InvalidArgumentError} for a header line without a colon or a field given twice.
 */
export function parseEdited(saved: string, template: string, draft: Draft): EditResult {
  if (saved === template) return { cancelled: "the message was left unchanged" };
  const lines = saved.replace(/\r\n?/g, "\n").split("\n");
  const fields: Array<[string, string]> = [];
  let index = 0;
  for (; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (line.trim() === "") break;
    if (line.startsWith("#")) continue;
    if (/^[ \t]/.test(line) && fields.length > 0) {
      fields[fields.length - 1]![1] += ` ${line.trim()}`;
      continue;
    }
    const match = /^([!-9;-~]+):(.*)$/.exec(line);
    if (!match) {
      throw new InvalidArgumentError(
        `line ${index + 1} of the edited message is not a header line (Name: value) — leave an empty line before the text`,
      );
    }
    fields.push([match[1]!, match[2]!.trim()]);
  }
  const body = lines.slice(index + 1).join("\n");
  const next: Draft = { ...draft, to: [], cc: [], bcc: [], from: undefined, subject: "", headers: [] };
  const seen = new Set<string>();
  for (const [name, value] of fields) {
    const known = TEMPLATE_FIELDS.find((field) => field.toLowerCase() === name.toLowerCase());
    if (known === undefined) {
      next.headers.push([name, value]);
      continue;
    }
    if (seen.has(known)) throw new InvalidArgumentError(`the edited message has two ${known} lines`);
    seen.add(known);
    if (known === "From") next.from = value;
    else if (known === "Subject") next.subject = value;
    else if (value !== "") next[known.toLowerCase() as "to" | "cc" | "bcc"] = [value];
  }
  next.text = body.trim() === "" ? undefined : body;
  if (next.text === undefined && next.html === undefined && next.attachments.length === 0) {
    return { cancelled: "the message has no text" };
  }
  return { draft: next };
}

/** The editor command: `$VISUAL`, else `$EDITOR`, else `vi` (a shell command line, like git's). */
export function editorCommand(env: NodeJS.ProcessEnv): string {
  for (const name of ["VISUAL", "EDITOR"]) {
    const value = env[name];
    if (value !== undefined && value.trim() !== "") return value;
  }
  return "vi";
}

/** A composed message and the file it was written in. */
export interface EditSession {
  result: EditResult;
  /** The temporary file (kept when sending fails, so the text is not lost). */
  path: string;
  /** Removes the temporary file and its folder. Never rejects. */
  discard(): Promise<void>;
}

/**
 * Writes the template to a new private file, runs the editor on it and reads back what was saved.
 * The editor gets the terminal when `context.io` is the process's own streams.
 *
 * @throws {InvalidArgumentError} when the editor exits with a failure (its status is named; the
 *   file is removed), or for a saved file that is not UTF-8 or too large; AbortError when the
 *   command is interrupted.
 */
export async function editDraft(
  draft: Draft,
  context: CommandContext,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EditSession> {
  const folder = await mkdtemp(join(tmpdir(), "inet-mail-"));
  const path = join(folder, "message.eml");
  const discard = () => rm(folder, { recursive: true, force: true }).catch(() => {});
  try {
    const template = editorTemplate(draft);
    const handle = await open(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    try {
      // The umask could narrow 0600 but never widen it; say it exactly anyway.
      await handle.chmod(0o600);
      await handle.writeFile(template, "utf8");
    } finally {
      await handle.close();
    }
    await runEditor(editorCommand(env), path, context);
    const bytes = await readFile(path);
    if (bytes.length > MAX_BODY_BYTES) throw new InvalidArgumentError("the edited message is too large");
    const result = parseEdited(decodeUtf8(bytes, "the edited message"), template, draft);
    return { result, path, discard };
  } catch (error) {
    await discard();
    throw error;
  }
}

/** Runs `command "$1"` through the shell (so `code --wait` works) and waits for it. */
function runEditor(command: string, path: string, context: CommandContext): Promise<void> {
  const own = context.io.stdin === process.stdin;
  const child =
    process.platform === "win32"
      ? spawn(`${command} "${path}"`, { shell: true, stdio: own ? "inherit" : "ignore" })
      : spawn("/bin/sh", ["-c", `${command} "$1"`, "inet-editor", path], {
          stdio: own ? "inherit" : ["ignore", "pipe", "pipe"],
        });
  child.stdout?.pipe(context.io.stderr, { end: false });
  child.stderr?.pipe(context.io.stderr, { end: false });
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => child.kill("SIGTERM");
    context.signal.addEventListener("abort", onAbort, { once: true });
    child.once("error", (error) => {
      context.signal.removeEventListener("abort", onAbort);
      reject(error);
    });
    child.once("close", (status, signal) => {
      context.signal.removeEventListener("abort", onAbort);
      if (context.signal.aborted) reject(context.signal.reason);
      else if (status === 0) resolve();
      else {
        const how = signal !== null ? `was stopped by ${signal}` : `exited with status ${status}`;
        reject(new InvalidArgumentError(`the editor (${command}) ${how}: nothing sent`));
      }
    });
  });
}
