// Messages the client-vs-* interop tests send: whole RFC 5322 messages as bytes, each with a
// unique Message-ID (the marker a test looks for in a Maildir) and Date and Message-ID present,
// so Postfix adds nothing but its Received field. Lines stay far below 998 octets: Postfix folds
// longer ones on delivery.
import { randomUUID } from "node:crypto";

export interface Fixture {
  /** `<…@example.org>`, unique per call. */
  messageId: string;
  bytes: Buffer;
}

function message(headers: string[], body: string): Fixture {
  const messageId = `<${randomUUID()}@example.org>`;
  const head = [...headers, "Date: Mon, 01 Jan 2024 00:00:00 +0000", `Message-ID: ${messageId}`];
  return { messageId, bytes: Buffer.from(`${head.join("\r\n")}\r\n\r\n${body}`, "utf8") };
}

/** Plain ASCII, with lines a client must dot-stuff (".", "..", ".x") and an empty last line. */
export function asciiMessage(from: string, to: string, subject = "plain"): Fixture {
  return message(
    [`From: ${from}`, `To: ${to}`, `Subject: ${subject}`],
    "First line.\r\n.\r\n..two dots\r\n.leading dot\r\n\r\nLast line.\r\n",
  );
}

/** ASCII headers, an 8-bit UTF-8 body (needs BODY=8BITMIME). */
export function eightBitMessage(from: string, to: string): Fixture {
  return message(
    [
      `From: ${from}`,
      `To: ${to}`,
      "Subject: 8-bit body",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 8bit",
    ],
    "Grüße aus Köln — ¡olé! 日本語のテキスト\r\nSecond line.\r\n",
  );
}

/** UTF-8 in the header fields (RFC 6532) and body: needs SMTPUTF8 end to end. */
export function utf8Message(from: string, to: string): Fixture {
  return message(
    [
      `From: José Núñez <${from}>`,
      `To: <${to}>`,
      "Subject: Ünïcödé subject, Ελληνικά",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 8bit",
    ],
    "Καλημέρα κόσμε.\r\n",
  );
}
