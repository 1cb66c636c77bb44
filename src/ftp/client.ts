/**
 * `FtpClient`: FTP and FTPS (RFC 959, 2228, 2389, 2428, 2640, 3659, 4217; implicit FTPS).
 *
 * ```ts
 * await using ftp = await FtpClient.connect("ftpes://alice@files.example.test", { password });
 * const entries = await ftp.list("/pub");
 * await ftp.download("/pub/big.iso", "./big.iso", { onProgress, signal });
 * ```
 *
 * Every method queues behind the ones called before it, so calls made without `await` run in
 * order. Failures are thrown, never returned: {@link ReplyError} when the server says no,
 * {@link ProtocolError} when it says nonsense, {@link TimeoutError} naming the phase,
 * {@link AbortError}, {@link TlsError}, {@link ConnectionClosedError}.
 */
import { InvalidArgumentError, LimitError } from "../errors.js";
import { ByteReader } from "../textproto/byte-reader.js";
import { secret } from "../textproto/write-line.js";
import { Connection, type TlsInfo } from "../transport/connection.js";
import { assertPasswordMaySend, resolveCredentials } from "../transport/credentials.js";
import type { TlsOptions } from "../transport/dial.js";
import type { Timeouts } from "../transport/timeouts.js";
import type { TraceHook } from "../transport/trace.js";
import { parseTarget, type Security, type Target } from "../transport/url.js";
import { FtpControl, replyText } from "./control.js";
import { DataConnector } from "./data.js";
import {
  type DownloadOptions,
  downloadTo,
  type UploadOptions,
  type UploadSource,
  uploadFrom,
} from "./files.js";
import { ListingParser } from "./list/index.js";
import { formatMdtm, parseFeatReply, parseMdtmReply, parsePwdReply, parseSizeReply } from "./replies.js";
import { receive } from "./transfer.js";
import type { DataMode, FileInfo, FtpFeatures, TransferType } from "./types.js";

export interface FtpConnectOptions {
  user?: string;
  password?: string;
  /** ACCT information, for the rare server that asks (332). */
  account?: string;
  /** Overrides the scheme: `none` (ftp://), `starttls` (ftpes://, AUTH TLS required), `implicit` (ftps://). */
  security?: Security;
  tls?: TlsOptions;
  /** Every phase but idle, in ms. */
  timeout?: number;
  timeouts?: Partial<Timeouts>;
  signal?: AbortSignal;
  onTrace?: TraceHook;
  /** Send a password over a connection without TLS (otherwise refused with TlsError). */
  allowInsecureAuth?: boolean;
  /** `passive` (default: EPSV, then PASV) or `active` (EPRT, then PORT). */
  mode?: DataMode;
  /** Dial the address a PASV reply names rather than the control peer. Off: it enables FTP bounce. */
  trustPasvAddress?: boolean;
  /** Look the password up in ~/.netrc (default true). */
  netrc?: boolean;
  /** Environment for credential lookup (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Largest listing accepted, in bytes (default 40 MiB). */
  maxListingBytes?: number;
}

/** What was negotiated. */
export interface FtpSession {
  host: string;
  port: number;
  user: string;
  tls: TlsInfo | undefined;
  /** PROT P in force: data connections are encrypted. */
  dataProtected: boolean;
  features: FtpFeatures;
  /** The greeting's text. */
  greeting: string;
}

export interface FtpListOptions {
  signal?: AbortSignal;
  /** Use LIST even when MLSD is available. */
  forceList?: boolean;
}

export class FtpClient {
  private readonly control: FtpControl;
  private readonly data: DataConnector;
  private readonly target: Target;
  private readonly maxListingBytes: number;
  private featureMap: Map<string, string> = new Map();
  private currentType: TransferType | undefined;
  private protectedData = false;
  private greeting = "";
  private userName = "anonymous";

  private constructor(connection: Connection, target: Target, options: FtpConnectOptions) {
    this.control = new FtpControl(connection);
    this.target = target;
    this.maxListingBytes = options.maxListingBytes ?? 40 * 1024 * 1024;
    this.data = new DataConnector(this.control, {
      mode: options.mode ?? "passive",
      trustPasvAddress: options.trustPasvAddress ?? false,
      protect: () => this.protectedData,
      tlsHost: target.host,
      tls: options.tls ?? {},
      timeouts: connection.timeouts,
    });
  }

