/**
 * Per-phase time limits. A limit runs only while we wait on the peer, and it measures silence:
 * every byte that arrives (or every drain of a full send buffer) restarts it, so a long transfer
 * that keeps moving never times out while a stalled one does.
 */
import type { TimeoutPhase } from "../errors.js";

export type Timeouts = Record<TimeoutPhase, number>;

/**
 * Defaults, in ms: 30 s to connect (DNS + TCP + TLS) and to be greeted, 60 s for a command's
 * reply or for a silent data transfer, 5 min for an idle wait (IMAP IDLE, an interactive shell).
 */
export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({
  connect: 30_000,
  greeting: 30_000,
  command: 60_000,
  data: 60_000,
  idle: 300_000,
});

/**
 * Builds the phase table from the common options: `timeout` sets every phase but `idle`, and
 * `timeouts` overrides single phases. 0 or `Infinity` turns a limit off.
 */
export function resolveTimeouts(timeout?: number, timeouts?: Partial<Timeouts>): Timeouts {
  const base: Timeouts = { ...DEFAULT_TIMEOUTS };
  if (timeout !== undefined) {
    base.connect = timeout;
    base.greeting = timeout;
    base.command = timeout;
    base.data = timeout;
  }
  return { ...base, ...timeouts };
}

/** Whether `ms` is an active limit. */
export function isLimited(ms: number): boolean {
  return ms > 0 && Number.isFinite(ms);
}
