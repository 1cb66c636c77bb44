// Shared set-up for the `inet mail` command tests (not a test file). Importing it points HOME, the
// XDG folders, INET_CONFIG and NETRC at a fresh temporary folder, so no test can read or write the
// real home; it clears the INET_* credential variables and the editor variables.
import { mkdtempSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseMessage } from "../../../src/mime/parse/index.js";
import { type MailServer, type MailServerOptions, startMailServer } from "../../../src/servers/mail/index.js";
import { type CliRun, runCli } from "../run-cli.js";

/** The temporary home of this test process. */
export const HOME = mkdtempSync(join(tmpdir(), "inetkit-cli-mail-home-"));
process.env.HOME = HOME;
process.env.XDG_CONFIG_HOME = join(HOME, "config");
process.env.XDG_STATE_HOME = join(HOME, "state");
process.env.INET_CONFIG = join(HOME, "config", "inetkit", "config.json");
process.env.NETRC = join(HOME, "netrc");
for (const name of [
  "INET_PASSWORD",
  "INET_SMTP_PASSWORD",
  "INET_USER",
  "INET_SMTP_USER",
  "VISUAL",
  "EDITOR",
]) {
  delete process.env[name];
}

/** The users of every test server: alice and bob (and carol) at localhost. */
export const USERS = [
  { name: "alice", password: "alice-secret" },
  { name: "bob", password: "bob-secret" },
  { name: "carol", password: "carol-secret" },
];

/** A fresh temporary folder (removed by {@link cleanup}). */
const made: string[] = [HOME];
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "inetkit-cli-mail-"));
  made.push(dir);
  return dir;
}

/** Writes `content` to a new file in a fresh folder and returns its path. */
export async function tempFile(name: string, content: string | Buffer, mode = 0o644): Promise<string> {
  const path = join(await tempDir(), name);
  await writeFile(path, content, { mode });
  return path;
}

/** Removes every folder made here. */
export async function cleanup(): Promise<void> {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
}

/** Our mail server on loopback (in-memory store) with {@link USERS}. */
export function mailServer(options: MailServerOptions = {}): Promise<MailServer> {
  return startMailServer({ users: USERS, ...options });
}

/** `inet mail ARGS…` in-process. */
export function mail(...args: string[]): Promise<CliRun> {
  return runCli(["mail", ...args]);
}

/** `inet mail ARGS…` with `input` on standard input. */
export function mailWithInput(input: string, ...args: string[]): Promise<CliRun> {
  return runCli(["mail", ...args], { input });
}

/** Every message in `user`'s mailbox, as bytes and parsed. */
export async function mailbox(server: MailServer, user: string) {
  const stored = await server.store.list(user);
  return Promise.all(
    stored.map(async (entry) => {
      const bytes = await server.store.readMessage(user, entry.id);
      return { bytes, text: bytes.toString("utf8"), parsed: await parseMessage(bytes) };
    }),
  );
}

/** Empties every mailbox, so each test sees only what it sent. */
export async function emptyMailboxes(server: MailServer): Promise<void> {
  for (const user of await server.store.mailboxes()) {
    for (const entry of await server.store.list(user)) await server.store.remove(user, entry.id);
  }
}

/** The address of a parsed message's (first) From mailbox. */
export function fromAddress(parsed: {
  from: ReadonlyArray<{ address: string } | { group: string }>;
}): string {
  const first = parsed.from[0];
  return first !== undefined && "address" in first ? first.address : "";
}
