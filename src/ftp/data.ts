/**
 * FTP data connections (RFC 959 §3.2, RFC 2428, RFC 4217 §9–10).
 *
 * Passive mode asks EPSV first and falls back to PASV; the address in a PASV reply is ignored and
 * the control connection's peer is dialed instead (CVE-2020-8284, CVE-2021-4189) unless the caller
 * opts in. Active mode listens on the control connection's local address and sends EPRT (or PORT),
 * accepting only a connection from the control peer. With PROT P the data connection is a TLS
 * client that resumes the control connection's TLS session, as vsftpd and ProFTPD require.
 *
 * The TLS handshake is started as soon as the socket exists but awaited only after the server's
 * 1xx mark, so it cannot deadlock against servers that start TLS before or after sending it.
 *
 * For many small transfers (a mirror), once EPSV and a data connection have worked on the
 * session: the transfer command is written together with EPSV, the data connection is made
 * while the server reads the command, and a small download reads through a bare socket
 * (`QuickReceiver`) — see {@link DataConnector.open}.
 */
import { isIP } from "node:net";
import type { CommandPart } from "../textproto/write-line.js";
import { OneShotListener } from "../transport/accept.js";
import { Connection } from "../transport/connection.js";
import type { TlsOptions } from "../transport/dial.js";
import { type PooledOptions, PooledReceiver } from "../transport/pooled-receive.js";
import { QuickReceiver } from "../transport/quick-receive.js";
import type { Timeouts } from "../transport/timeouts.js";
import type { FtpControl } from "./control.js";
import { formatEprtArgument, formatPortArgument, parseEpsvReply, parsePasvReply } from "./replies.js";
import type { DataMode } from "./types.js";

export interface DataSettings {
  mode: DataMode;
  /** Dial the address a PASV reply names instead of the control peer (FTP bounce risk). */
  trustPasvAddress: boolean;
  /** PROT P is in force: wrap data connections in TLS. */
  protect: () => boolean;
  /** The host name certificates are checked against. */
  tlsHost: string;
  tls: TlsOptions;
  timeouts: Timeouts;
}

/**
 * A connected data channel: a {@link Connection}, or, for a plain passive download whose consumer
 * allows it, a {@link PooledReceiver} reading into reused buffers.
 */
export type DataChannel =
  | { connection: Connection; receiver?: undefined }
  | { receiver: Receiver; connection?: undefined };

/** What reads a plain passive download's data connection chunk by chunk (see transfer.ts). */
export interface Receiver {
  receive(
    sink: (chunk: Buffer) => Promise<void>,
    options: { timeout: number; signal?: AbortSignal | undefined },
  ): Promise<number>;
  destroy(): void;
}

/** A data connection being set up: `ready` settles once it is connected (and TLS is up). */
export interface PendingData {
  /** Settles once the TCP connection is up (or failed); before any TLS handshake. */
  connected: Promise<void>;
  ready: Promise<DataChannel>;
  /** Gives up on it (the server refused the transfer command, or the caller aborted). */
  cancel(): void;
  /** The transfer command given to `open` already went out (behind EPSV). */
  commandSent?: boolean;
}

export class DataConnector {
  private epsv = true;
  private eprt = true;
  /** A passive data connection has been made on this session, and none has failed since. */
  private connectsWork = false;

  constructor(
    private readonly control: FtpControl,
    private readonly settings: DataSettings,
  ) {}

  /**
   * Negotiates the data port (EPSV/PASV or EPRT/PORT) and starts connecting. With `pooled`, a
   * plain passive channel reads into reused buffers (the consumer must be done with each chunk
   * when its promise resolves); `expectedBytes` (what SIZE or a listing said will come) sizes
   * those buffers, so a small file does not cost megabytes of fresh buffers.
   */
  async open(
    signal?: AbortSignal,
    options: {
      pooled?: boolean;
      expectedBytes?: number | undefined;
      /** The transfer command, to send right behind EPSV once that is known to work (see below). */
      command?: readonly CommandPart[] | undefined;
    } = {},
  ): Promise<PendingData> {
    if (this.settings.mode === "active") return this.openActive(signal);
    const pooled = options.pooled === true && !this.settings.protect();
    return this.openPassive(
      signal,
      pooled ? pooledBuffers(options.expectedBytes) : undefined,
      options.command,
    );
  }

