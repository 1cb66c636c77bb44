import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AbortError,
  InetError,
  InvalidArgumentError,
  LimitError,
  ProtocolError,
  ReplyError,
} from "../../src/errors.js";
import { authenticate } from "../../src/sasl/authenticate.js";
import { createSaslClient } from "../../src/sasl/client.js";
import { createSaslServer } from "../../src/sasl/server.js";
import type { SaslClient, SaslCredentials, SaslExchange, SaslStep } from "../../src/sasl/types.js";
import { ACCOUNTS, memoryExchange, tableVerifier } from "./memory-exchange.js";

/** Who can log in with which mechanism, in the table of memory-exchange.ts. */
const CASES: { mechanism: string; credentials: SaslCredentials }[] = [
  { mechanism: "PLAIN", credentials: { user: "alice", password: ACCOUNTS.alice } },
  { mechanism: "PLAIN", credentials: { user: "bob", password: ACCOUNTS.bob } },
  { mechanism: "LOGIN", credentials: { user: "alice", password: ACCOUNTS.alice } },
  { mechanism: "LOGIN", credentials: { user: "bob1", password: ACCOUNTS.bob1 } },
  { mechanism: "CRAM-MD5", credentials: { user: "alice", password: ACCOUNTS.alice } },
  { mechanism: "SCRAM-SHA-1", credentials: { user: "alice", password: ACCOUNTS.alice } },
  { mechanism: "SCRAM-SHA-1", credentials: { user: "bob1", password: ACCOUNTS.bob1 } },
  { mechanism: "SCRAM-SHA-256", credentials: { user: "alice", password: ACCOUNTS.alice } },
  { mechanism: "SCRAM-SHA-256", credentials: { user: "bob", password: ACCOUNTS.bob } },
  { mechanism: "XOAUTH2", credentials: { user: "carol", accessToken: ACCOUNTS.carol } },
  { mechanism: "OAUTHBEARER", credentials: { user: "carol", accessToken: ACCOUNTS.carol } },
];

const MODES = [
  { initialResponse: true, successData: false },
  { initialResponse: false, successData: false },
  { initialResponse: true, successData: true },
  { initialResponse: false, successData: true },
];

/** The secret of a credential set, and what it looks like on the wire. */
function secretForms(credentials: SaslCredentials): string[] {
  const secret = credentials.password ?? credentials.accessToken ?? "";
  return [secret, Buffer.from(secret).toString("base64")];
}

function assertNoSecret(error: unknown, credentials: SaslCredentials): void {
  assert.ok(error instanceof InetError, `an inetkit error, got ${String(error)}`);
  const text = `${error.message} ${String(error.stack)}`;
  for (const form of secretForms(credentials)) assert.ok(!text.includes(form), `secret leaked: ${text}`);
}

