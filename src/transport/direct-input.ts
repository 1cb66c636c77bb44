/**
 * Plain TCP input without Node's stream machinery: the socket reads into one buffer of its own
 * (`net.connect`'s `onread`) and each read is copied out, at its own length, to a sink. A command
 * channel receives a few short replies per command; handing each through a Readable (push, the
 * 'data' event, the read-more tick) costs more than the copy. Flow control is unchanged: `pause()`
 * and `resume()` on the socket stop and restart reading, and 'end', 'error' and 'close' are
 * emitted as usual.
 *
 * A socket made with it must be connected with {@link DirectInput.onread}; TLS sockets take their
 * input from the TLS layer and never use it.
 */

/** Bytes per socket read. */
const READ_BUFFER_BYTES = 64 * 1024;

export class DirectInput {
  /** Chunks read before a sink was attached (a greeting can come with the connection). */
  private early: Buffer[] = [];
  private sink: ((chunk: Buffer) => void) | undefined;

  /** What to pass as `onread` to `net.connect` (through `dial`). */
  readonly onread = {
    buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
    callback: (length: number, buffer: Buffer): boolean => {
      // The read buffer is reused by the next read: the chunk gets bytes of its own.
      const chunk = Buffer.allocUnsafe(length);
      buffer.copy(chunk, 0, 0, length);
      if (this.sink) this.sink(chunk);
      else this.early.push(chunk);
      return true;
    },
  };

  /** Sends every chunk, those already read first, to `sink`. */
  attach(sink: (chunk: Buffer) => void): void {
    this.sink = sink;
    const early = this.early;
    this.early = [];
    for (const chunk of early) sink(chunk);
  }

  /** Drops whatever is read from now on (the socket has a new owner, such as a TLS layer). */
  detach(): void {
    this.sink = ignore;
    this.early = [];
  }
}

function ignore(): void {}
