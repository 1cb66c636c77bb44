/**
 * The shared vocabulary of the MIME package: defects, limits, addresses, headers, the parsed part
 * tree and the parsed message. No I/O lives here; the parser, the builder, the address parser and
 * the mailbox formats all speak these types.
 */
import type { Readable } from "node:stream";

/**
 * Something wrong with a message that the parser worked around instead of failing (Python's
 * `email.errors` defects play the same role). Every part keeps its own list; the message keeps
 * the union.
 */
export interface MimeDefect {
  /** A stable name to switch on. */
  kind: MimeDefectKind;
  /** What was found, in words, with an excerpt of the offending text (control characters escaped). */
  message: string;
}

/** The kinds of {@link MimeDefect}. */
export type MimeDefectKind =
  /** A header line without a colon, or a continuation line before the first header. */
  | "malformed-header"
  /** An RFC 2047 encoded word that could not be decoded; its text was kept as it came. */
  | "malformed-encoded-word"
  /** A charset label TextDecoder does not know; the bytes were decoded as UTF-8 with U+FFFD replacements. */
  | "unknown-charset"
  /** Bytes that were not valid in the declared (or assumed) charset; replaced by U+FFFD. */
  | "invalid-charset-bytes"
  /** Characters outside the base64 alphabet, or wrong padding. */
  | "invalid-base64"
  /** A `=` in quoted-printable not followed by two hex digits or a line break. */
  | "invalid-quoted-printable"
  /** A Content-Transfer-Encoding the parser does not know; the body was taken as is. */
  | "unknown-transfer-encoding"
  /** A multipart without a boundary parameter; the body was taken as text/plain. */
  | "missing-boundary"
  /** A multipart whose closing boundary never came. */
  | "missing-closing-boundary"
  /** A multipart with no part at all. */
  | "no-parts"
  /** A Content-Type or Content-Disposition value that could not be parsed; the default was used. */
  | "malformed-content-type"
  /** An RFC 2231 parameter (continuation or charset/language) that could not be put together. */
  | "malformed-parameter"
  /** An address header that is not a valid address list; its typed value is empty. */
  | "invalid-address"
  /** A Date header that could not be parsed; the typed value is undefined. */
  | "invalid-date"
  /** A line of the message ended in a bare LF or bare CR instead of CRLF. */
  | "bare-line-ending"
  /** The message ended inside the header block (no blank line before the end). */
  | "truncated-headers";

/**
 * The bounds the parser enforces. Each is configurable; crossing one is a `LimitError` whose
 * `what` names the option (`maxDepth` → `"mime-depth"`, …).
 */
export interface MimeLimits {
  /** Deepest nesting of multiparts and message/rfc822 parts. Default 64. `what`: `"mime-depth"`. */
  maxDepth?: number;
  /** Most bytes of one header block (all its lines). Default 2 MiB. `what`: `"mime-header-block"`. */
  maxHeaderBytes?: number;
  /** Most parts in the whole message (every node of the tree). Default 10,000. `what`: `"mime-parts"`. */
  maxParts?: number;
  /** Most bytes in one line (without its line ending). Default 1 MiB. `what`: `"mime-line"`. */
  maxLineLength?: number;
  /** Most headers in one header block. Default 10,000. `what`: `"mime-headers"`. */
  maxHeaders?: number;
}

/** One mailbox: `"Alice Example" <alice@example.org>`. */
export interface Mailbox {
  /** The display name, decoded (RFC 2047 words decoded, quotes removed); `""` when there is none. */
  name: string;
  /**
   * The address `local@domain`, as written (a quoted local part keeps its quotes; the domain as
   * given, which may be Unicode). An empty string never appears: an invalid address is not a Mailbox.
   */
  address: string;
}

/** A named group of mailboxes: `Friends: a@example.org, b@example.org;`. */
export interface AddressGroup {
  /** The group's display name, decoded. */
  group: string;
  /** The members (possibly none). Groups do not nest (RFC 5322 §3.4). */
  members: Mailbox[];
}

/** An entry of an address list. */
export type Address = Mailbox | AddressGroup;

/** One header field as it came: the name as written and the value unfolded (CRLF + WSP → WSP). */
export interface HeaderField {
  /** The field name as written (case kept). */
  name: string;
  /**
   * The value after the colon, unfolded, leading whitespace removed, decoded from bytes as UTF-8
   * (RFC 6532) or, for bytes that are not valid UTF-8, as latin1; encoded words are NOT decoded.
   */
  value: string;
}

