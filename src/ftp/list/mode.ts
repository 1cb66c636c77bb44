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
  const bit = (mask: number, char: string): string => ((mode & mask) !== 0 ? char : "-");
  const exec = (mask: number, special: number, set: string, unset: string): string => {
    const x = (mode & mask) !== 0;
    if ((mode & special) === 0) return x ? "x" : "-";
    return x ? set : unset;
  };
  return (
    bit(0o400, "r") +
    bit(0o200, "w") +
    exec(0o100, 0o4000, "s", "S") +
    bit(0o040, "r") +
    bit(0o020, "w") +
    exec(0o010, 0o2000, "s", "S") +
    bit(0o004, "r") +
    bit(0o002, "w") +
    exec(0o001, 0o1000, "t", "T")
  );
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
