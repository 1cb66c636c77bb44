/**
 * `ftp-mirror`: mirror a tree of N files of 4 KiB (default 2,000) in 20 folders from vsftpd on
 * 127.0.0.1 into a fresh, empty local folder, with real command-line clients run as whole
 * processes: the time of a run is the wall time of the process, startup included, for every
 * contender. Each run writes into a folder of its own, kept until the end of the workload (see
 * docs/performance.md: deleting 2,000 files just before creating 2,000 more makes ext4's inode
 * allocator slow for everyone).
 *
 * - `inet`, `inet-p4`: `inet ftp mirror -r --quiet [--parallel 4] ftp://USER@HOST:PORT/tree DIR`,
 *   src/cli/main.ts bundled by esbuild at setup and run by plain `node` (not through tsx, a
 *   development-only loader); the password comes from `INET_FTP_PASSWORD`;
 * - `inet-noop`: the same command a second time over the tree the first (untimed) run mirrored:
 *   it must transfer nothing, which the child checks by every file's inode, size and mtime;
 * - `lftp`, `lftp-p4`: `lftp -e "mirror [--parallel=4] tree DIR; quit" ftp://USER@HOST:PORT`,
 *   the password from a netrc in a temporary HOME;
 * - `node-net`, `node-net-p4`: the floor of any Node client, a bare `net.Socket` mirror written
 *   inline in a plain `node` process (LIST lines split by one regular expression, EPSV and RETR
 *   in one write, the data connection made while the server reads RETR, `writeFileSync`), over
 *   one or four connections; no checks, no temporary names, no library;
 * - `ftplib`: a Python script walking LIST output and fetching each file with `retrbinary()`;
 * - `basic-ftp`: `Client.access()` + `downloadToDir(DIR, "tree")` in a plain `node` process.
 *
 * Every child then checks the copy against the served tree (same paths, same bytes, nothing
 * else) and reports the number of files, which the harness checks against N.
 */
import { chmod, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { ContenderResult, Params, Workload } from "../types.js";
import { python, runProgram, scratch } from "./ftp-common.js";
import { assertUntouched, compareTrees, FILE_BYTES, FOLDERS, makeTree, snapshot } from "./ftp-mirror-tree.js";
import { bundleCli, startServer } from "./ftp-setup.js";

/** The served folder (below the server's root) that every contender mirrors. */
const TREE = "tree";

/** What setup hands to every contender, typed. */
interface MirrorParams {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The served tree on disk, to check copies against. */
  source: string;
  files: number;
  /** Where each run makes its fresh folder. */
  outputs: string;
  /** A HOME for the programs: a netrc (for lftp), empty config folders. */
  home: string;
  cli: string;
  ftplibScript: string;
  bareScript: string;
  basicFtpScript: string;
  basicFtpModule: string;
}

function mirrorParams(params: Params): MirrorParams {
  const text = (key: string) => String(params[key]);
  return {
    host: text("host"),
    port: Number(params.port),
    user: text("user"),
    password: text("password"),
    source: text("source"),
    files: Number(params.bytes),
    outputs: text("outputs"),
    home: text("home"),
    cli: text("cli"),
    ftplibScript: text("ftplibScript"),
    bareScript: text("bareScript"),
    basicFtpScript: text("basicFtpScript"),
    basicFtpModule: text("basicFtpModule"),
  };
}

/** The environment of every program: the temporary HOME, and the password where each reads it. */
function environment(p: MirrorParams): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    LANG: "C.UTF-8",
    HOME: p.home,
    XDG_CONFIG_HOME: join(p.home, ".config"),
    XDG_STATE_HOME: join(p.home, ".local", "state"),
    INET_FTP_PASSWORD: p.password,
    BENCH_FTP_PASSWORD: p.password,
  };
}

/** A new empty folder's path for one run (created by the contender itself). */
async function freshTarget(p: MirrorParams): Promise<string> {
  const run = await mkdtemp(join(p.outputs, "run-"));
  return join(run, "copy");
}

