/**
 * `inetkit/servers`: loopback servers for tests, demos and local development, and the test
 * harness they are tested with.
 */
export * from "./ftp/index.js";
export * from "./mail/index.js";
export * from "./smtp/index.js";
export * from "./testing/index.js";
export * from "./timestamp/index.js";
