/**
 * Scripts for the scripted server: the step types, and the parser for the classic transcript
 * text (`S:` lines the server sends, `C:` lines it expects from the client, and fault directives).
 * Pure: no sockets here.
 */
import { InvalidArgumentError } from "../../errors.js";

/** Which of the {@link testCertificates} a `TLS` step presents. */
export type CertificateKind = "localhost" | "selfSigned" | "expired" | "wrongHost";

/** What a `C:` step accepts: one exact line, any line (`C: *`), or a line matching `C: /re/flags`. */
export type Expectation =
  | { type: "exact"; text: string }
  | { type: "any" }
  | { type: "regex"; pattern: RegExp };

/**
 * One step of a script. Sends and expectations run in order; the mode steps (`bareLF`, `split`,
 * `drip`, `closeAfterBytes`, `closeAt`) change how the steps after them behave.
 */
export type ScriptStep =
  /** `S: text` — send one line, terminated by CRLF (or LF under `bareLF`). */
  | { op: "send"; text: string }
  /** `C: …` — read one client line and compare it. */
  | { op: "expect"; expect: Expectation }
  /** `delay ms` — wait before the next step. */
  | { op: "delay"; ms: number }
  /** `stall` — stop answering; keep the socket open until the client or `server.close()` ends it. */
  | { op: "stall" }
  /** `drip ms` — send the next S: text one byte at a time, `ms` apart. */
  | { op: "drip"; intervalMs: number }
  /** `closeAfterBytes n` — send only the first n bytes of the rest of the output, then destroy. */
  | { op: "closeAfterBytes"; bytes: number }
  /** `close` — end the connection (FIN) and stop. */
  | { op: "close" }
  /** `reset` — destroy the connection abruptly (RST) and stop. */
  | { op: "reset" }
  /** `closeAt CMD` — from now on, end the connection without answering when the client sends CMD. */
  | { op: "closeAt"; command: string }
  /** `bareLF` / `bareLF off` — terminate the following S: lines with LF only. */
  | { op: "bareLF"; enabled: boolean }
  /** `split` / `split n` / `split off` — send each following S: line in 1-byte writes, or in two writes split at n. */
  | { op: "split"; at: number | "bytes" | "off" }
  /** `oversized n` — send n bytes of `x` with no line ending, in chunks, honouring backpressure. */
  | { op: "oversized"; bytes: number }
  /** `inject text` — raw bytes (escapes decoded) sent in the SAME write as the S: line before it. */
  | { op: "inject"; data: Buffer }
  /** `raw text` — raw bytes (escapes decoded) sent as their own write, no terminator added. */
  | { op: "raw"; data: Buffer }
  /** `TLS` / `TLS kind` — upgrade the session to TLS (server side), presenting that certificate. */
  | { op: "tls"; certificate?: CertificateKind }
  /** `plaintextInsteadOfTls [text]` — answer the ClientHello that follows a go-ahead with plaintext. */
  | { op: "plaintextInsteadOfTls"; data?: Buffer };

/** A script as data, or as transcript text for {@link parseTranscript}. */
export type Script = string | readonly ScriptStep[];

const KINDS: Record<string, CertificateKind> = {
  localhost: "localhost",
  selfsigned: "selfSigned",
  expired: "expired",
  wronghost: "wrongHost",
};

/**
 * Parses transcript text into steps. One step per line; leading indentation is ignored, as are
 * blank lines and lines starting with `#`. `S: text` and `C: text` keep their text exactly (after
 * the one space that follows the colon; a trailing CR is dropped); no escapes are read there, so
 * IMAP's `\Seen` stays as it is. `C: *` accepts any line and `C: /re/flags` a matching one.
 * Directives (case-insensitive): `delay ms`, `stall`, `drip [ms=10]`, `closeAfterBytes n`, `close`,
 * `reset`, `closeAt CMD`, `bareLF [on|off]`, `split [n|off]`, `oversized n`, `inject text`,
 * `raw text`, `TLS [localhost|selfSigned|expired|wrongHost]`, `plaintextInsteadOfTls [text]`;
 * in `inject`, `raw` and `plaintextInsteadOfTls` text, `\r \n \t \0 \\ \xHH` are decoded.
 *
 * @throws {InvalidArgumentError} naming the line number, for an unknown directive, a missing or
 *   malformed number, a bad escape, or an invalid regular expression.
 */
