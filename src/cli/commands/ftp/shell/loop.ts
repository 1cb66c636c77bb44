/**
 * The shell's read-run loop, in its two modes.
 *
 * On a terminal (stdin is a TTY): a prompt, line editing, Tab completion and history (↑/↓)
 * through node:readline, one interface per prompt so that nothing else reads the terminal while a
 * command runs. During a command the terminal stays in raw mode and Ctrl-C aborts that command
 * only (its own AbortSignal); Ctrl-C at the prompt drops the line and prompts again, as bash does;
 * Ctrl-D on an empty line (or the end of input) leaves.
 *
 * Otherwise (a script, a pipe): no prompt, no completion, no history; the commands are read line
 * by line until the end of input, `quit` or — with `failFast` — the first failure.
 *
 * Either way one failing command prints `inet: …` and the shell goes on. The result is 0 when
 * every command succeeded, else the exit code of the last one that failed (130 when the shell
 * itself was interrupted, e.g. by SIGINT or SIGTERM sent to the process).
 */
import { createInterface } from "node:readline";
import { AbortError, InetError } from "../../../../errors.js";
import type { CommandContext } from "../../../command.js";
import { EXIT, exitCodeFor } from "../../../exit-codes.js";
import { sanitize } from "../../../terminal.js";
import { SHELL_COMMAND_NAMES, SHELL_COMMANDS } from "./commands.js";
import { type CompletionSources, complete } from "./completion.js";
import type { HistoryStore } from "./history.js";
import type { ShellSession } from "./session.js";
import { findShellCommand, parseCommandWords } from "./table.js";
import { parseWords } from "./words.js";

export interface ShellLoopOptions {
  session: ShellSession;
  history: HistoryStore;
  /** Stop at the first failing command (`-e`, for scripts). */
  failFast?: boolean;
  /** A URL or bookmark to open before the first command. */
  initial?: string;
}

/** A command's own context: Ctrl-C (or the shell's own abort) fires its signal, nothing else. */
function commandContext(parent: CommandContext): { context: CommandContext; dispose(): void } {
  const controller = new AbortController();
  const onParent = () => controller.abort(parent.signal.reason);
  if (parent.signal.aborted) onParent();
  else parent.signal.addEventListener("abort", onParent, { once: true });
  return {
    context: {
      io: parent.io,
      out: parent.out,
      signal: controller.signal,
      interrupt: () => controller.abort(new AbortError()),
    },
    dispose: () => parent.signal.removeEventListener("abort", onParent),
  };
}

/** Prints a command's failure as `inet: …` and returns its exit code. */
function report(error: unknown, context: CommandContext): number {
  const code = exitCodeFor(error);
  if (code === EXIT.interrupted) {
    context.out.error("interrupted");
    return code;
  }
  context.out.error(error instanceof Error ? error.message : String(error));
  if (code === EXIT.unexpected && !(error instanceof InetError) && error instanceof Error && error.stack) {
    context.out.note(error.stack);
  }
  return code;
}

/**
 * Runs one command given as words. Resolves to its exit code (0: success); never rejects.
 * `watch` is called with the command's interrupt while it runs and returns its own undo.
 */
export async function runWords(
  words: readonly string[],
  session: ShellSession,
  parent: CommandContext,
  watch: (interrupt: () => void) => () => void = () => () => {},
): Promise<number> {
  if (words.length === 0) return EXIT.ok;
  const [name, ...rest] = words as [string, ...string[]];
  const command = findShellCommand(SHELL_COMMANDS, name);
  if (!command) {
    parent.out.error(`unknown command ${JSON.stringify(name)} (try 'help')`);
    return EXIT.usage;
  }
  const { context, dispose } = commandContext(parent);
  const unwatch = watch(context.interrupt);
  try {
    const { values, positionals } = parseCommandWords(command, rest);
    return (await command.run({ session, context, values, positionals })) ?? EXIT.ok;
  } catch (error) {
    return report(error, context);
  } finally {
    unwatch();
    dispose();
    if (command.changesRemote) session.invalidateListings();
  }
}

/** Runs one line (quotes and escapes as in `words.ts`). Resolves to its exit code; never rejects. */
export async function runLine(
  line: string,
  session: ShellSession,
  parent: CommandContext,
  watch?: (interrupt: () => void) => () => void,
): Promise<number> {
  let words: string[];
  try {
    words = parseWords(line);
  } catch (error) {
    return report(error, parent);
  }
  return runWords(words, session, parent, watch);
}

/** The completion sources of a session. */
export function completionSources(session: ShellSession): CompletionSources {
  return {
    commands: SHELL_COMMAND_NAMES,
    argumentKind(name, index, previous, options) {
      const command = findShellCommand(SHELL_COMMANDS, name);
      return command?.argument?.(index, previous, options) ?? "none";
    },
    listRemote: (folder) => session.completeRemote(folder),
    listLocal: (folder) => session.completeLocal(folder),
    async bookmarks() {
      try {
        return Object.keys((await session.loadConfig()).config.bookmarks);
      } catch {
        return [];
      }
    },
  };
}

