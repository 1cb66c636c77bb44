/**
 * The loopback SMTP server (`startSmtpServer`, also started by `startMailServer`) and its options.
 */
export { DEFAULT_SMTP_MECHANISMS, startSmtpServer } from "./server.js";
export type { SmtpPorts, SmtpServer, SmtpServerOptions, SmtpServerTimeouts } from "./types.js";
