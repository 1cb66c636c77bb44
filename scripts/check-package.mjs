#!/usr/bin/env node
// After `npm run build`: the package imports itself by name through its `exports` map, and the
// compiled entry points carry their generated type declarations.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";

const root = await import("inetkit");
const servers = await import("inetkit/servers");
const mime = await import("inetkit/mime");
for (const name of [
  "Connection",
  "ReplyError",
  "TimeoutError",
  "createSaslClient",
  "parseTarget",
  "ByteReader",
  "FtpClient",
  "SmtpClient",
  "mirrorDown",
  "ZipWriter",
]) {
  assert.ok(name in root, `inetkit exports ${name}`);
}
for (const name of [
  "parseMessage",
  "buildMessage",
  "parseAddressList",
  "formatAddress",
  "readMbox",
  "writeMbox",
  "Maildir",
]) {
  assert.ok(name in mime, `inetkit/mime exports ${name}`);
}
for (const name of ["startScriptedServer", "testCertificates", "startFtpServer", "startMailServer"]) {
  assert.ok(name in servers, `inetkit/servers exports ${name}`);
}
for (const file of [
  "dist/index.d.ts",
  "dist/servers/index.d.ts",
  "dist/mime/index.d.ts",
  "dist/cli/main.js",
]) {
  assert.ok(existsSync(new URL(`../${file}`, import.meta.url)), `${file} was built`);
}
console.log("package: inetkit, inetkit/mime and inetkit/servers import by name; declarations generated");