/** Checks the copy and turns the run into the child's result (the count is what the harness checks). */
async function checked(
  p: MirrorParams,
  target: string,
  run: { wallMs: number; cpuMs: number; maxRSS: number },
) {
  const { files, bytes } = await compareTrees(p.source, target);
  if (bytes !== files * FILE_BYTES) throw new Error(`the copy holds ${bytes} bytes in ${files} files`);
  return { ms: run.wallMs, bytes: files, cpuMs: run.cpuMs, maxRSS: run.maxRSS } satisfies ContenderResult;
}

function inetArgs(p: MirrorParams, target: string, parallel: number): string[] {
  const url = `ftp://${encodeURIComponent(p.user)}@${p.host}:${p.port}/${TREE}`;
  const extra = parallel > 1 ? ["--parallel", String(parallel)] : [];
  return [p.cli, "ftp", "mirror", "-r", "--quiet", "--insecure", ...extra, url, target];
}

async function inet(params: Params, parallel: number): Promise<ContenderResult> {
  const p = mirrorParams(params);
  const target = await freshTarget(p);
  const run = await runProgram(process.execPath, inetArgs(p, target, parallel), { env: environment(p) });
  return checked(p, target, run);
}

async function inetNoop(params: Params): Promise<ContenderResult> {
  const p = mirrorParams(params);
  const target = await freshTarget(p);
  const args = inetArgs(p, target, 1);
  await runProgram(process.execPath, args, { env: environment(p) });
  await compareTrees(p.source, target);
  const before = await snapshot(target);
  const run = await runProgram(process.execPath, args, { env: environment(p) });
  assertUntouched(before, await snapshot(target));
  return checked(p, target, run);
}

async function lftp(params: Params, parallel: number): Promise<ContenderResult> {
  const p = mirrorParams(params);
  const target = await freshTarget(p);
  const mirror = parallel > 1 ? `mirror --parallel=${parallel}` : "mirror";
  const run = await runProgram(
    "lftp",
    [
      "-e",
      `set ftp:ssl-allow no; set cmd:fail-exit yes; ${mirror} ${TREE} ${target}; quit`,
      `ftp://${p.user}@${p.host}:${p.port}`,
    ],
    { env: environment(p) },
  );
  return checked(p, target, run);
}

/**
 * The bare Node mirror (argv: host, port, user, remote folder, local folder, connections). Each
 * connection takes the next folder to list or file to fetch from one shared queue; folders first.
 */
