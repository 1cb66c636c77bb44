/**
 * Which connection does what during a mirror: listings, folders and deletions go over `client`
 * when there is one (one connection is plenty for them), transfers through the pool when there is
 * one (up to `pool.size` at once), otherwise everything runs in turn on `client`.
 */
import { InvalidArgumentError } from "../../errors.js";
import type { FtpClient } from "../../ftp/client.js";
import type { FtpPool } from "../../ftp/pool.js";

export class MirrorConnections {
  private readonly client: FtpClient | undefined;
  private readonly pool: FtpPool | undefined;

  /** @throws InvalidArgumentError when neither a client nor a pool is given. */
  constructor(client: FtpClient | undefined, pool: FtpPool | undefined) {
    if (client === undefined && pool === undefined) {
      throw new InvalidArgumentError("a mirror needs a client or a pool");
    }
    this.client = client;
    this.pool = pool;
  }

  /** Transfers that may run at once. */
  get lanes(): number {
    return this.pool?.size ?? 1;
  }

  /** Listings that may run at once. */
  get listLanes(): number {
    return this.client ? 1 : (this.pool?.size ?? 1);
  }

  /** Runs a listing, folder or deletion task. */
  control<T>(task: (client: FtpClient) => Promise<T>): Promise<T> {
    if (this.client) return task(this.client);
    return this.pool!.run(task);
  }

  /** Runs a transfer task (with a connection of its own when pooled). */
  transfer<T>(task: (client: FtpClient) => Promise<T>): Promise<T> {
    if (this.pool) return this.pool.run(task);
    return task(this.client!);
  }
}
