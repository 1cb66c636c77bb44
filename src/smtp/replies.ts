/**
 * SMTP replies as the client reports them: the RFC 3463 enhanced status code each reply may carry
 * (RFC 2034 §4 puts it after the basic code on every line), the reply's text without the codes,
 * and the {@link ReplyError} a refusal becomes. Pure: no I/O.
 */
import { type ErrorContext, ProtocolError, ReplyError } from "../errors.js";
import type { NumericReply } from "../textproto/numeric-reply.js";
import type { RejectedRecipient, ReplyInfo } from "./types.js";

/** `class.subject.detail` (RFC 3463 §2): class 2, 4 or 5; subject and detail of 1–3 digits. */
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/;

/**
 * The enhanced status code at the start of the reply's first line, or `undefined` when there is
 * none or its class does not match the reply code's first digit (a `250 5.1.1` is not a real
 * enhanced code, RFC 3463 §2 "the class … must match").
 */
export function enhancedCodeOf(reply: Pick<NumericReply, "code" | "lines">): string | undefined {
  const match = ENHANCED.exec(reply.lines[0] ?? "");
  if (!match || Number(match[1]) !== Math.floor(reply.code / 100)) return undefined;
  return `${match[1]}.${Number(match[2])}.${Number(match[3])}`;
}

/** The reply's lines joined with `\n`, each without a leading enhanced code of the reply's class. */
export function replyTextOf(reply: Pick<NumericReply, "code" | "lines">): string {
  const enhanced = enhancedCodeOf(reply) !== undefined;
  return reply.lines
    .map((line) => (enhanced ? line.replace(ENHANCED, "") : line))
    .join("\n")
    .trim();
}

/** The public summary of a reply. */
export function replyInfo(reply: NumericReply): ReplyInfo {
  return {
    code: reply.code,
    enhancedCode: enhancedCodeOf(reply),
    lines: [...reply.lines],
    text: replyTextOf(reply),
  };
}

/** The reply as one string with its code (`250 2.0.0 Ok`), lines joined with `\n`. */
export function formatReply(reply: Pick<NumericReply, "code" | "lines">): string {
  if (reply.lines.length === 1) return `${reply.code} ${reply.lines[0]}`.trimEnd();
  return reply.lines.map((line) => `${reply.code} ${line}`.trimEnd()).join("\n");
}

/** What a refused recipient looks like in a send result. */
export function rejection(address: string, reply: NumericReply): RejectedRecipient {
  return { address, code: reply.code, enhancedCode: enhancedCodeOf(reply), text: replyTextOf(reply) };
}

/**
 * The error for an unwanted reply: a {@link ReplyError} (with the enhanced code) for 4xx/5xx, a
 * {@link ProtocolError} (`unexpected-reply`) for anything else the command did not expect.
 */
export function replyErrorOf(reply: NumericReply, context: ErrorContext): ReplyError | ProtocolError {
  if (reply.code >= 400) {
    return new ReplyError({
      status: reply.code,
      lines: reply.lines,
      enhancedCode: enhancedCodeOf(reply),
      ...context,
    });
  }
  return new ProtocolError(
    "unexpected-reply",
    `unexpected reply ${reply.code}: ${reply.lines.join(" / ")}`,
    context,
  );
}
