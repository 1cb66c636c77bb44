/**
 * The book's interactive client loop, shared by `inet tcp connect` and `inet udp send`: prompt
 * `> ` on a terminal, send each line, print the reply; an empty line or end of input ends it.
 * When stdin is not a terminal there is no prompt, so the commands can be scripted.
 */
import { createInterface } from "node:readline";
import { abortErrorFrom } from "../errors.js";
import type { CommandContext } from "./command.js";

/**
 * Calls `handle` for each line read from stdin until an empty line or the end of input.
 * Rejects with {@link AbortError} when the context's signal fires (Ctrl-C), or with whatever
 * `handle` throws. The readline interface is closed when it settles.
 */
export async function forEachInputLine(
  context: CommandContext,
  handle: (line: string) => Promise<void>,
): Promise<void> {
  const { stdin, stdout } = context.io;
  const tty = stdin.isTTY === true;
  const rl = createInterface({
    input: stdin,
    output: tty ? stdout : undefined,
    terminal: tty,
    crlfDelay: Infinity,
  });
  // On a terminal readline sees Ctrl-C itself (raw mode), so it must forward it.
  rl.on("SIGINT", () => context.interrupt());
  rl.setPrompt("> ");
  const lines = rl[Symbol.asyncIterator]();
  const signal = context.signal;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortErrorFrom(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  try {
    for (;;) {
      if (tty) rl.prompt();
      const next = await Promise.race([lines.next(), aborted]);
      if (next.done || next.value === "") return;
      await Promise.race([handle(next.value), aborted]);
    }
  } finally {
    signal.removeEventListener("abort", onAbort!);
    rl.close();
  }
}

/** Resolves when `signal` fires (a server runs until Ctrl-C or SIGTERM). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
