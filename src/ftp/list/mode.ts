/**
 * Unix permission bits ↔ the nine characters `ls -l` shows (`rwxr-xr-x`), with setuid, setgid and
 * sticky shown the way `ls` shows them (`s`/`S`, `t`/`T`). Used by the MLSD parser (`unix.mode`),
 * and by the formatters of the loopback server.
 */

/**
 * Renders the low 12 bits of `mode` (e.g. `0o4755`) as `ls -l` does: `rwsr-xr-x`. Only the
 * permission bits are read; the file type bits are ignored.
 */
export function modeToPermissions(mode: number): string {
  // Twelve bits, so 4096 possible strings: each is built once and kept (an MLSD listing repeats a
  // few modes thousands of times).
  const bits = mode & 0o7777;
  const known = PERMISSION_STRINGS[bits];
  if (known !== undefined) return known;
  const text =
    permissionTriad(bits >> 6, (bits & 0o4000) !== 0, "s", "S") +
    permissionTriad(bits >> 3, (bits & 0o2000) !== 0, "s", "S") +
    permissionTriad(bits, (bits & 0o1000) !== 0, "t", "T");
  PERMISSION_STRINGS[bits] = text;
  return text;
}

/** The strings {@link modeToPermissions} made so far, by their twelve mode bits. */
const PERMISSION_STRINGS: (string | undefined)[] = [];

/** `rwx` for the low three bits of `triad`, the x place showing a set special bit as `set`/`unset`. */
function permissionTriad(triad: number, special: boolean, set: string, unset: string): string {
  const x = (triad & 1) !== 0;
  const exec = special ? (x ? set : unset) : x ? "x" : "-";
  return ((triad & 4) !== 0 ? "r" : "-") + ((triad & 2) !== 0 ? "w" : "-") + exec;
}

/**
 * Reads an `ls -l` permission string (`rwxr-xr-x`, with `s`/`S`/`t`/`T`) back into mode bits.
 * Returns `undefined` unless it is exactly nine characters of that alphabet in their places.
 */
export function permissionsToMode(permissions: string): number | undefined {
  if (permissions.length !== 9) return undefined;
  let mode = 0;
  for (let who = 0; who < 3; who += 1) {
    const shift = 6 - who * 3;
    const r = permissions[who * 3];
    const w = permissions[who * 3 + 1];
    const x = permissions[who * 3 + 2];
    if (r === "r") mode |= 4 << shift;
    else if (r !== "-") return undefined;
    if (w === "w") mode |= 2 << shift;
    else if (w !== "-") return undefined;
    const special = who === 2 ? 0o1000 : who === 1 ? 0o2000 : 0o4000;
    const setChar = who === 2 ? "t" : "s";
    if (x === "x") mode |= 1 << shift;
    else if (x === setChar) mode |= (1 << shift) | special;
    else if (x === setChar.toUpperCase()) mode |= special;
    else if (x !== "-") return undefined;
  }
  return mode;
}

/**
 * Reads an octal mode as MLSD's `unix.mode` fact carries it (`0644`, `755`, `02775`): one to six
 * octal digits. Returns `undefined` for anything else.
 */
export function parseOctalMode(text: string): number | undefined {
  if (text.length === 0 || text.length > 6) return undefined;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x37) return undefined;
  }
  return Number.parseInt(text, 8);
}
