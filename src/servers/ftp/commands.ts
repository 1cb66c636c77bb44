/**
 * The command table, and the commands about the session itself: USER PASS QUIT NOOP SYST FEAT
 * OPTS HELP TYPE MODE STRU STAT ABOR ALLO (RFC 959, 2389, 2640), AUTH PBSZ PROT (RFC 2228, 4217).
 */

import type { TlsOptions } from "node:tls";
import { appe, eprt, epsv, list, pasv, port, retr, stor, stou } from "./data-commands.js";
import {
  cdup,
  cwd,
  dele,
  mdtm,
  mfmt,
  mkd,
  mlst,
  pwd,
  rest,
  rmd,
  rnfr,
  rnto,
  size,
  statPath,
} from "./file-commands.js";
import type { FtpSession } from "./session.js";
import { formatMlstFeature, parseMlstOptions } from "./wire.js";

/** How the loop checks a command before running it. */
export interface CommandSpec {
  run(session: FtpSession, argument: string): Promise<void>;
  /** Needs a logged-in user (530 otherwise). */
  login: boolean;
  /** `required`: 501 without one; `none`: 501 with one. */
  argument: "required" | "optional" | "none";
  /** Changes the tree: read-only users get 550. */
  writes?: boolean;
}

/** Verbs RFC 959 (and its extensions) define that this server does not implement: 502, not 500. */
export const NOT_IMPLEMENTED: ReadonlySet<string> = new Set([
  "ACCT",
  "SMNT",
  "REIN",
  "SITE",
  "CCC",
  "ADAT",
  "MIC",
  "CONF",
  "ENC",
  "LANG",
  "LPRT",
  "LPSV",
]);

async function user(session: FtpSession, argument: string): Promise<void> {
  if (session.settings.requireTls && !session.conn.secure) {
    return session.reply(530, "TLS required: send AUTH TLS first.");
  }
  session.user = undefined;
  session.pendingUser = argument;
  const anonymous = /^(anonymous|ftp)$/i.test(argument) && session.settings.anonymous;
  // The same reply for known and unknown names: USER must not tell which accounts exist.
  await session.reply(
    331,
    anonymous ? "Anonymous login ok, send your e-mail address as password." : "Please specify the password.",
  );
}

async function pass(session: FtpSession, argument: string): Promise<void> {
  if (session.user) return session.reply(230, "Already logged in.");
  if (session.settings.requireTls && !session.conn.secure) {
    session.pendingUser = undefined;
    return session.reply(530, "TLS required: send AUTH TLS first.");
  }
  await session.login(argument);
}

async function quit(session: FtpSession): Promise<void> {
  await session.reply(221, "Goodbye.");
}

async function feat(session: FtpSession): Promise<void> {
  const lines = [
    "UTF8",
    "EPSV",
    "EPRT",
    "PASV",
    formatMlstFeature(session.facts),
    "MDTM",
    "MFMT",
    "SIZE",
    "REST STREAM",
    "TVFS",
  ];
  if (session.settings.tls) lines.push("AUTH TLS", "PBSZ", "PROT");
  await session.replyLines(211, "Features:", lines, "End");
}

async function opts(session: FtpSession, argument: string): Promise<void> {
  const [name = "", ...rest] = argument.trim().split(/\s+/);
  const value = rest.join(" ");
  switch (name.toUpperCase()) {
    case "UTF8":
    case "UTF-8":
      if (value === "" || value.toUpperCase() === "ON") return session.reply(200, "Always in UTF8 mode.");
      return session.reply(504, "UTF8 cannot be turned off.");
    case "MLST": {
      session.facts = parseMlstOptions(value);
      return session.reply(200, `MLST OPTS ${[...session.facts].map((fact) => `${fact};`).join("")}`);
    }
    default:
      return session.reply(501, "Option not understood.");
  }
}

async function help(session: FtpSession): Promise<void> {
  const verbs = [...COMMANDS.keys()].sort();
  const lines: string[] = [];
  for (let index = 0; index < verbs.length; index += 8) lines.push(verbs.slice(index, index + 8).join(" "));
  await session.replyLines(214, "The following commands are recognized.", lines, "Help OK.");
}

async function type(session: FtpSession, argument: string): Promise<void> {
  const value = argument.trim().toUpperCase().replace(/\s+/g, " ");
  if (value === "A" || value === "A N") {
    session.type = "ascii";
    return session.reply(200, "Switching to ASCII mode.");
  }
  if (value === "I" || value === "L 8") {
    session.type = "binary";
    return session.reply(200, "Switching to Binary mode.");
  }
  if (/^(A [TC]|E( [NTC])?|L \d+)$/.test(value)) return session.reply(504, "Type not supported.");
  await session.reply(501, "Unrecognised TYPE command.");
}

async function mode(session: FtpSession, argument: string): Promise<void> {
  const value = argument.trim().toUpperCase();
  if (value === "S") return session.reply(200, "Mode set to S.");
  if (value === "B" || value === "C" || value === "Z") return session.reply(504, "Only MODE S is supported.");
  await session.reply(501, "Bad MODE command.");
}

async function stru(session: FtpSession, argument: string): Promise<void> {
  const value = argument.trim().toUpperCase();
  if (value === "F") return session.reply(200, "Structure set to F.");
  if (value === "R" || value === "P") return session.reply(504, "Only STRU F is supported.");
  await session.reply(501, "Bad STRU command.");
}

