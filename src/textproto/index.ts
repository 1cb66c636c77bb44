/**
 * The protocol-agnostic text layer: bytes in, bytes out. A bounded CRLF line reader, numeric and
 * status-indicator reply parsers, the dot-stuffing codec, and the one function that turns command
 * parts into a line (refusing CR, LF and NUL in arguments).
 */
export * from "./byte-reader.js";
export * from "./dot-codec.js";
export * from "./excerpt.js";
export * from "./numeric-reply.js";
export * from "./status-reply.js";
export * from "./write-line.js";
