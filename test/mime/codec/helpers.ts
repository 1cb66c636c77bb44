/**
 * Shared helpers of the codec tests: driving a push/end codec over a given chunk split, the
 * splits themselves, and one batched call into python3 per test file.
 */
import { execFileSync } from "node:child_process";

/** Anything with the codecs' push/end shape. */
export interface PushEnd {
  push(chunk: Uint8Array): Buffer;
  end(): Buffer;
}

/** Feeds `chunks` in order and returns everything the codec produced, ended. */
export function drive(codec: PushEnd, chunks: readonly Uint8Array[]): Buffer {
  const out: Buffer[] = [];
  for (const chunk of chunks) out.push(codec.push(chunk));
  out.push(codec.end());
  return Buffer.concat(out);
}

/** Cuts `input` at the given offsets (in any order, clamped, duplicates allowed). */
export function splitAt(input: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(input.length, c))))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(input.subarray(start, point));
    start = point;
  }
  chunks.push(input.subarray(start));
  return chunks;
}

/** Every two-piece split of `input`, plus the byte-by-byte split. */
export function everySplit(input: Uint8Array): Uint8Array[][] {
  const splits: Uint8Array[][] = [];
  for (let at = 0; at <= input.length; at++) splits.push([input.subarray(0, at), input.subarray(at)]);
  splits.push(Array.from(input, (byte) => Uint8Array.of(byte)));
  return splits;
}

/** Latin1 bytes of a string (every char one byte). */
export const bytes = (text: string): Buffer => Buffer.from(text, "latin1");

/**
 * Runs a python3 script once: it reads a JSON array from stdin and must print a JSON value.
 * Byte strings cross as hex both ways (`bytes.fromhex` / `.hex()`).
 */
export function python(script: string, input: unknown): unknown {
  const output = execFileSync("python3", ["-c", script], {
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(output);
}

/**
 * Runs `run` while counting what is handed to Node's base64 decoder through `Buffer#write`
 * (the calls, and their characters). The spy is removed afterwards, whatever happens.
 */
export async function spyNativeBase64<T>(
  run: () => T | Promise<T>,
): Promise<{ result: T; calls: number; chars: number }> {
  const original = Buffer.prototype.write;
  let calls = 0;
  let chars = 0;
  Buffer.prototype.write = function (this: Buffer, ...args: unknown[]): number {
    if (typeof args[0] === "string" && args.includes("base64")) {
      calls += 1;
      chars += args[0].length;
    }
    return Reflect.apply(original, this, args) as number;
  } as typeof original;
  try {
    const result = await run();
    return { result, calls, chars };
  } finally {
    Buffer.prototype.write = original;
  }
}
