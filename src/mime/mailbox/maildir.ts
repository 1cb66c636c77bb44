/**
 * A Maildir folder (cr.yp.to/proto/maildir.html): `tmp/`, `new/`, `cur/`, one file per message.
 * Delivery writes `tmp/NAME`, fsyncs it, and links it to `new/NAME` (or `cur/NAME:2,FLAGS`);
 * flags live in the `:2,FLAGS` suffix, letters in ASCII order. Interoperates with Python's
 * `mailbox.Maildir`, mutt and Dovecot.
 *
 * Confinement (W1, W2): keys are checked before they become file names; `tmp`, `new` and `cur`
 * must be real folders (not symlinks); message files are opened with `O_NOFOLLOW` and symlinks
 * in `new/` and `cur/` are not listed, so nothing is read or written outside the folder. The
 * folder path itself may be a symlink: it is resolved once, when opened.
 */
import { constants } from "node:fs";
import {
  type FileHandle,
  link,
  lstat,
  mkdir,
  open,
  opendir,
  realpath,
  rename,
  unlink,
  utimes,
} from "node:fs/promises";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { InvalidArgumentError } from "../../errors.js";
import { chunksOf, FileBatcher, type MessageBytes } from "./byte-streams.js";
import {
  checkKey,
  curName,
  normalizeFlags,
  parseMaildirName,
  uniqueName,
  unsafeKeyReason,
} from "./maildir-names.js";

/** The two folders that hold delivered messages. */
export type MaildirSubdir = "new" | "cur";

/** One message of a Maildir, as {@link Maildir.list} and {@link Maildir.get} report it. */
export interface MaildirEntry {
  /** The message's key: its file name without the `:INFO` suffix. */
  key: string;
  subdir: MaildirSubdir;
  /** The flags of a `:2,FLAGS` suffix (`"FS"`), `""` when there are none. */
  flags: string;
  /** The whole info suffix after the `:`, undefined when the name has none. */
  info: string | undefined;
  /** The full path of the file. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** Modification time (Python's `MaildirMessage.get_date()`). */
  modifiedAt: Date;
}

/** Options of {@link Maildir.open}. */
export interface MaildirOpenOptions {
  /** Create the folder and its `tmp`, `new`, `cur` when missing (mode 0700). Default false. */
  create?: boolean;
}

/** Options of {@link Maildir.add}. */
export interface MaildirAddOptions {
  /** Deliver straight into `cur/` with these flags (ASCII letters). Without it: into `new/`. */
  flags?: string;
  /** The file's modification time (the delivery date to mail readers). Default: now. */
  date?: Date;
  /** fsync the file before it is linked into place. Default true (the spec requires it). */
  fsync?: boolean;
}

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;
const SUBDIRS = ["tmp", "new", "cur"] as const;
const LISTED: readonly MaildirSubdir[] = ["new", "cur"];
const READ_CHUNK = 64 * 1024;
/** Link failures that mean "this file system has no hard links": fall back to rename. */
const NO_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV", "EMLINK"]);

/** A Maildir folder. Get one with {@link Maildir.open}. */
export class Maildir {
  /** The folder's real path (symlinks resolved when opened). */
  readonly path: string;
  /** Where each key was last seen (its file name in `new/` or `cur/`). */
  #names = new Map<string, { subdir: MaildirSubdir; name: string }>();

  private constructor(path: string) {
    this.path = path;
  }

