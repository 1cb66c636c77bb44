/**
 * buildMessage: a {@link MessageSpec} in, a message out (RFC 5322 + MIME, RFC 2045–2049).
 *
 * Shapes: text only → text/plain; HTML only → text/html; both → multipart/alternative; HTML with
 * related parts → multipart/related (the HTML, or the alternative, first: RFC 2387); attachments
 * or a forwarded message → multipart/mixed around the rest.
 */
import { InvalidArgumentError } from "../../errors.js";
import { formatAddress } from "../address/index.js";
import { formatDate, generateMessageId, Headers } from "../header/index.js";
import type { Address, HeaderField } from "../types.js";
import { isPlainAscii, unstructuredValue } from "./fields.js";
import { attachmentLeaf, type LeafNode, messageLeaf, textLeaf } from "./parts.js";
import { envelopeAddress, mailboxesOf, resolveAddresses, resolveFrom } from "./recipients.js";
import type { BuiltMessage, MessageSpec, TextEncoding } from "./spec.js";
import { flattenMessage, type PartNode } from "./tree.js";
import { checkFieldName, checkHeaderText, checkMessageId, isReservedField } from "./validate.js";
import { MessageWriter } from "./writer.js";

const TEXT_ENCODINGS: ReadonlySet<string> = new Set(["auto", "quoted-printable", "base64", "8bit"]);

function idList(
  value: string | readonly string[] | undefined,
  what: string,
  utf8: boolean,
): string | undefined {
  if (value === undefined) return undefined;
  // "<a@x> <b@y>" and "<a@x><b@y>" both list two ids.
  const ids =
    typeof value === "string"
      ? value
          .replace(/></g, "> <")
          .trim()
          .split(/[ \t]+/)
      : value;
  if (ids.length === 0 || (ids.length === 1 && ids[0] === "")) return undefined;
  return ids.map((id) => `<${checkMessageId(id, what, utf8)}>`).join(" ");
}

function extraFields(headers: MessageSpec["headers"], smtputf8: boolean): HeaderField[] {
  if (headers === undefined) return [];
  const entries: ReadonlyArray<readonly [string, string]> = Array.isArray(headers)
    ? (headers as ReadonlyArray<readonly [string, string]>)
    : Object.entries(headers as Record<string, string>);
  return entries.map((entry) => {
    if (!Array.isArray(entry) || entry.length !== 2)
      throw new InvalidArgumentError("headers entries must be [name, value] pairs");
    const [name, value] = entry as readonly [string, string];
    checkFieldName(name);
    if (isReservedField(name)) {
      throw new InvalidArgumentError(
        `the ${name} field is written by the builder; use the spec's own option`,
      );
    }
    return { name, value: unstructuredValue(value, name, smtputf8, `header ${name}`) };
  });
}

/** The body (text/html/related) without the attachments. */
function bodyNode(spec: MessageSpec, mode: TextEncoding): PartNode | undefined {
  const text = spec.text === undefined ? undefined : textLeaf("plain", spec.text, mode);
  const html = spec.html === undefined ? undefined : textLeaf("html", spec.html, mode);
  let node: PartNode | undefined =
    text && html ? { kind: "multipart", subtype: "alternative", children: [text, html] } : (html ?? text);
  const related = spec.related ?? [];
  if (!Array.isArray(related)) throw new InvalidArgumentError("related must be an array");
  if (related.length > 0) {
    if (html === undefined)
      throw new InvalidArgumentError("related parts are referenced from the HTML: give html too");
    const inline = related.map((r, i) => {
      if (r?.contentId === undefined) throw new InvalidArgumentError(`related[${i}] needs a contentId`);
      return attachmentLeaf(r, `related[${i}]`, "inline");
    });
    const start = node!;
    const type = start.kind === "multipart" ? "multipart/alternative" : "text/html";
    node = { kind: "multipart", subtype: "related", children: [start, ...inline], params: { type } };
  }
  return node;
}

/**
 * Builds a message from a spec. Returns its top-level headers, its SMTP envelope (From, and
 * To + Cc + Bcc — Bcc is never written into the headers), and its bytes as a stream with
 * backpressure or a Buffer. Date and Message-ID are generated when absent; MIME-Version is 1.0;
 * non-ASCII header text becomes RFC 2047 encoded words (file names RFC 2231 parameters) unless
 * `smtputf8`; every line ends CRLF, lines stay within 78 octets where the content allows and
 * never pass 998.
 *
 * Throws {@link InvalidArgumentError} for anything that must not reach the wire: CR, LF, NUL or
 * another control character in a subject, name, address, extra header, file name, content id
 * or media type; an invalid or ambiguous address; a header name that is not RFC 5322 ftext or
 * is one the builder writes itself; an attachment with both or neither of path and content.
 * Files and streams are not touched until the message is streamed.
 */
