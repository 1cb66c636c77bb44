/**
 * CHUNKING (RFC 3030): the message goes as `BDAT <size> [LAST]` chunks instead of a dot-stuffed
 * DATA. Content is CRLF-normalised (7bit/8bit bodies still have CRLF lines, RFC 3030 §2) unless it
 * is BINARYMIME, which goes untouched. With PIPELINING the first chunk travels in the same burst
 * as the envelope, and later chunks keep one reply outstanding; chunks are bounded, so memory
 * stays bounded whatever the message size.
 */
import { ConnectionClosedError } from "../errors.js";
import { CrlfNormalizer, contentIterator, nextChunk, SourceFailure } from "./data-stream.js";
import type { PreparedMessage } from "./message.js";
import { type EnvelopeOutcome, fateUnknown, judgeEnvelope, notDelivered } from "./outcome.js";
import type { TransactionContext, TransactionPlan } from "./transaction.js";
import { finishTransaction, sendEnvelope } from "./transaction.js";
import type { SendResult } from "./types.js";

/** Largest BDAT chunk. */
export const BDAT_CHUNK_SIZE = 256 * 1024;

/** One chunk of the message, and whether it is the last. */
interface Chunk {
  data: Buffer;
  last: boolean;
}

/** Cuts the (normalised) content into chunks of at most `size` bytes. */
export class ChunkReader {
  private readonly iterator: AsyncIterator<Buffer>;
  private readonly normalizer: CrlfNormalizer | undefined;
  private pending: Buffer[] = [];
  private pendingSize = 0;
  private ended = false;

  constructor(
    source: readonly Buffer[] | AsyncIterable<Buffer>,
    options: { binary: boolean; size?: number },
    private readonly size = options.size ?? BDAT_CHUNK_SIZE,
  ) {
    this.iterator = contentIterator(source);
    this.normalizer = options.binary ? undefined : new CrlfNormalizer();
  }

  /**
   * The next chunk: full-size unless the content ends first (the last chunk may be empty).
   * @throws {SourceFailure} when the source fails.
   */
  async next(): Promise<Chunk> {
    while (!this.ended && this.pendingSize < this.size) {
      const next = await nextChunk(this.iterator);
      if (next.done) {
        this.ended = true;
        if (this.normalizer) this.take(this.normalizer.end());
      } else {
        this.take(this.normalizer ? this.normalizer.push(next.value) : [next.value]);
      }
    }
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingSize);
    const data = all.subarray(0, Math.min(all.length, this.size));
    const rest = all.subarray(data.length);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingSize = rest.length;
    return { data, last: this.ended && rest.length === 0 };
  }

  private take(pieces: readonly Buffer[]): void {
    for (const piece of pieces) {
      if (piece.length === 0) continue;
      this.pending.push(piece);
      this.pendingSize += piece.length;
    }
  }
}

function bdatCommand(chunk: Chunk): (string | number)[] {
  return chunk.last ? ["BDAT", chunk.data.length, "LAST"] : ["BDAT", chunk.data.length];
}

/**
 * Sends the transaction with BDAT. Contract as `SmtpClient.send`; a source failure before the
 * last chunk cancels the transaction with RSET (the connection stays usable).
 */
export async function sendWithBdat(
  context: TransactionContext,
  plan: TransactionPlan,
  prepared: PreparedMessage,
  signal: AbortSignal | undefined,
): Promise<SendResult> {
  const { control, state } = context;
  const connection = control.connection;
  const reader = new ChunkReader(prepared.content, { binary: plan.bdat !== false && plan.bdat.binary });
  let chunk: Chunk;
  try {
    chunk = await reader.next();
  } catch (error) {
    state.dirty = false;
    prepared.discard();
    throw error instanceof SourceFailure ? error.error : error;
  }

  let envelope: EnvelopeOutcome;
  let lastWritten = false;
  /** Replies of written non-last chunks not read yet. */
  let pending = 0;
  const write = async (next: Chunk) => {
    // The BDAT line and its chunk in one socket write.
    await connection.writeLineAndData(bdatCommand(next), next.data, { phase: "data", signal });
    lastWritten = next.last;
    if (!next.last) pending += 1;
  };
  /** Reads chunk replies until at most `keep` are outstanding; on a refusal, drains the rest and throws it. */
  const settle = async (keep: number) => {
    while (pending > keep) {
      const reply = await control.readReply({ signal });
      pending -= 1;
      if (reply.code === 250) continue;
      // Every chunk written after the refused one still gets its own (error) reply.
      for (let left = pending + (lastWritten ? 1 : 0); left > 0; left--) await control.readReply({ signal });
      pending = 0;
      throw control.replyError(reply);
    }
  };
  try {
    // The envelope (pipelined when the server allows), then the first chunk once its replies are
    // in. Written behind the envelope in the same burst, the chunk makes Postfix answer in two
    // small writes, the second held back by Nagle until our delayed ACK: ~44 ms per message
    // (docs/interop.md), against one round trip here.
    const got = await sendEnvelope(control, plan, signal);
    if (got.mail.code !== 250) state.dirty = false;
    envelope = judgeEnvelope(control, got.mail, got.rcpts, plan.envelope.to);
    await write(chunk);
    const keep = plan.pipelining ? 1 : 0;
    await settle(lastWritten ? 0 : keep);
    while (!lastWritten) {
      let next: Chunk;
      try {
        next = await reader.next();
      } catch (error) {
        if (!(error instanceof SourceFailure)) throw error;
        await settle(0);
        await control.command(["RSET"], [250], { signal });
        state.dirty = false;
        throw error.error;
      }
      await write(next);
      await settle(lastWritten ? 0 : keep);
    }
  } catch (error) {
    prepared.discard();
    if (error instanceof ConnectionClosedError) {
      throw lastWritten ? fateUnknown(control, error) : notDelivered(control, error);
    }
    throw error;
  }
  return finishTransaction(context, plan, prepared, envelope, signal);
}
