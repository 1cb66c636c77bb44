/**
 * `ftp-list` and `ftp-mlsd`: list a folder of N empty files (default 10,000) over plain FTP on
 * 127.0.0.1 — LIST from vsftpd (which has no MLSD), MLSD from ProFTPD — into entries. The count
 * of entries (without `.` and `..`) is what each child reports and the harness checks.
 *
 * - `inetkit`: `list(dir, { forceList: true })` (LIST) or `list(dir)` (MLSD) → `FileInfo[]`;
 * - `inetkit-plain`: the same, bundled and run by plain `node` (no tsx in the process);
 * - `basic-ftp`: `list(dir)` → `FileInfo[]` (it sends `LIST -a` to vsftpd, MLSD to ProFTPD);
 * - `node-net` (LIST only): the floor of any Node client, a bare `net.Socket` exchange written
 *   inline (USER, PASS, TYPE A, EPSV, LIST), the listing decoded once and each line split into
 *   its nine fields by one regular expression — exactly the work of the ftplib contender, no
 *   dates, numbers or objects;
 * - `ftplib`: `dir()` lines split into fields (LIST), or `mlsd()` → (name, facts) pairs;
 * - `curl`: the raw listing to a file (LIST, or MLSD through `-X MLSD`), lines counted afterwards:
 *   no parsing at all, so it bounds what parsing clients can reach;
 * - `lftp`: `cls -l dir` (lftp parses the listing, LIST or MLSD, and prints its own lines).
 */
import { mkdir, readFile, writeFile as writeText } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import type { ContenderResult, Params, Workload } from "../types.js";
import {
  bareLoginAndEpsv,
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
} from "./ftp-common.js";
import { runPlain, startServer } from "./ftp-setup.js";

const DIR = "dir";

type Listing = "list" | "mlsd";

async function inetkit(params: Params, listing: Listing): Promise<ContenderResult> {
  const { inetkitList } = await import("./ftp-inetkit.js");
  return inetkitList(ftpParams(params), DIR, listing === "list");
}

async function basicFtp(params: Params): Promise<ContenderResult> {
  const p = ftpParams(params);
  const { Client } = await import("basic-ftp");
  const client = new Client(60_000);
  const {
    value: entries,
    ms,
    cpuMs,
  } = await timed(p, async () => {
    await client.access({ host: p.host, port: p.port, user: p.user, password: p.password, secure: false });
    return client.list(DIR);
  });
  client.close();
  const named = entries.filter((entry) => entry.name !== "." && entry.name !== "..");
  return { ms, bytes: named.filter((entry) => entry.isFile).length, cpuMs };
}

/** Python's `str.split(None, 8)` for an `ls -l` line: eight blank-separated fields and the rest. */
const NINE_FIELDS = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*)$/;

/** The bare Node LIST: the same exchange and the same per-line work as the ftplib contender. */
async function bareList(params: Params): Promise<ContenderResult> {
  const p = ftpParams(params);
  const { value, ms, cpuMs } = await timed(p, async () => {
    const { control, command, port } = await bareLoginAndEpsv(p, "A");
    const chunks: Buffer[] = [];
    const data = connect({ host: p.host, port }).on("data", (chunk: Buffer) => chunks.push(chunk));
    const drained = new Promise<void>((resolve, reject) => {
      data.once("end", resolve);
      data.once("error", reject);
    });
    await command(`LIST ${DIR}`, "150");
    await drained;
    await command("", "226");
    const entries: string[][] = [];
    for (const line of Buffer.concat(chunks).toString("utf8").split("\r\n")) {
      if (line === "" || line.startsWith("total ")) continue;
      const fields = NINE_FIELDS.exec(line);
      if (fields !== null) entries.push(fields.slice(1));
    }
    return { control, entries };
  });
  value.control.end("QUIT\r\n");
  return { ms, bytes: value.entries.length, cpuMs };
}

/** Lines of a raw listing that name an entry: not empty, not LIST's `total`, not MLSD's cdir/pdir. */
function countEntries(text: string): number {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "" && !/^total \d+$/.test(line) && !/(^|;)type=[cp]dir;/i.test(line))
    .length;
}

async function curl(params: Params, listing: Listing): Promise<ContenderResult> {
  const p = ftpParams(params);
  const { dir, remove } = await scratch();
  try {
    const out = join(dir, "listing.txt");
    await settle(p);
    const run = await runProgram("curl", [
      ...curlArgs(p),
      ...(listing === "mlsd" ? ["--request", "MLSD"] : []),
      "--output",
      out,
      "--write-out",
      "%{time_total}",
      urlOf(p, `${DIR}/`),
    ]);
    const bytes = countEntries(await readFile(out, "latin1"));
    return { ms: Number(run.stdout.trim()) * 1000, bytes, cpuMs: run.cpuMs, maxRSS: run.maxRSS };
  } finally {
    await remove();
  }
}

