// The Python side of the MIME interop tests: finding python3 (from PATH, with its email package
// checked once), running dump.py over many files in one process, and running the Python builders.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** dump.py, next to this file. */
export const DUMP_SCRIPT = fileURLToPath(new URL("./dump.py", import.meta.url));
/** py-build.py, next to this file. */
export const BUILD_SCRIPT = fileURLToPath(new URL("./py-build.py", import.meta.url));

/** A result of get_payload(decode=True) or get_content() as dump.py reports it. */
export interface PyDigest {
  length: number;
  sha256: string;
}

/** A text leaf's get_content(): its UTF-8 digest and first 60 characters, or Python's exception. */
export type PyText = (PyDigest & { head: string }) | { error: string };

/** A header Python could not build. */
export interface PyError {
  error: string;
}

/** One node of Python's part tree (see dump.py). */
export interface PyNode {
  contentType: string;
  charset: string | null;
  boundary: string | null;
  filename: string | null;
  disposition: string | null;
  /** The raw Content-ID header, angle brackets included. */
  contentId: string | null | PyError;
  /** Decoded Subject of this part (set on a message's root). */
  subject: string | null | PyError;
  /** Names of Python's defect classes for this part. */
  defects: string[];
  children: PyNode[];
  /** get_payload(decode=True) of a leaf. */
  body?: PyDigest;
  /** get_content() of a text leaf. */
  text?: PyText;
}

/** An address group as email.headerregistry sees it; a lone mailbox is a group named null. */
export interface PyGroup {
  group: string | null;
  members: { name: string; addr: string }[];
}

/** What dump.py prints for one file. */
export interface PyMessage {
  file: string;
  error?: string;
  subject: string | null | PyError;
  from: PyGroup[] | PyError;
  to: PyGroup[] | PyError;
  cc: PyGroup[] | PyError;
  /** Defects Python found in header values anywhere in the message: `"Subject: NameOfDefect"`. */
  headerDefects: string[];
  /** get_body(preferencelist=("plain",)).get_content() (line endings kept), or null without one. */
  mainText: PyText | null;
  /** The same for "html". */
  mainHtml: PyText | null;
  /** The tree from message_from_binary_file (universal newlines: unencoded bodies lose their CRs). */
  root: PyNode;
  /** The tree from message_from_bytes (line endings kept): bodies and texts are compared with this one. */
  exactRoot: PyNode;
}

let checked: Promise<string> | undefined;

/**
 * The python3 on PATH, after checking once that it runs and imports email, email.policy and
 * email.headerregistry; rejects with a message saying what is missing (the tests never skip).
 */
export function python(): Promise<string> {
  checked ??= run(
    "python3",
    ["-c", "import email, email.policy, email.headerregistry, json, sys; print(sys.version_info[0])"],
    {
      encoding: "utf8",
    },
  ).then(
    ({ stdout }) => {
      if (stdout.trim() !== "3")
        throw new Error(`python3 on PATH is not Python 3 (printed ${stdout.trim()})`);
      return "python3";
    },
    (error: Error) => {
      throw new Error(
        `python3 with its email package is required for the MIME interop tests: ${error.message}`,
      );
    },
  );
  return checked;
}

/** Runs a Python script file with arguments; resolves with its stdout (stderr is kept in errors). */
export async function runPython(script: string, args: readonly string[]): Promise<string> {
  const command = await python();
  const { stdout } = await run(command, [script, ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return stdout;
}

/** Python's view of each file, in the same order, from one dump.py process. */
export async function dumpWithPython(paths: readonly string[]): Promise<PyMessage[]> {
  const dumps = JSON.parse(await runPython(DUMP_SCRIPT, paths)) as PyMessage[];
  if (dumps.length !== paths.length)
    throw new Error(`dump.py answered ${dumps.length} of ${paths.length} files`);
  for (const dump of dumps) if (dump.error) throw new Error(`dump.py failed on ${dump.file}: ${dump.error}`);
  return dumps;
}

/** One message of py-build.py's manifest: its file, subject, and leaves with what was put in them. */
export interface PyBuilt {
  name: string;
  file: string;
  subject: string;
  leaves: {
    type: string;
    filename: string | null;
    disposition: string | null;
    contentId: string | null;
    text?: string;
    sha256?: string;
    length?: number;
  }[];
}

/** Runs py-build.py: writes its "general" or "seed" messages into `dir` and returns its manifest. */
export async function pythonBuild(dir: string, set: "general" | "seed"): Promise<PyBuilt[]> {
  return JSON.parse(await runPython(BUILD_SCRIPT, [dir, set])) as PyBuilt[];
}
