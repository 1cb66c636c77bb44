/**
 * Content-Transfer-Encoding (RFC 2045 §6): the streaming decoder for a part's body, and the
 * builder's choice of an encoding for content it is about to send.
 */
import { InvalidArgumentError } from "../../errors.js";
import { excerpt } from "../../textproto/excerpt.js";
import type { MimeDefect } from "../types.js";
import { Base64Decoder } from "./base64.js";
import type { BodyDecoder } from "./body-codec.js";
import { asBuffer, EMPTY } from "./defect-log.js";
import { QpDecoder } from "./quoted-printable.js";

/** The transfer encodings {@link chooseTransferEncoding} picks from. */
export type TransferEncoding = "7bit" | "quoted-printable" | "base64";

/** Options of {@link chooseTransferEncoding}. */
export interface ChooseTransferEncodingOptions {
  /** True for text (`text/*`, or anything whose line structure is meaningful). */
  text: boolean;
  /**
   * True when `sample` is only the start of the content (a stream being attached): then `7bit` is
   * never chosen, since the rest might not qualify. Default false.
   */
  partial?: boolean;
}

/** Passes the body through unchanged (7bit, 8bit, binary, and unknown encodings). */
class IdentityDecoder implements BodyDecoder {
  readonly defects: MimeDefect[];
  #ended = false;

  constructor(defects: MimeDefect[]) {
    this.defects = defects;
  }

  push(chunk: Uint8Array): Buffer {
    if (this.#ended) throw new InvalidArgumentError("body decoder: push() after end()");
    return asBuffer(chunk);
  }

  end(): Buffer {
    if (this.#ended) throw new InvalidArgumentError("body decoder: end() called twice");
    this.#ended = true;
    return EMPTY;
  }
}

/**
 * Returns a streaming decoder for a Content-Transfer-Encoding value (RFC 2045 §6.1; matched
 * case-insensitively, surrounding blanks ignored): `base64` → {@link Base64Decoder},
 * `quoted-printable` → {@link QpDecoder}, `7bit`, `8bit`, `binary` (and an empty value) → identity.
 * Anything else → identity with an `unknown-transfer-encoding` defect. The identity decoder returns
 * views of the caller's chunks (no copy). Never throws.
 */
export function createBodyDecoder(cte: string): BodyDecoder {
  const name = cte.trim().toLowerCase();
  switch (name) {
    case "base64":
      return new Base64Decoder();
    case "quoted-printable":
      return new QpDecoder();
    case "":
    case "7bit":
    case "8bit":
    case "binary":
      return new IdentityDecoder([]);
    default:
      return new IdentityDecoder([
        {
          kind: "unknown-transfer-encoding",
          message: `unknown Content-Transfer-Encoding "${excerpt(cte.trim(), 40)}"; body taken as is`,
        },
      ]);
  }
}

/** Longest line (octets, without CRLF) sent as 7bit: RFC 5322 §2.1.1's 78 ("SHOULD"). */
export const MAX_7BIT_LINE = 78;

/**
 * Chooses the transfer encoding of content about to be sent (deterministic; only `sample` and the
 * options matter):
 *
 * 1. `7bit` when the content is complete (`partial` not set) and every byte is 1..127, every CR is
 *    followed by LF and every LF preceded by CR, and no line is longer than {@link MAX_7BIT_LINE}
 *    (78) octets. So never 7bit with NUL, a bare CR or LF, 8-bit bytes, or a line over 998 octets.
 *    (A builder should turn the caller's LF line ends into CRLF before asking, for text.)
 * 2. Otherwise, for text: `quoted-printable` when at most one byte in six needs an `=XX` escape
 *    (bytes ≥ 0x7F, controls other than TAB/CR/LF, `=`) — then QP is no larger than base64 and
 *    stays readable; else `base64`.
 * 3. Otherwise, for non-text: `base64` (QP would not keep arbitrary bytes readable anyway).
 *
 * An empty sample is `7bit` (or `base64`/`quoted-printable` when `partial`, by the same rules).
 * Never throws.
 */
export function chooseTransferEncoding(
  sample: Uint8Array,
  options: ChooseTransferEncodingOptions,
): TransferEncoding {
  let escapes = 0;
  let sevenBit = options.partial !== true;
  let lineStart = 0;
  const length = sample.length;
  for (let i = 0; i < length; i++) {
    const b = sample[i]!;
    if (b >= 0x20 && b < 0x7f) {
      if (b === 0x3d) escapes++;
      continue;
    }
    if (b === 0x0d) {
      if (sample[i + 1] !== 0x0a) sevenBit = false;
      continue;
    }
    if (b === 0x0a) {
      if (i === 0 || sample[i - 1] !== 0x0d) sevenBit = false;
      const end = i > 0 && sample[i - 1] === 0x0d ? i - 1 : i;
      if (end - lineStart > MAX_7BIT_LINE) sevenBit = false;
      lineStart = i + 1;
      continue;
    }
    if (b !== 0x09) {
      // NUL, other controls, DEL and 8-bit bytes: never 7bit, escaped by QP.
      sevenBit = false;
      escapes++;
    }
  }
  if (length - lineStart > MAX_7BIT_LINE) sevenBit = false;
  if (sevenBit) return "7bit";
  if (!options.text) return "base64";
  return escapes * 6 <= length ? "quoted-printable" : "base64";
}
