/**
 * The commands that set up data connections (PASV, EPSV, PORT, EPRT) and the ones that use them
 * (RETR, STOR, APPE, STOU, LIST, NLST, MLSD).
 */
import { isIPv4 } from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ProtocolError } from "../../errors.js";
import { CrlfToLf, LfToCrlf } from "../../ftp/ascii.js";
import { formatEpsvReply, formatPasvReply, parseEprtArgument, parsePortArgument } from "../../ftp/replies.js";
import { PassiveListener } from "./data-channel.js";
import { type ListingKind, listingLine, sortEntries } from "./listing.js";
import type { FtpSession } from "./session.js";
import type { StoreEntry, StoreUpload, WriteMode } from "./store.js";
import { meter, releaseDataSetup, startTransfer, takeDataSetup } from "./transfer.js";
import { baseName, joinVirtual, parentOf } from "./virtual-path.js";
import { normalizeAddress } from "./wire.js";

/** Bytes of listing text gathered before a write to the data connection. */
const LISTING_BATCH = 64 * 1024;

/** Opens a passive listener on the address the client reached us at, for the control peer only. */
async function openPassive(session: FtpSession): Promise<PassiveListener | undefined> {
  const { localAddress, remoteAddress } = session.conn.addresses;
  session.dropDataSetup();
  try {
    const listener = await PassiveListener.open(
      localAddress ?? "127.0.0.1",
      remoteAddress ?? "",
      session.settings.passivePorts,
      (text) => session.conn.trace(text),
    );
    session.dataSetup = { kind: "passive", listener };
    return listener;
  } catch {
    await session.reply(425, "Can't open passive connection.");
    return undefined;
  }
}

/** PASV (RFC 959 §4.1.2): IPv4 only; the reply names the control connection's local address. */
export async function pasv(session: FtpSession): Promise<void> {
  if (session.epsvAll) return session.reply(503, "EPSV ALL in effect: use EPSV.");
  const local = normalizeAddress(session.conn.addresses.localAddress);
  if (!isIPv4(local)) return session.reply(425, "PASV needs IPv4: use EPSV.");
  const listener = await openPassive(session);
  if (listener) await session.reply(227, formatPasvReply(local, listener.port));
}

/** EPSV (RFC 2428 §3): `EPSV`, `EPSV 1|2` (must match the connection), `EPSV ALL`. */
export async function epsv(session: FtpSession, argument: string): Promise<void> {
  const value = argument.trim().toUpperCase();
  if (value === "ALL") {
    session.epsvAll = true;
    return session.reply(200, "EPSV ALL ok.");
  }
  const family = isIPv4(normalizeAddress(session.conn.addresses.localAddress)) ? "1" : "2";
  if (value !== "" && value !== "1" && value !== "2")
    return session.reply(501, "Syntax error in EPSV argument.");
  if (value !== "" && value !== family)
    return session.reply(522, `Network protocol not supported, use (${family})`);
  const listener = await openPassive(session);
  if (listener) await session.reply(229, formatEpsvReply(listener.port));
}

/** PORT and EPRT: the address must be the control peer's own, the port not privileged (RFC 2577). */
async function active(
  session: FtpSession,
  target: { host: string; port: number },
  verb: string,
): Promise<void> {
  if (session.epsvAll) return session.reply(503, "EPSV ALL in effect: use EPSV.");
  const peer = normalizeAddress(session.conn.addresses.remoteAddress);
  if (normalizeAddress(target.host) !== peer) {
    return session.reply(504, `${verb} refused: data connections go only to the client's own address.`);
  }
  if (target.port < 1024) return session.reply(504, `${verb} refused: privileged port.`);
  session.dropDataSetup();
  session.dataSetup = {
    kind: "active",
    host: session.conn.addresses.remoteAddress ?? target.host,
    port: target.port,
  };
  await session.reply(200, `${verb} command successful.`);
}

/** PORT h1,h2,h3,h4,p1,p2 (RFC 959 §4.1.2). */
export async function port(session: FtpSession, argument: string): Promise<void> {
  let target: { host: string; port: number };
  try {
    target = parsePortArgument(argument);
  } catch {
    return session.reply(501, "Illegal PORT command.");
  }
  await active(session, target, "PORT");
}