describe("authenticate(): every mechanism, client against server", () => {
  for (const { mechanism, credentials } of CASES) {
    for (const mode of MODES) {
      const label = `${mechanism} as ${credentials.user} (IR ${mode.initialResponse}, success data ${mode.successData})`;
      test(`${label} succeeds`, async () => {
        const exchange = memoryExchange(createSaslServer(mechanism, tableVerifier(), mode));
        const client = createSaslClient(mechanism, credentials);
        await authenticate(exchange, client, { initialResponse: mode.initialResponse });
        assert.equal(client.done, true);
        assert.equal(exchange.aborted, 0);
        assert.equal(exchange.mechanism, mechanism);
        // Without an initial response the command goes out bare.
        const firstLine = exchange.transcript[0];
        if (!mode.initialResponse || !client.initialResponse) assert.equal(firstLine, "C: (none)");
        else assert.notEqual(firstLine, "C: (none)");
      });
    }

    test(`${mechanism} as ${credentials.user} with the wrong secret fails with ReplyError, no secret in it`, async () => {
      const wrong: SaslCredentials =
        credentials.accessToken === undefined
          ? { ...credentials, password: "not the password" }
          : { ...credentials, accessToken: "not-the-token" };
      const exchange = memoryExchange(createSaslServer(mechanism, tableVerifier()));
      const error = await authenticate(exchange, createSaslClient(mechanism, wrong)).catch((e: unknown) => e);
      assert.ok(error instanceof ReplyError);
      assertNoSecret(error, wrong);
      assertNoSecret(error, credentials);
      assert.equal(exchange.aborted, 0);
    });
  }

  for (const mechanism of [
    "PLAIN",
    "LOGIN",
    "CRAM-MD5",
    "SCRAM-SHA-1",
    "SCRAM-SHA-256",
    "XOAUTH2",
    "OAUTHBEARER",
  ]) {
    test(`${mechanism} with an unknown user fails with ReplyError`, async () => {
      const credentials = { user: "mallory", password: "guess", accessToken: ACCOUNTS.carol };
      const exchange = memoryExchange(createSaslServer(mechanism, tableVerifier()));
      const error = await authenticate(exchange, createSaslClient(mechanism, credentials)).catch(
        (e: unknown) => e,
      );
      assert.ok(error instanceof ReplyError, `${mechanism}: ${String(error)}`);
      assertNoSecret(error, credentials);
      assertNoSecret(error, { user: "mallory", accessToken: ACCOUNTS.carol });
    });
  }

  test("the OAuth error dance: the client answers the JSON challenge before the failure", async () => {
    const exchange = memoryExchange(createSaslServer("OAUTHBEARER", tableVerifier()));
    const client = createSaslClient("OAUTHBEARER", { user: "carol", accessToken: "expired" });
    await assert.rejects(authenticate(exchange, client), ReplyError);
    assert.equal(exchange.transcript.length, 4);
    assert.equal(exchange.transcript[2], "C: AQ==");
    assert.match((client as SaslClient & { errorDetail?: string }).errorDetail ?? "", /invalid_token/);
  });
});

/** An exchange scripted by a function of the round number; counts calls. */
function scripted(next: (round: number) => SaslStep) {
  let round = 0;
  const calls = { begin: 0, respond: 0, abort: 0 };
  const exchange: SaslExchange = {
    async begin() {
      calls.begin += 1;
      return next(round++);
    },
    async respond() {
      calls.respond += 1;
      return next(round++);
    },
    async abort() {
      calls.abort += 1;
    },
  };
  return { exchange, calls };
}

/** A client that answers anything, forever. */
function tireless(): SaslClient {
  return {
    mechanism: "X-TIRELESS",
    initialResponse: false,
    done: false,
    start: () => undefined,
    respond: () => Buffer.from("again"),
  };
}

describe("authenticate(): bounds and failures", () => {
  test("a server that challenges forever: LimitError after maxRounds, exchange aborted", async () => {
    for (const maxRounds of [undefined, 1, 3]) {
      const { exchange, calls } = scripted(() => ({ kind: "challenge", data: Buffer.from("more") }));
      const error = await authenticate(exchange, tireless(), { maxRounds }).catch((e: unknown) => e);
      assert.ok(error instanceof LimitError);
      assert.equal(error.what, "sasl-rounds");
      assert.equal(error.limit, maxRounds ?? 5);
      assert.equal(calls.respond, maxRounds ?? 5);
      assert.equal(calls.abort, 1);
    }
  });

  test("maxRounds 0 allows a mechanism that needs no challenge", async () => {
    const { exchange } = scripted(() => ({ kind: "success" }));
    await authenticate(exchange, createSaslClient("PLAIN", { user: "u", password: "p" }), { maxRounds: 0 });
    await assert.rejects(
      authenticate(exchange, createSaslClient("PLAIN", { user: "u", password: "p" }), { maxRounds: -1 }),
      InvalidArgumentError,
    );
  });

  test("a client error (malformed challenge) aborts the exchange and propagates", async () => {
    const { exchange, calls } = scripted(() => ({ kind: "challenge", data: Buffer.from("e=other-error") }));
    const error = await authenticate(
      exchange,
      createSaslClient("SCRAM-SHA-256", { user: "u", password: "p" }),
    ).catch((e: unknown) => e);
    assert.ok(error instanceof ProtocolError);
    assert.equal(error.reason, "sasl-server-error");
    assert.equal(calls.abort, 1);
  });

  test("an abort() that fails does not hide the error that caused it", async () => {
    const { exchange } = scripted(() => ({ kind: "challenge", data: Buffer.from("more") }));
    exchange.abort = async () => {
      throw new Error("connection gone");
    };
    await assert.rejects(authenticate(exchange, tireless(), { maxRounds: 1 }), LimitError);
  });
});