async function stat(session: FtpSession, argument: string): Promise<void> {
  if (argument.trim() !== "") return statPath(session, argument);
  const { remoteAddress } = session.conn.addresses;
  const lines = [
    `Connected to ${remoteAddress ?? "?"}`,
    `Logged in as ${session.user?.name ?? "?"}`,
    `TYPE: ${session.type === "ascii" ? "ASCII" : "BINARY"}`,
    `Control connection: ${session.conn.secure ? "TLS" : "plain"}; data protection: ${session.protP ? "private" : "clear"}`,
    "No data connection",
  ];
  await session.replyLines(211, "FTP server status:", lines, "End of status.");
}

/** ABOR with no transfer running (the running case is handled by the loop). */
async function abor(session: FtpSession): Promise<void> {
  session.dropDataSetup();
  await session.reply(225, "No transfer to ABOR.");
}

/** AUTH TLS (RFC 4217 §4): 234, then the handshake. The login and PBSZ/PROT state start over. */
async function auth(session: FtpSession, argument: string): Promise<void> {
  const mechanism = argument.trim().toUpperCase();
  const tls = session.settings.tls;
  if (!tls) return session.reply(502, "AUTH not available: no certificate configured.");
  if (session.conn.secure) return session.reply(503, "Already using TLS.");
  if (mechanism !== "TLS" && mechanism !== "TLS-C" && mechanism !== "SSL") {
    return session.reply(504, "Unknown AUTH type.");
  }
  await session.reply(234, `Proceed with negotiation.`);
  // `server` is not among tls.TlsOptions' types, but TLSSocket reads it (the session cache).
  const options: TlsOptions = { ...tls };
  await session.conn.acceptTls(options);
  session.user = undefined;
  session.pendingUser = undefined;
  session.pbsz = false;
  session.protP = false;
}

async function pbsz(session: FtpSession, argument: string): Promise<void> {
  if (!session.conn.secure) return session.reply(503, "PBSZ needs a TLS connection (AUTH TLS) first.");
  if (!/^\d+$/.test(argument.trim())) return session.reply(501, "PBSZ needs a number.");
  session.pbsz = true;
  await session.reply(200, "PBSZ=0");
}

async function prot(session: FtpSession, argument: string): Promise<void> {
  if (!session.conn.secure) return session.reply(503, "PROT needs a TLS connection (AUTH TLS) first.");
  if (!session.pbsz) return session.reply(503, "PBSZ required first.");
  const level = argument.trim().toUpperCase();
  if (level === "P") {
    session.protP = true;
    return session.reply(200, "PROT now Private.");
  }
  if (level === "C") {
    if (session.settings.requireTls) return session.reply(534, "Data connections must be encrypted.");
    session.protP = false;
    return session.reply(200, "PROT now Clear.");
  }
  if (level === "S" || level === "E") return session.reply(536, "PROT level not supported.");
  await session.reply(504, "Unknown PROT level.");
}

const open = (run: CommandSpec["run"], argument: CommandSpec["argument"] = "none"): CommandSpec => ({
  run,
  login: false,
  argument,
});
const logged = (
  run: CommandSpec["run"],
  argument: CommandSpec["argument"] = "optional",
  writes = false,
): CommandSpec => ({ run, login: true, argument, writes });

/** Every command, by verb (RFC 775's X-forms as aliases, for old clients). */
export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map<string, CommandSpec>([
  ["USER", open(user, "required")],
  ["PASS", open(pass, "optional")],
  ["QUIT", open(quit, "optional")],
  ["NOOP", open(async (session) => session.reply(200, "NOOP ok."), "optional")],
  ["SYST", open(async (session) => session.reply(215, "UNIX Type: L8"))],
  ["FEAT", open(feat)],
  ["OPTS", open(opts, "required")],
  ["HELP", open(help, "optional")],
  ["AUTH", open(auth, "required")],
  ["PBSZ", open(pbsz, "required")],
  ["PROT", open(prot, "required")],
  ["ALLO", logged(async (session) => session.reply(202, "ALLO command ignored."))],
  ["TYPE", logged(type, "required")],
  ["MODE", logged(mode, "required")],
  ["STRU", logged(stru, "required")],
  ["STAT", logged(stat)],
  ["ABOR", logged(abor)],
  ["PWD", logged(pwd, "none")],
  ["XPWD", logged(pwd, "none")],
  ["CWD", logged(cwd, "required")],
  ["XCWD", logged(cwd, "required")],
  ["CDUP", logged(cdup, "none")],
  ["XCUP", logged(cdup, "none")],
  ["MKD", logged(mkd, "required", true)],
  ["XMKD", logged(mkd, "required", true)],
  ["RMD", logged(rmd, "required", true)],
  ["XRMD", logged(rmd, "required", true)],
  ["DELE", logged(dele, "required", true)],
  ["RNFR", logged(rnfr, "required", true)],
  ["RNTO", logged(rnto, "required", true)],
  ["SIZE", logged(size, "required")],
  ["MDTM", logged(mdtm, "required")],
  ["MFMT", logged(mfmt, "required", true)],
  ["MLST", logged(mlst)],
  ["REST", logged(rest, "required")],
  ["PASV", logged(pasv, "none")],
  ["EPSV", logged(epsv)],
  ["PORT", logged(port, "required")],
  ["EPRT", logged(eprt, "required")],
  ["RETR", logged(retr, "required")],
  ["STOR", logged(stor, "required", true)],
  ["APPE", logged(appe, "required", true)],
  ["STOU", logged(stou, "optional", true)],
  ["LIST", logged((session, argument) => list(session, argument, "LIST"))],
  ["NLST", logged((session, argument) => list(session, argument, "NLST"))],
  ["MLSD", logged((session, argument) => list(session, argument, "MLSD"))],
]);
