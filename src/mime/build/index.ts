/** The message builder: {@link buildMessage} and its spec types, and the file-name → media type table. */
export { buildMessage } from "./build-message.js";
export { DEFAULT_MIME_TYPE, extensionForMimeType, mimeTypeForFilename } from "./mime-types.js";
export type {
  AddressInput,
  AttachmentSpec,
  BuiltMessage,
  Envelope,
  InlineSpec,
  MessageSpec,
  TextEncoding,
} from "./spec.js";