/** EPRT |af|address|port| (RFC 2428 §2). */
export async function eprt(session: FtpSession, argument: string): Promise<void> {
  let target: { host: string; port: number };
  try {
    target = parseEprtArgument(argument);
  } catch (error) {
    if (error instanceof ProtocolError && error.reason === "unsupported-address-family") {
      const family = isIPv4(normalizeAddress(session.conn.addresses.localAddress)) ? "1" : "2";
      return session.reply(522, `Network protocol not supported, use (${family})`);
    }
    return session.reply(501, "Illegal EPRT command.");
  }
  await active(session, target, "EPRT");
}

/** RETR (RFC 959 §4.1.3), from the REST offset (RFC 3659 §5). */
export async function retr(session: FtpSession, argument: string): Promise<void> {
  const offset = session.restOffset;
  session.restOffset = 0;
  const setup = await takeDataSetup(session);
  if (!setup) return;
  const path = await session.path(argument);
  let source: Readable;
  let size: number;
  try {
    if (path === undefined) throw undefined;
    const stat = await session.settings.store.stat(path);
    if (stat.type !== "file") {
      releaseDataSetup(setup);
      return session.reply(550, "Not a plain file.");
    }
    size = stat.size;
    if (offset > size) {
      releaseDataSetup(setup);
      return session.reply(554, "Invalid REST parameter: beyond the end of the file.");
    }
    source = await session.settings.store.openRead(path, offset);
  } catch (error) {
    releaseDataSetup(setup);
    if (path !== undefined) await session.replyError(error, [550, "Failed to open file."]);
    return;
  }
  source.on("error", () => {});
  const ascii = session.type === "ascii";
  startTransfer(session, setup, {
    name: path,
    opening: `Opening ${ascii ? "ASCII" : "BINARY"} mode data connection for ${baseName(path)} (${size - offset} bytes).`,
    async move(socket, signal, count) {
      await pipeline(source, meter(count, ascii ? new LfToCrlf() : undefined), socket, { signal });
      return [226, "Transfer complete."];
    },
    async fail() {
      source.destroy();
    },
  });
}

/** STOR, APPE and STOU (RFC 959 §4.1.3): the upload is only visible once complete (see the stores). */
async function upload(session: FtpSession, argument: string, verb: "STOR" | "APPE" | "STOU"): Promise<void> {
  const offset = session.restOffset;
  session.restOffset = 0;
  const setup = await takeDataSetup(session);
  if (!setup) return;
  let path: string | undefined;
  let upload: StoreUpload;
  try {
    if (verb === "STOU") {
      path = await uniqueName(session, argument);
    } else {
      path = await session.path(argument);
    }
    if (path === undefined) throw undefined;
    const mode: WriteMode =
      verb === "APPE"
        ? { kind: "append" }
        : verb === "STOU"
          ? { kind: "create" }
          : offset > 0
            ? { kind: "offset", offset }
            : { kind: "replace" };
    upload = await session.settings.store.openWrite(path, mode);
  } catch (error) {
    releaseDataSetup(setup);
    // Without a path the refusal was already said.
    if (path === undefined) return;
    const [code, text] = errorReply(error);
    await session.reply(code, text);
    return;
  }
  const target = path;
  const ascii = session.type === "ascii";
  startTransfer(session, setup, {
    name: target,
    opening: verb === "STOU" ? `FILE: ${baseName(target)}` : `Ok to send data for ${baseName(target)}.`,
    alwaysSayOpening: verb === "STOU",
    async move(socket, signal, count) {
      await pipeline(socket, meter(count, ascii ? new CrlfToLf() : undefined, true), upload.stream, {
        signal,
      });
      await upload.commit();
      return [
        226,
        verb === "STOU" ? `Transfer complete (unique file name: ${baseName(target)}).` : "Transfer complete.",
      ];
    },
    fail: () => upload.abort(),
  });
}

function errorReply(error: unknown): [number, string] {
  const code = (error as { code?: unknown } | undefined)?.code;
  // A name the file system cannot hold is a bad file name (RFC 959 553), not a missing file.
  if (code === "ENAMETOOLONG" || code === "EINVAL") return [553, "File name not allowed."];
  if (code === "EISDIR") return [553, "Could not create file: it is a directory."];
  if (code === "ENOENT" || code === "ENOTDIR") return [553, "Could not create file: no such directory."];
  return [550, "Could not create file."];
}

