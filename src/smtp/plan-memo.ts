/**
 * The last transaction plan of a session (see `transaction.ts`), kept for the next message that
 * asks for exactly the same: the same sender and recipients as given, no per-message options, and
 * the same facts about the message that the plan depends on (8-bit octets, UTF-8 headers, and its
 * size when the server takes a SIZE parameter). A client sending message after message to the
 * same people then checks the addresses and encodes the envelope's commands once.
 *
 * A plan holds only what those inputs decide, so reusing it is the same as making it again.
 */
import type { PreparedMessage } from "./message.js";
import type { TransactionPlan } from "./transaction.js";
import type { SendOptions } from "./types.js";

interface Kept {
  from: string;
  /** The `to` option as given (a copy: the caller may change its array afterwards). */
  to: string | readonly string[];
  chunking: boolean | undefined;
  eightBit: boolean | undefined;
  utf8Headers: boolean;
  /** The size the plan's SIZE parameter states; `undefined` when it states none. */
  size: number | undefined;
  plan: TransactionPlan;
}

export class PlanMemo {
  private kept: Kept | undefined;

  /** The kept plan when `options` and `prepared` ask for what it was made for; else `undefined`. */
  reuse(options: SendOptions, prepared: PreparedMessage): TransactionPlan | undefined {
    const kept = this.kept;
    if (kept === undefined || !reusable(options)) return undefined;
    if (options.from !== kept.from || options.chunking !== kept.chunking) return undefined;
    if (!sameRecipients(options.to!, kept.to)) return undefined;
    if (prepared.eightBit !== kept.eightBit || prepared.utf8Headers !== kept.utf8Headers) return undefined;
    if (kept.size !== undefined && prepared.size() !== kept.size) return undefined;
    return kept.plan;
  }

  /** Keeps `plan`, made for `options` and `prepared`, when a later message could reuse it; returns it. */
  keep(options: SendOptions, prepared: PreparedMessage, plan: TransactionPlan): TransactionPlan {
    if (!reusable(options) || prepared.kind !== "bytes") {
      this.kept = undefined;
      return plan;
    }
    const to = options.to!;
    this.kept = {
      from: options.from!,
      to: typeof to === "string" ? to : [...to],
      chunking: options.chunking,
      eightBit: prepared.eightBit,
      utf8Headers: prepared.utf8Headers,
      size: plan.size,
      plan,
    };
    return plan;
  }
}

/** Options that name the whole envelope and nothing that varies per message. */
function reusable(options: SendOptions): boolean {
  return (
    typeof options.from === "string" &&
    options.to !== undefined &&
    options.dsn === undefined &&
    options.size === undefined &&
    options.body === undefined &&
    options.smtputf8 === undefined
  );
}

function sameRecipients(to: string | readonly string[], kept: string | readonly string[]): boolean {
  if (typeof to === "string" || typeof kept === "string") return to === kept;
  if (to.length !== kept.length) return false;
  for (let index = 0; index < to.length; index++) if (to[index] !== kept[index]) return false;
  return true;
}
