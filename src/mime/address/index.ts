/**
 * RFC 5322 addresses: one parser for message headers and the SMTP envelope (parse.ts,
 * envelope.ts, both on addr-spec.ts and scanner.ts), the formatter that writes them back
 * (format.ts), and IDN conversion (idn.ts).
 */
export type { AddrSpecOptions } from "./addr-spec.js";
export {
  type EnvelopeAddressOptions,
  isValidEnvelopeAddress,
  toAsciiAddress,
  toUnicodeAddress,
} from "./envelope.js";
export { type FormatAddressOptions, formatAddress } from "./format.js";
export { domainToAscii, domainToUnicodeSafe } from "./idn.js";
export {
  type ParseAddressListOptions,
  parseAddressList,
  parseMailbox,
  tryParseAddressList,
} from "./parse.js";
