/**
 * TYPE A line endings (RFC 959 §3.1.1.1): the wire carries CRLF; local files use LF. These are
 * incremental converters, correct when a CR and its LF arrive in different chunks.
 */

const CR = 0x0d;
const LF = 0x0a;

/** Wire → local: CRLF becomes LF; a CR not followed by LF is kept. */
export class CrlfToLf {
  private pendingCR = false;

  push(chunk: Buffer): Buffer {
    const out = Buffer.allocUnsafe(chunk.length + 1);
    let length = 0;
    let index = 0;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (chunk[0] !== LF) out[length++] = CR;
    }
    for (; index < chunk.length; index++) {
      const byte = chunk[index]!;
      if (byte === CR) {
        if (index + 1 === chunk.length) {
          this.pendingCR = true;
          continue;
        }
        if (chunk[index + 1] === LF) continue;
      }
      out[length++] = byte;
    }
    return out.subarray(0, length);
  }

  /** A CR left at the very end of the data. */
  end(): Buffer {
    return this.pendingCR ? Buffer.from([CR]) : Buffer.alloc(0);
  }
}

/** Local → wire: every LF not already preceded by CR becomes CRLF. */
export class LfToCrlf {
  private lastWasCR = false;

  push(chunk: Buffer): Buffer {
    let extra = 0;
    let previousCR = this.lastWasCR;
    for (const byte of chunk) {
      if (byte === LF && !previousCR) extra++;
      previousCR = byte === CR;
    }
    const out = Buffer.allocUnsafe(chunk.length + extra);
    let length = 0;
    previousCR = this.lastWasCR;
    for (const byte of chunk) {
      if (byte === LF && !previousCR) out[length++] = CR;
      out[length++] = byte;
      previousCR = byte === CR;
    }
    this.lastWasCR = previousCR;
    return out;
  }
}