  /**
   * Opens (or, with `create`, creates) the Maildir at `dir`.
   *
   * @throws InvalidArgumentError when `tmp`, `new` or `cur` is missing or not a real folder;
   *   Node's `ENOENT` when `dir` does not exist and `create` is not set.
   */
  static async open(dir: string, options: MaildirOpenOptions = {}): Promise<Maildir> {
    const absolute = resolve(dir);
    if (options.create) {
      await mkdir(absolute, { recursive: true, mode: 0o700 });
      for (const sub of SUBDIRS) {
        await mkdir(join(absolute, sub), { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== "EEXIST") throw error;
        });
      }
    }
    const real = await realpath(absolute);
    if (!(await lstat(real)).isDirectory()) throw new InvalidArgumentError(`not a folder: ${dir}`);
    const maildir = new Maildir(real);
    for (const sub of SUBDIRS) await maildir.#checkSubdir(sub);
    return maildir;
  }

  /** Refuses a subfolder that is missing, or is a symlink or anything but a folder. */
  async #checkSubdir(sub: (typeof SUBDIRS)[number]): Promise<string> {
    const path = join(this.path, sub);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new InvalidArgumentError(
        `not a Maildir: ${sub}/ is missing or is not a real folder in ${this.path}`,
      );
    }
    return path;
  }

  /**
   * Delivers a message: writes `tmp/NAME` exclusively (mode 0600), fsyncs it, links it to
   * `new/NAME` (or `cur/NAME:2,FLAGS` with `flags`) and removes the `tmp/` name. Resolves to the
   * new key. On failure nothing is left behind.
   *
   * @throws InvalidArgumentError for bad flags, an invalid date, or a message that is not bytes;
   *   also when the delivery name is already taken in `new/` or `cur/` (another deliverer's clash).
   */
  async add(message: MessageBytes, options: MaildirAddOptions = {}): Promise<string> {
    const flags = options.flags === undefined ? undefined : normalizeFlags(options.flags);
    if (
      options.date !== undefined &&
      !(options.date instanceof Date && Number.isFinite(options.date.getTime()))
    ) {
      throw new InvalidArgumentError("the delivery date must be a valid Date");
    }
    const tmpDir = await this.#checkSubdir("tmp");
    let key = uniqueName();
    let temporary = join(tmpDir, key);
    let handle: FileHandle | undefined;
    for (let attempt = 0; handle === undefined; attempt += 1) {
      try {
        handle = await open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 8) throw error;
        key = uniqueName();
        temporary = join(tmpDir, key);
      }
    }
    try {
      try {
        const batcher = new FileBatcher(handle);
        for await (const chunk of chunksOf(message)) await batcher.write([chunk]);
        await batcher.flush();
        if (options.fsync !== false) await handle.sync();
      } finally {
        await handle.close();
      }
      if (options.date) await utimes(temporary, options.date, options.date);
      const subdir: MaildirSubdir = flags === undefined ? "new" : "cur";
      const name = flags === undefined ? key : curName(key, flags);
      await this.#checkSubdir(subdir);
      await placeWithoutClobber(temporary, join(this.path, subdir, name));
      this.#names.set(key, { subdir, name });
      return key;
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
  }

  /**
   * Every message in `new/` then `cur/`, read as the folders are walked (constant memory).
   * Skipped: names starting with `.`, names whose key is not a valid key, and anything that is
   * not a regular file (symlinks included).
   */
  async *list(): AsyncGenerator<MaildirEntry> {
    for (const subdir of LISTED) {
      const folder = await this.#checkSubdir(subdir);
      for await (const dirent of await opendir(folder)) {
        const entry = await this.#entry(subdir, dirent.name);
        if (entry) yield entry;
      }
    }
  }

  /** The entry of `name` in `subdir`, or undefined when it is not a listable message (or is gone). */
  async #entry(subdir: MaildirSubdir, name: string): Promise<MaildirEntry | undefined> {
    if (name.startsWith(".")) return undefined;
    const parsed = parseMaildirName(name);
    if (unsafeKeyReason(parsed.key) !== undefined) return undefined;
    const path = join(this.path, subdir, name);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    this.#names.set(parsed.key, { subdir, name });
    return { ...parsed, subdir, path, size: info.size, modifiedAt: info.mtime };
  }

  /**
   * The entry of the message `key`.
   *
   * @throws InvalidArgumentError for an invalid key or when no message has that key.
   */
  async get(key: string): Promise<MaildirEntry> {
    checkKey(key);
    const known = this.#names.get(key);
    if (known) {
      const entry = await this.#entry(known.subdir, known.name);
      if (entry) return entry;
    }
    // Not where it was (another program renamed it?): look in new/ by name, then walk cur/.
    const fresh = await this.#entry("new", key);
    if (fresh) return fresh;
    for await (const dirent of await opendir(await this.#checkSubdir("cur"))) {
      if (dirent.name === key || dirent.name.startsWith(`${key}:`)) {
        const entry = await this.#entry("cur", dirent.name);
        if (entry) return entry;
      }
    }
    this.#names.delete(key);
    throw new InvalidArgumentError(`no message with the key ${JSON.stringify(key)} in ${this.path}`);
  }

  /**
   * The message's bytes.
   *
   * @throws InvalidArgumentError for an invalid or unknown key.
   */
  async read(key: string): Promise<Buffer> {
    const handle = await this.#openMessage(key);
    try {
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  /**
   * The message's bytes as a `Readable` (opened when first read; an unknown key is an error
   * event with InvalidArgumentError).
   */
  stream(key: string): Readable {
    const openMessage = () => this.#openMessage(key);
    async function* chunks(): AsyncGenerator<Buffer> {
      const handle = await openMessage();
      try {
        for (;;) {
          const buffer = Buffer.allocUnsafe(READ_CHUNK);
          const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, null);
          if (bytesRead === 0) return;
          yield buffer.subarray(0, bytesRead);
        }
      } finally {
        await handle.close();
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  /** Opens the message file without following a symlink; retries once when it moved meanwhile. */
  async #openMessage(key: string): Promise<FileHandle> {
    for (let attempt = 0; ; attempt += 1) {
      const entry = await this.get(key);
      try {
        const handle = await open(entry.path, O_RDONLY | O_NOFOLLOW);
        if ((await handle.stat()).isFile()) return handle;
        await handle.close();
        throw new InvalidArgumentError(`the message ${JSON.stringify(key)} is not a regular file`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT" || attempt > 0) throw error;
        this.#names.delete(key);
      }
    }
  }

  /**
   * Sets the message's flags to exactly `flags` (ASCII letters, stored sorted and once each),
   * moving it to `cur/` as `KEY:2,FLAGS` (a message in `new/` has not been seen by a reader yet;
   * flags belong to `cur/`). Resolves to the stored flags.
   *
   * @throws InvalidArgumentError for bad flags or an invalid or unknown key.
   */
  async setFlags(key: string, flags: string): Promise<string> {
    const wanted = normalizeFlags(flags);
    const entry = await this.get(key);
    await this.#moveTo(entry, curName(key, wanted));
    return wanted;
  }

  /** Adds `flags` to the message's flags (see {@link setFlags}). Resolves to the stored flags. */
  async addFlags(key: string, flags: string): Promise<string> {
    const entry = await this.get(key);
    return this.setFlags(key, entry.flags + normalizeFlags(flags));
  }

  /** Removes `flags` from the message's flags (see {@link setFlags}). Resolves to the stored flags. */
  async removeFlags(key: string, flags: string): Promise<string> {
    const drop = new Set(normalizeFlags(flags));
    const entry = await this.get(key);
    return this.setFlags(key, [...entry.flags].filter((flag) => !drop.has(flag)).join(""));
  }

  /**
   * Moves a message from `new/` to `cur/` (as `KEY:2,`, flags empty) — what a mail reader does
   * once it has seen it. A message already in `cur/` stays as it is.
   *
   * @throws InvalidArgumentError for an invalid or unknown key.
   */
  async moveToCur(key: string): Promise<void> {
    const entry = await this.get(key);
    if (entry.subdir === "cur") return;
    await this.#moveTo(entry, curName(key, ""));
  }

  /** Renames the message's file to `cur/NAME` (rename is atomic; the key part never changes). */
  async #moveTo(entry: MaildirEntry, name: string): Promise<void> {
    const target = join(await this.#checkSubdir("cur"), name);
    if (target !== entry.path) await rename(entry.path, target);
    this.#names.set(entry.key, { subdir: "cur", name });
  }

  /**
   * Deletes a message.
   *
   * @throws InvalidArgumentError for an invalid or unknown key.
   */
  async remove(key: string): Promise<void> {
    const entry = await this.get(key);
    await unlink(entry.path);
    this.#names.delete(key);
  }

  /**
   * Removes files left in `tmp/` by deliveries that died, once they are older than
   * `olderThanMs` (default 36 hours, the spec's figure). Resolves to how many were removed.
   */
  async cleanTmp(olderThanMs = 36 * 60 * 60 * 1000): Promise<number> {
    const folder = await this.#checkSubdir("tmp");
    const limit = Date.now() - olderThanMs;
    let removed = 0;
    for await (const dirent of await opendir(folder)) {
      const path = join(folder, dirent.name);
      const info = await lstat(path).catch(() => undefined);
      if (!info?.isFile() || Math.max(info.atimeMs, info.mtimeMs) > limit) continue;
      await unlink(path).catch(() => undefined);
      removed += 1;
    }
    return removed;
  }
}

/**
 * Puts `from` at `to` without replacing anything there: a hard link (fails when `to` exists),
 * or, on a file system without hard links, a rename after checking that `to` is free.
 */
async function placeWithoutClobber(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (code === "EEXIST") {
      throw new InvalidArgumentError(`a Maildir message named ${to} already exists`, { cause: error });
    }
    if (!NO_LINKS.has(code)) throw error;
    if (
      await lstat(to).then(
        () => true,
        () => false,
      )
    ) {
      throw new InvalidArgumentError(`a Maildir message named ${to} already exists`, { cause: error });
    }
    await rename(from, to);
  }
}
