/**
 * Header-level text: RFC 2047 encoded words, Content-Type/Disposition parameters (RFC 2045,
 * RFC 2231), header blocks, folding, dates and message ids.
 */
export { formatDate, parseDate } from "./date.js";
export { decodeEncodedWords, type EncodeHeaderTextOptions, encodeHeaderText } from "./encoded-words.js";
export { foldHeader, isFieldName } from "./fold.js";
export {
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_HEADERS,
  Headers,
  type ParsedHeaderBlock,
  parseHeaderBlock,
} from "./headers.js";
export { DEFAULT_MESSAGE_ID_DOMAIN, generateMessageId, parseMessageIds } from "./message-id.js";
export { formatParameterized, parseContentType, parseParameterized } from "./params.js";
