/**
 * The mail step of `inet demo`: the book's myMail.py — a plain message, headers and three body
 * lines written by hand, sent from one local user to another over SMTP, then read back from the
 * mailbox and its body compared line by line with what was sent. Here the message goes to the
 * loopback mail server's submission port with STARTTLS and a login, and is read back from the
 * server's (in-memory) store; POP3 takes that part when it exists.
 */
import { ProtocolError } from "../../errors.js";
import { parseMessage } from "../../mime/parse/index.js";
import { SmtpClient } from "../../smtp/index.js";
import type { DemoStep } from "./steps.js";

const HEADERS = ["From: alice@localhost", "To: bob@localhost", "Subject: test msg"];
const BODY = ["xxx", "yyy", "zzz"];

/** The lines of a body, without the empty line a final line break leaves. */
function bodyLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export const mailSteps: readonly DemoStep[] = [
  {
    title: "SMTP (the book's myMail.py: sendmail, then read the message back and compare the bodies)",
    async run(context) {
      context.say(
        "Starting a mail server on 127.0.0.1 with an in-memory store, users alice and bob, and TLS…",
      );
      // Loaded on use: every other `inet` command would otherwise load the mail server too.
      const { startMailServer } = await import("../../servers/mail/server.js");
      const server = await startMailServer({
        users: [
          { name: "alice", password: "alice-password" },
          { name: "bob", password: "bob-password" },
        ],
        tls: true,
      });
      try {
        const url = server.urls.submission!;
        context.say(`Listening on ${server.urls.smtp} and ${url} (submission); logging in there as alice…`);
        const smtp = await SmtpClient.connect(url.replace("://", "://alice@"), {
          password: "alice-password",
          tls: { ca: server.ca! },
          timeout: context.timeout,
          signal: context.signal,
          onTrace: context.onTrace,
          netrc: false,
          env: {},
        });
        let response: string;
        try {
          const { session } = smtp;
          context.say(
            `Logged in with ${session.saslMechanism ?? "?"} over ${session.tls?.protocol ?? "?"} (STARTTLS).`,
          );
          const message = `${HEADERS.join("\r\n")}\r\n\r\n${BODY.join("\r\n")}\r\n`;
          const result = await smtp.send(message, { from: "alice@localhost", to: ["bob@localhost"] });
          if (result.rejected.length > 0) {
            throw new ProtocolError("unexpected-reply", `refused: ${result.rejected[0]!.address}`, {});
          }
          response = result.response;
        } finally {
          await smtp.quit();
        }
        context.show("Sent alice → bob; the server said: ", response);
        const stored = await server.store.list("bob");
        if (stored.length !== 1) {
          throw new ProtocolError(
            "unexpected-reply",
            `bob's mailbox holds ${stored.length} messages, not 1`,
            {},
          );
        }
        const bytes = await server.store.readMessage("bob", stored[0]!.id);
        const parsed = await parseMessage(bytes);
        context.show("In bob's mailbox: ", `${stored[0]!.size} bytes, Subject: ${parsed.subject ?? ""}`);
        const received = parsed.headers.get("received");
        if (received !== undefined) context.show("Stamped: Received: ", received.replace(/\s+/g, " "));
        const lines = bodyLines(parsed.text ?? "");
        context.show("Body read back: ", lines.join(" / "));
        if (lines.join("\n") !== BODY.join("\n")) {
          throw new ProtocolError("unexpected-reply", "the body read back differs from the body sent", {});
        }
        context.say("The bodies match. ✓");
      } finally {
        await server.close();
      }
      return undefined;
    },
  },
];
