/**
 * Virtual paths: what an FTP client names, resolved against the session's working directory and
 * confined to the user's root. A virtual path is always absolute and normalized (`/`, `/a/b`):
 * `..` at the root stays at the root (RFC 959 leaves this to the server; every confined server
 * does the same), so no argument can name anything outside the served tree.
 */

/** A path argument the server refuses outright (NUL, or a name that cannot be a file name). */
export class PathRefused {
  constructor(readonly why: string) {}
}

/**
 * Resolves `argument` (absolute, or relative to `cwd`) into a normalized virtual path. Empty
 * components and `.` are dropped, `..` removes the previous component and never climbs above `/`.
 * Returns {@link PathRefused} (not an exception: it is an ordinary reply) for a NUL or CR byte.
 */
export function resolveVirtualPath(cwd: string, argument: string): string | PathRefused {
  if (argument.includes("\0")) return new PathRefused("a path must not contain NUL");
  if (argument.includes("\r") || argument.includes("\n")) {
    return new PathRefused("a path must not contain CR or LF");
  }
  const start = argument.startsWith("/") ? [] : splitVirtual(cwd);
  for (const part of argument.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") start.pop();
    else start.push(part);
  }
  return `/${start.join("/")}`;
}

/** The components of a normalized virtual path (`/a/b` → `["a", "b"]`, `/` → `[]`). */
export function splitVirtual(path: string): string[] {
  return path.split("/").filter((part) => part !== "");
}

/** The parent of a normalized virtual path (`/` is its own parent). */
export function parentOf(path: string): string {
  const parts = splitVirtual(path);
  parts.pop();
  return `/${parts.join("/")}`;
}

/** The last component of a normalized virtual path (`""` for `/`). */
export function baseName(path: string): string {
  const parts = splitVirtual(path);
  return parts[parts.length - 1] ?? "";
}

/** Joins a normalized directory path and one name. */
export function joinVirtual(directory: string, name: string): string {
  return directory === "/" ? `/${name}` : `${directory}/${name}`;
}

/** Quotes a path for a 257 reply: embedded `"` are doubled (RFC 959 Appendix II). */
export function quotePath(path: string): string {
  return `"${path.replaceAll('"', '""')}"`;
}
