/**
 * `inet ftp shell [URL | BOOKMARK]`: the interactive FTP client, in the spirit of /bin/ftp and
 * ncftp — see `loop.ts` for how it reads and runs commands, `commands.ts` for the commands.
 */
export { shellCommand } from "./command.js";
export { SHELL_COMMAND_NAMES, SHELL_COMMANDS } from "./commands.js";
export { type ArgumentKind, type CompletionEntry, type CompletionSources, complete } from "./completion.js";
export { DEFAULT_HISTORY_SIZE, HistoryStore, maskPasswords } from "./history.js";
export { completionSources, runLine, runShell, runWords } from "./loop.js";
export { ShellSession } from "./session.js";
export { parseWords, quoteWord, splitWords } from "./words.js";
