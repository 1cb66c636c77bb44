/**
 * The commands that work on the tree without a data connection: CWD CDUP PWD MKD RMD DELE RNFR
 * RNTO (RFC 959 §4.1), SIZE MDTM MLST REST (RFC 3659), MFMT (draft-somers-ftp-mfxx), STAT with a
 * path (RFC 959 §4.1.3).
 */
import { formatMdtm, parseTimeVal } from "../../ftp/replies.js";
import { listingEntries } from "./data-commands.js";
import { listingLine } from "./listing.js";
import type { FtpSession } from "./session.js";
import { quotePath } from "./virtual-path.js";
import { formatFactLine } from "./wire.js";

/** Largest file whose TYPE A size SIZE computes (by reading it); larger ones get 550. */
const MAX_ASCII_SIZE_SCAN = 16 * 1024 * 1024;
/** Largest REST offset accepted (what a double holds exactly). */
const MAX_REST_DIGITS = 15;

export async function cwd(session: FtpSession, argument: string): Promise<void> {
  const path = await session.path(argument);
  if (path === undefined) return;
  const stat = await session.settings.store.stat(path);
  if (stat.type !== "directory") return session.reply(550, "Failed to change directory: not a directory.");
  session.cwd = path;
  await session.reply(250, "Directory successfully changed.");
}

export const cdup = (session: FtpSession) => cwd(session, "..");

export async function pwd(session: FtpSession): Promise<void> {
  await session.reply(257, `${quotePath(session.cwd)} is the current directory`);
}

export async function mkd(session: FtpSession, argument: string): Promise<void> {
  const path = await session.path(argument);
  if (path === undefined) return;
  try {
    await session.settings.store.makeDirectory(path);
  } catch (error) {
    return session.replyError(error, [550, "Create directory operation failed."]);
  }
  await session.reply(257, `${quotePath(path)} created`);
}

export async function rmd(session: FtpSession, argument: string): Promise<void> {
  const path = await session.path(argument);
  if (path === undefined) return;
  if (path === "/") return session.reply(550, "Permission denied.");
  if (isWithin(session.cwd, path)) return session.reply(550, "Cannot remove the current directory.");
  await session.settings.store.removeDirectory(path);
  await session.reply(250, "Remove directory operation successful.");
}

export async function dele(session: FtpSession, argument: string): Promise<void> {
  const path = await session.path(argument);
  if (path === undefined) return;
  if (path === "/") return session.reply(550, "Permission denied.");
  await session.settings.store.remove(path);
  await session.reply(250, "Delete operation successful.");
}

export async function rnfr(session: FtpSession, argument: string): Promise<void> {
  const path = await session.path(argument);
  if (path === undefined) return;
  if (path === "/") return session.reply(550, "Permission denied.");
  await session.settings.store.lstat(path);
  session.renameFrom = path;
  await session.reply(350, "Ready for RNTO.");
}

export async function rnto(session: FtpSession, argument: string): Promise<void> {
  const from = session.renameFrom;
  if (from === undefined) return session.reply(503, "RNFR required first.");
  const to = await session.path(argument);
  if (to === undefined) return;
  if (to === "/") return session.reply(550, "Permission denied.");
  if (isWithin(session.cwd, from)) return session.reply(550, "Cannot move the current directory.");
  await session.settings.store.rename(from, to);
  await session.reply(250, "Rename successful.");
}

/** SIZE (RFC 3659 §4): the bytes RETR would send in the current TYPE. */
export async function size(session: FtpSession, argument: string): Promise<void> {
  const path = await session.path(argument);
  if (path === undefined) return;
  const stat = await session.settings.store.stat(path);
  if (stat.type !== "file") return session.reply(550, "Could not get file size: not a plain file.");
  if (session.type === "binary") return session.reply(213, String(stat.size));
  if (stat.size > MAX_ASCII_SIZE_SCAN)
    return session.reply(550, "SIZE not available in ASCII mode for large files.");
  let total = 0;
  let previousCR = false;
  for await (const chunk of await session.settings.store.openRead(path, 0)) {
    for (const byte of chunk as Buffer) {
      total += byte === 0x0a && !previousCR ? 2 : 1;
      previousCR = byte === 0x0d;
    }
  }
  await session.reply(213, String(total));
}

/** MDTM (RFC 3659 §3): the modification time in UTC. */
export async function mdtm(session: FtpSession, argument: string): Promise<void> {
  const path = await session.path(argument);
  if (path === undefined) return;
  const stat = await session.settings.store.stat(path);
  await session.reply(213, formatMdtm(stat.modifiedAt));
}

/** MFMT YYYYMMDDHHMMSS path (draft-somers-ftp-mfxx): sets the modification time. */
export async function mfmt(session: FtpSession, argument: string): Promise<void> {
  const space = argument.indexOf(" ");
  const date = space > 0 ? parseTimeVal(argument.slice(0, space)) : undefined;
  if (date === undefined || space === argument.length - 1) {
    return session.reply(501, "Syntax: MFMT YYYYMMDDHHMMSS path.");
  }
  const path = await session.path(argument.slice(space + 1));
  if (path === undefined) return;
  await session.settings.store.setModifiedAt(path, date);
  const stat = await session.settings.store.stat(path);
  await session.reply(213, `Modify=${formatMdtm(stat.modifiedAt)}; ${path}`);
}

/** MLST (RFC 3659 §7.2): the facts of one entry on the control connection. */
export async function mlst(session: FtpSession, argument: string): Promise<void> {
  const path = await session.path(argument);
  if (path === undefined) return;
  const stat = await session.settings.store.stat(path);
  const line = formatFactLine(path, stat, {
    writable: session.user?.readOnly === false,
    facts: session.facts,
  });
  await session.replyLines(250, `Listing ${path}`, [line], "End");
}

/** REST n (RFC 3659 §5): where the next RETR or STOR starts. */
export async function rest(session: FtpSession, argument: string): Promise<void> {
  const value = argument.trim();
  if (!/^\d+$/.test(value) || value.length > MAX_REST_DIGITS) {
    return session.reply(501, "REST needs a non-negative number of bytes.");
  }
  session.restOffset = Number(value);
  await session.reply(350, `Restart position accepted (${session.restOffset}).`);
}

/** STAT path (RFC 959 §4.1.3): the listing, on the control connection. */
export async function statPath(session: FtpSession, argument: string): Promise<void> {
  const path = await session.path(argument.replace(/^-[A-Za-z]+\s*/, ""));
  if (path === undefined) return;
  const listed = await listingEntries(session, path, "LIST");
  if (!listed) return;
  const options = { writable: session.user?.readOnly === false, facts: session.facts, now: new Date() };
  const lines: string[] = [];
  for (const entry of listed.entries) {
    const line = listingLine("LIST", entry, options);
    if (line !== undefined) lines.push(line);
  }
  await session.replyLines(213, `Status of ${path}:`, lines, "End of status.");
}

/** True when `inner` is `outer` or inside it. */
function isWithin(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer === "/" ? "/" : `${outer}/`);
}
