/**
 * The shape of a base64 body that Node's own decoder can take whole (RFC 2045 §6.8): lines of
 * one fixed length, each ending in CRLF (or each in a bare LF), as every mailer writes them.
 *
 * Knowing the layout gives the number of alphabet characters in a run of lines without reading
 * them, so that a native decode can be checked afterwards by the length of its output alone
 * (see Base64Decoder): a stray byte or an `=` inside the run makes the output shorter.
 */

const LF = 0x0a;
const CR = 0x0d;

/** A run of whole lines: where it ends, and how many alphabet characters it holds if clean. */
export interface LineRun {
  /** Offset just past the run's last LF (equal to `start` when there is no run). */
  end: number;
  /** Characters of the run other than its line endings: a multiple of 4. */
  chars: number;
}

const NO_RUN: LineRun = { end: 0, chars: 0 };

/**
 * Finds the run of whole lines of `bytes` from `start` (the start of a line) up to `end` that
 * all have the length and line ending of the first one, cut to a whole number of base64 groups
 * (four characters). Only the line endings are looked at (one byte or two per line), never the
 * characters between them: a run is what the body is if it is clean, not a proof that it is.
 * Returns `{ end: start, chars: 0 }` when there is no such run. Never throws.
 */
export function regularLineRun(bytes: Uint8Array, start: number, end: number): LineRun {
  const firstLF = bytes.indexOf(LF, start);
  if (firstLF < 0 || firstLF >= end) return { ...NO_RUN, end: start };
  const stride = firstLF + 1 - start;
  const eol = firstLF > start && bytes[firstLF - 1] === CR ? 2 : 1;
  const perLine = stride - eol;
  if (perLine === 0) return { ...NO_RUN, end: start };
  let lines = 0;
  for (let lf = firstLF; lf < end; lf += stride) {
    if (bytes[lf] !== LF || (eol === 2 && bytes[lf - 1] !== CR)) break;
    lines += 1;
  }
  // Lines whose length is not a multiple of 4 end mid-group: take them two or four at a time.
  const group = perLine % 4 === 0 ? 1 : perLine % 2 === 0 ? 2 : 4;
  lines -= lines % group;
  return { end: start + lines * stride, chars: lines * perLine };
}
