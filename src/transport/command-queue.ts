/**
 * The per-connection command queue: calls made without `await` run in the order they were made,
 * and, where the protocol allows it, requests are written before earlier replies have arrived.
 *
 * A command has two halves: `send` (write the request) and `receive` (read its reply). Without
 * pipelining a command is sent only after the previous reply was read. With pipelining, sends
 * follow each other as fast as they complete while replies are still read strictly in order, as
 * in Go's textproto.Pipeline. A `barrier` command (STARTTLS, DATA, AUTH…) is never pipelined:
 * it waits for every earlier reply before it is sent, and nothing is sent after it until its own
 * reply is in.
 */

export interface QueuedCommand<T> {
  /** Writes the request. A failure here (a refused argument, a dead socket) skips `receive`. */
  send(): Promise<void> | void;
  /** Reads the reply, after every earlier command's reply was read. */
  receive(): Promise<T>;
  /** Never overlap this command with any other (see the module comment). */
  barrier?: boolean;
}

const ignore = () => {};

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Calls `step` (a method of the queued command) on `self` now, without a closure per call; a
 * synchronous throw becomes a rejected promise, and a step that returns nothing gives
 * {@link RESOLVED}.
 */
function attempt<T>(step: (this: unknown) => Promise<T> | T, self: unknown): Promise<T> {
  try {
    const result = step.call(self);
    if (result instanceof Promise) return result;
    return (result === undefined ? RESOLVED : Promise.resolve(result)) as Promise<T>;
  } catch (error) {
    return Promise.reject(error);
  }
}

export class CommandQueue {
  /** Whether requests may be written ahead of replies. A protocol turns it on after it sees the server allows it. */
  pipelining: boolean;
  /** Settles when the next command may be sent. */
  private sendGate: Promise<void> = Promise.resolve();
  /** Settles when every reply so far has been read. */
  private receiveGate: Promise<void> = Promise.resolve();
  private pending = 0;
  /** Counts a command out, whether it succeeded or failed (one function for every command). */
  private readonly finished = (): void => {
    this.pending -= 1;
  };

  constructor(options: { pipelining?: boolean } = {}) {
    this.pipelining = options.pipelining ?? false;
  }

  /** Commands queued and not yet answered. */
  get size(): number {
    return this.pending;
  }

  /** Queues `command`; resolves to what its `receive` returns, or rejects with what its `send` or `receive` threw. */
  run<T>(command: QueuedCommand<T>): Promise<T> {
    const overlap = this.pipelining && !command.barrier;
    let sent: Promise<void>;
    let received: Promise<T>;
    if (this.pending === 0) {
      // Nothing in flight: start in the caller's turn rather than after a chain of promise hops
      // (the order is the same: a later call finds this one pending and waits for it).
      sent = attempt(command.send, command);
      received = sent === RESOLVED ? attempt(command.receive, command) : sent.then(() => command.receive());
    } else {
      const previousReceive = this.receiveGate;
      const gate = overlap ? this.sendGate : Promise.all([this.sendGate, previousReceive]);
      sent = gate.then(() => command.send());
      received = Promise.all([sent, previousReceive]).then(() => command.receive());
    }
    this.pending += 1;
    const settled = received.then(this.finished, this.finished);
    this.receiveGate = settled;
    this.sendGate = overlap ? sent.then(ignore, ignore) : settled;
    return received;
  }

  /** Resolves once every queued command has settled. */
  idle(): Promise<void> {
    return this.receiveGate;
  }
}
