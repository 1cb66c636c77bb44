/**
 * The silence limits of one connection's waits (see `timeouts.ts`). Each phase has one Node timer
 * for the connection's whole life: a wait re-arms it (`refresh()`) instead of creating a timer and
 * clearing it again, so a request/reply loop of thousands of commands creates no timer per
 * command, and the timer lists Node keeps stay as they are.
 *
 * A limit measures silence while something is awaited: it starts when the first wait of its phase
 * begins and restarts with every sign of life ({@link SilenceTimers.activity}); a timer that fires
 * while nothing of its phase is awaited does nothing.
 */
import type { TimeoutPhase } from "../errors.js";
import { isLimited, type Timeouts } from "./timeouts.js";

/** One phase's timer and how many waits it covers now. */
export interface SilenceSlot {
  readonly phase: TimeoutPhase;
  readonly limit: number;
  timer: NodeJS.Timeout | undefined;
  waiting: number;
}

export class SilenceTimers {
  private readonly slots = new Map<TimeoutPhase, SilenceSlot>();
  /** Waits in progress over every phase: 0 makes {@link activity} free. */
  private active = 0;

  /** `expire` is called when a phase stayed silent for its whole limit while awaited. */
  constructor(
    private readonly limits: Timeouts,
    private readonly expire: (phase: TimeoutPhase, limit: number) => void,
  ) {}

  /** Starts a wait in `phase`; `undefined` when the phase has no limit. Pair it with {@link end}. */
  begin(phase: TimeoutPhase): SilenceSlot | undefined {
    let slot = this.slots.get(phase);
    if (slot === undefined) {
      const limit = this.limits[phase];
      if (!isLimited(limit)) return undefined;
      slot = { phase, limit, timer: undefined, waiting: 0 };
      this.slots.set(phase, slot);
    }
    if (slot.waiting === 0) this.arm(slot);
    slot.waiting += 1;
    this.active += 1;
    return slot;
  }

  /** Ends a wait started by {@link begin}. The timer stays armed; firing with no wait, it does nothing. */
  end(slot: SilenceSlot): void {
    slot.waiting -= 1;
    this.active -= 1;
  }

  /** Bytes arrived or the socket drained: every limit being awaited starts again. */
  activity(): void {
    if (this.active === 0) return;
    for (const slot of this.slots.values()) if (slot.waiting > 0) slot.timer?.refresh();
  }

  /** Stops every timer (the connection closed). */
  clear(): void {
    for (const slot of this.slots.values()) {
      clearTimeout(slot.timer);
      slot.timer = undefined;
    }
  }

  private arm(slot: SilenceSlot): void {
    if (slot.timer !== undefined) {
      slot.timer.refresh();
      return;
    }
    const timer = setTimeout(() => {
      if (slot.waiting > 0) this.expire(slot.phase, slot.limit);
    }, slot.limit);
    // Only a wait keeps the process alive, never its limit.
    timer.unref();
    slot.timer = timer;
  }
}
