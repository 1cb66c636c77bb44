/**
 * inetkit: clients for FTP/FTPS, SMTP, POP3, IMAP4 and NNTP on one transport, with one error
 * model. This root entry exports the error classes, the transport, the text layer, SASL, the FTP
 * and SMTP clients, and the tools built on the clients (the FTP mirror, zip and tar.gz archives);
 * messages live in `inetkit/mime`, the loopback servers and the test harness in `inetkit/servers`.
 */
export * from "./errors.js";
export * from "./ftp/index.js";
export * from "./sasl/index.js";
export * from "./smtp/index.js";
export * from "./textproto/index.js";
export * from "./tools/archive/index.js";
export * from "./tools/ftp-mirror/index.js";
export * from "./tools/timestamp.js";
export * from "./transport/index.js";
