/**
 * Which names from a listing may become one segment of a local (or remote) path: the name rules
 * of the disk-safety checklist (W1). A listing is the server's word, and a server can send
 * `../../x`, `/etc/passwd`, `C:evil` or terminal escapes as "names" (basic-ftp CVE-2026-27699,
 * wget CVE-2014-4877, curl CVE-2010-3842). Pure: no I/O.
 */

/** The longest name accepted, in bytes of UTF-8 (the usual file system limit, NAME_MAX). */
export const MAX_NAME_BYTES = 255;

/** Which file system rules apply on top of the common ones. */
export type NamePlatform = "posix" | "windows";

export interface NameCheckOptions {
  /** `windows` adds reserved device names, `:`, `<>"|?*` and trailing dots/spaces. Default `posix`. */
  platform?: NamePlatform;
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³])$/i;
const WINDOWS_FORBIDDEN = '<>:"|?*';

/**
 * Why `name` must not be used as one path segment, or `undefined` when it is safe.
 *
 * Refused everywhere: the empty name, `.`, `..`, `/`, `\`, NUL and every other C0 control,
 * DEL, C1 controls (U+0080–U+009F), a drive-letter prefix (`C:`), lone surrogates (names that were
 * not valid Unicode), and names over {@link MAX_NAME_BYTES} bytes of UTF-8. With
 * `platform: "windows"` also: any `:` (alternate data streams), `<>"|?*`, a trailing dot or
 * space, and the reserved device names (`CON`, `NUL`, `COM1`…, with any extension).
 *
 * The reason is plain text meant for a report; it never repeats the name (which may hold
 * control characters).
 */
export function unsafeNameReason(name: string, options: NameCheckOptions = {}): string | undefined {
  if (name.length === 0) return "empty name";
  if (name === "." || name === "..") return `"${name}" names a directory itself or its parent`;
  for (let i = 0; i < name.length; i += 1) {
    const code = name.charCodeAt(i);
    if (code === 0x2f) return 'contains "/" (a path, not a name)';
    if (code === 0x5c) return 'contains "\\" (a path separator on Windows)';
    if (code === 0) return "contains NUL";
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code <= 0x9f)) {
      return `contains the control character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = name.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i += 1;
      else return "is not valid Unicode (a lone surrogate)";
    }
  }
  if (/^[A-Za-z]:/.test(name)) return "starts with a drive letter";
  if (Buffer.byteLength(name, "utf8") > MAX_NAME_BYTES) return `longer than ${MAX_NAME_BYTES} bytes`;
  if (options.platform === "windows") {
    for (const char of WINDOWS_FORBIDDEN) {
      if (name.includes(char)) return `contains "${char}", which Windows forbids in names`;
    }
    if (name.endsWith(".") || name.endsWith(" ")) return "ends with a dot or a space (Windows drops them)";
    const base = name.split(".")[0] ?? name;
    if (WINDOWS_RESERVED.test(base.trimEnd())) return "is a reserved device name on Windows";
  }
  return undefined;
}

/** True when {@link unsafeNameReason} finds nothing wrong with `name`. */
export function isSafeName(name: string, options: NameCheckOptions = {}): boolean {
  return unsafeNameReason(name, options) === undefined;
}

/**
 * The key under which two names land on the same file: NFC-normalized, and case-folded when the
 * target file system ignores case (macOS, Windows). Two different names with one key collide (W4).
 */
export function collisionKey(name: string, caseInsensitive: boolean): string {
  const normalized = name.normalize("NFC");
  return caseInsensitive ? normalized.toLowerCase() : normalized;
}

/** The platform's own name rules: `windows` on win32, else `posix`. */
export function hostNamePlatform(): NamePlatform {
  return process.platform === "win32" ? "windows" : "posix";
}

/** Whether the host's usual file systems ignore case (macOS and Windows by default). */
export function hostIgnoresCase(): boolean {
  return process.platform === "win32" || process.platform === "darwin";
}
