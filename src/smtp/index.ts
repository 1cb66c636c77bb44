/**
 * SMTP, ESMTP and LMTP client: RFC 5321 (SMTP), 3207 (STARTTLS), 4954 (AUTH), 1870 (SIZE),
 * 6152 (8BITMIME), 6531 (SMTPUTF8), 2920 (PIPELINING), 3030 (CHUNKING, BINARYMIME), 3461 (DSN),
 * 2034/3463 (enhanced status codes), 2033 (LMTP).
 */
export { SmtpClient } from "./client.js";
export { SmtpPool } from "./pool.js";
export type {
  DsnOptions,
  RejectedRecipient,
  ReplyInfo,
  SendOptions,
  SendResult,
  SmtpCommandOptions,
  SmtpConnectOptions,
  SmtpMessage,
  SmtpPoolOptions,
  SmtpSession,
} from "./types.js";
