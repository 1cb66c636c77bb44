/**
 * `SmtpPool`: messages sent over at most `connections` connections to one server, each closed
 * (QUIT) and replaced after `messagesPerConnection` messages or when it breaks. Connections open
 * lazily and are reused while idle; every one is made with the same target and options, so
 * credentials and TLS settings never mix between servers. A message is never sent twice: a
 * failure is the caller's to see.
 */
import { InvalidArgumentError } from "../errors.js";
import { SmtpClient } from "./client.js";
import type { SendOptions, SendResult, SmtpConnectOptions, SmtpMessage, SmtpPoolOptions } from "./types.js";

interface Member {
  client: SmtpClient;
  sent: number;
}

/** A pool of SMTP connections to one server (see the module comment). */
export class SmtpPool {
  private readonly target: string | URL;
  private readonly options: SmtpConnectOptions;
  /** Most connections at once. */
  readonly size: number;
  /** Messages per connection before it is replaced. */
  readonly messagesPerConnection: number;
  private readonly idle: Member[] = [];
  private readonly waiting: Array<(member: Member | undefined) => void> = [];
  private open = 0;
  private closed = false;

  /** @throws {InvalidArgumentError} for a `connections` outside 1–64 or a `messagesPerConnection` below 1. */
  constructor(target: string | URL, options: SmtpPoolOptions = {}) {
    const { connections = 2, messagesPerConnection = 100, ...connectOptions } = options;
    if (!Number.isInteger(connections) || connections < 1 || connections > 64) {
      throw new InvalidArgumentError(`connections must be an integer from 1 to 64, got ${connections}`);
    }
    if (!Number.isInteger(messagesPerConnection) || messagesPerConnection < 1) {
      throw new InvalidArgumentError(
        `messagesPerConnection must be a positive integer, got ${messagesPerConnection}`,
      );
    }
    this.target = target;
    this.options = connectOptions;
    this.size = connections;
    this.messagesPerConnection = messagesPerConnection;
  }

  /** Connections open now (busy or idle). */
  get connections(): number {
    return this.open;
  }

  /**
   * Sends a message over a pooled connection (waiting while all are busy). Contract as
   * `SmtpClient.send`, plus the errors of `SmtpClient.connect` when a connection must be opened.
   */
  async send(message: SmtpMessage, options: SendOptions = {}): Promise<SendResult> {
    const member = await this.acquire();
    try {
      member.sent += 1;
      return await member.client.send(message, options);
    } finally {
      this.release(member);
    }
  }

  /** Says goodbye on every idle connection; busy ones close when their message is done. */
  async close(): Promise<void> {
    this.closed = true;
    for (const resolve of this.waiting.splice(0)) resolve(undefined);
    const idle = this.idle.splice(0);
    this.open -= idle.length;
    await Promise.all(idle.map((member) => member.client.quit()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async acquire(): Promise<Member> {
    for (;;) {
      if (this.closed) throw new InvalidArgumentError("the SMTP pool is closed");
      const idle = this.idle.pop();
      if (idle) {
        if (idle.client.isOpen) return idle;
        this.open -= 1;
        continue;
      }
      if (this.open < this.size) {
        this.open += 1;
        try {
          return { client: await SmtpClient.connect(this.target, this.options), sent: 0 };
        } catch (error) {
          this.open -= 1;
          this.wakeOne();
          throw error;
        }
      }
      const handed = await new Promise<Member | undefined>((resolve) => this.waiting.push(resolve));
      if (handed) return handed;
    }
  }

  private release(member: Member): void {
    if (this.closed || !member.client.isOpen || member.sent >= this.messagesPerConnection) {
      this.open -= 1;
      void member.client.quit();
      this.wakeOne();
      return;
    }
    const next = this.waiting.shift();
    if (next) next(member);
    else this.idle.push(member);
  }

  /** Lets one waiter try again (a slot became free). */
  private wakeOne(): void {
    this.waiting.shift()?.(undefined);
  }
}
