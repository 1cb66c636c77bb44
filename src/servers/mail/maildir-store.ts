/**
 * The Maildir mail store: under a root folder, one Maildir per user (`ROOT/alice/{tmp,new,cur}`),
 * written with src/mime's {@link Maildir} (tmp/ then a link into new/, fsync first), so Dovecot,
 * mutt and Python's `mailbox.Maildir` read the same mailboxes. IMAP flags map to the Maildir
 * letters: `\Seen` S, `\Answered` R, `\Flagged` F, `\Deleted` T, `\Draft` D; other letters a
 * mail reader set are kept.
 */
import { mkdir, readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { InvalidArgumentError } from "../../errors.js";
import type { MessageBytes } from "../../mime/mailbox/byte-streams.js";
import { Maildir, type MaildirEntry } from "../../mime/mailbox/maildir.js";
import {
  checkMailboxName,
  type DeliveryEvent,
  MAIL_FLAGS,
  type MailFlag,
  type MailStore,
  normalizeMailFlags,
  notify,
  type StoredMessage,
} from "./store.js";

const LETTERS: Readonly<Record<MailFlag, string>> = {
  "\\Answered": "R",
  "\\Deleted": "T",
  "\\Draft": "D",
  "\\Flagged": "F",
  "\\Seen": "S",
};
const OURS = new Set(Object.values(LETTERS));

/** Options of {@link MaildirMailStore.open}. */
export interface MaildirStoreOptions {
  /** fsync each message before it is linked into place (the Maildir rule). Default true. */
  fsync?: boolean;
}

/** A {@link MailStore} of Maildirs under one root folder. */
export class MaildirMailStore implements MailStore {
  readonly kind = "maildir";
  /** The root folder (absolute). */
  readonly root: string;
  readonly #boxes = new Map<string, Promise<Maildir>>();
  readonly #listeners = new Set<(event: DeliveryEvent) => void>();
  readonly #fsync: boolean;

  private constructor(root: string, options: MaildirStoreOptions) {
    this.root = root;
    this.#fsync = options.fsync !== false;
  }

  /**
   * Opens the store at `root`, creating the folder (mode 0700) when missing.
   * @throws Node's file-system error when it cannot be created.
   */
  static async open(root: string, options: MaildirStoreOptions = {}): Promise<MaildirMailStore> {
    const absolute = resolve(root);
    await mkdir(absolute, { recursive: true, mode: 0o700 });
    return new MaildirMailStore(absolute, options);
  }

  async ensureMailbox(user: string): Promise<void> {
    await this.#maildir(user, true);
  }

  async mailboxes(): Promise<string[]> {
    const names: string[] = [];
    for (const dirent of await readdir(this.root, { withFileTypes: true })) {
      if (!dirent.isDirectory()) continue;
      try {
        checkMailboxName(dirent.name);
      } catch {
        continue;
      }
      names.push(dirent.name);
    }
    return names.sort();
  }

  async deliver(users: readonly string[], content: MessageBytes): Promise<Map<string, string>> {
    const targets = [...new Set(users.map(checkMailboxName))];
    if (targets.length === 0) throw new InvalidArgumentError("a delivery needs at least one user");
    const boxes = await Promise.all(targets.map((user) => this.#maildir(user, true)));
    const first = boxes[0]!;
    const options = { fsync: this.#fsync };
    // The first copy is written as the bytes arrive; the others are copied from it.
    const firstKey = await first.add(content, options);
    const ids = new Map<string, string>([[targets[0]!, firstKey]]);
    try {
      for (let index = 1; index < boxes.length; index += 1) {
        ids.set(targets[index]!, await boxes[index]!.add(first.stream(firstKey), options));
      }
    } catch (error) {
      // All or nothing: take back the copies already made.
      for (const [user, key] of ids) {
        await (await this.#maildir(user, false))?.remove(key).catch(() => undefined);
      }
      throw error;
    }
    for (const [user, id] of ids) notify(this.#listeners, { user, id });
    return ids;
  }

  async list(user: string): Promise<StoredMessage[]> {
    const maildir = await this.#maildir(user, false);
    if (!maildir) return [];
    const entries: MaildirEntry[] = [];
    for await (const entry of maildir.list()) entries.push(entry);
    entries.sort(byDelivery);
    return entries.map(describe);
  }

  async stat(user: string, id: string): Promise<StoredMessage> {
    return describe(await (await this.#existing(user, id)).get(id));
  }

  read(user: string, id: string): Readable {
    // The Maildir stream opens the file on first read; an unknown key becomes its error event.
    const opened = this.#existing(user, id);
    const out = new PassThrough();
    opened.then(
      (maildir) => {
        const source = maildir.stream(id);
        source.on("error", (error) => out.destroy(error));
        source.pipe(out);
      },
      (error: Error) => out.destroy(error),
    );
    return out;
  }

  async readMessage(user: string, id: string): Promise<Buffer> {
    return (await this.#existing(user, id)).read(id);
  }

  async setFlags(user: string, id: string, flags: Iterable<MailFlag>): Promise<StoredMessage> {
    const wanted = normalizeMailFlags(flags);
    const maildir = await this.#existing(user, id);
    const entry = await maildir.get(id);
    const kept = [...entry.flags].filter((letter) => !OURS.has(letter)).join("");
    await maildir.setFlags(id, kept + wanted.map((flag) => LETTERS[flag]).join(""));
    return describe(await maildir.get(id));
  }

  async remove(user: string, id: string): Promise<void> {
    await (await this.#existing(user, id)).remove(id);
  }

  onDelivery(listener: (event: DeliveryEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The user's Maildir: created with `create`, else undefined when the user has none yet. */
  async #maildir(user: string, create: true): Promise<Maildir>;
  async #maildir(user: string, create: false): Promise<Maildir | undefined>;
  async #maildir(user: string, create: boolean): Promise<Maildir | undefined> {
    checkMailboxName(user);
    const known = this.#boxes.get(user);
    if (known) return known;
    const path = join(this.root, user);
    if (!create) {
      const opened = Maildir.open(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined;
        throw error;
      });
      const maildir = await opened;
      if (maildir) this.#boxes.set(user, Promise.resolve(maildir));
      return maildir;
    }
    const opening = Maildir.open(path, { create: true });
    this.#boxes.set(user, opening);
    opening.catch(() => this.#boxes.delete(user));
    return opening;
  }

  /** The user's Maildir, or InvalidArgumentError naming the message when there is none. */
  async #existing(user: string, id: string): Promise<Maildir> {
    const maildir = await this.#maildir(user, false);
    if (!maildir) {
      throw new InvalidArgumentError(
        `no message ${JSON.stringify(String(id).slice(0, 80))} in the mailbox of ${user}`,
      );
    }
    return maildir;
  }
}

function describe(entry: MaildirEntry): StoredMessage {
  const letters = new Set(entry.flags);
  return {
    id: entry.key,
    size: entry.size,
    flags: MAIL_FLAGS.filter((flag) => letters.has(LETTERS[flag])),
    receivedAt: entry.modifiedAt,
  };
}

/** `SECONDS.M<micros>P<pid>Q<count>…` read as numbers, so keys sort in delivery order. */
const UNIQUE = /^(\d+)\.M(\d+)P(\d+)Q(\d+)\./;

/** Oldest first: by modification time, then by the numbers in the key (or the key itself). */
function byDelivery(a: MaildirEntry, b: MaildirEntry): number {
  const time = a.modifiedAt.getTime() - b.modifiedAt.getTime();
  if (time !== 0) return time;
  const x = UNIQUE.exec(a.key);
  const y = UNIQUE.exec(b.key);
  if (x && y) {
    for (const index of [1, 2, 4, 3]) {
      const difference = Number(x[index]) - Number(y[index]);
      if (difference !== 0) return difference;
    }
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
