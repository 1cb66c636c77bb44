/**
 * The typed view of a message's top-level header fields (RFC 5322 §3.6): subject, originator and
 * destination addresses, date, identification. Each value comes from one helper of header/ or
 * address/; what they could not read becomes a defect of the root part, never an exception.
 */

import { excerpt } from "../../textproto/excerpt.js";
import { tryParseAddressList } from "../address/parse.js";
import { parseDate } from "../header/date.js";
import { decodeEncodedWords } from "../header/encoded-words.js";
import { parseMessageIds } from "../header/message-id.js";
import type { Address, HeaderList, MimeDefect } from "../types.js";

/** The typed fields of {@link ParsedMessage}. */
export interface TypedHeaders {
  subject: string | undefined;
  from: Address[];
  to: Address[];
  cc: Address[];
  date: Date | undefined;
  messageId: string | undefined;
  references: string[];
}

/**
 * Reads the typed fields from `headers`. A field that appears more than once is read from its
 * first occurrence (as Python's `msg[name]` does). Defects are appended to `defects`.
 */
export function readTypedHeaders(headers: HeaderList, defects: MimeDefect[]): TypedHeaders {
  const rawSubject = headers.get("subject");
  let subject: string | undefined;
  if (rawSubject !== undefined) {
    const decoded = decodeEncodedWords(rawSubject);
    subject = decoded.text;
    for (const defect of decoded.defects) defects.push(defect);
  }
  const addresses = (name: string): Address[] => {
    const raw = headers.get(name);
    if (raw === undefined) return [];
    const parsed = tryParseAddressList(raw);
    for (const defect of parsed.defects) {
      defects.push({ kind: defect.kind, message: `${name}: ${defect.message}` });
    }
    return parsed.addresses;
  };
  const rawDate = headers.get("date");
  let date: Date | undefined;
  if (rawDate !== undefined) {
    date = parseDate(rawDate);
    if (date === undefined) {
      defects.push({ kind: "invalid-date", message: `Date "${excerpt(rawDate)}" is not an RFC 5322 date` });
    }
  }
  const rawId = headers.get("message-id");
  let messageId: string | undefined;
  if (rawId !== undefined) {
    // Without angle brackets (a common slip) the trimmed value is the best reading there is.
    messageId = parseMessageIds(rawId)[0] ?? (rawId.trim() || undefined);
  }
  const rawReferences = headers.get("references");
  return {
    subject,
    from: addresses("from"),
    to: addresses("to"),
    cc: addresses("cc"),
    date,
    messageId,
    references: rawReferences === undefined ? [] : parseMessageIds(rawReferences),
  };
}
