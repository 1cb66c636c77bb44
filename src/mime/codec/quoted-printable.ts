/**
 * Streaming quoted-printable (RFC 2045 §6.7).
 *
 * Decoding follows the RFC's rules for robust decoders rather than Python's `binascii.a2b_qp`
 * where they differ: trailing blanks on a line are removed (rule 3, they were added in transport),
 * `=` followed by blanks and a line break is a soft line break, a `=` not followed by two hex
 * digits or a line break is kept literally (with an `invalid-quoted-printable` defect), lowercase
 * hex digits are accepted, and 8-bit bytes pass through. Line breaks (CRLF or a bare LF) are kept
 * as they came; a CR not followed by LF is an ordinary byte.
 *
 * Encoding: `=`, control characters (except TAB) and bytes ≥ 0x7F become `=XX`; a blank before a
 * line break or at the end becomes `=20`/`=09`; every output line (with its `=` soft break) is at
 * most 76 characters; an `=XX` escape is never split. A line that would begin with `From ` has its
 * `F` written as `=46`, so the output survives mbox `From `-quoting untouched; a leading `.` is
 * left alone (dot-stuffing is the SMTP layer's job).
 */
export { QpDecoder } from "./qp-decoder.js";
export { QpEncoder, type QpEncoderOptions } from "./qp-encoder.js";