export function parseTranscript(text: string): ScriptStep[] {
  const steps: ScriptStep[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const trimmed = line.trimStart();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const fail = (why: string): never => {
      throw new InvalidArgumentError(`transcript line ${index + 1}: ${why}: ${JSON.stringify(trimmed)}`);
    };
    if (trimmed.startsWith("S:")) {
      steps.push({ op: "send", text: afterColon(trimmed) });
      return;
    }
    if (trimmed.startsWith("C:")) {
      steps.push({ op: "expect", expect: parseExpectation(afterColon(trimmed), fail) });
      return;
    }
    const match = /^(\S+)(?:\s(.*))?$/.exec(trimmed.trimEnd());
    const word = match?.[1]?.toLowerCase() ?? "";
    const rest = match?.[2] ?? "";
    const arg = rest.trim();
    const count = (fallback?: number): number => {
      if (arg === "" && fallback !== undefined) return fallback;
      if (!/^\d+$/.test(arg)) return fail("expected a whole number");
      return Number(arg);
    };
    switch (word) {
      case "delay":
        steps.push({ op: "delay", ms: count() });
        break;
      case "stall":
        steps.push({ op: "stall" });
        break;
      case "drip":
        steps.push({ op: "drip", intervalMs: count(10) });
        break;
      case "closeafterbytes":
        steps.push({ op: "closeAfterBytes", bytes: count() });
        break;
      case "close":
        steps.push({ op: "close" });
        break;
      case "reset":
        steps.push({ op: "reset" });
        break;
      case "closeat":
        if (arg === "") fail("closeAt needs a command");
        steps.push({ op: "closeAt", command: arg });
        break;
      case "barelf":
        if (!["", "on", "off"].includes(arg.toLowerCase())) fail("expected on or off");
        steps.push({ op: "bareLF", enabled: arg.toLowerCase() !== "off" });
        break;
      case "split":
        steps.push({ op: "split", at: arg === "" ? "bytes" : arg.toLowerCase() === "off" ? "off" : count() });
        break;
      case "oversized":
        steps.push({ op: "oversized", bytes: count() });
        break;
      case "inject":
      case "raw":
        if (rest === "") fail(`${word} needs text`);
        steps.push({ op: word, data: decodeEscapes(rest, fail) });
        break;
      case "tls": {
        if (arg === "") {
          steps.push({ op: "tls" });
          break;
        }
        const kind = KINDS[arg.toLowerCase()];
        if (!kind) fail("unknown certificate kind");
        steps.push({ op: "tls", certificate: kind });
        break;
      }
      case "plaintextinsteadoftls":
        steps.push(
          rest === ""
            ? { op: "plaintextInsteadOfTls" }
            : { op: "plaintextInsteadOfTls", data: decodeEscapes(rest, fail) },
        );
        break;
      default:
        fail("unknown directive");
    }
  });
  return steps;
}

/** The text after `S:`/`C:` and the single space that conventionally follows it. */
function afterColon(line: string): string {
  return line.startsWith(" ", 2) ? line.slice(3) : line.slice(2);
}

function parseExpectation(text: string, fail: (why: string) => never): Expectation {
  if (text === "*") return { type: "any" };
  const regex = /^\/(.*)\/([dgimsuy]*)$/.exec(text);
  if (regex) {
    try {
      return { type: "regex", pattern: new RegExp(regex[1]!, regex[2]!.replace("g", "")) };
    } catch {
      return fail("invalid regular expression");
    }
  }
  return { type: "exact", text };
}

/** Decodes `\r \n \t \0 \\ \xHH`; any other backslash sequence is an error. */
function decodeEscapes(text: string, fail: (why: string) => never): Buffer {
  const bytes: number[] = [];
  const simple: Record<string, number> = { r: 0x0d, n: 0x0a, t: 0x09, "0": 0x00, "\\": 0x5c };
  for (let i = 0; i < text.length; i++) {
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    if (ch !== "\\") {
      bytes.push(...Buffer.from(ch, "utf8"));
      i += ch.length - 1;
      continue;
    }
    const next = text[i + 1] ?? "";
    if (next in simple) {
      bytes.push(simple[next]!);
      i++;
    } else if (next === "x" && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 2, i + 4))) {
      bytes.push(Number.parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      fail("bad escape");
    }
  }
  return Buffer.from(bytes);
}

/** How an expectation reads in a mismatch record: the text, `*`, or `/re/flags`. */
export function describeExpectation(expect: Expectation): string {
  if (expect.type === "exact") return expect.text;
  if (expect.type === "any") return "*";
  return String(expect.pattern);
}

/** Whether `line` satisfies `expect`. */
export function matchesExpectation(expect: Expectation, line: string): boolean {
  if (expect.type === "exact") return line === expect.text;
  if (expect.type === "any") return true;
  expect.pattern.lastIndex = 0;
  return expect.pattern.test(line);
}
