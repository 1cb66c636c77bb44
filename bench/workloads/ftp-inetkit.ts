/**
 * The inetkit side of the FTP workloads: one download, upload or listing through `FtpClient`,
 * timed from before `connect()` to the transfer's end (QUIT is not timed). Shared by the
 * in-harness `inetkit` contenders (run under tsx) and the `inetkit-plain` ones (this code bundled
 * and run by plain `node`, see ftp-plain-entry.ts).
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { FtpClient } from "../../src/ftp/client.js";
import type { ContenderResult } from "../types.js";
import { type FtpParams, timed } from "./ftp-common.js";

/** The operations the plain-node entry can run, by name. */
export type InetkitOperation = "download" | "upload" | "list" | "mlsd";

function connect(p: FtpParams): Promise<FtpClient> {
  return FtpClient.connect(`ftp://${encodeURIComponent(p.user)}@${p.host}:${p.port}`, {
    password: p.password,
    allowInsecureAuth: true,
    netrc: false,
  });
}

/** `download(remote, "/dev/null")`: to a path, as curl's `-o /dev/null` (reused read buffers apply). */
export async function inetkitDownload(p: FtpParams, remote: string): Promise<ContenderResult> {
  let bytes = 0;
  const {
    value: client,
    ms,
    cpuMs,
  } = await timed(p, async () => {
    const client = await connect(p);
    bytes = (await client.download(remote, "/dev/null")).bytes;
    return client;
  });
  await client.quit();
  return { ms, bytes, cpuMs };
}

/** `upload(localPath, remote)`; the byte count is the stored file's size on the server's disk. */
export async function inetkitUpload(p: FtpParams, source: string, remote: string): Promise<ContenderResult> {
  const {
    value: client,
    ms,
    cpuMs,
  } = await timed(p, async () => {
    const client = await connect(p);
    await client.upload(source, remote);
    return client;
  });
  await client.quit();
  return { ms, bytes: (await stat(join(p.root, remote))).size, cpuMs };
}

/**
 * `list(dir)` (MLSD where offered) or `list(dir, { forceList: true })` (LIST). The count is the
 * number of entries, or -1 when any is not a file (all of the benchmark's are: a line the parser
 * could not read would show as `unknown`).
 */
export async function inetkitList(p: FtpParams, dir: string, forceList: boolean): Promise<ContenderResult> {
  const { value, ms, cpuMs } = await timed(p, async () => {
    const client = await connect(p);
    const entries = await client.list(dir, { forceList });
    return { client, entries };
  });
  await value.client.quit();
  const files = value.entries.filter((entry) => entry.type === "file").length;
  return { ms, bytes: files === value.entries.length ? files : -1, cpuMs };
}
