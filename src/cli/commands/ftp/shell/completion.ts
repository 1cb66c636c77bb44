/**
 * Tab completion for the shell, as readline's completer wants it (`[completions, typed]`): command
 * names at the start of a line, then for each argument what the command says it is — a remote
 * path, a local path, a bookmark or a command name. Folders are listed through injected
 * functions (the session caches remote listings), so this file is pure and tested alone.
 *
 * Completions extend exactly what was typed (quotes and escapes included): a name with a blank
 * continues the user's quote, or is backslash-escaped outside quotes. A remote name that would
 * change the terminal if printed (control or bidi characters) is never offered.
 */
import { sanitize } from "../../../terminal.js";
import { escapeInWord, splitWords } from "./words.js";

/** What an argument of a command names, for completion. */
export type ArgumentKind = "remote" | "remote-dir" | "local" | "local-dir" | "bookmark" | "command" | "none";

/** One name in a listed folder. */
export interface CompletionEntry {
  name: string;
  /** Folders complete with a trailing `/`; symlinks count as folders for `*-dir` arguments. */
  type: "file" | "directory" | "symlink" | "other";
}

/** Where completion gets its candidates. */
export interface CompletionSources {
  /** Every command name and alias. */
  commands: readonly string[];
  /**
   * What argument number `index` (0-based; words starting with `-` are options and not counted)
   * of `command` is, given the arguments before it and the option words typed so far.
   */
  argumentKind(
    command: string,
    index: number,
    previous: readonly string[],
    options: readonly string[],
  ): ArgumentKind;
  /** The entries of a remote folder as typed (`""`: the current one; `pub/`). May reject: no completion. */
  listRemote(folder: string): Promise<readonly CompletionEntry[]>;
  /** The same for a local folder (`~/` is the home folder). */
  listLocal(folder: string): Promise<readonly CompletionEntry[]>;
  /** Bookmark names. */
  bookmarks(): Promise<readonly string[]>;
}

/** The most candidates returned: a huge folder should not flood the terminal. */
export const MAX_COMPLETIONS = 500;

/**
 * Completes the line up to the cursor. Resolves to readline's `[completions, typed]`: each
 * completion starts with `typed` (the raw text of the word being completed) and ends with a
 * space, a closing quote and a space, or `/` for a folder. Never rejects: a listing that fails
 * means no completion.
 */
export async function complete(line: string, sources: CompletionSources): Promise<[string[], string]> {
  const split = splitWords(line);
  const words = split.words;
  const current = split.endsBetweenWords ? undefined : words[words.length - 1];
  const typed = current ? line.slice(current.start) : "";
  const value = current?.value ?? "";
  const before = current ? words.slice(0, -1) : words;
  if (before.length === 0) {
    return [finish(matching(sources.commands, value), typed, value, split.openQuote), typed];
  }
  if (value.startsWith("-")) return [[], typed];
  const command = before[0]!.value;
  const typedWords = before.slice(1).map((word) => word.value);
  const previous = typedWords.filter((word) => !word.startsWith("-"));
  const options = typedWords.filter((word) => word.startsWith("-"));
  const kind = sources.argumentKind(command, previous.length, previous, options);
  try {
    switch (kind) {
      case "command":
        return [finish(matching(sources.commands, value), typed, value, split.openQuote), typed];
      case "bookmark":
        return [finish(matching(await sources.bookmarks(), value), typed, value, split.openQuote), typed];
      case "remote":
      case "remote-dir":
      case "local":
      case "local-dir": {
        const remote = kind.startsWith("remote");
        const foldersOnly = kind.endsWith("-dir");
        const slash = value.lastIndexOf("/");
        const folder = value.slice(0, slash + 1);
        const base = value.slice(slash + 1);
        const entries = await (remote ? sources.listRemote(folder) : sources.listLocal(folder));
        const names = entries
          .filter((entry) => offerable(entry.name, base))
          .filter((entry) => !foldersOnly || entry.type === "directory" || entry.type === "symlink")
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
          .slice(0, MAX_COMPLETIONS);
        const completions = names.map((entry) => {
          const rest = escapeInWord(entry.name.slice(base.length), split.openQuote);
          return typed + rest + suffix(entry.type === "directory", split.openQuote);
        });
        return [completions, typed];
      }
      default:
        return [[], typed];
    }
  } catch {
    return [[], typed];
  }
}

/** Names starting with `prefix`, sorted, at most {@link MAX_COMPLETIONS}. */
function matching(names: readonly string[], prefix: string): string[] {
  return [...new Set(names.filter((name) => name.startsWith(prefix)))].sort().slice(0, MAX_COMPLETIONS);
}

function finish(names: string[], typed: string, value: string, quote: '"' | "'" | undefined): string[] {
  return names.map((name) => typed + escapeInWord(name.slice(value.length), quote) + suffix(false, quote));
}

function suffix(folder: boolean, quote: '"' | "'" | undefined): string {
  if (folder) return "/";
  return quote ? `${quote} ` : " ";
}

/**
 * Whether a listed name may be offered for `base`: it must start with it, be one real name (not
 * `.`, `..`, empty or holding `/`), show as itself on a terminal, and be hidden (leading `.`)
 * only when the user typed the dot.
 */
function offerable(name: string, base: string): boolean {
  if (name === "" || name === "." || name === ".." || name.includes("/")) return false;
  if (!name.startsWith(base)) return false;
  if (name.startsWith(".") && !base.startsWith(".")) return false;
  return sanitize(name, { keepTab: false }) === name;
}