/**
 * Runs the shell until the input ends, `quit`, a failure with `failFast`, or the context's signal.
 * Resolves to the exit code (see the file comment); closes the connection before resolving.
 */
export async function runShell(context: CommandContext, options: ShellLoopOptions): Promise<number> {
  const { session } = options;
  const tty = context.io.stdin.isTTY === true;
  let failure: number = EXIT.ok;
  const settle = (code: number): boolean => {
    if (code !== EXIT.ok) failure = code;
    return code !== EXIT.ok && options.failFast === true;
  };
  try {
    if (tty) {
      context.out.line("inet ftp shell: 'help' lists the commands; Tab completes; Ctrl-D leaves.");
    }
    const watch = tty ? (interrupt: () => void) => watchCtrlC(context, interrupt) : undefined;
    if (
      options.initial !== undefined &&
      settle(await runWords(["open", options.initial], session, context, watch))
    ) {
      return failure;
    }
    const next = tty ? terminalReader(context, options) : scriptReader(context);
    try {
      for (;;) {
        if (context.signal.aborted) return EXIT.interrupted;
        const line = await next.read(session.prompt(sanitize));
        if (line === undefined) break;
        if (context.signal.aborted) return EXIT.interrupted;
        if (settle(await runLine(line, session, context, watch))) break;
        if (context.signal.aborted) return EXIT.interrupted;
        if (session.quitting) break;
      }
    } finally {
      next.close();
    }
    return failure;
  } finally {
    await session.close();
  }
}

interface LineReader {
  /** The next line, or undefined at the end of input (or when the shell is stopped). */
  read(prompt: string): Promise<string | undefined>;
  close(): void;
}

/** Lines from a script or pipe: no prompt, no echo. */
function scriptReader(context: CommandContext): LineReader {
  const rl = createInterface({
    input: context.io.stdin,
    terminal: false,
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  const lines = rl[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    if (context.signal.aborted) onAbort();
    else context.signal.addEventListener("abort", onAbort, { once: true });
  });
  return {
    async read() {
      const next = await Promise.race([lines.next(), stopped]);
      return next === undefined || next.done ? undefined : next.value;
    },
    close() {
      context.signal.removeEventListener("abort", onAbort!);
      rl.close();
    },
  };
}

/**
 * Lines from a terminal: a fresh readline interface per prompt (history and completion), closed
 * as soon as the line is in, so the command that follows owns the terminal.
 */
function terminalReader(context: CommandContext, options: ShellLoopOptions): LineReader {
  const { stdin, stdout } = context.io;
  const sources = completionSources(options.session);
  const completer = (line: string, callback: (error: Error | null, result: [string[], string]) => void) => {
    complete(line, sources).then(
      (result) => callback(null, result),
      () => callback(null, [[], line]),
    );
  };
  const reader: LineReader = {
    read(prompt) {
      return new Promise<string | undefined>((resolve) => {
        const rl = createInterface({
          input: stdin,
          output: stdout,
          terminal: true,
          completer,
          history: options.history.newestFirst(),
          historySize: options.history.size,
        });
        let settled = false;
        const finish = (line: string | undefined | null) => {
          if (settled) return;
          settled = true;
          context.signal.removeEventListener("abort", onAbort);
          rl.close();
          if (line === null) {
            // Ctrl-C at the prompt: drop the line and ask again.
            resolve(reader.read(prompt));
            return;
          }
          if (line === undefined) stdout.write("\n");
          resolve(line);
        };
        const onAbort = () => finish(undefined);
        rl.on("line", (line) => {
          void options.history.add(line).finally(() => finish(line));
        });
        rl.on("SIGINT", () => {
          stdout.write("^C\n");
          finish(null);
        });
        rl.on("close", () => finish(undefined));
        if (context.signal.aborted) onAbort();
        else context.signal.addEventListener("abort", onAbort, { once: true });
        rl.setPrompt(prompt);
        rl.prompt();
      });
    },
    close() {},
  };
  return reader;
}

/**
 * While a command runs on a terminal: raw mode, so Ctrl-C arrives as a byte (not SIGINT, which
 * would stop the whole shell) and aborts only that command. Returns the undo.
 */
function watchCtrlC(context: CommandContext, interrupt: () => void): () => void {
  const stdin = context.io.stdin as CommandContext["io"]["stdin"] & {
    setRawMode?: (mode: boolean) => unknown;
  };
  let active = true;
  const onData = (chunk: Buffer | string) => {
    const text = typeof chunk === "string" ? chunk : chunk.toString("latin1");
    if (text.includes("\u0003")) interrupt();
  };
  // A password prompt pauses stdin when it is done; the command may still run (the login).
  const onPause = () =>
    setImmediate(() => {
      if (active) stdin.resume();
    });
  stdin.setRawMode?.(true);
  stdin.on("data", onData);
  stdin.on("pause", onPause);
  stdin.resume();
  return () => {
    active = false;
    stdin.off("data", onData);
    stdin.off("pause", onPause);
    stdin.pause();
    stdin.setRawMode?.(false);
  };
}
