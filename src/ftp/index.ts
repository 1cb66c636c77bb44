/**
 * FTP and FTPS: RFC 959 (FTP), 2228 (security extensions: AUTH, PBSZ, PROT), 2389 (FEAT, OPTS),
 * 2428 (EPSV, EPRT, IPv6), 2640 (UTF-8), 3659 (MLSD, MLST, SIZE, MDTM, REST STREAM), 4217 (FTP
 * over TLS), implicit FTPS (port 990), and MFMT.
 */
export { FtpClient, type FtpConnectOptions, type FtpListOptions, type FtpSession } from "./client.js";
export type { DownloadOptions, TransferResult, UploadOptions, UploadSource } from "./files.js";
export { ListingParser, parseListing, parseListLine, parseMlsdLine } from "./list/index.js";
export { FtpPool, type FtpPoolOptions } from "./pool.js";
export type { TransferProgress } from "./transfer.js";
export type { DataMode, FileInfo, FileType, FtpFeatures, TransferType } from "./types.js";
