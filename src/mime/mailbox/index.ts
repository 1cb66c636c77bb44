/**
 * mbox and Maildir: reading and writing mailboxes as raw message bytes (parsing a message is
 * `parseMessage`'s job). See mbox-reader.ts, mbox-writer.ts and maildir.ts.
 */
export type { MessageBytes } from "./byte-streams.js";
export {
  Maildir,
  type MaildirAddOptions,
  type MaildirEntry,
  type MaildirOpenOptions,
  type MaildirSubdir,
} from "./maildir.js";
export { type MaildirName, normalizeFlags, parseMaildirName } from "./maildir-names.js";
export { MboxQuoter } from "./mbox-quoter.js";
export { type MboxMessage, readMbox } from "./mbox-reader.js";
export { type MboxEvent, type MboxFormat, MboxScanner } from "./mbox-scanner.js";
export type {
  MboxEnvelope,
  MboxReadOptions,
  MboxReadStats,
  MboxSource,
} from "./mbox-source.js";
export { type MboxStreamedMessage, streamMbox } from "./mbox-stream.js";
export {
  asctime,
  formatFromLine,
  type MboxEntry,
  type MboxWriteInput,
  type MboxWriteOptions,
  type MboxWriteResult,
  writeMbox,
} from "./mbox-writer.js";
