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
 */
import { isIP } from "node:net";
import { OneShotListener } from "../transport/accept.js";
import { Connection } from "../transport/connection.js";
import type { TlsOptions } from "../transport/dial.js";
import { PooledReceiver } from "../transport/pooled-receive.js";
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
  | { receiver: PooledReceiver; connection?: undefined };

/** A data connection being set up: `ready` settles once it is connected (and TLS is up). */
export interface PendingData {
  ready: Promise<DataChannel>;
  /** Gives up on it (the server refused the transfer command, or the caller aborted). */
  cancel(): void;
}

export class DataConnector {
  private epsv = true;
  private eprt = true;

  constructor(
    private readonly control: FtpControl,
    private readonly settings: DataSettings,
  ) {}

  /**
   * Negotiates the data port (EPSV/PASV or EPRT/PORT) and starts connecting. With `pooled`, a
   * plain passive channel reads into reused buffers (the consumer must be done with each chunk
   * when its promise resolves).
   */
  async open(signal?: AbortSignal, options: { pooled?: boolean } = {}): Promise<PendingData> {
    if (this.settings.mode === "active") return this.openActive(signal);
    return this.openPassive(signal, options.pooled === true && !this.settings.protect());
  }

  private async openPassive(signal?: AbortSignal, pooled = false): Promise<PendingData> {
    const peer = this.control.connection.addresses.remoteAddress ?? "127.0.0.1";
    let host = peer;
    let port: number;
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

  private async dial(host: string, port: number, signal?: AbortSignal, pooled = false): Promise<PendingData> {
    if (pooled) {
      const receiver = await PooledReceiver.connect({
        host,
        port,
        timeout: this.settings.timeouts.connect,
        signal,
        label: `${this.control.connection.label} (data)`,
      });
      return { ready: Promise.resolve({ receiver }), cancel: () => receiver.destroy() };
    }
    const connection = await Connection.connect({
      host,
      port,
      timeouts: this.settings.timeouts,
      signal,
      tlsHost: this.settings.tlsHost,
      tls: this.settings.tls,
    });
    const ready = this.secure(connection, signal).then((secured) => ({ connection: secured }));
    ready.catch(() => {});
    return { ready, cancel: () => connection.destroy() };
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
    return { ready, cancel: () => listener.close() };
  }

  /** Upgrades a fresh data connection to TLS (resuming the control session) when PROT P is on. */
  private async secure(connection: Connection, signal?: AbortSignal): Promise<Connection> {
    if (!this.settings.protect()) return connection;
    const session = this.control.connection.tlsSession;
    await connection.upgradeToTls({ ...this.settings.tls, session }, { signal });
    return connection;
  }
}