describe("authenticate(): SCRAM mutual authentication", () => {
  /** Wraps a memory exchange and replaces the server signature in whatever carries it. */
  function forging(successData: boolean): { exchange: SaslExchange; aborted: () => number } {
    const inner = memoryExchange(createSaslServer("SCRAM-SHA-256", tableVerifier(), { successData }));
    const forge = (step: SaslStep): SaslStep => {
      if (step.data?.toString().startsWith("v=")) {
        return { ...step, data: Buffer.from(`v=${Buffer.alloc(32, 1).toString("base64")}`) } as SaslStep;
      }
      return step;
    };
    return {
      exchange: {
        begin: async (m, i) => forge(await inner.begin(m, i)),
        respond: async (d) => forge(await inner.respond(d)),
        abort: () => inner.abort(),
      },
      aborted: () => inner.aborted,
    };
  }

  test("a forged server signature in a last challenge: ProtocolError, exchange aborted", async () => {
    const { exchange, aborted } = forging(false);
    const credentials = { user: "bob", password: ACCOUNTS.bob };
    const error = await authenticate(exchange, createSaslClient("SCRAM-SHA-256", credentials)).catch(
      (e: unknown) => e,
    );
    assert.ok(error instanceof ProtocolError);
    assert.equal(error.reason, "sasl-server-signature");
    assertNoSecret(error, credentials);
    assert.equal(aborted(), 1);
  });

  test("a forged server signature with the success: ProtocolError", async () => {
    const { exchange } = forging(true);
    const error = await authenticate(
      exchange,
      createSaslClient("SCRAM-SHA-256", { user: "bob", password: ACCOUNTS.bob }),
    ).catch((e: unknown) => e);
    assert.ok(error instanceof ProtocolError);
    assert.equal(error.reason, "sasl-server-signature");
  });

  test("a server that skips the server-final message: ProtocolError", async () => {
    const client = createSaslClient("SCRAM-SHA-1", { user: "u", password: "p" }, { nonce: "abc" });
    const { exchange } = scripted((round) =>
      round === 0
        ? { kind: "challenge", data: Buffer.from("r=abcdef,s=QSXCR+Q6sek8bf92,i=4096") }
        : { kind: "success" },
    );
    await assert.rejects(
      authenticate(exchange, client),
      (e: unknown) => e instanceof ProtocolError && e.reason === "sasl-server-signature",
    );
  });
});

describe("authenticate(): AbortSignal", () => {
  test("an already aborted signal: AbortError before anything is sent", async () => {
    const { exchange, calls } = scripted(() => ({ kind: "success" }));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      authenticate(exchange, createSaslClient("PLAIN", { user: "u", password: "p" }), {
        signal: controller.signal,
      }),
      AbortError,
    );
    assert.equal(calls.begin, 0);
  });

  test("a signal fired while waiting for the server: AbortError, exchange aborted", async () => {
    const controller = new AbortController();
    let aborts = 0;
    const exchange: SaslExchange = {
      begin: () => {
        queueMicrotask(() => controller.abort(new Error("user pressed ^C")));
        return new Promise<SaslStep>(() => {});
      },
      respond: () => new Promise<SaslStep>(() => {}),
      abort: async () => {
        aborts += 1;
      },
    };
    const error = await authenticate(exchange, createSaslClient("PLAIN", { user: "u", password: "p" }), {
      signal: controller.signal,
    }).catch((e: unknown) => e);
    assert.ok(error instanceof AbortError);
    assert.equal(aborts, 1);
  });

  test("a signal that never fires changes nothing", async () => {
    const exchange = memoryExchange(createSaslServer("SCRAM-SHA-256", tableVerifier()));
    const client = createSaslClient("SCRAM-SHA-256", { user: "alice", password: ACCOUNTS.alice });
    await authenticate(exchange, client, { signal: new AbortController().signal });
    assert.equal(client.done, true);
  });
});
