/**
 * Where a part's body goes: through its Content-Transfer-Encoding decoder (codec/), then to any of
 * - memory (kept: `content()` resolves, text parts get `text`),
 * - an `onAttachment` stream,
 * - the message level parsing an encapsulated message (message/rfc822, message/global),
 * or nowhere (only counted, for parts inside a streamed message/rfc822 attachment).
 */
import type { BodyDecoder } from "../codec/body-codec.js";
import { decodeText } from "../codec/charsets.js";
import { createBodyDecoder } from "../codec/transfer-encoding.js";
import type { AttachmentFeed } from "./attachment-feed.js";
import type { PartNode } from "./part.js";

/** Receives the decoded bytes of an encapsulated message. */
export interface BodyForward {
  write(bytes: Buffer): void;
  end(): void;
}

/** Where one body goes. */
export interface BodyTargets {
  /** Keep the decoded bytes in memory. */
  keep: boolean;
  /** Stream them to an `onAttachment` reader. */
  feed?: AttachmentFeed | undefined;
  /** Parse them as a message. */
  forward?: BodyForward | undefined;
}

/** Decodes one body and hands the result on. */
export class BodyReader {
  readonly #part: PartNode;
  readonly #decoder: BodyDecoder;
  readonly #targets: BodyTargets;
  #kept: Buffer[] = [];
  #size = 0;

  constructor(part: PartNode, targets: BodyTargets) {
    this.#part = part;
    this.#targets = targets;
    // RFC 2045 §6.4 forbids encodings other than 7bit/8bit/binary for message/rfc822; some
    // mailers base64 it anyway. Decoding it before parsing (Python does not) gives the reader the
    // message that was meant, rather than a part tree of base64 text.
    this.#decoder = createBodyDecoder(part.transferEncoding);
  }

  /** Bytes kept in memory so far. */
  get bufferedBytes(): number {
    return this.#targets.keep ? this.#size : 0;
  }

  /** The part this body belongs to. */
  get part(): PartNode {
    return this.#part;
  }

  /** Raw (still transfer-encoded) body bytes. */
  write(raw: Buffer): void {
    const decoded = this.#decoder.push(raw);
    if (decoded.length > 0) this.#emit(decoded);
  }

  /** The body is complete: the part gets its size, its defects, and its kept bytes and text. */
  end(): void {
    const last = this.#decoder.end();
    if (last.length > 0) this.#emit(last);
    const part = this.#part;
    part.size = this.#size;
    for (const defect of this.#decoder.defects) part.defects.push(defect);
    const { keep, feed, forward } = this.#targets;
    if (keep) {
      // Copied into one fresh buffer: the kept pieces may be views of large input chunks.
      const bytes = Buffer.concat(this.#kept, this.#size);
      this.#kept = [];
      part.keep(bytes);
      if (part.contentType.startsWith("text/")) {
        const decoded = decodeText(bytes, part.charset);
        part.text = decoded.text;
        part.decodedWith = decoded.decodedWith;
        for (const defect of decoded.defects) part.defects.push(defect);
      }
    } else {
      part.markStreamed();
    }
    feed?.end();
    forward?.end();
  }

  #emit(bytes: Buffer): void {
    this.#size += bytes.length;
    const { keep, feed, forward } = this.#targets;
    if (keep) this.#kept.push(bytes);
    feed?.push(bytes);
    forward?.write(bytes);
  }
}