  private async openPassive(
    signal?: AbortSignal,
    pooled?: PooledOptions & { quick?: boolean },
    command?: readonly CommandPart[],
  ): Promise<PendingData> {
    const peer = this.control.connection.addresses.remoteAddress ?? "127.0.0.1";
    let host = peer;
    let port: number;
    // Once EPSV and a data connection have worked on this session, the transfer command is
    // written right behind EPSV: the server answers 229, then waits for our connection before
    // its 1xx, so one round trip per transfer is saved. Should EPSV fail after all, the command
    // met a server with no passive port: its answer is read and the EPSV failure thrown.
    if (this.epsv && this.connectsWork && command !== undefined) {
      // Both lines in one write: one system call, one segment.
      await this.control.writeLines([["EPSV"], command], { signal });
      const reply = await this.control.readReply({ signal });
      if (reply.code !== 229) {
        this.connectsWork = false;
        const answer = await this.control.readReply({ signal });
        if (answer.code < 200) await this.control.readReply({ signal });
        throw this.control.replyError(reply);
      }
      port = parseEpsvReply(reply.lines.join(" "));
      return { ...(await this.dial(host, port, signal, pooled)), commandSent: true };
    }
    if (this.epsv) {
      await this.control.write(["EPSV"], { signal });
      const reply = await this.control.readReply({ signal });
      if (reply.code === 229) {
        port = parseEpsvReply(reply.lines.join(" "));
        return this.dial(host, port, signal, pooled);
      }
      // 500/502: not understood. IPv6 control connections have no PASV to fall back to.
      if ((reply.code !== 500 && reply.code !== 502) || isIP(peer) === 6)
        throw this.control.replyError(reply);
      this.epsv = false;
    }
    const reply = await this.control.command(["PASV"], [227], { signal });
    const announced = parsePasvReply(reply.lines.join(" "));
    if (this.settings.trustPasvAddress) host = announced.host;
    port = announced.port;
    return this.dial(host, port, signal, pooled);
  }

  private async dial(
    host: string,
    port: number,
    signal?: AbortSignal,
    pooled?: PooledOptions & { quick?: boolean },
  ): Promise<PendingData> {
    // Once a data connection has worked on this session, the transfer command goes out while the
    // next one is still connecting (it is awaited before the server's 1xx mark is read), saving
    // a wait per file. The first time, or after a failure, nothing is sent until it is up: a
    // server waiting for a connection that will never come would not read our ABOR.
    const early = this.connectsWork;
    let cancelled = false;
    const track = <T>(connecting: Promise<T>): Promise<T> => {
      const tracked = connecting.then(
        (value) => {
          this.connectsWork = true;
          return value;
        },
        (error: unknown) => {
          // A connection we gave up on ourselves (the server refused the command) proves nothing.
          if (!cancelled) this.connectsWork = false;
          throw error;
        },
      );
      tracked.catch(() => {});
      return tracked;
    };
    if (pooled?.quick) {
      const receiver = new QuickReceiver({
        host,
        port,
        timeout: this.settings.timeouts.connect,
        signal,
        label: `${this.control.connection.label} (data)`,
      });
      const connecting = track(receiver.connected.then(() => receiver));
      if (!early) await connecting;
      return pending(
        connecting,
        connecting.then(() => ({ receiver })),
        () => {
          cancelled = true;
          receiver.destroy();
        },
      );
    }
    if (pooled) {
      const connecting = track(
        PooledReceiver.connect({
          ...pooled,
          host,
          port,
          timeout: this.settings.timeouts.connect,
          signal,
          label: `${this.control.connection.label} (data)`,
        }),
      );
      if (!early) await connecting;
      return pending(
        connecting,
        connecting.then((receiver) => ({ receiver })),
        () => {
          cancelled = true;
          void connecting.then(
            (receiver) => receiver.destroy(),
            () => {},
          );
        },
      );
    }
    const connecting = track(
      Connection.connect({
        host,
        port,
        timeouts: this.settings.timeouts,
        signal,
        tlsHost: this.settings.tlsHost,
        tls: this.settings.tls,
      }),
    );
    if (!early) await connecting;
    return pending(
      connecting,
      connecting
        .then((connection) => this.secure(connection, signal))
        .then((secured) => ({ connection: secured })),
      () => {
        cancelled = true;
        void connecting.then(
          (connection) => connection.destroy(),
          () => {},
        );
      },
    );
  }

