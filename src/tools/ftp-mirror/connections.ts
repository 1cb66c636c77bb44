/**
 * Which connection does what during a mirror: folders and deletions go over `client` when there
 * is one (one connection is plenty for them); listings over `client` and the pool's connections
 * at once; transfers through the pool when there is one (up to `pool.size` connections),
 * otherwise everything runs in turn on `client`.
 */
import { InvalidArgumentError } from "../../errors.js";
import type { FtpClient } from "../../ftp/client.js";
import type { FtpPool } from "../../ftp/pool.js";

export class MirrorConnections {
  private readonly client: FtpClient | undefined;
  private readonly pool: FtpPool | undefined;
  /** Listings running on `client` now. */
  private clientListings = 0;

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

  /** Listings that may run at once: one on `client`, and one on each pool connection. */
  get listLanes(): number {
    return (this.client ? 1 : 0) + (this.pool?.size ?? 0);
  }

  /** Runs a folder or deletion task. */
  control<T>(task: (client: FtpClient) => Promise<T>): Promise<T> {
    if (this.client) return task(this.client);
    return this.pool!.run(task);
  }

  /**
   * Runs a listing: on `client` when it is free (or there is no pool), else on a pool
   * connection, so that a tree's folders are listed several at a time (the pool's connections
   * log in meanwhile, ready for the transfers).
   */
  async list<T>(task: (client: FtpClient) => Promise<T>): Promise<T> {
    if (!this.client) return this.pool!.run(task);
    if (this.pool && this.clientListings > 0) return this.pool.run(task);
    this.clientListings += 1;
    try {
      return await task(this.client);
    } finally {
      this.clientListings -= 1;
    }
  }

  /** Runs a transfer task (with a connection of its own when pooled). */
  transfer<T>(task: (client: FtpClient) => Promise<T>): Promise<T> {
    if (this.pool) return this.pool.run(task);
    return task(this.client!);
  }
}
