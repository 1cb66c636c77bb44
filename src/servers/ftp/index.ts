/**
 * The loopback FTP/FTPS server (`startFtpServer`) and its option types.
 */
export type { PortRange } from "./data-channel.js";
export { startFtpServer } from "./server.js";
export type { FtpServer, FtpServerOptions, FtpServerTimeouts, FtpUser } from "./types.js";
