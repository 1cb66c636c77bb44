// A pretend terminal for in-process shell tests (not a test file): stdin and stdout say they are
// TTYs, so the shell prompts, completes and keeps history, and keys are typed as bytes.
import { PassThrough } from "node:stream";
import { main } from "../../../../src/cli/main.js";
import { Capture } from "../../run-cli.js";

/** How long a test waits for expected output before failing with what it got (not a timing assertion). */
const PATIENCE_MS = 15_000;

export const KEY = {
  tab: "\t",
  enter: "\r",
  up: "\u001b[A",
  ctrlC: "\u0003",
  ctrlD: "\u0004",
  ctrlU: "\u0015",
} as const;

/** stdin as a terminal: raw mode is recorded, keys are written with `type`. */
class FakeTtyInput extends PassThrough {
  readonly isTTY = true;
  isRaw = false;
  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    return this;
  }
}

/** stdout as a terminal 120 columns wide. */
class FakeTtyOutput extends Capture {
  readonly isTTY = true;
  readonly columns = 120;
  readonly rows = 40;
}

/** Terminal output with cursor movements and line erasures removed, so tests can read it. */
export function plain(text: string): string {
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
}

export interface TtyShell {
  stdin: FakeTtyInput;
  stdout: FakeTtyOutput;
  stderr: Capture;
  /** Types keys. */
  type(keys: string): void;
  /** Waits until stdout (ANSI removed) after `from` matches. Fails with the output after a long wait. */
  waitFor(pattern: RegExp, from?: number): Promise<RegExpMatchArray>;
  /** Current length of stdout, to wait only for what comes next. */
  mark(): number;
  /** The exit code, once the shell ends. */
  exited: Promise<number>;
}

/** Starts `inet ARGS` in-process on a pretend terminal. */
export function startTtyShell(argv: string[]): TtyShell {
  const stdin = new FakeTtyInput();
  const stdout = new FakeTtyOutput();
  const stderr = new Capture();
  const controller = new AbortController();
  const exited = main(argv, { stdin, stdout, stderr, signal: controller.signal });
  return {
    stdin,
    stdout,
    stderr,
    type: (keys) => stdin.write(keys),
    mark: () => plain(stdout.text()).length,
    async waitFor(pattern, from = 0) {
      const deadline = Date.now() + PATIENCE_MS;
      for (;;) {
        const text = plain(stdout.text()).slice(from);
        const match = pattern.exec(text);
        if (match) return match;
        if (Date.now() > deadline) {
          throw new Error(
            `no ${pattern} in the terminal output:\n${JSON.stringify(text)}\nstderr: ${stderr.text()}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    exited,
  };
}
