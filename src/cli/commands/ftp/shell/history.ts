/**
 * The shell's command history, kept across sessions in a state file (`statePath("ftp-history")`,
 * see `config.ts`): one command per line, oldest first, at most {@link DEFAULT_HISTORY_SIZE}
 * lines, mode 0600 in a folder of mode 0700. A password never reaches it: URLs are stored with
 * their password left out (`open ftp://alice:pw@host` is kept as `open ftp://alice@host`, which
 * asks for the password again when recalled).
 */
import { constants } from "node:fs";
import { chmod, mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { splitWords } from "./words.js";

/** Lines kept by default (the newest ones). */
export const DEFAULT_HISTORY_SIZE = 1000;

/** Longer lines are not kept: history is for commands, not pasted data. */
export const MAX_HISTORY_LINE = 4096;

/** The largest history file read, in bytes; a bigger one is read from its end. */
const MAX_HISTORY_FILE = 4 * 1024 * 1024;

/**
 * `line` with the password of every URL in it left out (`scheme://user:password@host` →
 * `scheme://user@host`). Whatever lies between the `:` after the user name and the last `@` of
 * the word's authority goes, so a password holding `/` or `@` cannot survive either. Lines
 * without a URL password come back unchanged. Pure.
 */
export function maskPasswords(line: string): string {
  let out = "";
  let copied = 0;
  for (const word of splitWords(line).words) {
    const raw = line.slice(word.start, word.end);
    const masked = maskUrlPassword(raw);
    if (masked === raw) continue;
    out += line.slice(copied, word.start) + masked;
    copied = word.end;
  }
  return copied === 0 ? line : out + line.slice(copied);
}

/** Masks the password in one raw word (quotes included, which a password may also hold). */
function maskUrlPassword(raw: string): string {
  let result = raw;
  let from = 0;
  for (;;) {
    const scheme = /[A-Za-z][A-Za-z0-9+.-]*:\/\//g;
    scheme.lastIndex = from;
    const found = scheme.exec(result);
    if (!found) return result;
    const authorityStart = found.index + found[0].length;
    // The last `@` of the word: a password may hold unencoded `/`, `@` or `?`, so none of them
    // may be trusted to end the authority when deciding what to hide.
    const at = result.lastIndexOf("@");
    const colon = result.indexOf(":", authorityStart);
    if (at > authorityStart && colon !== -1 && colon < at) {
      result = result.slice(0, colon) + result.slice(at);
      from = colon + 1;
    } else {
      from = authorityStart;
    }
  }
}

/** Whether a line is worth keeping at all. */
function keepable(line: string): boolean {
  // A leading blank means "don't remember this one", as in bash's HISTCONTROL=ignorespace.
  return (
    line.trim() !== "" && !/^[ \t]/.test(line) && line.length <= MAX_HISTORY_LINE && !line.includes("\0")
  );
}

/**
 * The history in memory plus its file. Reading never throws on a missing or unreadable file
 * (history is a convenience); writing reports through `onError` and goes on.
 */
export class HistoryStore {
  readonly path: string | undefined;
  readonly size: number;
  private readonly entries: string[];
  private readonly onError: (error: unknown) => void;
  private fileLines: number;

  private constructor(
    path: string | undefined,
    entries: string[],
    size: number,
    fileLines: number,
    onError: (error: unknown) => void,
  ) {
    this.path = path;
    this.entries = entries;
    this.size = size;
    this.fileLines = fileLines;
    this.onError = onError;
  }

  /**
   * Reads the history file at `path` (none: history in memory only). A missing, unreadable or
   * symlinked file is an empty history; only the newest `size` lines are kept. Never rejects.
   */
  static async load(
    path: string | undefined,
    options: { size?: number; onError?: (error: unknown) => void } = {},
  ): Promise<HistoryStore> {
    const size = options.size ?? DEFAULT_HISTORY_SIZE;
    const onError = options.onError ?? (() => {});
    if (path === undefined) return new HistoryStore(undefined, [], size, 0, onError);
    let lines: string[] = [];
    try {
      const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        const info = await handle.stat();
        if (info.isFile()) {
          const length = Math.min(info.size, MAX_HISTORY_FILE);
          const buffer = Buffer.alloc(length);
          const { bytesRead } = await handle.read(buffer, 0, length, info.size - length);
          let text = buffer.subarray(0, bytesRead).toString("utf8");
          // Started mid-file: the first line is a fragment.
          if (info.size > length) text = text.slice(text.indexOf("\n") + 1);
          lines = text.split("\n").filter((line) => line !== "");
        }
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") onError(error);
    }
    const fileLines = lines.length;
    // Older versions or other tools may have left a password in: never bring it back.
    const entries = lines.map(maskPasswords).filter(keepable).slice(-size);
    return new HistoryStore(path, entries, size, fileLines, onError);
  }

  /** The lines, oldest first. */
  get lines(): readonly string[] {
    return this.entries;
  }

  /** The lines newest first, as readline's `history` option wants them. */
  newestFirst(): string[] {
    return [...this.entries].reverse();
  }

  /**
   * Remembers `line` (passwords masked) and appends it to the file. Blank lines, lines starting
   * with a blank, overlong lines and a repeat of the previous line are not kept. Resolves to the
   * line as stored, or `undefined` when it was not kept. Never rejects.
   */
  async add(line: string): Promise<string | undefined> {
    if (!keepable(line)) return undefined;
    // Trailing blanks left by completion go, unless a backslash or a quote makes them part of a name.
    const trimmed = splitWords(line).endsBetweenWords ? line.trimEnd() : line;
    const masked = maskPasswords(trimmed);
    if (this.entries[this.entries.length - 1] === masked) return undefined;
    this.entries.push(masked);
    if (this.entries.length > this.size) this.entries.splice(0, this.entries.length - this.size);
    if (this.path === undefined) return masked;
    try {
      // Appending lets two shells share the file; the whole file is rewritten only to trim it.
      if (this.fileLines + 1 > this.size * 2) await this.rewrite();
      else await this.append(masked);
    } catch (error) {
      this.onError(error);
    }
    return masked;
  }

  private async append(line: string): Promise<void> {
    const path = this.path!;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const handle = await open(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW,
      0o600,
    );
    try {
      const info = await handle.stat();
      if ((info.mode & 0o077) !== 0) await handle.chmod(0o600);
      await handle.write(`${line}\n`);
    } finally {
      await handle.close();
    }
    this.fileLines += 1;
  }

  /** Writes the kept lines to a temporary file (0600) and renames it over the history file. */
  private async rewrite(): Promise<void> {
    const path = this.path!;
    const folder = dirname(path);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const temporary = join(folder, `.history-${process.pid}-${Date.now()}.tmp`);
    try {
      const handle = await open(
        temporary,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o600,
      );
      try {
        await handle.writeFile(this.entries.map((line) => `${line}\n`).join(""), "utf8");
      } finally {
        await handle.close();
      }
      await chmod(temporary, 0o600);
      await rename(temporary, path);
      this.fileLines = this.entries.length;
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}
