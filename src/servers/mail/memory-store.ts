/**
 * The in-memory mail store: each mailbox a list of messages held as Buffers. Several recipients
 * of one delivery share one Buffer. The total is bounded (`maxBytes`), so a test server cannot
 * be made to eat the machine's memory.
 */
import { Readable } from "node:stream";
import { InvalidArgumentError, LimitError } from "../../errors.js";
import { chunksOf, type MessageBytes } from "../../mime/mailbox/byte-streams.js";
import {
  checkMailboxName,
  type DeliveryEvent,
  type MailFlag,
  type MailStore,
  normalizeMailFlags,
  notify,
  type StoredMessage,
} from "./store.js";

/** The default bound on all messages held: 256 MiB. */
export const DEFAULT_MEMORY_LIMIT = 256 * 1024 * 1024;

interface Entry {
  id: string;
  data: Buffer;
  flags: MailFlag[];
  receivedAt: Date;
}

/** A {@link MailStore} in memory. */
export class MemoryMailStore implements MailStore {
  readonly kind = "memory";
  readonly #boxes = new Map<string, Entry[]>();
  readonly #listeners = new Set<(event: DeliveryEvent) => void>();
  readonly #maxBytes: number;
  /** Bytes held, counting a Buffer shared by several mailboxes once per mailbox (simple, conservative). */
  #bytes = 0;
  #nextId = 1;

  /** @param maxBytes the most bytes all mailboxes may hold together (default 256 MiB). */
  constructor(maxBytes: number = DEFAULT_MEMORY_LIMIT) {
    if (!(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
      throw new InvalidArgumentError("the memory store's limit must be a positive integer");
    }
    this.#maxBytes = maxBytes;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  async ensureMailbox(user: string): Promise<void> {
    checkMailboxName(user);
    if (!this.#boxes.has(user)) this.#boxes.set(user, []);
  }

  async mailboxes(): Promise<string[]> {
    return [...this.#boxes.keys()].sort();
  }

  async deliver(users: readonly string[], content: MessageBytes): Promise<Map<string, string>> {
    const targets = [...new Set(users.map(checkMailboxName))];
    if (targets.length === 0) throw new InvalidArgumentError("a delivery needs at least one user");
    const room = this.#maxBytes - this.#bytes;
    const pieces: Buffer[] = [];
    let size = 0;
    for await (const chunk of chunksOf(content)) {
      size += chunk.length;
      // Checked while reading, so an oversized message is refused before it is all in memory.
      if (size * targets.length > room) throw new LimitError("store", this.#maxBytes);
      pieces.push(chunk);
    }
    const data = Buffer.concat(pieces, size);
    const receivedAt = new Date();
    const ids = new Map<string, string>();
    for (const user of targets) {
      const id = String(this.#nextId++);
      let box = this.#boxes.get(user);
      if (!box) {
        box = [];
        this.#boxes.set(user, box);
      }
      box.push({ id, data, flags: [], receivedAt });
      this.#bytes += size;
      ids.set(user, id);
    }
    for (const [user, id] of ids) notify(this.#listeners, { user, id });
    return ids;
  }

  async list(user: string): Promise<StoredMessage[]> {
    checkMailboxName(user);
    return (this.#boxes.get(user) ?? []).map(describe);
  }

  async stat(user: string, id: string): Promise<StoredMessage> {
    return describe(this.#entry(user, id));
  }

  read(user: string, id: string): Readable {
    let entry: Entry;
    try {
      entry = this.#entry(user, id);
    } catch (error) {
      const failed = new Readable({ read() {} });
      process.nextTick(() => failed.destroy(error as Error));
      return failed;
    }
    return Readable.from([entry.data], { objectMode: false });
  }

  async readMessage(user: string, id: string): Promise<Buffer> {
    return this.#entry(user, id).data;
  }

  async setFlags(user: string, id: string, flags: Iterable<MailFlag>): Promise<StoredMessage> {
    const entry = this.#entry(user, id);
    entry.flags = normalizeMailFlags(flags);
    return describe(entry);
  }

  async remove(user: string, id: string): Promise<void> {
    const box = this.#boxes.get(checkMailboxName(user));
    const index = box?.findIndex((entry) => entry.id === id) ?? -1;
    if (!box || index < 0) throw unknownMessage(user, id);
    this.#bytes -= box[index]!.data.length;
    box.splice(index, 1);
  }

  onDelivery(listener: (event: DeliveryEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #entry(user: string, id: string): Entry {
    const entry = this.#boxes.get(checkMailboxName(user))?.find((candidate) => candidate.id === id);
    if (!entry) throw unknownMessage(user, id);
    return entry;
  }
}

function describe(entry: Entry): StoredMessage {
  return { id: entry.id, size: entry.data.length, flags: [...entry.flags], receivedAt: entry.receivedAt };
}

function unknownMessage(user: string, id: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `no message ${JSON.stringify(String(id).slice(0, 80))} in the mailbox of ${user}`,
  );
}
