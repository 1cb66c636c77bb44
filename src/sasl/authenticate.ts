/**
 * The protocol-agnostic SASL driver (RFC 4422 §3): runs one client mechanism over one protocol
 * exchange, with a bound on the number of server challenges and an AbortSignal.
 */
import { abortErrorFrom, InvalidArgumentError, LimitError } from "../errors.js";
import type { SaslClient, SaslExchange, SaslStep } from "./types.js";

/** Options of {@link authenticate}. */
export interface AuthenticateOptions {
  /**
   * The most server challenges accepted (default 5, enough for every mechanism here, including
   * SCRAM without an initial response: empty, server-first, server-final).
   */
  maxRounds?: number | undefined;
  /** Aborts the exchange: it is cancelled with `exchange.abort()` (not awaited) and AbortError is thrown. */
  signal?: AbortSignal | undefined;
  /**
   * False when the protocol cannot carry an initial response with the command (IMAP without
   * SASL-IR, POP3 without it): the client's first message then answers the server's empty challenge.
   * Default true.
   */
  initialResponse?: boolean | undefined;
}

/** Cancels the exchange and swallows what it throws: the error that made us cancel matters more. */
async function abortQuietly(exchange: SaslExchange): Promise<unknown> {
  try {
    await exchange.abort();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Waits for one server step, or for the signal, whichever comes first. */
function awaitStep(exchange: SaslExchange, pending: Promise<SaslStep>, signal: AbortSignal | undefined) {
  if (signal === undefined) return pending;
  return new Promise<SaslStep>((resolve, reject) => {
    const onAbort = () => {
      void abortQuietly(exchange);
      reject(abortErrorFrom(signal));
    };
    if (signal.aborted) {
      // Still observe `pending`, so that its later rejection is not reported as unhandled.
      pending.catch(() => {});
      onAbort();
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    pending.then(
      (step) => {
        signal.removeEventListener("abort", onAbort);
        resolve(step);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Authenticates `client` over `exchange`: sends the mechanism (with the initial response when the
 * mechanism is client-first and `options.initialResponse` allows), answers each challenge, and after
 * the server's success lets the client check the success data (SCRAM's server signature, which may
 * also have come as a last challenge answered with an empty response).
 *
 * @returns when the server has accepted the client and the client has accepted the server.
 * @throws ReplyError from the exchange when the server refuses (wrong password, unknown user…).
 * @throws LimitError (`sasl-rounds`) after `exchange.abort()` when the server challenges more than
 *   `maxRounds` times.
 * @throws ProtocolError from the mechanism (malformed challenge, SCRAM `e=`…), after
 *   `exchange.abort()`; or `sasl-server-signature` after the server's success, when the server did
 *   not prove itself — the server then believes the session authenticated, so the caller must
 *   close the connection.
 * @throws AbortError when `options.signal` fires.
 * @throws InvalidArgumentError for a `maxRounds` that is not a non-negative integer.
 */
export async function authenticate(
  exchange: SaslExchange,
  client: SaslClient,
  options: AuthenticateOptions = {},
): Promise<void> {
  const maxRounds = options.maxRounds ?? 5;
  if (!Number.isSafeInteger(maxRounds) || maxRounds < 0) {
    throw new InvalidArgumentError(`maxRounds must be a non-negative integer, got ${maxRounds}`);
  }
  const { signal } = options;
  if (signal?.aborted) throw abortErrorFrom(signal);

  const initial = client.initialResponse && options.initialResponse !== false ? client.start() : undefined;
  let step = await awaitStep(exchange, exchange.begin(client.mechanism, initial), signal);
  let rounds = 0;
  while (step.kind === "challenge") {
    rounds += 1;
    if (rounds > maxRounds) {
      const cause = await abortQuietly(exchange);
      throw new LimitError("sasl-rounds", maxRounds, cause === undefined ? {} : { cause });
    }
    let reply: Buffer;
    try {
      reply = client.respond(step.data);
    } catch (error) {
      await abortQuietly(exchange);
      throw error;
    }
    if (signal?.aborted) {
      void abortQuietly(exchange);
      throw abortErrorFrom(signal);
    }
    step = await awaitStep(exchange, exchange.respond(reply), signal);
  }
  client.verifyFinal?.(step.data);
}