const BARE_MIRROR = `
import { connect } from "node:net";
import { mkdirSync, writeFileSync } from "node:fs";
const [host, port, user, remote, local, connections] = process.argv.slice(2);
function channel(socket) {
  let pending = "";
  const lines = [];
  let wake;
  socket.setEncoding("latin1");
  socket.on("data", (text) => {
    pending += text;
    for (let end = pending.indexOf("\\r\\n"); end >= 0; end = pending.indexOf("\\r\\n")) {
      lines.push(pending.slice(0, end));
      pending = pending.slice(end + 2);
    }
    wake?.();
  });
  socket.on("error", (error) => { throw error; });
  const reply = async (expect) => {
    for (;;) {
      for (let line = lines.shift(); line !== undefined; line = lines.shift()) {
        if (!/^\\d{3} /.test(line)) continue;
        if (!line.startsWith(expect)) throw new Error("expected " + expect + ", got " + line);
        return line;
      }
      await new Promise((resolve) => { wake = resolve; });
      wake = undefined;
    }
  };
  return { write: (text) => socket.write(text), reply };
}
async function session() {
  const socket = connect({ host, port: Number(port) });
  socket.setNoDelay(true);
  const control = channel(socket);
  await control.reply("220");
  control.write("USER " + user + "\\r\\n");
  await control.reply("331");
  control.write("PASS " + process.env.BENCH_FTP_PASSWORD + "\\r\\n");
  await control.reply("230");
  control.write("TYPE I\\r\\n");
  await control.reply("200");
  return { socket, control };
}
/** EPSV and the command in one write; the data connection's bytes once it ends and 226 came. */
async function transfer({ control }, command) {
  control.write("EPSV\\r\\n" + command + "\\r\\n");
  const epsv = await control.reply("229");
  const chunks = [];
  const data = connect({ host, port: Number(/\\(\\|\\|\\|(\\d+)\\|\\)/.exec(epsv)[1]) });
  data.on("data", (chunk) => chunks.push(chunk));
  const ended = new Promise((resolve, reject) => data.once("end", resolve).once("error", reject));
  await control.reply("150");
  await ended;
  await control.reply("226");
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}
const FIELDS = /^(\\S)\\S*\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+(.*)$/;
const folders = [[remote, local]];
const files = [];
let listing = 0;
async function worker(session) {
  for (;;) {
    const folder = folders.shift();
    if (folder) {
      listing += 1;
      const [rdir, ldir] = folder;
      mkdirSync(ldir, { recursive: true });
      const text = (await transfer(session, "LIST " + rdir)).toString("utf8");
      for (const line of text.split("\\r\\n")) {
        const fields = FIELDS.exec(line);
        if (fields === null || fields[2] === "." || fields[2] === "..") continue;
        const pair = [rdir + "/" + fields[2], ldir + "/" + fields[2]];
        if (fields[1] === "d") folders.push(pair);
        else if (fields[1] === "-") files.push(pair);
      }
      listing -= 1;
      continue;
    }
    const file = files.shift();
    if (file) {
      writeFileSync(file[1], await transfer(session, "RETR " + file[0]));
      continue;
    }
    if (listing === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
const sessions = await Promise.all(Array.from({ length: Number(connections) }, session));
await Promise.all(sessions.map(worker));
for (const { socket } of sessions) socket.end("QUIT\\r\\n");
`;

async function bareMirror(params: Params, connections: number): Promise<ContenderResult> {
  const p = mirrorParams(params);
  const target = await freshTarget(p);
  const run = await runProgram(
    process.execPath,
    [p.bareScript, p.host, String(p.port), p.user, TREE, target, String(connections)],
    { env: environment(p) },
  );
  return checked(p, target, run);
}

/** Python's ftplib has no mirror: a LIST walk, `retrbinary()` per file (it sends TYPE I each time). */
const FTPLIB_MIRROR = `
import ftplib, os, sys
host, port, user, remote, local = sys.argv[1:6]
ftp = ftplib.FTP()
ftp.connect(host, int(port))
ftp.login(user, os.environ["BENCH_FTP_PASSWORD"])
def mirror(rdir, ldir):
    os.makedirs(ldir, exist_ok=True)
    lines = []
    ftp.dir(rdir, lines.append)
    for line in lines:
        fields = line.split(None, 8)
        if len(fields) < 9 or fields[8] in (".", ".."):
            continue
        name = fields[8]
        if line.startswith("d"):
            mirror(rdir + "/" + name, os.path.join(ldir, name))
        elif line.startswith("-"):
            with open(os.path.join(ldir, name), "wb") as out:
                ftp.retrbinary("RETR " + rdir + "/" + name, out.write)
mirror(remote, local)
ftp.quit()
`;

async function ftplib(params: Params): Promise<ContenderResult> {
  const p = mirrorParams(params);
  const target = await freshTarget(p);
  const run = await runProgram(python(), [p.ftplibScript, p.host, String(p.port), p.user, TREE, target], {
    env: environment(p),
  });
  return checked(p, target, run);
}

/** basic-ftp's own recursive download, in a plain node process (argv: module path, then the rest). */
const BASIC_FTP_MIRROR = `
import { pathToFileURL } from "node:url";
const [modulePath, host, port, user, remote, local] = process.argv.slice(2);
const loaded = await import(pathToFileURL(modulePath).href);
const { Client } = loaded.Client ? loaded : loaded.default;
const client = new Client(60000);
await client.access({ host, port: Number(port), user, password: process.env.BENCH_FTP_PASSWORD, secure: false });
await client.downloadToDir(local, remote);
client.close();
`;

