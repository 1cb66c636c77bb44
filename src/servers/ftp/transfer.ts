/**
 * Running one transfer over a data connection (RFC 959 §5.4 sequencing): a preliminary 150 (or
 * 125 when the client's passive connection is already there), the data connection (accepted or
 * made, wrapped in TLS with PROT P), the move itself with backpressure, then one final reply —
 * 226, or 425 (no data connection), 426 (broken or aborted), 522 (TLS session not resumed), or
 * what a store failure means (451/452/552).
 *
 * The transfer runs beside the command loop; `done` resolves (never rejects) once the final
 * reply went out. `abort()` (ABOR, or the session ending) closes the data connection at once.
 */
import type { Socket } from "node:net";
import { Transform } from "node:stream";
import type { TLSSocket } from "node:tls";
import { TimeoutError } from "../../errors.js";
import { acceptTlsSocket, connectActive } from "./data-channel.js";
import type { DataSetup, FtpSession } from "./session.js";
import { replyForError } from "./store-replies.js";

/** A transfer in progress, as the session sees it. */
export interface ActiveTransfer {
  /** What is moving (shown by STAT). */
  readonly name: string;
  /** Bytes moved so far. */
  bytes: number;
  /** Resolves once the final reply was sent (or could not be). Never rejects. */
  readonly done: Promise<void>;
  abort(): void;
}

/** What a transfer command hands to {@link startTransfer}. */
export interface TransferPlan {
  name: string;
  /** Text of the 150 reply. */
  opening: string;
  /** Say `opening` with 125 too (STOU names its file there, RFC 1123 §4.1.2.9). */
  alwaysSayOpening?: boolean;
  /** Moves the data over `socket`; resolves to the final reply. Rejects when the move failed. */
  move(socket: Socket, signal: AbortSignal, count: (bytes: number) => void): Promise<[number, string]>;
  /** Undoes what was prepared when the transfer did not complete (drop an upload). Never rejects. */
  fail?(): Promise<void>;
}

const ABORTED: [number, string] = [426, "Connection closed; transfer aborted."];

/**
 * Takes the data connection setup for a transfer command. Replies and returns `undefined` when
 * there is none (425) or when policy wants PROT P first (521).
 */
export async function takeDataSetup(session: FtpSession): Promise<DataSetup | undefined> {
  const setup = session.dataSetup;
  session.dataSetup = undefined;
  if (!setup) {
    await session.reply(425, "Use PORT, PASV, EPRT or EPSV first.");
    return undefined;
  }
  if (session.settings.requireTls && !session.protP) {
    if (setup.kind === "passive") setup.listener.close();
    await session.reply(521, "Data connections must be encrypted: send PBSZ 0 and PROT P.");
    return undefined;
  }
  return setup;
}

/** Gives back a data setup a command could not use (the file was missing…): it is closed. */
export function releaseDataSetup(setup: DataSetup): void {
  if (setup.kind === "passive") setup.listener.close();
}

/** Starts `plan` over `setup` beside the command loop (see the file comment). */
export function startTransfer(session: FtpSession, setup: DataSetup, plan: TransferPlan): void {
  const controller = new AbortController();
  let finish!: () => void;
  const transfer: ActiveTransfer = {
    name: plan.name,
    bytes: 0,
    done: new Promise<void>((resolve) => {
      finish = resolve;
    }),
    abort: () => controller.abort(),
  };
  session.transfer = transfer;
  // Only the outermost socket is held: a TLS socket owns the plain one it wraps, and destroying
  // the plain one under a live TLS socket can crash Node.
  let held: Socket | undefined;
  const hold = (socket: Socket) => {
    if (held) session.dataSockets.delete(held);
    held = socket;
    session.dataSockets.add(socket);
    socket.once("close", () => session.dataSockets.delete(socket));
  };
  attempt(session, setup, plan, transfer, controller.signal, hold)
    .then(
      async ([code, text]) => {
        if (code !== 226) {
          await plan.fail?.();
          held?.destroy();
        } else {
          // Let the client close first; the data limit destroys a socket it leaves half-open.
          held?.resume();
        }
        session.transfer = undefined;
        await session.reply(code, text);
      },
      async () => {
        // The control connection failed while replying: the session is ending anyway.
        await plan.fail?.();
        held?.destroy();
        session.transfer = undefined;
      },
    )
    .catch(() => {})
    .finally(() => {
      session.transfer = undefined;
      session.armIdle();
      finish();
    });
}

async function attempt(
  session: FtpSession,
  setup: DataSetup,
  plan: TransferPlan,
  transfer: ActiveTransfer,
  signal: AbortSignal,
  hold: (socket: Socket) => void,
): Promise<[number, string]> {
  const { timeouts, tls, requireTlsSessionReuse } = session.settings;
  const early = setup.kind === "passive" && setup.listener.connected;
  const text =
    early && !plan.alwaysSayOpening ? "Data connection already open; transfer starting." : plan.opening;
  await session.reply(early ? 125 : 150, text);
  let socket: Socket;
  try {
    socket =
      setup.kind === "passive"
        ? await setup.listener.accept(timeouts.data, signal)
        : await connectActive(setup, session.conn.addresses.localAddress, timeouts.data, signal);
  } catch {
    return signal.aborted ? ABORTED : [425, "Can't open data connection."];
  } finally {
    if (setup.kind === "passive") setup.listener.close();
  }
  hold(socket);
  socket.on("error", () => {});
  if (session.protP && tls) {
    let secured: TLSSocket;
    try {
      secured = await acceptTlsSocket(socket, tls, timeouts.command, signal);
    } catch {
      return signal.aborted ? ABORTED : [425, "TLS negotiation on the data connection failed."];
    }
    hold(secured);
    if (requireTlsSessionReuse && !secured.isSessionReused()) {
      return [522, "SSL connection failed: session reuse required"];
    }
    socket = secured;
  }
  const limit = timeouts.data;
  if (limit > 0 && Number.isFinite(limit)) {
    const timed = socket;
    timed.setTimeout(limit, () => timed.destroy(new TimeoutError("data", limit)));
  }
  try {
    return await plan.move(socket, signal, (bytes) => {
      transfer.bytes += bytes;
    });
  } catch (error) {
    if (signal.aborted) return ABORTED;
    return replyForError(error, ABORTED) as [number, string];
  }
}

/** An incremental converter (TYPE A line endings). */
export interface Converter {
  push(chunk: Buffer): Buffer;
  end?(): Buffer;
}

/** A pass-through that counts bytes (after conversion, as they cross the data connection). */
export function meter(count: (bytes: number) => void, converter?: Converter, countInput = false): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const out = converter ? converter.push(chunk) : chunk;
      count(countInput ? chunk.length : out.length);
      callback(null, out);
    },
    flush(callback) {
      const tail = converter?.end?.();
      callback(null, tail && tail.length > 0 ? tail : undefined);
    },
  });
}
