/**
 * FTP types shared by the client (src/ftp/) and the loopback server (src/servers/ftp/). No I/O.
 */

/** What a directory entry is. `unknown` when a listing line could not be understood. */
export type FileType = "file" | "directory" | "symlink" | "unknown";

/**
 * One entry of a directory listing, from MLSD (RFC 3659 §7) or a parsed LIST line.
 * Names are returned exactly as the server sent them — including `..`, `/` or control
 * characters — for the caller to judge: tools that write to disk refuse unsafe names.
 */
export interface FileInfo {
  name: string;
  type: FileType;
  /** Size in bytes, when the listing says. */
  size?: number;
  /** Last modification, when the listing says (UTC for MLSD; LIST times are read as UTC). */
  modifiedAt?: Date;
  /**
   * Unix permissions as in `ls -l` (`rwxr-xr-x`), or MLSD's `unix.mode` rendered that way, when
   * the listing says.
   */
  permissions?: string;
  /** For a symlink, what it points to (LIST `name -> target`). */
  target?: string;
  /** Owner and group names or ids, when the listing says. */
  owner?: string;
  group?: string;
  /** MLSD facts, lower-cased names (`type`, `size`, `modify`, `perm`, `unique`, `unix.mode`…). */
  facts?: Readonly<Record<string, string>>;
  /** The listing line as received (decoded as UTF-8). */
  raw: string;
}

/** The transfer type: `binary` (TYPE I, default) or `ascii` (TYPE A, CRLF on the wire). */
export type TransferType = "binary" | "ascii";

/** How data connections are opened. */
export type DataMode = "passive" | "active";

/** Features announced by FEAT (RFC 2389): upper-cased name → parameters (`""` when none). */
export type FtpFeatures = ReadonlyMap<string, string>;
