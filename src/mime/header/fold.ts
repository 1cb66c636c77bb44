/**
 * Folding one header field for output (RFC 5322 §2.1.1, §2.2.3): lines of at most 78
 * characters where possible and never more than 998 octets.
 */
import { InvalidArgumentError } from "../../errors.js";
import { excerpt } from "../../textproto/excerpt.js";

/** RFC 5322 §2.1.1: lines SHOULD be at most 78 characters … */
const SOFT_LIMIT = 78;
/** … and MUST be at most 998 octets (without CRLF). */
const HARD_LIMIT = 998;

/** True when `name` is a valid field name: printable ASCII but `:` (RFC 5322 §3.6.8). */
export function isFieldName(name: string): boolean {
  if (name === "") return false;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c < 0x21 || c > 0x7e || c === 0x3a) return false;
  }
  return true;
}

/**
 * Returns the field `Name: value` folded for the wire: line breaks (CRLF followed by the
 * whitespace that was there) are inserted before whitespace of the value so that lines are at
 * most 78 characters where possible, and never more than 998 octets (lengths are counted in
 * UTF-8 octets, so a raw UTF-8 value for SMTPUTF8 is measured as sent). The value is otherwise
 * unchanged, so unfolding gives it back; encode non-ASCII text first with `encodeHeaderText` or
 * `formatParameterized` unless raw UTF-8 is wanted. The result has NO final CRLF. A fold is
 * never put right after the colon, nor where it would leave a line of whitespace only.
 *
 * @throws InvalidArgumentError when the name is not printable ASCII without `:`, when the name
 *   or the value contains CR, LF or NUL (header injection), or when the value holds a run
 *   without whitespace too long for a 998-octet line (a single token over 998 octets can't be
 *   folded).
 */
export function foldHeader(name: string, value: string): string {
  if (!isFieldName(name)) throw new InvalidArgumentError(`not a header field name: ${excerpt(name)}`);
  if (/[\r\n\0]/.test(value)) {
    throw new InvalidArgumentError(`header ${name} contains CR, LF or NUL: ${excerpt(value)}`);
  }
  // Units: each is a run of whitespace and the non-whitespace run after it; a fold may go
  // before a unit (inside its whitespace). The first unit has no whitespace of its own: `: `
  // comes before it, and the value's leading whitespace belongs to it.
  const units = splitUnits(value);
  const lines: string[] = [];
  let line = `${name}: ${units[0]!.text}`;
  let lineBytes = Buffer.byteLength(line);
  if (lineBytes > HARD_LIMIT) throw tooLong(name, units[0]!.text);
  for (let k = 1; k < units.length; k++) {
    const unit = units[k]!;
    const size = Buffer.byteLength(unit.text);
    const lastOnlySpace = unit.space === unit.text.length; // trailing whitespace of the value
    if (lineBytes + size <= SOFT_LIMIT || lastOnlySpace) {
      line += unit.text;
      lineBytes += size;
      if (lineBytes > HARD_LIMIT) throw tooLong(name, unit.text);
      continue;
    }
    if (size <= HARD_LIMIT) {
      lines.push(line);
      line = unit.text;
      lineBytes = size;
      continue;
    }
    // The unit alone is over 998 octets: leave part of its whitespace at the end of this line.
    const word = unit.text.slice(unit.space);
    const wordBytes = Buffer.byteLength(word);
    const keep = wordBytes + 1; // the new line needs at least one whitespace character
    const moveBack = unit.space - Math.max(1, HARD_LIMIT - wordBytes);
    if (keep > HARD_LIMIT || lineBytes + moveBack > HARD_LIMIT) throw tooLong(name, word);
    lines.push(line + unit.text.slice(0, moveBack));
    line = unit.text.slice(moveBack);
    lineBytes = Buffer.byteLength(line);
  }
  lines.push(line);
  return lines.join("\r\n");
}

function tooLong(name: string, text: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `header ${name} cannot be folded: ${excerpt(text.trim())} leaves a line over ${HARD_LIMIT} octets`,
  );
}

/** Splits the value into units: `space` leading whitespace characters, then a word. */
function splitUnits(value: string): { text: string; space: number }[] {
  const units: { text: string; space: number }[] = [];
  let k = 0;
  // The first unit: leading whitespace and the first word.
  while (k < value.length && isWsp(value.charCodeAt(k))) k++;
  while (k < value.length && !isWsp(value.charCodeAt(k))) k++;
  units.push({ text: value.slice(0, k), space: 0 });
  while (k < value.length) {
    const start = k;
    while (k < value.length && isWsp(value.charCodeAt(k))) k++;
    const space = k - start;
    while (k < value.length && !isWsp(value.charCodeAt(k))) k++;
    units.push({ text: value.slice(start, k), space });
  }
  return units;
}

function isWsp(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