async function lftp(params: Params): Promise<ContenderResult> {
  const p = ftpParams(params);
  const { dir, remove } = await scratch();
  try {
    const out = join(dir, "listing.txt");
    const script = join(dir, "list.lftp");
    await writeText(script, lftpScript(p, [], [`cls -l ${DIR} > ${out}`]));
    await settle(p);
    const run = await runProgram("lftp", ["-f", script]);
    const bytes = countEntries(await readFile(out, "latin1"));
    return { ms: lftpSpan(run.stdout), bytes, cpuMs: run.cpuMs, maxRSS: run.maxRSS };
  } finally {
    await remove();
  }
}

const FTPLIB_LIST = `
import ftplib, sys, time
host, port, user, password, path, listing = sys.argv[1:7]
start = time.perf_counter()
ftp = ftplib.FTP()
ftp.connect(host, int(port))
ftp.login(user, password)
if listing == "mlsd":
    entries = [e for e in ftp.mlsd(path) if e[1].get("type") not in ("cdir", "pdir")]
else:
    lines = []
    ftp.dir(path, lines.append)
    entries = [line.split(None, 8) for line in lines if not line.startswith("total ")]
ms = (time.perf_counter() - start) * 1000
ftp.quit()
print(ms, len(entries))
`;

async function ftplib(params: Params, listing: Listing): Promise<ContenderResult> {
  const p = ftpParams(params);
  await settle(p);
  const run = await runProgram(python(), [
    "-c",
    FTPLIB_LIST,
    p.host,
    String(p.port),
    p.user,
    p.password,
    DIR,
    listing,
  ]);
  const [ms = Number.NaN, bytes = Number.NaN] = run.stdout.trim().split(" ").map(Number);
  return { ms, bytes, cpuMs: run.cpuMs, maxRSS: run.maxRSS };
}

/** Fills `root/dir` with `count` empty files. */
async function makeFolder(root: string, count: number): Promise<void> {
  const folder = join(root, DIR);
  await mkdir(folder, { mode: 0o755 });
  const names = Array.from({ length: count }, (_, i) => `file-${String(i).padStart(6, "0")}.txt`);
  for (let i = 0; i < names.length; i += 500) {
    await Promise.all(names.slice(i, i + 500).map((name) => writeText(join(folder, name), "")));
  }
}

function workload(listing: Listing): Workload {
  const server = listing === "list" ? "vsftpd" : "proftpd";
  const command = listing === "list" ? "LIST" : "MLSD";
  return {
    name: listing === "list" ? "ftp-list" : "ftp-mlsd",
    description: `list a folder of N empty files with ${command} from ${server} on 127.0.0.1, parsed into entries`,
    defaultBytes: 10_000,
    unit: "entries",
    contenders: [
      {
        name: "inetkit",
        role: "ours",
        description: `FtpClient.connect() + list(dir${listing === "list" ? ", { forceList: true }" : ""}) → FileInfo[] (${command})`,
        run: (params) => inetkit(params, listing),
      },
      {
        name: "inetkit-plain",
        role: "ours",
        description:
          "the same inetkit code bundled by esbuild and run by plain node (no tsx): its own peak RSS",
        run: (params) => runPlain(params, listing),
      },
      ...(listing === "list"
        ? [
            {
              name: "node-net",
              role: "ceiling" as const,
              description:
                "bare net.Socket exchange written inline (TYPE A, EPSV, LIST), each line split into its nine fields as the ftplib contender does",
              run: bareList,
            },
          ]
        : []),
      {
        name: "basic-ftp",
        role: "theirs",
        description: `basic-ftp 6.2.3: Client.access() + list(dir) → FileInfo[] (${listing === "list" ? "LIST -a" : "MLSD"})`,
        run: basicFtp,
      },
      {
        name: "ftplib",
        role: "theirs",
        description:
          listing === "list"
            ? "Python ftplib: dir() lines, each split into its 9 fields"
            : "Python ftplib: list(mlsd()) → (name, facts) pairs",
        run: (params) => ftplib(params, listing),
      },
      {
        name: "curl",
        role: "theirs",
        description: `curl ${listing === "mlsd" ? "-X MLSD " : ""}ftp://…/dir/ to a file, not parsed (lines counted afterwards)`,
        run: (params) => curl(params, listing),
      },
      {
        name: "lftp",
        role: "theirs",
        description: `lftp -f script: cls -l dir > file (${command}, parsed by lftp) between two clock readings`,
        run: lftp,
      },
    ],
    async setup({ bytes }) {
      return startServer(server, bytes, async (root) => {
        await makeFolder(root, bytes);
        return { dir: DIR };
      });
    },
  };
}

export const ftpList: Workload = workload("list");
export const ftpMlsd: Workload = workload("mlsd");
