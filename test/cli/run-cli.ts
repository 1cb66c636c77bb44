/** Runs `main()` in-process with in-memory streams (not a test file: a helper for them). */
import { PassThrough, Readable, Writable } from "node:stream";
import { main } from "../../src/cli/main.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A Writable that keeps what was written; `text()` returns it so far. */
export class Capture extends Writable {
  private chunks: Buffer[] = [];
  private waiters: Array<{ pattern: RegExp; resolve: (match: RegExpMatchArray) => void }> = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(chunk);
    const text = this.text();
    this.waiters = this.waiters.filter((waiter) => {
      const match = waiter.pattern.exec(text);
      if (match) waiter.resolve(match);
      return !match;
    });
    callback();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }

  /** Resolves once the output matches `pattern`. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    const match = pattern.exec(this.text());
    if (match) return Promise.resolve(match);
    return new Promise((resolve) => this.waiters.push({ pattern, resolve }));
  }
}

/** Runs `inet argv` with `input` on stdin (not a TTY) and resolves to the exit code and output. */
export async function runCli(
  argv: string[],
  options: { input?: string; signal?: AbortSignal; stdout?: Capture; stderr?: Capture } = {},
): Promise<CliRun> {
  const stdout = options.stdout ?? new Capture();
  const stderr = options.stderr ?? new Capture();
  const stdin = options.input === undefined ? new PassThrough() : Readable.from([options.input]);
  const controller = new AbortController();
  const code = await main(argv, { stdin, stdout, stderr, signal: options.signal ?? controller.signal });
  if (stdin instanceof PassThrough) stdin.end();
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
