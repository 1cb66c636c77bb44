/** The streaming MIME parser: `parseMessage` and its options. */
export { type ParseOptions, parseMessage } from "./parse-message.js";
export type { MessageSource } from "./source.js";