export function buildMessage(spec: MessageSpec): BuiltMessage {
  if (spec === null || typeof spec !== "object")
    throw new InvalidArgumentError("the message spec must be an object");
  const smtputf8 = spec.smtputf8 === true;
  const mode = spec.textEncoding ?? "auto";
  if (!TEXT_ENCODINGS.has(mode))
    throw new InvalidArgumentError(`unknown textEncoding ${JSON.stringify(mode)}`);

  const from = resolveFrom(spec.from);
  const to = resolveAddresses(spec.to, "to");
  const cc = resolveAddresses(spec.cc, "cc");
  const bcc = resolveAddresses(spec.bcc, "bcc");
  const replyTo = resolveAddresses(spec.replyTo, "replyTo");

  const envelopeFrom = envelopeAddress(from.address, smtputf8);
  const recipients = [
    ...new Set(mailboxesOf([...to, ...cc, ...bcc]).map((m) => envelopeAddress(m.address, smtputf8))),
  ];

  const fields: HeaderField[] = [];
  const addressField = (name: string, list: Address[]) => {
    if (list.length > 0) fields.push({ name, value: formatAddress(list, { smtputf8 }) });
  };
  addressField("From", [from]);
  addressField("To", to);
  addressField("Cc", cc);
  addressField("Reply-To", replyTo);
  if (spec.subject !== undefined) {
    fields.push({ name: "Subject", value: unstructuredValue(spec.subject, "Subject", smtputf8, "subject") });
  }
  const date = spec.date ?? new Date();
  if (!(date instanceof Date) || Number.isNaN(date.getTime()))
    throw new InvalidArgumentError("date must be a valid Date");
  fields.push({ name: "Date", value: formatDate(date) });
  fields.push({ name: "Message-ID", value: messageIdOf(spec, envelopeFrom, smtputf8) });
  const inReplyTo = idList(spec.inReplyTo, "inReplyTo", smtputf8);
  if (inReplyTo !== undefined) fields.push({ name: "In-Reply-To", value: inReplyTo });
  const references = idList(spec.references, "references", smtputf8);
  if (references !== undefined) fields.push({ name: "References", value: references });
  fields.push(...extraFields(spec.headers, smtputf8));
  fields.push({ name: "MIME-Version", value: "1.0" });

  const body = bodyNode(spec, mode);
  const attachments = spec.attachments ?? [];
  if (!Array.isArray(attachments)) throw new InvalidArgumentError("attachments must be an array");
  const extras: LeafNode[] = attachments.map((a, i) => attachmentLeaf(a, `attachments[${i}]`, "attachment"));
  if (spec.forward !== undefined) {
    const disposition = { name: "Content-Disposition", value: "attachment" };
    extras.push(messageLeaf(spec.forward, [disposition], "forward"));
  }
  // No body but attachments: a mixed of the attachments alone; nothing at all: an empty text/plain.
  let root: PartNode;
  if (extras.length > 0)
    root = { kind: "multipart", subtype: "mixed", children: body ? [body, ...extras] : extras };
  else root = body ?? textLeaf("plain", "", mode);

  const flat = flattenMessage(root, fields);
  const writer = new MessageWriter(flat.pieces);
  return {
    headers: new Headers(flat.fields),
    envelope: { from: envelopeFrom, to: recipients },
    stream: () => writer.stream(),
    toBuffer: () => writer.toBuffer(),
  };
}

/** The Message-ID field value: the caller's, else a random id at messageIdDomain or From's domain. */
function messageIdOf(spec: MessageSpec, envelopeFrom: string, smtputf8: boolean): string {
  if (spec.messageId !== undefined) return `<${checkMessageId(spec.messageId, "messageId", smtputf8)}>`;
  let domain = envelopeFrom.slice(envelopeFrom.lastIndexOf("@") + 1);
  if (spec.messageIdDomain !== undefined) {
    domain = checkHeaderText(spec.messageIdDomain, "messageIdDomain").trim();
    if (domain === "" || /[\s<>@"\\()]/.test(domain) || (!smtputf8 && !isPlainAscii(domain))) {
      throw new InvalidArgumentError(`messageIdDomain is not a domain: ${JSON.stringify(domain)}`);
    }
  }
  return generateMessageId(domain);
}
