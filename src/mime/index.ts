/**
 * `inetkit/mime`: build and parse Internet messages. The streaming parser (`parseMessage`), the
 * builder (`buildMessage`), RFC 5322 addresses (one parser for headers and the SMTP envelope),
 * RFC 2047 encoded words, RFC 2231 parameters, dates and message ids, base64 and
 * quoted-printable codecs with charset decoding, and the mbox and Maildir formats.
 */
export * from "./address/index.js";
export * from "./build/index.js";
export * from "./codec/index.js";
export * from "./header/index.js";
export {
  formatFromLine,
  Maildir,
  type MaildirAddOptions,
  type MaildirEntry,
  type MaildirOpenOptions,
  type MaildirSubdir,
  type MboxEntry,
  type MboxEnvelope,
  type MboxFormat,
  type MboxMessage,
  type MboxReadOptions,
  type MboxReadStats,
  type MboxSource,
  type MboxStreamedMessage,
  type MboxWriteInput,
  type MboxWriteOptions,
  type MboxWriteResult,
  type MessageBytes,
  normalizeFlags,
  parseMaildirName,
  readMbox,
  streamMbox,
  writeMbox,
} from "./mailbox/index.js";
export * from "./parse/index.js";
export type * from "./types.js";
