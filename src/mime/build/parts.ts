/**
 * The leaves of a message being built: the text and HTML bodies, attachments and inline parts
 * (from a path, bytes or a stream), and a forwarded message. Each leaf knows its content header
 * fields and its body, either encoded bytes or a source to encode while streaming.
 */
import { isAscii, isUtf8 } from "node:buffer";
import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { Readable } from "node:stream";
import { InvalidArgumentError } from "../../errors.js";
import { parseParameterized } from "../header/index.js";
import type { HeaderField } from "../types.js";
import { encodeBase64, encodeTextBody, identityEncoding, type OutputEncoding, toCrlf } from "./body.js";
import { parameterized } from "./fields.js";
import { DEFAULT_MIME_TYPE, mimeTypeForFilename } from "./mime-types.js";
import type { AttachmentSpec, TextEncoding } from "./spec.js";
import { checkFilename, checkHeaderText, checkMediaType, checkMessageId } from "./validate.js";

/**
 * Content read while the message is streamed. `base64`: encoded on the way; `crlf`: written as
 * it is with line endings made CRLF (a forwarded message). `once`: a caller's stream, which can
 * be read a single time.
 */
export interface StreamSource {
  open(): Readable;
  transform: "base64" | "crlf";
  once: boolean;
  /** What to call it in an error message. */
  label: string;
}

/** A leaf part: its content fields and its body. */
export interface LeafNode {
  kind: "leaf";
  fields: HeaderField[];
  /** Encoded bytes, or a source encoded while streaming. */
  body: Buffer | StreamSource;
  /** The Content-Transfer-Encoding written (decides the enclosing multipart's own). */
  encoding: OutputEncoding;
}

/** Bytes of a string (UTF-8), Buffer or Uint8Array; undefined for anything else. */
export function bytesOf(value: unknown): Buffer | undefined {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === "string") return Buffer.from(value, "utf8");
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return undefined;
}

/**
 * The `text/plain` or `text/html` body: line endings made CRLF, charset UTF-8, transfer encoding
 * chosen by {@link encodeTextBody}. Throws `InvalidArgumentError` when the value is not text.
 */
export function textLeaf(subtype: "plain" | "html", value: string | Buffer, mode: TextEncoding): LeafNode {
  const raw = bytesOf(value);
  if (raw === undefined || !(typeof value === "string" || Buffer.isBuffer(value))) {
    throw new InvalidArgumentError(`${subtype === "plain" ? "text" : "html"} must be a string or a Buffer`);
  }
  const { encoding, bytes } = encodeTextBody(toCrlf(raw), mode);
  return {
    kind: "leaf",
    fields: [
      { name: "Content-Type", value: parameterized(`text/${subtype}`, { charset: "utf-8" }) },
      { name: "Content-Transfer-Encoding", value: encoding },
    ],
    body: bytes,
    encoding,
  };
}

/** A stream of the caller's, checked to be a Readable. */
function isReadable(value: unknown): value is Readable {
  return (
    value instanceof Readable ||
    (value !== null && typeof value === "object" && "pipe" in value && "on" in value)
  );
}

/**
 * A forwarded message (`message/rfc822`, RFC 2046 §5.2.1): never base64, only its line endings
 * made CRLF; labelled 7bit/8bit/binary from its bytes, or 8bit when it is a stream (not
 * scanned ahead). Throws `InvalidArgumentError` for a value that is neither bytes nor a stream.
 */
export function messageLeaf(content: unknown, fields: HeaderField[], what: string): LeafNode {
  const bytes = bytesOf(content);
  const head: HeaderField[] = [{ name: "Content-Type", value: "message/rfc822" }];
  if (bytes !== undefined) {
    const body = toCrlf(bytes);
    const encoding = identityEncoding(body);
    return {
      kind: "leaf",
      fields: [...head, { name: "Content-Transfer-Encoding", value: encoding }, ...fields],
      body,
      encoding,
    };
  }
  if (!isReadable(content))
    throw new InvalidArgumentError(`${what} must be a Buffer, a string or a Readable`);
  return {
    kind: "leaf",
    fields: [...head, { name: "Content-Transfer-Encoding", value: "8bit" }, ...fields],
    body: { open: () => content, transform: "crlf", once: true, label: what },
    encoding: "8bit",
  };
}

/**
 * An attachment or inline part. The media type comes from `contentType`, else from the file
 * name (see mime-types.ts). Content from a path or a stream is base64-encoded while streaming;
 * in-memory text with CRLF line endings may go quoted-printable or 7bit, anything else base64;
 * `message/rfc822` content is written as a forwarded message. Throws `InvalidArgumentError`
 * (naming `what`) for a bad spec or a value with CR/LF/NUL.
 */