  private async openActive(signal?: AbortSignal): Promise<PendingData> {
    const { localAddress = "127.0.0.1", remoteAddress } = this.control.connection.addresses;
    const local = localAddress.startsWith("::ffff:") ? localAddress.slice(7) : localAddress;
    const listener = await OneShotListener.listen(local);
    try {
      if (this.eprt) {
        await this.control.write(["EPRT", formatEprtArgument(local, listener.port)], { signal });
        const reply = await this.control.readReply({ signal });
        if (reply.code >= 500 && reply.code <= 502 && isIP(local) === 4) {
          this.eprt = false;
        } else {
          this.control.check(reply, [200]);
        }
      }
      if (!this.eprt) {
        await this.control.command(["PORT", formatPortArgument(local, listener.port)], [200], { signal });
      }
    } catch (error) {
      listener.close();
      throw error;
    }
    const accepted = listener.accept({
      from: remoteAddress,
      timeout: this.settings.timeouts.data,
      signal,
      context: this.control.connection.context(),
    });
    const ready = accepted.then(async (socket): Promise<DataChannel> => {
      const connection = new Connection(socket, {
        label: `${this.control.connection.label} (data)`,
        tlsHost: this.settings.tlsHost,
        tls: this.settings.tls,
        timeouts: this.settings.timeouts,
      });
      return { connection: await this.secure(connection, signal) };
    });
    ready.catch(() => {});
    // The server connects to us only after the transfer command: nothing to wait for before it.
    return { connected: Promise.resolve(), ready, cancel: () => listener.close() };
  }

  /** Upgrades a fresh data connection to TLS (resuming the control session) when PROT P is on. */
  private async secure(connection: Connection, signal?: AbortSignal): Promise<Connection> {
    if (!this.settings.protect()) return connection;
    const session = this.control.connection.tlsSession;
    await connection.upgradeToTls({ ...this.settings.tls, session }, { signal });
    return connection;
  }
}

/** The receiver's default: 4 buffers of 1 MiB, for a bulk transfer of unknown or large size. */
const BULK_BUFFER = 1024 * 1024;
/** Smallest read buffer: room for a loopback read, and never 0 (a 0-byte read looks like EOF). */
const MIN_BUFFER = 16 * 1024;
/** From this many expected bytes on, a download reads into 3 buffers of 4 MiB. */
const LARGE_FILE = 64 * 1024 * 1024;

/** Up to this many expected bytes, a download reads with a {@link QuickReceiver}. */
const QUICK_BYTES = 256 * 1024;

/**
 * How a plain passive download of `expectedBytes` reads: a {@link QuickReceiver} for a small
 * file (`quick`); 3 buffers of 4 MiB from {@link LARGE_FILE} on; else a pooled receive with the
 * default bulk pool (4 × 1 MiB) when the size is unknown or over a MiB, or, below a MiB, two
 * buffers just big enough (rounded up to a power of two, at least {@link MIN_BUFFER}) — each data connection allocates its own pool, so thousands of files would
 * otherwise allocate 4 MiB each for the GC to reclaim. More bytes than announced still arrive,
 * in more chunks.
 */
export function pooledBuffers(expectedBytes: number | undefined): PooledOptions & { quick?: boolean } {
  if (expectedBytes !== undefined && expectedBytes <= QUICK_BYTES) return { quick: true };
  // A large file: fewer, larger buffers. Each hand-over to the file writer is a thread-pool
  // round trip during which the socket may run out of free buffers; at 4 MiB a GiB takes 256 of
  // them instead of 1,024 (10–15 % faster on loopback, 12 MiB of buffers instead of 4).
  if (expectedBytes !== undefined && expectedBytes >= LARGE_FILE)
    return { bufferSize: 4 * BULK_BUFFER, buffers: 3 };
  if (expectedBytes === undefined || !(expectedBytes < BULK_BUFFER)) return {};
  let size = MIN_BUFFER;
  while (size < expectedBytes + 1) size *= 2;
  return { bufferSize: size, buffers: 2 };
}

/** A {@link PendingData} whose promises never surface as unhandled rejections. */
function pending(connecting: Promise<unknown>, ready: Promise<DataChannel>, cancel: () => void): PendingData {
  const connected = connecting.then(() => {});
  connected.catch(() => {});
  ready.catch(() => {});
  return { connected, ready, cancel };
}
