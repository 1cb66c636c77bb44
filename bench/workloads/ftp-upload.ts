/**
 * `ftp-upload`: upload one local file of N bytes (default 1 GiB) over plain FTP on 127.0.0.1 to
 * vsftpd. Setup writes the source file once (so it is in the page cache for every run); every
 * contender stores it as the same remote name, which vsftpd truncates and rewrites each time.
 * The child checks the stored file's size on disk after the run.
 *
 * - `inetkit`: `FtpClient.connect()` + `upload(localPath, remote)`;
 * - `inetkit-plain`: the same, bundled and run by plain `node` (no tsx in the process);
 * - `basic-ftp`: `Client.access()` + `uploadFrom(localPath, remote)`;
 * - `curl`: `curl -T localPath` (its own `time_total`);
 * - `lftp`: `put localPath -o remote` between two clock readings;
 * - `ftplib`: Python's `storbinary()` from the open file (default 8 KiB blocks).
 */
import { stat, writeFile as writeText } from "node:fs/promises";
import { join } from "node:path";
import type { ContenderResult, Params, Workload } from "../types.js";
import {
  curlArgs,
  ftpParams,
  lftpScript,
  lftpSpan,
  python,
  runProgram,
  scratch,
  settle,
  timed,
  urlOf,
  writeFile,
} from "./ftp-common.js";
import { runPlain, startServer } from "./ftp-setup.js";

const REMOTE = "upload.bin";

/** The stored file's size on the server's disk (the byte count every contender is checked by). */
async function stored(params: Params): Promise<number> {
  return (await stat(join(String(params.root), REMOTE))).size;
}

async function inetkit(params: Params): Promise<ContenderResult> {
  const { inetkitUpload } = await import("./ftp-inetkit.js");
  return inetkitUpload(ftpParams(params), String(params.source), REMOTE);
}

async function basicFtp(params: Params): Promise<ContenderResult> {
  const p = ftpParams(params);
  const { Client } = await import("basic-ftp");
  const client = new Client(60_000);
  const { ms, cpuMs } = await timed(p, async () => {
    await client.access({ host: p.host, port: p.port, user: p.user, password: p.password, secure: false });
    await client.uploadFrom(String(params.source), REMOTE);
  });
  client.close();
  return { ms, bytes: await stored(params), cpuMs };
}

async function curl(params: Params): Promise<ContenderResult> {
  const p = ftpParams(params);
  await settle(p);
  const run = await runProgram("curl", [
    ...curlArgs(p),
    "--upload-file",
    String(params.source),
    "--write-out",
    "%{time_total}",
    urlOf(p, REMOTE),
  ]);
  const ms = Number(run.stdout.trim()) * 1000;
  return { ms, bytes: await stored(params), cpuMs: run.cpuMs, maxRSS: run.maxRSS };
}

async function lftp(params: Params): Promise<ContenderResult> {
  const p = ftpParams(params);
  const { dir, remove } = await scratch();
  try {
    const script = join(dir, "upload.lftp");
    await writeText(script, lftpScript(p, [], [`put ${String(params.source)} -o ${REMOTE}`]));
    await settle(p);
    const run = await runProgram("lftp", ["-f", script]);
    return { ms: lftpSpan(run.stdout), bytes: await stored(params), cpuMs: run.cpuMs, maxRSS: run.maxRSS };
  } finally {
    await remove();
  }
}

const FTPLIB_UPLOAD = `
import ftplib, sys, time
host, port, user, password, source, remote = sys.argv[1:7]
with open(source, "rb") as file:
    start = time.perf_counter()
    ftp = ftplib.FTP()
    ftp.connect(host, int(port))
    ftp.login(user, password)
    ftp.storbinary("STOR " + remote, file)
    ms = (time.perf_counter() - start) * 1000
ftp.quit()
print(ms)
`;

async function ftplib(params: Params): Promise<ContenderResult> {
  const p = ftpParams(params);
  await settle(p);
  const run = await runProgram(python(), [
    "-c",
    FTPLIB_UPLOAD,
    p.host,
    String(p.port),
    p.user,
    p.password,
    String(params.source),
    REMOTE,
  ]);
  return { ms: Number(run.stdout.trim()), bytes: await stored(params), cpuMs: run.cpuMs, maxRSS: run.maxRSS };
}

export const ftpUpload: Workload = {
  name: "ftp-upload",
  description: "upload an N-byte local file over plain FTP to vsftpd on 127.0.0.1",
  defaultBytes: 1024 * 1024 * 1024,
  contenders: [
    {
      name: "inetkit",
      role: "ours",
      description: "FtpClient.connect() + upload(localPath, remote)",
      run: inetkit,
    },
    {
      name: "inetkit-plain",
      role: "ours",
      description:
        "the same inetkit code bundled by esbuild and run by plain node (no tsx): its own peak RSS",
      run: (params) => runPlain(params, "upload"),
    },
    {
      name: "curl",
      role: "theirs",
      description: "curl -T localPath (its own time_total; CPU and RSS of the whole process)",
      run: curl,
    },
    {
      name: "basic-ftp",
      role: "theirs",
      description: "basic-ftp 6.2.3: Client.access() + uploadFrom(localPath, remote)",
      run: basicFtp,
    },
    {
      name: "lftp",
      role: "theirs",
      description: "lftp -f script: put localPath -o remote between two clock readings",
      run: lftp,
    },
    {
      name: "ftplib",
      role: "theirs",
      description: "Python ftplib: storbinary() from the open file (default 8 KiB blocks)",
      run: ftplib,
    },
  ],
  async setup({ bytes }) {
    const local = await scratch();
    const source = join(local.dir, "source.bin");
    try {
      await writeFile(source, bytes);
      const server = await startServer("vsftpd", bytes, async () => ({ source, remote: REMOTE }));
      return {
        params: server.params,
        async teardown() {
          await server.teardown();
          await local.remove();
        },
      };
    } catch (error) {
      await local.remove();
      throw error;
    }
  },
};