async function basicFtp(params: Params): Promise<ContenderResult> {
  const p = mirrorParams(params);
  const target = await freshTarget(p);
  const run = await runProgram(
    process.execPath,
    [p.basicFtpScript, p.basicFtpModule, p.host, String(p.port), p.user, TREE, target],
    { env: environment(p) },
  );
  return checked(p, target, run);
}

export const ftpMirror: Workload = {
  name: "ftp-mirror",
  description: `mirror a tree of N files of 4 KiB in ${FOLDERS} folders from vsftpd on 127.0.0.1 (whole processes)`,
  defaultBytes: 2000,
  unit: "files",
  contenders: [
    {
      name: "inet",
      role: "ours",
      description: "inet ftp mirror -r --quiet URL DIR (one connection), bundled CLI run by plain node",
      run: (params) => inet(params, 1),
    },
    {
      name: "inet-p4",
      role: "ours",
      description: "the same with --parallel 4 (four transfer connections)",
      run: (params) => inet(params, 4),
    },
    {
      name: "inet-noop",
      role: "ours",
      description: "the same command again over the mirrored, unchanged tree: transfers nothing",
      run: inetNoop,
    },
    {
      name: "lftp",
      role: "theirs",
      description: "lftp -e 'mirror tree DIR; quit' (one connection)",
      run: (params) => lftp(params, 1),
    },
    {
      name: "lftp-p4",
      role: "theirs",
      description: "lftp -e 'mirror --parallel=4 tree DIR; quit'",
      run: (params) => lftp(params, 4),
    },
    {
      name: "node-net",
      role: "theirs",
      description:
        "the floor of a Node client: a bare net.Socket mirror written inline, plain node (one connection)",
      run: (params) => bareMirror(params, 1),
    },
    {
      name: "node-net-p4",
      role: "theirs",
      description: "the same bare mirror over four connections",
      run: (params) => bareMirror(params, 4),
    },
    {
      name: "ftplib",
      role: "theirs",
      description: "Python ftplib: a LIST walk and retrbinary() per file",
      run: ftplib,
    },
    {
      name: "basic-ftp",
      role: "theirs",
      description: "basic-ftp 6.2.3: Client.access() + downloadToDir(), plain node",
      run: basicFtp,
    },
  ],
  async setup({ bytes }) {
    const work = await scratch();
    try {
      const home = join(work.dir, "home");
      await mkdir(join(home, ".config"), { recursive: true });
      await mkdir(join(home, ".local", "state"), { recursive: true });
      const outputs = join(work.dir, "outputs");
      await mkdir(outputs);
      const cli = await bundleCli(join(work.dir, "cli"));
      const ftplibScript = join(work.dir, "ftplib-mirror.py");
      await writeFile(ftplibScript, FTPLIB_MIRROR);
      const bareScript = join(work.dir, "bare-mirror.mjs");
      await writeFile(bareScript, BARE_MIRROR);
      const basicFtpScript = join(work.dir, "basic-ftp-mirror.mjs");
      await writeFile(basicFtpScript, BASIC_FTP_MIRROR);
      const basicFtpModule = createRequire(import.meta.url).resolve("basic-ftp");
      const server = await startServer("vsftpd", bytes, async (root) => {
        await makeTree(join(root, TREE), bytes);
        return { source: join(root, TREE) };
      });
      const { host, user, password } = server.params;
      await writeFile(join(home, ".netrc"), `machine ${host} login ${user} password ${password}\n`, {
        mode: 0o600,
      });
      await chmod(join(home, ".netrc"), 0o600);
      return {
        params: {
          ...server.params,
          outputs,
          home,
          cli,
          ftplibScript,
          bareScript,
          basicFtpScript,
          basicFtpModule,
        },
        async teardown() {
          try {
            await server.teardown();
          } finally {
            await work.remove();
          }
        },
      };
    } catch (error) {
      await work.remove();
      throw error;
    }
  },
};
