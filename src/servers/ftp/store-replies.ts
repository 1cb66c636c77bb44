/**
 * What a store failure (an `fs`-style error with a POSIX `code`, see `store.ts`) means as an FTP
 * reply (RFC 959 §4.2: 450/550 for unavailable files, 452/552 for storage, 553 for names).
 */
import { errorCode } from "./store.js";

/** Why a store operation failed, as an FTP reply. */
export function replyForError(
  error: unknown,
  fallback: readonly [number, string] = [451, "Local error in processing."],
): readonly [number, string] {
  switch (errorCode(error)) {
    case "ENOENT":
      return [550, "No such file or directory."] as const;
    case "EEXIST":
      return [550, "File exists."] as const;
    case "ENOTDIR":
      return [550, "Not a directory."] as const;
    case "EISDIR":
      return [550, "Is a directory."] as const;
    case "ENOTEMPTY":
      return [550, "Directory not empty."] as const;
    case "EACCES":
    case "EPERM":
    case "ELOOP":
    case "EBUSY":
    case "EROFS":
      return [550, "Permission denied."] as const;
    case "EINVAL":
      return [550, "Invalid argument."] as const;
    case "ENAMETOOLONG":
      return [553, "File name not allowed."] as const;
    case "ENOSPC":
      return [452, "Insufficient storage space."] as const;
    case "EDQUOT":
    case "EFBIG":
      return [552, "Exceeded storage allocation."] as const;
    default:
      return fallback;
  }
}
