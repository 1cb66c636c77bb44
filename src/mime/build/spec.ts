/**
 * What a caller hands to {@link buildMessage} and what it gets back. No logic lives here; the
 * checks on these values are in validate.ts.
 */
import type { Readable } from "node:stream";
import type { Address, HeaderList, Mailbox } from "../types.js";

/**
 * Recipients: an address list as text (`"Alice <a@example.org>, b@example.org"`), one parsed
 * {@link Address}, or a list mixing both.
 */
export type AddressInput = string | Address | ReadonlyArray<string | Address>;

/** How text bodies (`text`, `html`) are transfer-encoded. */
export type TextEncoding =
  /** 7bit when the text is ASCII with short lines, quoted-printable for mostly-ASCII text, else base64. */
  | "auto"
  | "quoted-printable"
  | "base64"
  /**
   * Raw UTF-8 (for 8BITMIME/SMTPUTF8 transports). Falls back to quoted-printable for a text
   * with a line over 998 octets, which 8bit does not allow (RFC 2045 §2.8).
   */
  | "8bit";

/** A file attached to the message (`multipart/mixed`). */
export interface AttachmentSpec {
  /**
   * A file to attach. It is opened only when the message is streamed, and read chunk by chunk
   * with backpressure (never whole). Its base name is the default {@link filename}.
   */
  path?: string;
  /** The content, when there is no `path`: bytes, a string (written as UTF-8), or a stream of bytes. */
  content?: Buffer | Uint8Array | string | Readable;
  /**
   * The name shown to the recipient. Any directory part (up to the last `/` or `\`) is removed.
   * Non-ASCII or long names are written with RFC 2231 parameters.
   */
  filename?: string;
  /**
   * The media type (`image/png`, `text/csv; charset=utf-8`). Default: from the file name's
   * extension (see mime-types.ts), else `application/octet-stream`.
   */
  contentType?: string;
  /** Default `attachment` (`inline` for {@link MessageSpec.related} parts). */
  disposition?: "attachment" | "inline";
  /** A Content-ID, with or without its angle brackets (`logo@example.org`). */
  contentId?: string;
}

/** A part of `multipart/related` (an image the HTML shows through `cid:<contentId>`). */
export interface InlineSpec extends AttachmentSpec {
  /** Required: the id the HTML refers to as `cid:…`, with or without angle brackets. */
  contentId: string;
}

/** Everything {@link buildMessage} needs to write a message. */
export interface MessageSpec {
  /** The author: `"Alice <alice@example.org>"` or a {@link Mailbox}. Also the envelope sender. */
  from: string | Mailbox;
  to?: AddressInput;
  cc?: AddressInput;
  /** Envelope-only recipients: in {@link BuiltMessage.envelope}, never written into the headers. */
  bcc?: AddressInput;
  replyTo?: AddressInput;
  subject?: string;
  /** Default: now. */
  date?: Date;
  /** With or without angle brackets. Default: a random id at {@link messageIdDomain}. */
  messageId?: string;
  /** Message ids (with or without angle brackets) this message replies to. */
  inReplyTo?: string | readonly string[];
  references?: string | readonly string[];
  /**
   * Further header fields, written after the standard ones. Names must be RFC 5322 field names;
   * fields the builder writes itself (From, To, Cc, Bcc, Subject, Date, Message-ID, MIME-Version,
   * Content-*) are refused. Non-ASCII values are written as encoded words (raw with `smtputf8`).
   */
  headers?: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;
  /** The plain-text body. A Buffer is taken as UTF-8. Bare LF and CR become CRLF. */
  text?: string | Buffer;
  /** The HTML body. A Buffer is taken as UTF-8. Bare LF and CR become CRLF. */
  html?: string | Buffer;
  attachments?: readonly AttachmentSpec[];
  /** Images (or other parts) the HTML refers to by `cid:`; requires {@link html}. */
  related?: readonly InlineSpec[];
  /**
   * A whole message to attach as `message/rfc822` (forwarding). Its line endings are made CRLF;
   * it is not re-encoded (RFC 2046 §5.2.1 allows only 7bit, 8bit or binary there).
   */
  forward?: Buffer | Uint8Array | string | Readable;
  /**
   * Write non-ASCII header text (subject, display names, addresses, file names) as raw UTF-8
   * (RFC 6532) instead of RFC 2047/2231 encodings — only for a transport that offers SMTPUTF8.
   */
  smtputf8?: boolean;
  /** Domain of a generated Message-ID. Default: the From address's domain. */
  messageIdDomain?: string;
  /** Transfer encoding of the text and HTML bodies. Default `"auto"`. */
  textEncoding?: TextEncoding;
}

/** The SMTP envelope of a built message. */
export interface Envelope {
  /** The From address (`MAIL FROM`). */
  from: string;
  /** Every mailbox of To, Cc and Bcc (group members included), once each, in that order (`RCPT TO`). */
  to: string[];
}

/** A message ready to be written: its headers, its envelope, and its bytes on demand. */
export interface BuiltMessage {
  /** The top-level header fields as they are written (unfolded; encoded words not decoded). */
  readonly headers: HeaderList;
  readonly envelope: Envelope;
  /**
   * The message bytes (lines end CRLF) as a stream that honours backpressure: attachment files
   * and streams are read only as fast as the consumer reads. Each call starts a new stream with
   * the same bytes; a message with a `Readable` content can be streamed once (a second stream
   * fails with `InvalidArgumentError`). A failing source (a missing file) destroys the stream
   * with that source's error.
   */
  stream(): Readable;
  /** The whole message in memory (same bytes as {@link stream}, same rules). */
  toBuffer(): Promise<Buffer>;
}
