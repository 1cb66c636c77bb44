/**
 * The shape every streaming body codec shares, so the parser and the builder can drive any of
 * them the same way.
 */
import type { MimeDefect } from "../types.js";

/**
 * A streaming decoder: bytes of an encoded body in, decoded bytes out. The output does not depend
 * on how the input is split into chunks. Malformed input never throws: it is decoded as well as
 * possible and a {@link MimeDefect} is recorded in {@link BodyDecoder.defects}.
 */
export interface BodyDecoder {
  /** Decodes as much of `chunk` (after what came before) as can be decoded now. */
  push(chunk: Uint8Array): Buffer;
  /** Decodes what was held back and finishes; the decoder accepts no more input afterwards. */
  end(): Buffer;
  /** The defects found so far (each kind of problem recorded once, with its first occurrence). */
  readonly defects: MimeDefect[];
}

/** A streaming encoder: raw bytes in, encoded body out; the output does not depend on the chunk split. */
export interface BodyEncoder {
  /** Encodes as much of `chunk` as can be encoded now. */
  push(chunk: Uint8Array): Buffer;
  /** Encodes what was held back and finishes; the encoder accepts no more input afterwards. */
  end(): Buffer;
}
