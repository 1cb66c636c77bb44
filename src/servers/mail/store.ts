/**
 * The mail store every mail server of `startMailServer` shares: one mailbox per local user,
 * messages delivered by SMTP and read, flagged and deleted by POP3 and IMAP. Two kinds:
 * {@link MaildirMailStore} (one Maildir per user under a root folder) and {@link MemoryMailStore}.
 *
 * Flags are IMAP's system flags (RFC 9051 §2.3.2) so an IMAP server can use them as they are; the
 * Maildir store keeps them as the Maildir letters (`S`, `R`, `F`, `T`, `D`), which Dovecot, mutt
 * and Python's `mailbox` read the same way.
 */
import type { Readable } from "node:stream";
import { InvalidArgumentError } from "../../errors.js";
import type { MessageBytes } from "../../mime/mailbox/byte-streams.js";

/** The flags a stored message can carry (IMAP system flags; `\Recent` is the IMAP server's own). */
export type MailFlag = "\\Seen" | "\\Answered" | "\\Flagged" | "\\Deleted" | "\\Draft";

/** Every {@link MailFlag}, in the order lists of flags are kept. */
export const MAIL_FLAGS: readonly MailFlag[] = ["\\Answered", "\\Deleted", "\\Draft", "\\Flagged", "\\Seen"];

/** One message of a mailbox. */
export interface StoredMessage {
  /** Stable for the life of the message, unique in its mailbox (a Maildir key, or a counter). */
  id: string;
  /** Bytes as stored (lines end in CRLF, as received). */
  size: number;
  /** Sorted as {@link MAIL_FLAGS}, each once. */
  flags: readonly MailFlag[];
  /** When it was delivered. */
  receivedAt: Date;
}

/** What {@link MailStore.onDelivery} listeners hear: a message has landed in `user`'s mailbox. */
export interface DeliveryEvent {
  user: string;
  id: string;
}

/** A mail store: mailboxes by user name. */
export interface MailStore {
  readonly kind: "maildir" | "memory";
  /**
   * Creates `user`'s mailbox when missing (idempotent).
   * @throws InvalidArgumentError for a name that cannot be a mailbox (see {@link checkMailboxName}).
   */
  ensureMailbox(user: string): Promise<void>;
  /** The users that have a mailbox, sorted. */
  mailboxes(): Promise<string[]>;
  /**
   * Delivers one message to the mailboxes of `users` (each once; created when missing), reading
   * `content` as it comes (a Readable or async iterable is not gathered first by the Maildir
   * store). Nothing is visible until the whole message is stored; when `content` fails, nothing
   * is left behind and the error propagates. Resolves to the new id in each user's mailbox.
   * @throws InvalidArgumentError for no users or a bad user name; LimitError (`store`) when a
   *   memory store is full; Node's file-system errors for a Maildir store.
   */
  deliver(users: readonly string[], content: MessageBytes): Promise<Map<string, string>>;
  /**
   * The messages of `user`'s mailbox in delivery order (oldest first); empty when it has none.
   * @throws InvalidArgumentError for a bad user name.
   */
  list(user: string): Promise<StoredMessage[]>;
  /** One message. @throws InvalidArgumentError for an unknown user or id. */
  stat(user: string, id: string): Promise<StoredMessage>;
  /**
   * The message's bytes as a stream (an unknown user or id is an `error` event with
   * InvalidArgumentError).
   */
  read(user: string, id: string): Readable;
  /** The whole message. @throws InvalidArgumentError for an unknown user or id. */
  readMessage(user: string, id: string): Promise<Buffer>;
  /**
   * Replaces the message's flags. Resolves to the message as it now is.
   * @throws InvalidArgumentError for an unknown user, id or flag.
   */
  setFlags(user: string, id: string, flags: Iterable<MailFlag>): Promise<StoredMessage>;
  /** Deletes a message for good. @throws InvalidArgumentError for an unknown user or id. */
  remove(user: string, id: string): Promise<void>;
  /** Calls `listener` after every delivery (once per mailbox). Returns the function that stops it. */
  onDelivery(listener: (event: DeliveryEvent) => void): () => void;
}

/**
 * Checks a user name for use as a mailbox (and, for the Maildir store, a folder name): 1–64
 * characters of letters, digits, `.`, `_`, `+` and `-`, not starting with `.`.
 * @throws InvalidArgumentError otherwise.
 */
export function checkMailboxName(user: string): string {
  if (typeof user !== "string" || !/^[A-Za-z0-9_+-][A-Za-z0-9._+-]{0,63}$/.test(user)) {
    throw new InvalidArgumentError(
      `a mail user name must be 1-64 letters, digits, ".", "_", "+" or "-", not starting with ".": ${JSON.stringify(String(user).slice(0, 80))}`,
    );
  }
  return user;
}

/**
 * The flags as a store keeps them: known, each once, sorted.
 * @throws InvalidArgumentError for anything but a {@link MailFlag}.
 */
export function normalizeMailFlags(flags: Iterable<MailFlag>): MailFlag[] {
  const wanted = new Set<string>();
  for (const flag of flags) {
    if (!(MAIL_FLAGS as readonly string[]).includes(flag)) {
      throw new InvalidArgumentError(`unknown mail flag ${JSON.stringify(String(flag).slice(0, 40))}`);
    }
    wanted.add(flag);
  }
  return MAIL_FLAGS.filter((flag) => wanted.has(flag));
}

/** Calls each listener, so that one that throws cannot stop the others (or the delivery). */
export function notify(listeners: ReadonlySet<(event: DeliveryEvent) => void>, event: DeliveryEvent): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch {
      // A listener's failure is its own.
    }
  }
}