/** A read-only, ordered header block with case-insensitive lookup. */
export interface HeaderList {
  /** The first field of that name (case-insensitive), its raw unfolded value; undefined when absent. */
  get(name: string): string | undefined;
  /** Every field of that name, in order. */
  getAll(name: string): string[];
  /** True when a field of that name exists. */
  has(name: string): boolean;
  /** All fields in order. */
  readonly fields: readonly HeaderField[];
}

/** The parsed `Content-Type` or `Content-Disposition`: a lowercased value and its parameters. */
export interface ParameterizedValue {
  /** Lowercased: `text/plain`, `attachment`. */
  value: string;
  /**
   * Parameters by lowercased name, RFC 2231 continuations joined and charset-decoded, quotes
   * removed; RFC 2047 words in a quoted value (a common violation) decoded too.
   */
  params: Record<string, string>;
}

/** One node of the parsed message tree. */
export interface MimePart {
  /** This part's headers. */
  headers: HeaderList;
  /** `text/plain` when the header is absent (or `message/rfc822` inside multipart/digest). Lowercased. */
  contentType: string;
  /** The Content-Type parameters (see {@link ParameterizedValue.params}). */
  params: Record<string, string>;
  /** `inline`, `attachment`, or undefined when there is no Content-Disposition. */
  disposition: string | undefined;
  /** The file name: Content-Disposition `filename`, else Content-Type `name`; decoded. */
  filename: string | undefined;
  /** The Content-ID without its angle brackets. */
  contentId: string | undefined;
  /** Lowercased Content-Transfer-Encoding, `7bit` when absent. */
  transferEncoding: string;
  /** For text parts: the declared charset (lowercased), or undefined when none was declared. */
  charset: string | undefined;
  /** For text parts: the TextDecoder encoding actually used (`utf-8`, `shift_jis`, …). */
  decodedWith: string | undefined;
  /** Decoded body bytes (after the transfer encoding), or undefined for multiparts. */
  size: number | undefined;
  /** Children of a multipart, or the one parsed message of a message/rfc822 part; else empty. */
  children: MimePart[];
  /** The defects found in this part (its own, not its children's). */
  defects: MimeDefect[];
  /**
   * The decoded body (transfer encoding removed; charset NOT applied). Available when the parse
   * kept bodies (the default); rejects with `InvalidArgumentError` when the body was streamed to
   * `onAttachment` instead.
   */
  content(): Promise<Buffer>;
  /** For text parts: the body decoded with {@link decodedWith}; undefined for other parts. */
  text: string | undefined;
}

/** An attachment: any leaf part that is not the message's main text or HTML body. */
export interface Attachment {
  filename: string | undefined;
  /** Lowercased media type. */
  contentType: string;
  /** `attachment`, `inline` or undefined. */
  disposition: string | undefined;
  contentId: string | undefined;
  /** Decoded size in bytes (known once the part has been read). */
  size: number;
  /** The part it came from. */
  part: MimePart;
  /** The decoded content (see {@link MimePart.content}). */
  content(): Promise<Buffer>;
}

/** What {@link parseMessage}'s `onAttachment` callback receives: the attachment and its decoded bytes as a stream. */
export interface StreamedAttachment {
  filename: string | undefined;
  contentType: string;
  disposition: string | undefined;
  contentId: string | undefined;
  part: MimePart;
  /** The decoded bytes. The parser waits (backpressure) until the callback's promise settles. */
  stream: Readable;
}

/** The result of parsing a whole message. */
export interface ParsedMessage {
  /** The top-level headers. */
  headers: HeaderList;
  /** Decoded Subject (encoded words decoded), undefined when absent. */
  subject: string | undefined;
  from: Address[];
  to: Address[];
  cc: Address[];
  /** Parsed Date, undefined when absent or invalid (then a defect says so). */
  date: Date | undefined;
  /** Message-ID without angle brackets. */
  messageId: string | undefined;
  /** The message ids of References, without angle brackets, in order. */
  references: string[];
  /** The main text body (first text/plain that is not an attachment), decoded to a string. */
  text: string | undefined;
  /** The main HTML body. */
  html: string | undefined;
  attachments: Attachment[];
  /** The root of the part tree. */
  root: MimePart;
  /** Every defect of every part, in document order. */
  defects: MimeDefect[];
}
