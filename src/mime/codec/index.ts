/**
 * Transfer encodings and charsets for the MIME package: streaming base64 and quoted-printable
 * codecs, the Content-Transfer-Encoding dispatcher, and charset resolution/decoding.
 */
export { Base64Decoder, Base64Encoder } from "./base64.js";
export type { BodyDecoder, BodyEncoder } from "./body-codec.js";
export { type DecodedText, decodeText, resolveCharset } from "./charsets.js";
export { QpDecoder, QpEncoder, type QpEncoderOptions } from "./quoted-printable.js";
export {
  type ChooseTransferEncodingOptions,
  chooseTransferEncoding,
  createBodyDecoder,
  type TransferEncoding,
} from "./transfer-encoding.js";