/** A name for STOU: the argument (or `stou`) in the working directory, made unique with `.N`. */
async function uniqueName(session: FtpSession, argument: string): Promise<string | undefined> {
  const base = await session.path(argument.trim() === "" ? "stou" : argument);
  if (base === undefined) return undefined;
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    const candidate = attempt === 0 ? base : joinVirtual(parentOf(base), `${baseName(base)}.${attempt}`);
    try {
      await session.settings.store.lstat(candidate);
    } catch {
      return candidate;
    }
  }
  await session.reply(450, "Could not find a unique file name.");
  return undefined;
}

export const stor = (session: FtpSession, argument: string) => upload(session, argument, "STOR");
export const appe = (session: FtpSession, argument: string) => upload(session, argument, "APPE");
export const stou = (session: FtpSession, argument: string) => upload(session, argument, "STOU");

/**
 * Reads the path of LIST/NLST/MLSD: `ls`-style options first (`-la`) are skipped, as clients
 * send them and every Unix server accepts them.
 */
function listingPath(argument: string): string {
  let rest = argument;
  while (/^-[A-Za-z]+(\s|$)/.test(rest)) rest = rest.replace(/^-[A-Za-z]+\s*/, "");
  return rest;
}

/** The entries a listing command shows, or a reply already sent (`undefined`). */
export async function listingEntries(
  session: FtpSession,
  path: string,
  kind: ListingKind,
): Promise<Listed | undefined> {
  const store = session.settings.store;
  const stat = await store.stat(path);
  if (stat.type === "directory") {
    const listed = await store.list(path, session.settings.maxListEntries);
    return { entries: sortEntries(listed.entries), truncated: listed.truncated, directory: true };
  }
  if (kind === "MLSD") {
    await session.reply(501, "MLSD needs a directory (use MLST for a file).");
    return undefined;
  }
  return {
    entries: [{ name: baseName(path), stat: await store.lstat(path) }],
    truncated: false,
    directory: false,
  };
}

/** What a listing shows. */
export interface Listed {
  entries: StoreEntry[];
  /** More entries than the bound: the listing is cut. */
  truncated: boolean;
  /** The path named a folder (not a single file). */
  directory: boolean;
}

/** LIST, NLST (RFC 959 §4.1.3) and MLSD (RFC 3659 §7). Listings are CRLF text whatever the TYPE. */
export async function list(session: FtpSession, argument: string, kind: ListingKind): Promise<void> {
  session.restOffset = 0;
  const setup = await takeDataSetup(session);
  if (!setup) return;
  const raw = kind === "MLSD" ? argument : listingPath(argument);
  const path = await session.path(raw);
  let listed: Listed | undefined;
  try {
    listed = path === undefined ? undefined : await listingEntries(session, path, kind);
  } catch (error) {
    releaseDataSetup(setup);
    return session.replyError(error, [550, "Failed to list directory."]);
  }
  if (!listed) {
    releaseDataSetup(setup);
    return;
  }
  const { entries, truncated, directory } = listed;
  const named = raw.trim() !== "";
  const options = {
    writable: session.user?.readOnly === false,
    facts: session.facts,
    now: new Date(),
    // NLST of a named folder gives `folder/name`, as Unix servers do.
    ...(kind === "NLST" && named && directory ? { prefix: raw } : {}),
  };
  // NLST of a single file names it as given.
  const single = kind === "NLST" && !directory;
  function* text(): Generator<Buffer> {
    let batch = "";
    for (const entry of entries) {
      const line = single ? raw : listingLine(kind, entry, options);
      if (line === undefined) continue;
      batch += `${line}\r\n`;
      if (batch.length >= LISTING_BATCH) {
        yield Buffer.from(batch, "utf8");
        batch = "";
      }
    }
    if (batch.length > 0) yield Buffer.from(batch, "utf8");
  }
  startTransfer(session, setup, {
    name: path!,
    opening: "Here comes the directory listing.",
    async move(socket, signal, count) {
      await pipeline(Readable.from(text()), meter(count), socket, { signal });
      if (truncated) {
        return [451, `Listing truncated at ${session.settings.maxListEntries} entries.`];
      }
      return [226, "Directory send OK."];
    },
  });
}
