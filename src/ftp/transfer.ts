/**
 * One FTP transfer over a data connection (RFC 959 §3.2–3.3, §4.1.3): open the data connection,
 * send the transfer command, expect a 1xx mark, move the bytes, and finish only when BOTH the data
 * connection has ended AND the final 2xx reply has arrived — in either order (curl PR#12841,
 * FluentFTP#1059). An abort through the caller's signal drops the data connection, sends ABOR and
 * reads the server's 426/226 so the control connection stays usable.
 */
import { abortErrorFrom, ConnectionClosedError, ReplyError } from "../errors.js";
import type { CommandPart } from "../textproto/write-line.js";
import { type FtpControl, matches } from "./control.js";
import type { DataChannel, DataConnector } from "./data.js";

/** Progress of a transfer: bytes moved so far (counting a resumed part), and the total when known. */
export interface TransferProgress {
  bytes: number;
  total?: number | undefined;
}

export interface TransferRun {
  control: FtpControl;
  data: DataConnector;
  /** The transfer command: `["RETR", path]`, `["STOR", path]`, `["MLSD", path]`… */
  command: readonly CommandPart[];
  /** Sent as `REST n` first (RFC 3659 §5) when above 0. */
  restAt?: number | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Runs a download-direction transfer: `consume` receives the data stream and must read it to the
 * end. Resolves to the final reply's text lines.
 */
export async function receive(
  run: TransferRun,
  consume: (chunks: AsyncIterable<Buffer>) => Promise<void>,
): Promise<void> {
  await transfer(run, {}, async (channel) => {
    await consume(channel.connection!.stream({ phase: "data", signal: run.signal }));
  });
}

/**
 * Runs a download-direction transfer chunk by chunk into `sink`. With `reusable` (the sink is done
 * with each chunk when its promise resolves, as a file write is), a plain passive data connection
 * reads into a pool of reused buffers instead of allocating per read; `expectedBytes` (the bytes
 * still to come, when known) sizes that pool.
 */
export async function receiveInto(
  run: TransferRun,
  sink: (chunk: Buffer) => Promise<void>,
  options: { reusable: boolean; expectedBytes?: number | undefined },
): Promise<void> {
  const data = { pooled: options.reusable, expectedBytes: options.expectedBytes };
  await transfer(run, data, async (channel) => {
    if (channel.receiver) {
      await channel.receiver.receive(sink, {
        timeout: run.control.connection.timeouts.data,
        signal: run.signal,
      });
      return;
    }
    for await (const chunk of channel.connection.stream({ phase: "data", signal: run.signal }))
      await sink(chunk);
  });
}

/**
 * Runs an upload-direction transfer: `produce` writes through `write` (which applies
 * backpressure and the data-phase limit); the data connection is then closed so the server sees
 * the end of the file.
 */
export async function send(
  run: TransferRun,
  produce: (write: (chunk: Buffer) => Promise<void>) => Promise<void>,
): Promise<void> {
  await transfer(run, {}, async (channel) => {
    const connection = channel.connection!;
    await produce((chunk) => connection.write(chunk, { phase: "data", signal: run.signal }));
    await connection.end(connection.timeouts.data);
    if (!connection.isOpen && connection.error) throw connection.error;
  });
}

async function transfer(
  run: TransferRun,
  data: { pooled?: boolean; expectedBytes?: number | undefined },
  move: (channel: DataChannel) => Promise<void>,
): Promise<void> {
  const { control, signal } = run;
  if (signal?.aborted) throw abortErrorFrom(signal, control.connection.context());
  const restart = run.restAt !== undefined && run.restAt > 0;
  // Without REST the command may go out together with EPSV (see DataConnector.open).
  const pending = await run.data.open(signal, { ...data, command: restart ? undefined : run.command });
  let channel: DataChannel | undefined;
  try {
    if (restart) await control.command(["REST", run.restAt!], [350]);
    if (!pending.commandSent) await control.write(run.command);
    // A data connection started after the command went out may fail: the server then still owes
    // a reply to the command (a refusal such as 550 or 425, usually), which says more than the
    // refused connect and keeps the control connection in step.
    let connectFailure: { error: unknown } | undefined;
    await pending.connected.catch((error: unknown) => {
      connectFailure = { error };
    });
    const mark = await control.readReply();
    if (!matches(mark.code, [1])) throw control.replyError(mark);
    if (connectFailure) throw connectFailure.error;
    channel = await pending.ready;
    await move(channel);
  } catch (error) {
    pending.cancel();
    channel?.connection?.destroy();
    channel?.receiver?.destroy();
    // A refusal of REST or of the command itself already ended the exchange.
    if (!(error instanceof ReplyError)) await recover(control);
    throw error;
  }
  const final = await control.readReply();
  if (!matches(final.code, [2])) throw control.replyError(final);
}

/**
 * After a failed or aborted data transfer (the caller's abort, a stalled or dropped data
 * connection, a local write error), puts the control connection back in step: it sends ABOR
 * (RFC 959 §4.1.3) and reads what the server owes — 426 followed by 226, or 226 alone — within
 * the command limit. If that fails too, the control connection is dropped.
 */
async function recover(control: FtpControl): Promise<void> {
  const connection = control.connection;
  if (!connection.isOpen) return;
  try {
    // Servers answer ABOR differently (426 then 226; 226 alone; 226 for the finished transfer
    // then 225 for the ABOR), so a NOOP follows it and replies are read until the NOOP's 200.
    await control.write(["ABOR"]);
    await control.write(["NOOP"]);
    for (let replies = 0; replies < 4; replies++) {
      if ((await control.readReply()).code === 200) return;
    }
    throw new ConnectionClosedError("too many replies after ABOR");
  } catch {
    connection.destroy(
      new ConnectionClosedError("the control connection did not recover after an aborted transfer"),
    );
  }
}
