/**
 * `inet demo` is a list of steps; each starts a loopback server, talks to it through the library,
 * checks what came back and cleans up. Later protocols add one {@link DemoStep} each.
 */
import type { TraceHook } from "../../transport/trace.js";
import { exitCodeFor } from "../exit-codes.js";
import type { Output } from "../output.js";

/** What a step may use while it runs. */
export interface DemoContext {
  /** Prints one line of narration (indented under the step's title). */
  say(text: string): void;
  /** Prints remote text (a reply) after a label, sanitized. */
  show(label: string, text: string): void;
  /** Aborts on Ctrl-C. */
  signal: AbortSignal;
  onTrace: TraceHook | undefined;
  /** Time limit, in ms, for each network wait. */
  timeout: number;
}

/** One step of the demo. */
export interface DemoStep {
  /** Shown as the step's heading: `TCP over IPv4 (tsTserv.py / tsTclnt.py)`. */
  title: string;
  /**
   * Does the step. Resolves to `undefined` when it passed, or to a reason when it could not run
   * here (no IPv6 loopback…); throws when something went wrong (a reply of the wrong shape is a
   * `ProtocolError`). Must close everything it opened, whatever happens.
   */
  run(context: DemoContext): Promise<{ skipped: string } | undefined>;
}

/** How a demo went. */
export interface DemoSummary {
  passed: number;
  skipped: number;
  failed: number;
  /** The exit code: 0, or the code of the first failure. */
  exitCode: number;
}

/**
 * Runs every step in order, narrating on `out`. A failing step is reported and the next one
 * runs; an interrupt (AbortError) stops the demo.
 */
export async function runDemo(
  steps: readonly DemoStep[],
  out: Output,
  options: { signal: AbortSignal; onTrace?: TraceHook | undefined; timeout?: number },
): Promise<DemoSummary> {
  const summary: DemoSummary = { passed: 0, skipped: 0, failed: 0, exitCode: 0 };
  const context: DemoContext = {
    say: (text) => out.line(`   ${text}`),
    show: (label, text) => out.remote(`   ${label}${text}`),
    signal: options.signal,
    onTrace: options.onTrace,
    timeout: options.timeout ?? 10_000,
  };
  for (const [index, step] of steps.entries()) {
    out.line(`${index + 1}. ${step.title}`);
    try {
      const result = await step.run(context);
      if (result) {
        summary.skipped += 1;
        out.line(`   Skipped: ${result.skipped}`);
      } else {
        summary.passed += 1;
      }
    } catch (error) {
      if (options.signal.aborted) throw error;
      summary.failed += 1;
      const code = exitCodeFor(error);
      if (summary.exitCode === 0) summary.exitCode = code;
      out.error(`step ${index + 1} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    out.line();
  }
  return summary;
}
