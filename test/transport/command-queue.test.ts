import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { CommandQueue } from "../../src/transport/command-queue.js";

/** A fake peer: records the order of sends and receives; replies arrive when `release()` is called. */
function harness() {
  const events: string[] = [];
  const waiting: Array<() => void> = [];
  const command = (name: string, options: { barrier?: boolean; failSend?: boolean } = {}) => ({
    barrier: options.barrier,
    send: async () => {
      if (options.failSend) throw new Error(`send ${name} failed`);
      events.push(`send ${name}`);
    },
    receive: () =>
      new Promise<string>((resolve) => {
        waiting.push(() => {
          events.push(`recv ${name}`);
          resolve(name);
        });
      }),
  });
  const release = async () => {
    await tick();
    const next = waiting.shift();
    assert.ok(next, "a receive is waiting");
    next();
    await tick();
  };
  return { events, command, release };
}

describe("CommandQueue", () => {
  it("runs commands made without await strictly one after another", async () => {
    const { events, command, release } = harness();
    const queue = new CommandQueue();
    const results = [queue.run(command("A")), queue.run(command("B")), queue.run(command("C"))];
    await tick();
    assert.deepEqual(events, ["send A"], "B is not sent before A's reply");
    await release();
    await release();
    await release();
    assert.deepEqual(await Promise.all(results), ["A", "B", "C"]);
    assert.deepEqual(events, ["send A", "recv A", "send B", "recv B", "send C", "recv C"]);
  });

  it("pipelines sends ahead of replies when allowed, reading replies in order", async () => {
    const { events, command, release } = harness();
    const queue = new CommandQueue({ pipelining: true });
    const results = [queue.run(command("A")), queue.run(command("B")), queue.run(command("C"))];
    await tick();
    await tick();
    assert.deepEqual(events, ["send A", "send B", "send C"]);
    await release();
    await release();
    await release();
    assert.deepEqual(await Promise.all(results), ["A", "B", "C"]);
    assert.deepEqual(events.slice(3), ["recv A", "recv B", "recv C"]);
  });

  it("never pipelines across a barrier", async () => {
    const { events, command, release } = harness();
    const queue = new CommandQueue({ pipelining: true });
    const results = [
      queue.run(command("MAIL")),
      queue.run(command("RCPT")),
      queue.run(command("DATA", { barrier: true })),
      queue.run(command("NOOP")),
    ];
    await tick();
    await tick();
    assert.deepEqual(events, ["send MAIL", "send RCPT"], "DATA waits for every earlier reply");
    await release();
    await release();
    await tick();
    assert.deepEqual(events.slice(2), ["recv MAIL", "recv RCPT", "send DATA"]);
    await release();
    await tick();
    assert.deepEqual(
      events.slice(5),
      ["recv DATA", "send NOOP"],
      "nothing is sent before the barrier's reply",
    );
    await release();
    assert.equal((await Promise.all(results)).length, 4);
    assert.equal(queue.size, 0);
  });

  it("rejects only the command whose send failed, and goes on with the rest", async () => {
    const { events, command, release } = harness();
    const queue = new CommandQueue();
    const bad = queue.run(command("BAD", { failSend: true }));
    const good = queue.run(command("GOOD"));
    await assert.rejects(bad, /send BAD failed/);
    await release();
    assert.equal(await good, "GOOD");
    assert.deepEqual(events, ["send GOOD", "recv GOOD"]);
  });

  it("idle() resolves once everything queued has settled", async () => {
    const { command, release } = harness();
    const queue = new CommandQueue();
    queue.run(command("A"));
    let idle = false;
    const done = queue.idle().then(() => {
      idle = true;
    });
    await tick();
    assert.equal(idle, false);
    await release();
    await done;
    assert.equal(idle, true);
  });
  it("starts a command on an idle queue at once, and turns synchronous throws into rejections", async () => {
    const queue = new CommandQueue();
    const events: string[] = [];
    const first = queue.run({
      send: () => {
        events.push("send A");
      },
      receive: async () => "A",
    });
    // Started in the caller's turn: nothing was in flight.
    assert.deepEqual(events, ["send A"]);
    const second = queue.run({
      send: () => {
        events.push("send B");
      },
      receive: async () => "B",
    });
    // B waits for A's reply.
    assert.deepEqual(events, ["send A"]);
    assert.equal(await first, "A");
    assert.equal(await second, "B");
    assert.deepEqual(events, ["send A", "send B"]);
    await queue.idle();
    const refusedSend = queue.run({
      send: () => {
        throw new Error("refused argument");
      },
      receive: async () => "never",
    });
    await assert.rejects(refusedSend, /refused argument/);
    const failedReceive = queue.run<string>({
      send: () => {},
      receive: () => {
        throw new Error("no reply");
      },
    });
    await assert.rejects(failedReceive, /no reply/);
    // The queue goes on after both failures.
    assert.equal(await queue.run({ send: () => {}, receive: async () => "C" }), "C");
    assert.equal(queue.size, 0);
  });
});
