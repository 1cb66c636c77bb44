/**
 * What the timestamp servers say: the time in the shape of Python's `time.ctime()` and the reply
 * `[ctime] message` (Core Python Programming, the socket chapter's tsTserv.py / tsUserv.py).
 * Pure: no sockets, no clock of its own.
 */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

/** The most bytes one UDP datagram may carry over IPv4 (65535 − 8 UDP − 20 IP header bytes). */
export const MAX_UDP_PAYLOAD = 65_507;

/**
 * Formats `date` in local time like Python's `time.ctime()`: `Sun Nov 22 03:24:32 2026` — the
 * day of the month padded with a space to width 2, hours, minutes and seconds with zeros.
 * Throws RangeError for an invalid Date (a bug in the caller's clock, not input).
 */
export function ctime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError("ctime() needs a valid Date");
  const two = (n: number) => String(n).padStart(2, "0");
  const day = String(date.getDate()).padStart(2, " ");
  const time = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  return `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${day} ${time} ${date.getFullYear()}`;
}

/**
 * Builds the reply to one message: `[ctime] ` followed by the message's bytes as they came, and
 * a LF when the message was a LF-terminated line (so a line-reading client gets one line back,
 * while the book's client, which sent bare bytes, gets bare bytes back).
 */
export function formatReply(date: Date, message: Buffer, terminated: boolean): Buffer {
  const prefix = Buffer.from(`[${ctime(date)}] `, "latin1");
  const parts = terminated ? [prefix, message, NEWLINE] : [prefix, message];
  return Buffer.concat(parts);
}

/**
 * The reply to one UDP datagram: like {@link formatReply} (never a LF added), with the echoed
 * message cut short so the reply still fits in one datagram ({@link MAX_UDP_PAYLOAD}).
 */
export function formatDatagramReply(date: Date, message: Buffer, maxPayload = MAX_UDP_PAYLOAD): Buffer {
  const reply = formatReply(date, message, false);
  return reply.length <= maxPayload ? reply : reply.subarray(0, maxPayload);
}

const NEWLINE = Buffer.from("\n");
