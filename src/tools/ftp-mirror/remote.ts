/**
 * The remote side of a mirror: paths below the remote top, and listing entries turned into what
 * the planner compares (with how precise each listed time is). Pure apart from the listing call.
 */
import type { FtpClient } from "../../ftp/client.js";
import type { FileInfo } from "../../ftp/types.js";
import { saneTime, type TreeEntry } from "./plan.js";

const DAY = 24 * 60 * 60 * 1000;

/**
 * The remote path of `relative` (checked names joined by `/`) below the remote top `root`:
 * `("/pub", "a/b")` → `/pub/a/b`, `("/", "a")` → `/a`, `(".", "a")` → `a`. `relative` `""` is the
 * top itself.
 */
export function remotePath(root: string, relative: string): string {
  const top = root.length > 1 ? root.replace(/\/+$/, "") || "/" : root;
  if (relative === "") return top;
  if (top === "" || top === ".") return relative;
  return top === "/" ? `/${relative}` : `${top}/${relative}`;
}

/**
 * How coarse a listed time is, in ms. MLSD (`modify` fact) and EPLF carry whole seconds; a LIST
 * line is read for the shape of its date: `hh:mm:ss` (seconds), `hh:mm` (minutes), or a year only
 * (a day — the usual `ls -l` shape for files older than six months).
 */
export function listingPrecision(info: FileInfo): number {
  if (info.facts?.modify !== undefined || info.raw.startsWith("+")) return 1000;
  const end = info.raw.endsWith(info.name)
    ? info.raw.length - info.name.length
    : info.raw.lastIndexOf(info.name);
  const head = end > 0 ? info.raw.slice(0, end) : info.raw;
  if (/\d:\d\d:\d\d/.test(head)) return 1000;
  if (/\d:\d\d/.test(head)) return 60_000;
  return DAY;
}

/** A listing entry as the planner sees it; absurd times become unknown (W8). */
export function remoteEntry(info: FileInfo, now: Date): TreeEntry {
  return {
    name: info.name,
    type: info.type,
    size: info.size,
    modifiedAt: saneTime(info.modifiedAt, now),
    precision: info.modifiedAt === undefined ? DAY : listingPrecision(info),
  };
}

/** Lists the remote folder `relative` below `root` (MLSD or LIST, as the client chooses). */
export async function listRemote(
  client: FtpClient,
  root: string,
  relative: string,
  now: Date,
  signal?: AbortSignal,
): Promise<TreeEntry[]> {
  const infos = await client.list(remotePath(root, relative), { signal });
  return infos.map((info) => remoteEntry(info, now));
}