  /**
   * Dials, reads the greeting, negotiates TLS (implicit for `ftps://`; AUTH TLS for `ftpes://` or
   * `security: "starttls"`, failing closed when refused), sends PBSZ 0 / PROT P on TLS, logs in
   * (anonymously when no user is known), reads FEAT and turns UTF8 on when offered.
   */
  static async connect(target: string | URL, options: FtpConnectOptions = {}): Promise<FtpClient> {
    const parsed = parseTarget(target, { protocol: "ftp" });
    if (parsed.protocol !== "ftp") {
      throw new InvalidArgumentError(`FtpClient cannot connect to a ${parsed.scheme}:// URL`);
    }
    const security = options.security ?? parsed.security;
    const connection = await Connection.connect({
      host: parsed.host,
      port: parsed.port,
      implicitTls: security === "implicit",
      tls: options.tls,
      timeout: options.timeout,
      timeouts: options.timeouts,
      signal: options.signal,
      onTrace: options.onTrace,
    });
    const client = new FtpClient(connection, parsed, options);
    try {
      await client.start(security, options);
    } catch (error) {
      connection.destroy();
      throw error;
    }
    return client;
  }

  private async start(security: Security, options: FtpConnectOptions): Promise<void> {
    const control = this.control;
    const signal = options.signal;
    let greeting = await control.readReply({ phase: "greeting", signal });
    while (greeting.code === 120) greeting = await control.readReply({ phase: "greeting", signal });
    control.check(greeting, [220]);
    this.greeting = greeting.lines.join("\n");
    if (security === "starttls") {
      await control.command(["AUTH", "TLS"], [234], { signal });
      await control.connection.upgradeToTls(options.tls ?? {}, { signal });
    }
    if (security !== "none") {
      await control.command(["PBSZ", "0"], [200], { signal });
      await control.command(["PROT", "P"], [200], { signal });
      this.protectedData = true;
    }
    const credentials = await resolveCredentials({
      target: this.target,
      user: options.user,
      password: options.password,
      env: options.env,
      useNetrc: options.netrc ?? true,
    });
    await this.login(credentials.user, credentials.password, options);
    this.featureMap = await this.readFeatures(signal);
    if (this.featureMap.has("UTF8")) {
      await control.write(["OPTS", "UTF8", "ON"], { signal });
      await control.readReply({ signal }); // Some servers answer 501/502 with UTF-8 always on.
    }
  }

  private async login(user: string | undefined, password: string | undefined, options: FtpConnectOptions) {
    const control = this.control;
    const anonymous = user === undefined || user === "anonymous" || user === "ftp";
    this.userName = user ?? "anonymous";
    const signal = options.signal;
    let reply = await control.command(["USER", this.userName], [230, 331, 332], { signal });
    if (reply.code === 331 || reply.code === 332) {
      const pass = password ?? (anonymous ? "anonymous@" : undefined);
      if (pass === undefined) {
        throw new InvalidArgumentError(
          `the server wants a password for ${this.userName}: pass one in the URL, the password option, ~/.netrc or INET_FTP_PASSWORD`,
          control.connection.context(),
        );
      }
      if (!anonymous) {
        assertPasswordMaySend({
          secure: control.connection.secure,
          allowInsecureAuth: options.allowInsecureAuth,
          host: control.connection.label,
          protocol: "ftp",
        });
      }
      reply = await control.command(["PASS", secret(pass)], [230, 202, 332], { signal });
    }
    if (reply.code === 332) {
      if (options.account === undefined) throw control.replyError({ ...reply, code: 530 });
      await control.command(["ACCT", secret(options.account)], [230, 202], { signal });
    }
  }

  private async readFeatures(signal?: AbortSignal): Promise<Map<string, string>> {
    await this.control.write(["FEAT"], { signal });
    const reply = await this.control.readReply({ signal });
    // 500/502: no FEAT (RFC 959-only server); that is an answer, not an error.
    if (reply.code !== 211) return new Map();
    return parseFeatReply(reply.lines);
  }

  /** What was negotiated: TLS, data protection, FEAT. */
  get session(): FtpSession {
    return {
      host: this.target.host,
      port: this.target.port,
      user: this.userName,
      tls: this.control.connection.tls,
      dataProtected: this.protectedData,
      features: this.featureMap,
      greeting: this.greeting,
    };
  }

  /** True until the control connection closed or failed. */
  get isOpen(): boolean {
    return this.control.connection.isOpen;
  }

  /** FEAT as announced after login (RFC 2389). */
  async features(): Promise<FtpFeatures> {
    return this.featureMap;
  }