export function attachmentLeaf(
  spec: AttachmentSpec,
  what: string,
  defaultDisposition: "attachment" | "inline",
): LeafNode {
  if (spec === null || typeof spec !== "object") throw new InvalidArgumentError(`${what} must be an object`);
  const hasPath = spec.path !== undefined;
  const hasContent = spec.content !== undefined;
  if (hasPath === hasContent) throw new InvalidArgumentError(`${what} needs exactly one of path and content`);
  if (hasPath && typeof spec.path !== "string")
    throw new InvalidArgumentError(`${what}.path must be a string`);

  let filename: string | undefined;
  if (spec.filename !== undefined) filename = checkFilename(spec.filename, `${what}.filename`);
  else if (hasPath) filename = checkFilename(basename(spec.path!), `${what}.path`);

  let type: string;
  let params: Record<string, string> = {};
  if (spec.contentType !== undefined) {
    const media = checkMediaType(spec.contentType, `${what}.contentType`);
    type = media.type;
    if (media.paramText.trim() !== "")
      params = { ...parseParameterized(`${type};${media.paramText}`).value.params };
    // RFC 2231 decoding could have produced a control character from %0D%0A: refuse it here too.
    for (const [name, value] of Object.entries(params)) checkHeaderText(value, `${what}.contentType ${name}`);
  } else {
    type = filename === undefined ? DEFAULT_MIME_TYPE : mimeTypeForFilename(filename);
  }
  if (type.startsWith("multipart/")) {
    throw new InvalidArgumentError(`${what}: a ${type} part cannot be attached as content`);
  }

  const disposition = spec.disposition ?? defaultDisposition;
  if (disposition !== "attachment" && disposition !== "inline") {
    throw new InvalidArgumentError(`${what}.disposition must be "attachment" or "inline"`);
  }
  const extra: HeaderField[] = [];
  const dispositionParams: Record<string, string> = {};
  if (type.startsWith("text/") && params.charset === undefined) {
    // A string is written as UTF-8: say so. So are bytes that are UTF-8 beyond ASCII: without the
    // label, readers guess (Python's email takes them for ASCII).
    if (typeof spec.content === "string") params.charset = "utf-8";
    else if (spec.content instanceof Uint8Array && !isAscii(spec.content) && isUtf8(spec.content)) {
      params.charset = "utf-8";
    }
  }
  if (filename !== undefined) {
    params.name = filename;
    dispositionParams.filename = filename;
  }
  extra.push({ name: "Content-Disposition", value: parameterized(disposition, dispositionParams) });
  if (spec.contentId !== undefined) {
    extra.push({ name: "Content-ID", value: `<${checkMessageId(spec.contentId, `${what}.contentId`)}>` });
  }
  const contentType: HeaderField = { name: "Content-Type", value: parameterized(type, params) };

  if (type === "message/rfc822") {
    // RFC 2046 §5.2.1: a message part is never base64-encoded; it goes as it is (CRLF made).
    const path = spec.path;
    if (path !== undefined) {
      return {
        kind: "leaf",
        fields: [contentType, { name: "Content-Transfer-Encoding", value: "8bit" }, ...extra],
        body: { open: () => createReadStream(path), transform: "crlf", once: false, label: what },
        encoding: "8bit",
      };
    }
    const leaf = messageLeaf(spec.content, extra, what);
    leaf.fields[0] = contentType;
    return leaf;
  }

  let body: Buffer | StreamSource;
  let encoding: OutputEncoding = "base64";
  const bytes = hasContent ? bytesOf(spec.content) : undefined;
  if (hasPath) {
    const path = spec.path!;
    body = { open: () => createReadStream(path), transform: "base64", once: false, label: what };
  } else if (bytes !== undefined) {
    if (type.startsWith("text/") && toCrlf(bytes) === bytes) {
      // Text kept byte for byte: CRLF already, so quoted-printable or 7bit round-trips exactly.
      const encoded = encodeTextBody(bytes, "auto");
      encoding = encoded.encoding;
      body = encoded.bytes;
    } else {
      body = encodeBase64(bytes);
    }
  } else if (isReadable(spec.content)) {
    const stream = spec.content;
    body = { open: () => stream, transform: "base64", once: true, label: what };
  } else {
    throw new InvalidArgumentError(`${what}.content must be a Buffer, a string or a Readable`);
  }
  return {
    kind: "leaf",
    fields: [contentType, { name: "Content-Transfer-Encoding", value: encoding }, ...extra],
    body,
    encoding,
  };
}
