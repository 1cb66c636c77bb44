// `inet mail send --edit`: the template written to a private temporary file, a (fake) editor run
// on it, what was saved parsed back and sent; unchanged or emptied files cancel (exit 130); a
// failing editor is reported; a draft that cannot be sent is kept. And the pure template parser.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import type { Draft } from "../../../src/cli/commands/mail/compose.js";
import { editorCommand, editorTemplate, parseEdited } from "../../../src/cli/commands/mail/editor.js";
import { InvalidArgumentError } from "../../../src/errors.js";
import type { MailServer } from "../../../src/servers/mail/index.js";
import { cleanup, emptyMailboxes, mail, mailbox, mailServer, tempDir } from "./mail-fixtures.js";

let server: MailServer;
before(async () => {
  server = await mailServer();
});
after(async () => {
  await server.close();
  await cleanup();
});
afterEach(async () => {
  delete process.env.EDITOR;
  delete process.env.VISUAL;
  await emptyMailboxes(server);
});

function draft(overrides: Partial<Draft> = {}): Draft {
  return {
    from: "alice@localhost",
    to: ["bob@localhost"],
    cc: [],
    bcc: [],
    subject: undefined,
    text: undefined,
    html: undefined,
    attachments: [],
    headers: [],
    ...overrides,
  };
}

/**
 * A fake editor: a Node script that records the file's path, mode and text in `log`, then
 * rewrites the file with `edit` (a function body taking the text, returning the new text).
 */
async function fakeEditor(edit: string): Promise<{ command: string; log: string }> {
  const dir = await tempDir();
  const script = join(dir, "editor.mjs");
  const log = join(dir, "log.json");
  await writeFile(
    script,
    `import { readFileSync, statSync, writeFileSync } from "node:fs";
const path = process.argv[2];
const text = readFileSync(path, "utf8");
writeFileSync(${JSON.stringify(log)}, JSON.stringify({ path, mode: statSync(path).mode & 0o777, text }));
const edit = (text) => { ${edit} };
writeFileSync(path, edit(text));
`,
  );
  return { command: `'${process.execPath}' '${script}'`, log };
}

async function readLog(log: string): Promise<{ path: string; mode: number; text: string }> {
  return JSON.parse(await readFile(log, "utf8"));
}

