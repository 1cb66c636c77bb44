/**
 * Directory listings: MLSD (RFC 3659 §7) and LIST (Unix `ls -l`, DOS/IIS, EPLF, and a tolerant
 * fallback) into {@link FileInfo}, line by line or incrementally from the data connection's bytes;
 * and the formatters the loopback server writes them with. Pure: no I/O.
 */
export { type ListingOptions, type ListLineOptions, parseListing, parseListLine } from "./detect.js";
export { parseDosLine } from "./dos.js";
export { parseEplfLine } from "./eplf.js";
export {
  DEFAULT_MAX_LISTING_BYTES,
  DEFAULT_MAX_LISTING_LINE,
  ListingParser,
  type ListingParserOptions,
} from "./listing-parser.js";
export { formatMlsdLine, isDotEntry, type MlsdEntry, parseMlsdLine } from "./mlsd.js";
export { modeToPermissions, parseOctalMode, permissionsToMode } from "./mode.js";
export { looksLikeUnixMode, parseUnixLine } from "./unix.js";
export { type FormatUnixListOptions, formatUnixListLine, type ListEntry } from "./unix-format.js";
