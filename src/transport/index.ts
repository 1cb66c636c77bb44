/**
 * The shared transport every inetkit client (and loopback server) runs on: dialing under one
 * connect budget, per-phase deadlines, abort, STARTTLS upgrades that fail closed, the command
 * queue, the redacted wire trace, and URL and credential handling.
 */
export * from "./accept.js";
export * from "./command-queue.js";
export * from "./connection.js";
export * from "./credentials.js";
export * from "./dial.js";
export * from "./netrc.js";
export * from "./numeric-control.js";
export * from "./pooled-receive.js";
export * from "./timeouts.js";
export * from "./trace.js";
export * from "./udp.js";
export * from "./url.js";