  /** The working directory (PWD, RFC 959 §4.1.3). */
  pwd(options: { signal?: AbortSignal } = {}): Promise<string> {
    return this.control.serial(async () => {
      const reply = await this.control.command(["PWD"], [257], options);
      return parsePwdReply(replyText(reply));
    });
  }

  /** Changes the working directory (CWD; `..` sends CDUP). */
  cd(path: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.control.serial(async () => {
      if (path === "..") await this.control.command(["CDUP"], [2], options);
      else await this.control.command(["CWD", path], [2], options);
    });
  }

  /**
   * Lists a directory: MLSD (RFC 3659 §7) when FEAT offers MLST, else LIST parsed (Unix, DOS,
   * EPLF; unknown lines become `type: "unknown"` with `raw`). `.` and `..` are left out. Bounded by
   * `maxListingBytes` ({@link LimitError}).
   */
  list(path?: string, options: FtpListOptions = {}): Promise<FileInfo[]> {
    return this.control.serial(async () => {
      const mlsd = this.featureMap.has("MLST") && !options.forceList;
      const command = mlsd ? "MLSD" : "LIST";
      const parser = new ListingParser({ format: mlsd ? "mlsd" : "list", maxBytes: this.maxListingBytes });
      const entries: FileInfo[] = [];
      await this.setType("ascii", options.signal);
      await receive(
        {
          control: this.control,
          data: this.data,
          command: path ? [command, path] : [command],
          signal: options.signal,
        },
        async (chunks) => {
          for await (const chunk of chunks) entries.push(...parser.push(chunk));
          entries.push(...parser.end());
        },
      );
      return entries.filter((entry) => entry.name !== "." && entry.name !== "..");
    });
  }

  /** Names in a directory (NLST, RFC 959 §4.1.3), as the server sends them. Bounded by `maxListingBytes`. */
  names(path?: string, options: { signal?: AbortSignal } = {}): Promise<string[]> {
    return this.control.serial(async () => {
      const lines = new ByteReader({ lineEnding: "lenient", maxLineLength: 64 * 1024 });
      const names: string[] = [];
      const take = (line: Buffer) => {
        if (line.length > 0) names.push(line.toString("utf8"));
      };
      let total = 0;
      await this.setType("ascii", options.signal);
      await receive(
        {
          control: this.control,
          data: this.data,
          command: path ? ["NLST", path] : ["NLST"],
          signal: options.signal,
        },
        async (chunks) => {
          for await (const chunk of chunks) {
            total += chunk.length;
            if (total > this.maxListingBytes) throw new LimitError("listing", this.maxListingBytes);
            lines.push(chunk);
            for (let line = lines.tryReadLine(); line; line = lines.tryReadLine()) take(line);
          }
          if (lines.buffered > 0) take(await lines.readExactly(lines.buffered));
        },
      );
      return names;
    });
  }

  /**
   * Downloads `remote` to a local path or a `Writable`, streamed with backpressure. To a path it
   * writes `PATH.part` and renames it only when the data connection ended, the final 2xx arrived
   * and the byte count matches SIZE when known; on failure the final name is untouched (the
   * `.part` is kept for `resume: true`). See {@link DownloadOptions}.
   */
  download(remote: string, destination: string | NodeJS.WritableStream, options: DownloadOptions = {}) {
    return this.control.serial(() => downloadTo(this.transferContext(), remote, destination, options));
  }

  /** Uploads a path, `Readable`, `Buffer` or string to `remote` (STOR; APPE with `append`; REST with `offset`). */
  upload(source: UploadSource, remote: string, options: UploadOptions = {}) {
    return this.control.serial(() => uploadFrom(this.transferContext(), source, remote, options));
  }

  /** Appends to `remote` (APPE). */
  append(source: UploadSource, remote: string, options: Omit<UploadOptions, "append"> = {}) {
    return this.upload(source, remote, { ...options, append: true });
  }

  /** The size of a file in bytes (SIZE, RFC 3659 §4, in binary mode). */
  size(path: string, options: { signal?: AbortSignal } = {}): Promise<number> {
    return this.control.serial(() => this.sizeOf(path, options.signal));
  }

  /** The modification time of a file (MDTM, RFC 3659 §3). */
  modifiedAt(path: string, options: { signal?: AbortSignal } = {}): Promise<Date> {
    return this.control.serial(async () => {
      const reply = await this.control.command(["MDTM", path], [213], options);
      return parseMdtmReply(replyText(reply));
    });
  }

  /** Sets the modification time of a file (MFMT, draft-somers-ftp-mfxx). */
  setModifiedAt(path: string, date: Date, options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.control.serial(async () => {
      await this.control.command(["MFMT", formatMdtm(date), path], [213], options);
    });
  }

