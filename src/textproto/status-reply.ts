/**
 * Status-indicator replies: `+OK text` / `-ERR text` (RFC 1939 §3), with the optional bracketed
 * response code of RFC 2449 §8 (`-ERR [IN-USE] mailbox locked`), and the `+ challenge`
 * continuation line used during SASL exchanges (RFC 5034 §4).
 *
 * The indicators are matched exactly and in upper case, as RFC 1939 §3 requires servers to send
 * them; anything else is a {@link ProtocolError} rather than a guess.
 */
import { ConnectionClosedError, ProtocolError } from "../errors.js";
import type { ByteReader } from "./byte-reader.js";
import { excerpt } from "./excerpt.js";

/** A status reply: positive (`+OK`) or negative (`-ERR`). */
export interface StatusReply {
  continuation: false;
  /** True for `+OK`, false for `-ERR`. */
  ok: boolean;
  /** Everything after the indicator and its space (response code included), decoded as UTF-8. */
  text: string;
  /** The full line as received, without CRLF. */
  raw: Buffer;
  /** The RFC 2449 response code without its brackets (`IN-USE`, `SYS/TEMP`), when there is one. */
  responseCode?: string;
}

/** A continuation request (`+ ` or `+`): the server waits for the next client line. */
export interface ContinuationReply {
  continuation: true;
  /** What follows `+ ` (usually a base64 challenge; empty for a bare `+`). */
  text: string;
  raw: Buffer;
}

/** Any line a status-indicator server may answer with. Narrow on `continuation`. */
export type StatusLine = StatusReply | ContinuationReply;

const OK = Buffer.from("+OK");
const ERR = Buffer.from("-ERR");
const PLUS = 0x2b;
const SPACE = 0x20;

/** RFC 2449 §8: `[` resp-level *("/" resp-level) `]`, resp-level = 1*(printable except "/" and "]"). */
const RESPONSE_CODE = /^\[([\x21-\x2e\x30-\x5c\x5e-\x7e]+(?:\/[\x21-\x2e\x30-\x5c\x5e-\x7e]+)*)\]/;

/**
 * When `line` starts with `indicator`, returns the text after it: `""` when the line is exactly
 * the indicator, the rest after a single space otherwise. Returns `undefined` when the line does
 * not start with the indicator followed by a space or the end of the line.
 */
function after(line: Buffer, indicator: Buffer): string | undefined {
  if (line.length < indicator.length || !line.subarray(0, indicator.length).equals(indicator))
    return undefined;
  if (line.length === indicator.length) return "";
  if (line[indicator.length] !== SPACE) return undefined;
  return line.subarray(indicator.length + 1).toString("utf8");
}

/**
 * Parses one line (without CRLF): `+OK`, `+OK text`, `-ERR`, `-ERR text`, or the continuation
 * `+` / `+ text`. Throws {@link ProtocolError} with reason `malformed-reply` for anything else
 * (including lower-case indicators and `+OKAY`).
 */
export function parseStatusLine(line: Buffer): StatusLine {
  const okText = after(line, OK);
  if (okText !== undefined) return status(true, okText, line);
  const errText = after(line, ERR);
  if (errText !== undefined) return status(false, errText, line);
  if (line.length > 0 && line[0] === PLUS && (line.length === 1 || line[1] === SPACE)) {
    return { continuation: true, text: line.length > 2 ? line.subarray(2).toString("utf8") : "", raw: line };
  }
  throw new ProtocolError(
    "malformed-reply",
    `malformed status reply (expected "+OK", "-ERR" or "+ "): "${excerpt(line)}"`,
  );
}

function status(ok: boolean, text: string, raw: Buffer): StatusReply {
  const reply: StatusReply = { continuation: false, ok, text, raw };
  const code = RESPONSE_CODE.exec(text)?.[1];
  if (code !== undefined) reply.responseCode = code;
  return reply;
}

/**
 * Reads one line from `reader` and parses it with {@link parseStatusLine}, continuation included
 * (for SASL exchanges). Rejects with {@link ConnectionClosedError} when the stream ends first,
 * with {@link ProtocolError}/{@link LimitError} for a malformed or over-long line.
 */
export async function readStatusLine(reader: ByteReader): Promise<StatusLine> {
  const line = await reader.readLine();
  if (line === null) throw new ConnectionClosedError("the peer closed the connection before sending a reply");
  return parseStatusLine(line);
}

/**
 * Reads one `+OK`/`-ERR` reply from `reader`. A continuation line here is a
 * {@link ProtocolError} with reason `unexpected-continuation` (nothing was waiting for one);
 * otherwise rejects as {@link readStatusLine} does. A `-ERR` is returned, not thrown: the caller
 * turns it into a `ReplyError` naming its command.
 */
export async function readStatusReply(reader: ByteReader): Promise<StatusReply> {
  const reply = await readStatusLine(reader);
  if (reply.continuation) {
    throw new ProtocolError(
      "unexpected-continuation",
      `unexpected continuation line where a status reply was expected: "${excerpt(reply.raw)}"`,
    );
  }
  return reply;
}
