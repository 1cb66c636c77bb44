/**
 * `FtpPool`: N transfers over at most N connections to one server, for tools that want
 * parallelism (mirror, multi-file get/put). Connections are opened lazily, reused while idle, and
 * replaced when one dies; every connection is made with the same target and options, so
 * credentials and TLS settings never mix between servers (curl's connection-reuse CVE class).
 */
import { InvalidArgumentError } from "../errors.js";
import { FtpClient, type FtpConnectOptions } from "./client.js";

export interface FtpPoolOptions extends FtpConnectOptions {
  /** Most connections at once (default 4, at most 64). */
  size?: number;
}

export class FtpPool {
  private readonly target: string | URL;
  private readonly options: FtpConnectOptions;
  /** Most connections at once. */
  readonly size: number;
  private readonly idle: FtpClient[] = [];
  private readonly waiting: Array<(client: FtpClient | undefined) => void> = [];
  private open = 0;
  private closed = false;

  constructor(target: string | URL, options: FtpPoolOptions = {}) {
    const size = options.size ?? 4;
    if (!Number.isInteger(size) || size < 1 || size > 64) {
      throw new InvalidArgumentError(`a pool size must be an integer from 1 to 64, got ${size}`);
    }
    const { size: _, ...connectOptions } = options;
    this.target = target;
    this.options = connectOptions;
    this.size = size;
  }

  /** Connections open now (busy or idle). */
  get connections(): number {
    return this.open;
  }

  /**
   * Runs `task` with a connection of its own, waiting while all `size` are busy. The connection
   * goes back to the pool afterwards, or is dropped if the task left it broken.
   */
  async run<T>(task: (client: FtpClient) => Promise<T>): Promise<T> {
    const client = await this.acquire();
    try {
      return await task(client);
    } finally {
      this.release(client);
    }
  }

  /** Says goodbye on every idle connection; busy ones close when their task ends. */
  async close(): Promise<void> {
    this.closed = true;
    for (const resolve of this.waiting.splice(0)) resolve(undefined);
    const idle = this.idle.splice(0);
    this.open -= idle.length;
    await Promise.all(idle.map((client) => client.quit()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async acquire(): Promise<FtpClient> {
    for (;;) {
      if (this.closed) throw new InvalidArgumentError("the FTP pool is closed");
      const idle = this.idle.pop();
      if (idle) {
        if (idle.isOpen) return idle;
        this.open -= 1;
        continue;
      }
      if (this.open < this.size) {
        this.open += 1;
        try {
          return await FtpClient.connect(this.target, this.options);
        } catch (error) {
          this.open -= 1;
          this.wakeOne();
          throw error;
        }
      }
      const handed = await new Promise<FtpClient | undefined>((resolve) => this.waiting.push(resolve));
      if (handed) return handed;
    }
  }

  private release(client: FtpClient): void {
    if (this.closed || !client.isOpen) {
      this.open -= 1;
      client.close();
      this.wakeOne();
      return;
    }
    const next = this.waiting.shift();
    if (next) next(client);
    else this.idle.push(client);
  }

  /** Lets one waiter try again (a slot became free). */
  private wakeOne(): void {
    this.waiting.shift()?.(undefined);
  }
}
