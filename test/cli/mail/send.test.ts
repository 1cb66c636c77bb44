// `inet mail send` against our loopback mail server: the text from --text, a file or standard
// input; HTML and attachments; Cc and Bcc (a Bcc recipient gets the message, no header names
// them); --dry-run sends nothing; --json; refused recipients; remote text escaped; usage and
// local errors with their exit codes.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { MailServer } from "../../../src/servers/mail/index.js";
import { startScriptedServer } from "../../../src/servers/testing/index.js";
import { Capture, runCli } from "../run-cli.js";
import {
  cleanup,
  emptyMailboxes,
  fromAddress,
  mail,
  mailbox,
  mailServer,
  mailWithInput,
  tempFile,
} from "./mail-fixtures.js";

let server: MailServer;
let smtp: string;
before(async () => {
  server = await mailServer();
  smtp = server.urls.smtp!;
});
after(async () => {
  await server.close();
  await cleanup();
});
beforeEach(() => emptyMailboxes(server));

/** `send` to the plain listener from alice (no login: the server takes mail for its users). */
function send(...args: string[]) {
  return mail("send", "--server", smtp, "--from", "Alice <alice@localhost>", ...args);
}

describe("inet mail send: the message", () => {
  it("--text: delivered, and the result says to whom and what the server answered", async () => {
    const run = await send("--to", "bob@localhost", "--subject", "Lunch?", "--text", "At noon?");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    assert.match(run.stdout, /^sent <[^>]+> to bob@localhost\nserver: 250 /);
    const [message, ...more] = await mailbox(server, "bob");
    assert.equal(more.length, 0);
    assert.equal(message!.parsed.subject, "Lunch?");
    assert.equal(message!.parsed.text, "At noon?\r\n");
    assert.equal(fromAddress(message!.parsed), "alice@localhost");
    assert.match(message!.text, /^Return-Path: <alice@localhost>\r\nReceived: /);
  });

  it("the text from standard input, and from --text-file (UTF-8, non-ASCII subject)", async () => {
    const piped = await mailWithInput(
      "line one\nline two\n",
      "send",
      "--server",
      smtp,
      "-f",
      "alice@localhost",
      "-t",
      "bob@localhost",
      "-s",
      "piped",
    );
    assert.equal(piped.code, 0, piped.stderr);
    const file = await tempFile("notes.txt", "Grüße aus Köln\n");
    const fromFile = await send("-t", "bob@localhost", "-s", "Grüße", "--text-file", file);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    const messages = await mailbox(server, "bob");
    assert.deepEqual(
      messages.map((m) => [m.parsed.subject, m.parsed.text]),
      [
        ["piped", "line one\r\nline two\r\n"],
        ["Grüße", "Grüße aus Köln\r\n"],
      ],
    );
  });

  it("Ctrl-C while waiting for the text on standard input: exit 130, nothing sent", async () => {
    const controller = new AbortController();
    const stderr = new Capture();
    const running = runCli(
      ["mail", "send", "--server", smtp, "-f", "alice@localhost", "-t", "bob@localhost", "-s", "x"],
      { signal: controller.signal, stderr },
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    const run = await running;
    assert.equal(run.code, 130);
    assert.match(run.stderr, /interrupted/);
    assert.equal((await mailbox(server, "bob")).length, 0);
  });

  it("--html and --attach: a text/HTML alternative and the files, byte for byte", async () => {
    const html = await tempFile("page.html", "<p>Hello <b>Bob</b></p>\n");
    const binary = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
    const data = await tempFile("data.bin", binary);
    const csv = await tempFile("table.csv", "a,b\n1,2\n");
    const run = await send(
      "-t",
      "bob@localhost",
      "-s",
      "report",
      "--text",
      "see the attachments",
      "--html",
      html,
      "--attach",
      data,
      "--attach",
      csv,
    );
    assert.equal(run.code, 0, run.stderr);
    const [message] = await mailbox(server, "bob");
    const parsed = message!.parsed;
    assert.equal(parsed.text, "see the attachments\r\n");
    assert.equal(parsed.html, "<p>Hello <b>Bob</b></p>\r\n");
    assert.deepEqual(
      parsed.attachments.map((a) => a.filename),
      ["data.bin", "table.csv"],
    );
    assert.deepEqual(await parsed.attachments[0]!.content(), binary);
    assert.equal((await parsed.attachments[1]!.content()).toString(), "a,b\n1,2\n");
  });

  it("--html alone does not wait for standard input", async () => {
    const html = await tempFile("only.html", "<h1>Hi</h1>");
    const run = await send("-t", "bob@localhost", "-s", "html only", "--html", html);
    assert.equal(run.code, 0, run.stderr);
    const [message] = await mailbox(server, "bob");
    assert.equal(message!.parsed.text, undefined);
    assert.equal(message!.parsed.html, "<h1>Hi</h1>\r\n");
  });

  it("--cc and --bcc: everyone gets it, and no copy names the Bcc recipient", async () => {
    const run = await send(
      "--to",
      "bob@localhost",
      "--cc",
      "Alice <alice@localhost>",
      "--bcc",
      "carol@localhost",
      "-s",
      "copies",
      "--text",
      "hi",
      "--json",
    );
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.deepEqual(result.accepted, ["bob@localhost", "alice@localhost", "carol@localhost"]);
    assert.deepEqual(result.envelope, {
      from: "alice@localhost",
      to: ["bob@localhost", "alice@localhost", "carol@localhost"],
    });
    for (const user of ["bob", "alice", "carol"]) {
      const messages = await mailbox(server, user);
      assert.equal(messages.length, 1, user);
      const { text, parsed } = messages[0]!;
      assert.equal(parsed.headers.get("cc"), "Alice <alice@localhost>");
      assert.equal(parsed.headers.has("bcc"), false, user);
      // Only carol's own copy may say it was delivered for her (a Received "for" clause).
      if (user !== "carol") assert.ok(!text.includes("carol"), `${user}'s copy names carol`);
    }
  });

  it("several addresses in one --to, and --to repeated", async () => {
    const run = await send(
      "--to",
      "bob@localhost, carol@localhost",
      "--to",
      "alice@localhost",
      "-s",
      "x",
      "--text",
      "y",
    );
    assert.equal(run.code, 0, run.stderr);
    for (const user of ["alice", "bob", "carol"]) assert.equal((await mailbox(server, user)).length, 1, user);
  });
});

describe("inet mail send --dry-run", () => {
  it("prints the message on stdout and the envelope (Bcc marked) on stderr, and sends nothing", async () => {
    const run = await send(
      "-t",
      "bob@localhost",
      "--bcc",
      "carol@localhost",
      "-s",
      "draft",
      "--text",
      "not yet",
      "-n",
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^From: Alice <alice@localhost>\r\nTo: bob@localhost\r\nSubject: draft\r\n/);
    assert.match(run.stdout, /\r\n\r\nnot yet\r\n$/);
    assert.ok(!/^Bcc:/im.test(run.stdout));
    assert.match(run.stderr, /dry run: nothing was sent/);
    assert.match(run.stderr, /MAIL FROM:<alice@localhost>/);
    assert.match(run.stderr, /RCPT TO:<bob@localhost>\n/);
    assert.match(run.stderr, /RCPT TO:<carol@localhost> {2}\(bcc\)/);
    assert.match(run.stderr, /server: smtp:\/\/127\.0\.0\.1:\d+ \(not contacted\)/);
    for (const user of ["alice", "bob", "carol"]) assert.equal((await mailbox(server, user)).length, 0);
  });

  it("--dry-run --json: the envelope, the Bcc list and the message text; no server needed", async () => {
    const run = await mail(
      "send",
      "-f",
      "a@example.org",
      "-t",
      "b@example.org",
      "--bcc",
      "c@example.org",
      "-s",
      "s",
      "--text",
      "t",
      "--dry-run",
      "--json",
    );
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal(result.dryRun, true);
    assert.deepEqual(result.envelope, { from: "a@example.org", to: ["b@example.org", "c@example.org"] });
    assert.deepEqual(result.bcc, ["c@example.org"]);
    assert.match(result.message, /^From: a@example.org\r\n/);
    assert.equal(result.server, undefined);
  });
});

describe("inet mail send: refusals and errors", () => {
  it("a refused recipient among accepted ones: the others get it, the refused one is named, exit 4", async () => {
    const run = await send("-t", "bob@localhost", "-t", "nobody@localhost", "-s", "x", "--text", "y");
    assert.equal(run.code, 4);
    assert.match(run.stdout, /^sent <[^>]+> to bob@localhost\n/);
    assert.match(run.stderr, /^inet: not delivered to nobody@localhost: 550 5\.1\.1 .+\n/);
    assert.match(run.stderr, /1 of 2 recipients refused; the others got the message/);
    assert.equal((await mailbox(server, "bob")).length, 1);
  });

  it("--json lists the refused recipients with their codes", async () => {
    const run = await send(
      "-t",
      "nobody@localhost",
      "-t",
      "carol@localhost",
      "-s",
      "x",
      "--text",
      "y",
      "--json",
    );
    assert.equal(run.code, 4);
    const result = JSON.parse(run.stdout);
    assert.deepEqual(result.accepted, ["carol@localhost"]);
    assert.equal(result.rejected.length, 1);
    assert.deepEqual(
      { ...result.rejected[0], text: undefined },
      { address: "nobody@localhost", code: 550, enhancedCode: "5.1.1", text: undefined },
    );
    assert.match(result.response, /^250 /);
    assert.match(result.messageId, /^<.+@localhost>$/);
  });

  it("every recipient refused (relaying to another domain): nothing sent, exit 4", async () => {
    const run = await send("-t", "someone@example.com", "-s", "x", "--text", "y");
    assert.equal(run.code, 4);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /^inet: .*550.*RCPT TO:<someone@example\.com>/);
  });

  it("usage errors (exit 2) before any connection", async () => {
    const cases: Array<[string[], RegExp]> = [
      // No text given: the missing recipient is reported before standard input is read.
      [["send", "--server", smtp, "-f", "alice@localhost", "-s", "x"], /no recipient/],
      [["send", "--server", smtp, "-t", "bob@localhost", "-s", "x", "--text", "y"], /pass --from ADDR/],
      [["send", "--server", smtp, "-f", "alice@localhost", "-s", "x", "--text", "y"], /no recipient/],
      [
        ["send", "--server", smtp, "-f", "alice@localhost", "-t", "bob@localhost", "--text", "y"],
        /no subject/,
      ],
      [
        ["send", "--server", smtp, "-f", "alice@", "-t", "bob@localhost", "-s", "x", "--text", "y"],
        /^inet: --from: /,
      ],
      [
        ["send", "--server", smtp, "-f", "a@localhost", "-t", "not an address", "-s", "x", "--text", "y"],
        /--to: /,
      ],
      [
        ["send", "-f", "a@localhost", "-t", "b@localhost", "-s", "x", "--text", "y"],
        /no server to send through/,
      ],
      [
        [
          "send",
          "--server",
          "imap://127.0.0.1",
          "-f",
          "a@localhost",
          "-t",
          "b@localhost",
          "-s",
          "x",
          "--text",
          "y",
        ],
        /not an SMTP URL/,
      ],
      [
        [
          "send",
          "--server",
          "127.0.0.1:25",
          "-f",
          "a@localhost",
          "-t",
          "b@localhost",
          "-s",
          "x",
          "--text",
          "y",
        ],
        /must be a URL/,
      ],
      [
        ["send", "--account", "nope", "-f", "a@localhost", "-t", "b@localhost", "-s", "x", "--text", "y"],
        /no mail account named "nope"/,
      ],
      [
        [
          "send",
          "--server",
          smtp,
          "-f",
          "a@localhost",
          "-t",
          "b@localhost",
          "-s",
          "x",
          "--text",
          "y",
          "--text-file",
          "f",
        ],
        /not both/,
      ],
    ];
    for (const [argv, pattern] of cases) {
      const run = await mail(...argv);
      assert.equal(run.code, 2, `${argv.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, pattern, argv.join(" "));
    }
    for (const user of ["alice", "bob"]) assert.equal((await mailbox(server, user)).length, 0);
  });

  it("a missing attachment or text file is a local error (exit 5), and nothing is sent", async () => {
    const missing = await send(
      "-t",
      "bob@localhost",
      "-s",
      "x",
      "--text",
      "y",
      "--attach",
      "/nonexistent/file.pdf",
    );
    assert.equal(missing.code, 5);
    assert.match(missing.stderr, /ENOENT/);
    const text = await send("-t", "bob@localhost", "-s", "x", "--text-file", "/nonexistent/notes.txt");
    assert.equal(text.code, 5);
    const notUtf8 = await send(
      "-t",
      "bob@localhost",
      "-s",
      "x",
      "--text-file",
      await tempFile("latin1.txt", Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65])),
    );
    assert.equal(notUtf8.code, 2);
    assert.match(notUtf8.stderr, /is not UTF-8 text/);
    assert.equal((await mailbox(server, "bob")).length, 0);
  });

  it("a server that cannot be reached: exit 3", async () => {
    const closed = await mailServer();
    const url = closed.urls.smtp!;
    await closed.close();
    const run = await mail(
      "send",
      "--server",
      url,
      "-f",
      "a@localhost",
      "-t",
      "b@localhost",
      "-s",
      "x",
      "--text",
      "y",
    );
    assert.equal(run.code, 3, run.stderr);
  });

  it("what the server says is printed with its control characters escaped", async () => {
    await using scripted = await startScriptedServer(async (session) => {
      await session.sendLine("220 scripted ESMTP");
      await session.expectLine(/^EHLO /);
      await session.sendLine("250 scripted");
      await session.expectLine(/^MAIL FROM:<a@localhost>/);
      await session.sendLine("250 ok");
      await session.expectLine(/^RCPT TO:<evil@localhost>/);
      await session.sendLine("550 no \x1b]0;pwned\x07 such user");
      await session.expectLine(/^RCPT TO:<b@localhost>/);
      await session.sendLine("250 ok");
      await session.expectLine("DATA");
      await session.sendLine("354 go ahead");
      while ((await session.readLine()) !== ".") {
        // the message
      }
      await session.sendLine("250 queued \x1b[2J as 1");
      await session.expectLine("QUIT");
      await session.sendLine("221 bye");
    });
    const run = await mail(
      "send",
      "--server",
      `smtp://127.0.0.1:${scripted.port}`,
      "-f",
      "a@localhost",
      "-t",
      "evil@localhost",
      "-t",
      "b@localhost",
      "-s",
      "x",
      "--text",
      "y",
    );
    assert.equal(run.code, 4, run.stderr);
    assert.ok(!run.stdout.includes("\x1b") && !run.stderr.includes("\x1b"));
    assert.match(run.stdout, /server: 250 queued \^\[\[2J as 1/);
    assert.match(run.stderr, /not delivered to evil@localhost: 550 no \^\[\]0;pwned\^G such user/);
  });
});
