/**
 * The names an archive may hold: relative, `/`-separated paths whose segments are neither empty,
 * `.` nor `..`. Archives are unpacked by other tools, so a name that could climb out of the folder
 * it is unpacked into ("zip slip"), land at an absolute path, or be cut short by a NUL is refused
 * when writing — and when reading an archive someone else made. Pure: no I/O.
 */
import { InvalidArgumentError } from "../../errors.js";

/** The longest entry name, in bytes of UTF-8 (the ZIP name field's limit; tar follows it too). */
export const MAX_ENTRY_NAME_BYTES = 65_535;

/**
 * Why `path` (without a directory's trailing `/`) is not a safe entry name, or `undefined`.
 * The reason never repeats the name (which may hold control characters).
 */
export function unsafeEntryNameReason(path: string): string | undefined {
  if (path.length === 0) return "is empty";
  if (path.includes("\0")) return "contains NUL";
  if (path.includes("\\")) return 'contains "\\" (a path separator on Windows)';
  if (path.startsWith("/")) return "is absolute";
  if (/^[A-Za-z]:/.test(path)) return "starts with a drive letter";
  for (const segment of path.split("/")) {
    if (segment === "") return "has an empty segment";
    if (segment === "." || segment === "..") return `has a "${segment}" segment`;
  }
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(path)) {
    return "is not valid Unicode (a lone surrogate)";
  }
  if (Buffer.byteLength(path, "utf8") + 1 > MAX_ENTRY_NAME_BYTES) {
    return `is longer than ${MAX_ENTRY_NAME_BYTES - 1} bytes`;
  }
  return undefined;
}

/**
 * Checks an entry name given by a caller and returns it without a trailing `/` (one trailing `/`
 * is accepted for folders).
 *
 * @throws InvalidArgumentError for an empty, absolute (`/x`, `C:x`) or climbing (`..`) name, one
 *   with NUL, `\`, an empty or `.` segment, a lone surrogate, or more than 65 534 bytes.
 */
export function checkEntryName(name: string, kind: "file" | "directory"): string {
  if (typeof name !== "string") throw new InvalidArgumentError("an archive entry name must be a string");
  const path = kind === "directory" && name.endsWith("/") ? name.slice(0, -1) : name;
  const reason = unsafeEntryNameReason(path);
  if (reason !== undefined) throw new InvalidArgumentError(`refusing an archive entry name that ${reason}`);
  return path;
}
