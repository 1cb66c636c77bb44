/**
 * `ftp-download`: download one file of N bytes (default 1 GiB) over plain FTP on 127.0.0.1 from
 * vsftpd, to nowhere: each client's discarding sink. Setup writes the file once into the served
 * folder (so it is in the page cache for every run); vsftpd sends it with sendfile().
 *
 * - `inetkit`: `FtpClient.connect()` + `download(remote, "/dev/null")`, like curl -o /dev/null;
 * - `inetkit-plain`: the same, bundled and run by plain `node` (no tsx in the process);
 * - `node-net`: the ceiling, a bare `net.Socket` exchange written inline (USER, PASS, TYPE I,
 *   EPSV, RETR; the data socket drained through 'data' events): the best a Node client can do
 *   with the socket's default reads;
 * - `node-onread`: the same exchange, the data socket read into one reused 1 MiB buffer
 *   (`net.connect`'s `onread` option): what Node can do without allocating per read;
 * - `basic-ftp`: `Client.access()` + `downloadTo(writable)` into the same kind of sink;
 * - `curl`: `curl -o /dev/null` (its own `time_total`);
 * - `lftp`: `get FILE -o /dev/null` between two clock readings;
 * - `ftplib`: Python's `retrbinary()` with a callback that counts.
 */
import { readFile, writeFile as writeText } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import type { ContenderResult, Params, Workload } from "../types.js";
import {
  bareLoginAndEpsv,
  curlArgs,
  discard,
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

const FILE = "big.bin";

async function inetkit(params: Params): Promise<ContenderResult> {
  const { inetkitDownload } = await import("./ftp-inetkit.js");
  return inetkitDownload(ftpParams(params), FILE);
}

async function basicFtp(params: Params): Promise<ContenderResult> {
  const p = ftpParams(params);
  const { Client } = await import("basic-ftp");
  const client = new Client(60_000);
  const sink = discard();
  const { ms, cpuMs } = await timed(p, async () => {
    await client.access({ host: p.host, port: p.port, user: p.user, password: p.password, secure: false });
    await client.downloadTo(sink, FILE);
  });
  client.close();
  return { ms, bytes: sink.received, cpuMs };
}

/** The bare Node FTP download; `readBuffer` switches the data socket to `onread` with that buffer. */
async function bareDownload(params: Params, readBuffer?: Buffer): Promise<ContenderResult> {
  const p = ftpParams(params);
  const { value, ms, cpuMs } = await timed(p, async () => {
    const { control, command, port } = await bareLoginAndEpsv(p, "I");
    let bytes = 0;
    const data = readBuffer
      ? connect({
          host: p.host,
          port,
          onread: {
            buffer: readBuffer,
            callback: (size) => {
              bytes += size;
              return true;
            },
          },
        })
      : connect({ host: p.host, port }).on("data", (chunk: Buffer) => {
          bytes += chunk.length;
        });
    const drained = new Promise<void>((resolve, reject) => {
      data.once("end", resolve);
      data.once("error", reject);
    });
    await command(`RETR ${FILE}`, "150");
    await drained;
    await command("", "226");
    return { control, bytes };
  });
  value.control.end("QUIT\r\n");
  return { ms, bytes: value.bytes, cpuMs };
}

async function curl(params: Params): Promise<ContenderResult> {
  const p = ftpParams(params);
  await settle(p);
  const run = await runProgram("curl", [
    ...curlArgs(p),
    "--output",
    "/dev/null",
    "--write-out",
    "%{size_download} %{time_total}",
    urlOf(p, FILE),
  ]);
  const [bytes = Number.NaN, seconds = Number.NaN] = run.stdout.trim().split(" ").map(Number);
  return { ms: seconds * 1000, bytes, cpuMs: run.cpuMs, maxRSS: run.maxRSS };
}

async function lftp(params: Params): Promise<ContenderResult> {
  const p = ftpParams(params);
  const { dir, remove } = await scratch();
  try {
    const log = join(dir, "xfer.log");
    const script = join(dir, "download.lftp");
    const settings = ["set xfer:clobber yes", "set xfer:log yes", `set xfer:log-file ${log}`];
    await writeText(script, lftpScript(p, settings, [`get ${FILE} -o /dev/null`]));
    await settle(p);
    const run = await runProgram("lftp", ["-f", script]);
    // Its transfer log names the byte range it received: "... -> /dev/null 0-1073741824 ...".
    const range = / 0-(\d+) /.exec(await readFile(log, "utf8"));
    return { ms: lftpSpan(run.stdout), bytes: Number(range?.[1]), cpuMs: run.cpuMs, maxRSS: run.maxRSS };
  } finally {
    await remove();
  }
}

const FTPLIB_DOWNLOAD = `
import ftplib, sys, time
host, port, user, password, path = sys.argv[1:6]
received = 0
def sink(block):
    global received
    received += len(block)
start = time.perf_counter()
ftp = ftplib.FTP()
ftp.connect(host, int(port))
ftp.login(user, password)
ftp.retrbinary("RETR " + path, sink)
ms = (time.perf_counter() - start) * 1000
ftp.quit()
print(ms, received)
`;

async function ftplib(params: Params): Promise<ContenderResult> {
  const p = ftpParams(params);
  await settle(p);
  const run = await runProgram(python(), [
    "-c",
    FTPLIB_DOWNLOAD,
    p.host,
    String(p.port),
    p.user,
    p.password,
    FILE,
  ]);
  const [ms = Number.NaN, bytes = Number.NaN] = run.stdout.trim().split(" ").map(Number);
  return { ms, bytes, cpuMs: run.cpuMs, maxRSS: run.maxRSS };
}

export const ftpDownload: Workload = {
  name: "ftp-download",
  description: "download an N-byte file over plain FTP from vsftpd on 127.0.0.1 to a discarding sink",
  defaultBytes: 1024 * 1024 * 1024,
  contenders: [
    {
      name: "inetkit",
      role: "ours",
      description: "FtpClient.connect() + download(remote, /dev/null), like curl -o /dev/null",
      run: inetkit,
    },
    {
      name: "inetkit-plain",
      role: "ours",
      description:
        "the same inetkit code bundled by esbuild and run by plain node (no tsx): its own peak RSS",
      run: (params) => runPlain(params, "download"),
    },
    {
      name: "node-net",
      role: "ceiling",
      description: "bare net.Socket FTP exchange written inline (EPSV, RETR), data drained by 'data' events",
      run: (params) => bareDownload(params),
    },
    {
      name: "node-onread",
      role: "theirs",
      description: "the same bare exchange, the data socket read into one reused 1 MiB buffer (onread)",
      run: (params) => bareDownload(params, Buffer.allocUnsafe(1024 * 1024)),
    },
    {
      name: "basic-ftp",
      role: "theirs",
      description: "basic-ftp 6.2.3: Client.access() + downloadTo(writable) into the same kind of sink",
      run: basicFtp,
    },
    {
      name: "curl",
      role: "theirs",
      description: "curl -o /dev/null (its own time_total; CPU and RSS of the whole process)",
      run: curl,
    },
    {
      name: "lftp",
      role: "theirs",
      description: "lftp -f script: get FILE -o /dev/null between two clock readings",
      run: lftp,
    },
    {
      name: "ftplib",
      role: "theirs",
      description: "Python ftplib: retrbinary() with a counting callback (default 8 KiB blocks)",
      run: ftplib,
    },
  ],
  async setup({ bytes }) {
    return startServer("vsftpd", bytes, async (root) => {
      await writeFile(join(root, FILE), bytes);
      return { file: FILE };
    });
  },
};
