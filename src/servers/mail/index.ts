/**
 * The mail server (`startMailServer`: SMTP now, POP3 and IMAP later) and its store: Maildir on
 * disk or in memory, one mailbox per user.
 */
export { DEFAULT_MAIL_DOMAIN, type Destination, MailDirectory, type MailUser } from "./directory.js";
export { MaildirMailStore, type MaildirStoreOptions } from "./maildir-store.js";
export { DEFAULT_MEMORY_LIMIT, MemoryMailStore } from "./memory-store.js";
export { startMailServer } from "./server.js";
export {
  checkMailboxName,
  type DeliveryEvent,
  MAIL_FLAGS,
  type MailFlag,
  type MailStore,
  normalizeMailFlags,
  type StoredMessage,
} from "./store.js";
export type { MailServer, MailServerOptions, MailStoreOptions } from "./types.js";
