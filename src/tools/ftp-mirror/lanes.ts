/**
 * The transfers of a mirror spread over `lanes` connections: each lane takes the next transfer
 * in plan order, and a transfer that must wait for another (`after`, a symlink's target or a
 * file replacing a folder) starts only once that one has finished, whatever lane it ran on.
 */
import type { MirrorAction } from "./types.js";

/** A transfer action of a plan. */
export type Transfer = Extract<MirrorAction, { kind: "transfer" }>;

/**
 * Runs `each` for every transfer over `lanes` lanes (at most one per transfer). `each` reports
 * its own file's failure (the mirror goes on); what it throws, and what `checkAbort` throws
 * between transfers, stops the lane. Resolves when every lane is done; rejects with the first
 * lane's error once all have settled.
 */
export async function runLanes(
  transfers: readonly Transfer[],
  lanes: number,
  checkAbort: () => void,
  each: (action: Transfer, slot: number) => Promise<void>,
): Promise<void> {
  const finished = new Map<string, Promise<void>>();
  let next = 0;
  const lane = async (slot: number): Promise<void> => {
    while (next < transfers.length) {
      checkAbort();
      const action = transfers[next++]!;
      const run = (async () => {
        if (action.after) await finished.get(action.after);
        await each(action, slot);
      })();
      finished.set(
        action.path,
        run.catch(() => {}),
      );
      await run;
    }
  };
  const outcomes = await Promise.allSettled(
    Array.from({ length: Math.min(lanes, Math.max(1, transfers.length)) }, (_, slot) => lane(slot)),
  );
  const stopped = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  if (stopped) throw stopped.reason;
}