  /** Renames (RNFR 350, then RNTO 250). */
  rename(from: string, to: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.control.serial(async () => {
      await this.control.command(["RNFR", from], [350], options);
      await this.control.command(["RNTO", to], [2], options);
    });
  }

  /** Deletes a file (DELE). */
  remove(path: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.control.serial(async () => {
      await this.control.command(["DELE", path], [2], options);
    });
  }

  /** Creates a directory (MKD); with `recursive`, every missing parent too, and no error if it exists. */
  mkdir(path: string, options: { recursive?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    return this.control.serial(async () => {
      if (!options.recursive) {
        await this.control.command(["MKD", path], [257, 250], options);
        return;
      }
      const parts = path.split("/").filter(Boolean);
      let prefix = path.startsWith("/") ? "" : ".";
      for (const part of parts) {
        prefix = prefix === "." ? part : `${prefix}/${part}`;
        await this.control.write(["MKD", prefix], options);
        const reply = await this.control.readReply(options);
        if (reply.code === 257 || reply.code === 250) continue;
        if (!(await this.isDirectory(prefix, options.signal))) throw this.control.replyError(reply);
      }
    });
  }

  /** Removes a directory (RMD); with `recursive`, its contents first (symlinks removed, not followed). */
  rmdir(path: string, options: { recursive?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    if (!options.recursive) {
      return this.control.serial(async () => {
        await this.control.command(["RMD", path], [2], options);
      });
    }
    return this.removeTree(path, options.signal);
  }

  private async removeTree(path: string, signal?: AbortSignal): Promise<void> {
    const entries = await this.list(path, { signal });
    for (const entry of entries) {
      if (entry.name.includes("/") || entry.name === "." || entry.name === "..") continue;
      const child = `${path.replace(/\/+$/, "")}/${entry.name}`;
      if (entry.type === "directory") await this.removeTree(child, signal);
      else await this.remove(child, { signal });
    }
    await this.rmdir(path, { signal });
  }

  /** Sends `SITE <command>` and returns the reply text (RFC 959 §4.1.3). */
  site(command: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    return this.control.serial(async () => {
      const reply = await this.control.command(["SITE", command], [2], options);
      return reply.lines.join("\n");
    });
  }

  /**
   * The escape hatch: sends one raw command line (still refused if it holds CR, LF or NUL) and
   * returns the reply, whatever its code (a 4xx/5xx is returned, not thrown).
   */
  send(line: string, options: { signal?: AbortSignal } = {}): Promise<{ code: number; lines: string[] }> {
    return this.control.serial(async () => {
      await this.control.write([line], options);
      const reply = await this.control.readReply(options);
      return { code: reply.code, lines: reply.lines };
    });
  }

  /** Says goodbye (QUIT) and closes. Never rejects. */
  quit(): Promise<void> {
    return this.control.quit();
  }

  /** Drops the connection at once. */
  close(): void {
    this.control.connection.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.quit();
  }

  private transferContext() {
    return {
      control: this.control,
      data: this.data,
      features: this.featureMap,
      setType: (type: TransferType, signal?: AbortSignal) => this.setType(type, signal),
      sizeOf: (path: string, signal?: AbortSignal) => this.sizeOf(path, signal),
      modifiedOf: async (path: string, signal?: AbortSignal) => {
        if (!this.featureMap.has("MDTM")) return undefined;
        await this.control.write(["MDTM", path], { signal });
        const reply = await this.control.readReply({ signal });
        return reply.code === 213 ? parseMdtmReply(replyText(reply)) : undefined;
      },
    };
  }

  private async setType(type: TransferType, signal?: AbortSignal): Promise<void> {
    if (this.currentType === type) return;
    await this.control.command(["TYPE", type === "ascii" ? "A" : "I"], [200], { signal });
    this.currentType = type;
  }

  private async sizeOf(path: string, signal?: AbortSignal): Promise<number> {
    await this.setType("binary", signal);
    const reply = await this.control.command(["SIZE", path], [213], { signal });
    return parseSizeReply(replyText(reply));
  }

  private async isDirectory(path: string, signal?: AbortSignal): Promise<boolean> {
    const here = parsePwdReply(replyText(await this.control.command(["PWD"], [257], { signal })));
    await this.control.write(["CWD", path], { signal });
    const reply = await this.control.readReply({ signal });
    if (reply.code >= 300) return false;
    await this.control.command(["CWD", here], [2], { signal });
    return true;
  }
}