describe("inet mail send --edit", () => {
  it("opens a 0600 template prefilled from the options and sends what was saved", async () => {
    const editor = await fakeEditor(
      `return text.replace(/^Subject:.*$/m, "Subject: written in the editor").replace(/^Bcc:.*$/m, "Bcc: carol@localhost") + "Dear Bob,\\n\\nsee you.\\n";`,
    );
    process.env.EDITOR = editor.command;
    const run = await mail(
      "send",
      "--server",
      server.urls.smtp!,
      "-f",
      "Alice <alice@localhost>",
      "-t",
      "bob@localhost",
      "--edit",
    );
    assert.equal(run.code, 0, run.stderr);
    const seen = await readLog(editor.log);
    assert.equal(seen.mode, 0o600);
    assert.match(seen.text, /^From: Alice <alice@localhost>$/m);
    assert.match(seen.text, /^To: bob@localhost$/m);
    assert.match(seen.text, /^Subject:$/m);
    assert.equal(existsSync(seen.path), false, "the temporary file is removed");
    const [message] = await mailbox(server, "bob");
    assert.equal(message!.parsed.subject, "written in the editor");
    assert.equal(message!.parsed.text, "Dear Bob,\r\n\r\nsee you.\r\n");
    assert.equal((await mailbox(server, "carol")).length, 1, "the Bcc line added in the editor counts");
    assert.equal(message!.parsed.headers.has("bcc"), false);
  });

  it("fields added in the editor are sent: Reply-To and In-Reply-To by the builder, others as they are", async () => {
    const editor = await fakeEditor(
      `return text.replace(/^Subject:.*$/m, "Subject: re\\nReply-To: Carol <carol@localhost>\\nIn-Reply-To: <1@localhost>\\nX-Mood: cheerful") + "ok\\n";`,
    );
    process.env.EDITOR = editor.command;
    const run = await mail(
      "send",
      "--server",
      server.urls.smtp!,
      "-f",
      "alice@localhost",
      "-t",
      "bob@localhost",
      "-e",
    );
    assert.equal(run.code, 0, run.stderr);
    const headers = (await mailbox(server, "bob"))[0]!.parsed.headers;
    assert.equal(headers.get("reply-to"), "Carol <carol@localhost>");
    assert.equal(headers.get("in-reply-to"), "<1@localhost>");
    assert.equal(headers.get("x-mood"), "cheerful");
  });

  it("--text prefills the body; VISUAL wins over EDITOR", async () => {
    const visual = await fakeEditor(`return text.replace("draft body", "final body");`);
    process.env.VISUAL = visual.command;
    process.env.EDITOR = "false";
    const run = await mail(
      "send",
      "--server",
      server.urls.smtp!,
      "-f",
      "alice@localhost",
      "-t",
      "bob@localhost",
      "-s",
      "prefilled",
      "--text",
      "draft body",
      "-e",
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match((await readLog(visual.log)).text, /^Subject: prefilled\n\ndraft body\n$/m);
    const [message] = await mailbox(server, "bob");
    assert.equal(message!.parsed.text, "final body\r\n");
  });

  it("an unchanged file cancels: exit 130, nothing sent, the file removed", async () => {
    const editor = await fakeEditor("return text;");
    process.env.EDITOR = editor.command;
    const run = await mail(
      "send",
      "--server",
      server.urls.smtp!,
      "-f",
      "alice@localhost",
      "-t",
      "bob@localhost",
      "-s",
      "x",
      "--text",
      "y",
      "--edit",
    );
    assert.equal(run.code, 130);
    assert.match(run.stderr, /nothing sent: the message was left unchanged/);
    assert.equal(existsSync((await readLog(editor.log)).path), false);
    assert.equal((await mailbox(server, "bob")).length, 0);
  });

  it("deleting the text cancels too", async () => {
    process.env.EDITOR = (await fakeEditor(`return text.replace(/\\n\\n[\\s\\S]*$/, "\\n\\n");`)).command;
    const run = await mail(
      "send",
      "--server",
      server.urls.smtp!,
      "-f",
      "alice@localhost",
      "-t",
      "bob@localhost",
      "-s",
      "x",
      "--text",
      "y",
      "--edit",
    );
    assert.equal(run.code, 130);
    assert.match(run.stderr, /nothing sent: the message has no text/);
    assert.equal((await mailbox(server, "bob")).length, 0);
  });

  it("an editor that fails is reported (exit 2), nothing sent", async () => {
    process.env.EDITOR = "exit 3;";
    const run = await mail(
      "send",
      "--server",
      server.urls.smtp!,
      "-f",
      "alice@localhost",
      "-t",
      "bob@localhost",
      "--edit",
    );
    assert.equal(run.code, 2);
    assert.match(run.stderr, /the editor \(exit 3;\) exited with status 3: nothing sent/);
  });

  it("a message that cannot be sent keeps the file and says where", async () => {
    const editor = await fakeEditor(`return text.replace(/^To:.*$/m, "To: not an address") + "body\\n";`);
    process.env.EDITOR = editor.command;
    const run = await mail(
      "send",
      "--server",
      server.urls.smtp!,
      "-f",
      "alice@localhost",
      "-t",
      "bob@localhost",
      "-s",
      "x",
      "--edit",
    );
    assert.equal(run.code, 2);
    assert.match(run.stderr, /the To line: invalid address/);
    const { path } = await readLog(editor.log);
    assert.ok(run.stderr.includes(`kept in ${path}`), run.stderr);
    assert.match(await readFile(path, "utf8"), /^To: not an address$/m);
    await rm(dirname(path), { recursive: true, force: true });
  });
});

describe("editorTemplate and parseEdited", () => {
  it("the template: comments, the five header lines, an empty line, the text", () => {
    const template = editorTemplate(
      draft({
        cc: ["c@x.org", "d@x.org"],
        subject: "Hi",
        text: "body\n",
        attachments: ["/tmp/a/report.pdf"],
      }),
    );
    const lines = template.split("\n");
    assert.ok(lines.slice(0, 4).every((line) => line.startsWith("# ")));
    assert.ok(lines.includes("# Attached: report.pdf"));
    assert.deepEqual(lines.slice(5, 11), [
      "From: alice@localhost",
      "To: bob@localhost",
      "Cc: c@x.org, d@x.org",
      "Bcc:",
      "Subject: Hi",
      "",
    ]);
    assert.equal(lines.slice(11).join("\n"), "body\n");
  });

  it("reads headers (comments skipped, continuation lines joined, extra fields kept) and the body", () => {
    const template = editorTemplate(draft());
    const saved = [
      "# a comment",
      "from: Alice <alice@localhost>",
      "To: bob@localhost,",
      "  carol@localhost",
      "Subject: two",
      "X-Mood: cheerful",
      "",
      "# not a comment in the body",
      "text",
    ].join("\r\n");
    const result = parseEdited(saved, template, draft());
    assert.ok("draft" in result);
    assert.equal(result.draft.from, "Alice <alice@localhost>");
    assert.deepEqual(result.draft.to, ["bob@localhost, carol@localhost"]);
    assert.deepEqual(result.draft.cc, []);
    assert.equal(result.draft.subject, "two");
    assert.deepEqual(result.draft.headers, [["X-Mood", "cheerful"]]);
    assert.equal(result.draft.text, "# not a comment in the body\ntext");
  });

  it("cancels an unchanged or empty file; refuses a non-header line and a repeated field", () => {
    const template = editorTemplate(draft({ text: "x" }));
    assert.deepEqual(parseEdited(template, template, draft()), {
      cancelled: "the message was left unchanged",
    });
    assert.deepEqual(parseEdited("", template, draft()), { cancelled: "the message has no text" });
    assert.ok(
      "draft" in parseEdited("From: a@x.org\n\n", template, draft({ attachments: ["f"] })),
      "an attachment is enough",
    );
    assert.throws(
      () => parseEdited("From: a@x.org\nno colon here\n\nbody", template, draft()),
      InvalidArgumentError,
    );
    assert.throws(
      () => parseEdited("Subject: a\nSubject: b\n\nbody", template, draft()),
      /two Subject lines/,
    );
  });

  it("the editor: VISUAL, else EDITOR, else vi", () => {
    assert.equal(editorCommand({ VISUAL: "code --wait", EDITOR: "nano" }), "code --wait");
    assert.equal(editorCommand({ VISUAL: " ", EDITOR: "nano" }), "nano");
    assert.equal(editorCommand({}), "vi");
  });
});
