/**
 * Shell commands about the session itself: open, close, pwd, cd, lcd, lpwd, lls, bookmark,
 * bookmarks, quit. Every remote text printed (greeting, folder names) goes through `sanitize()`.
 */
import { readdir, stat } from "node:fs/promises";
import { InvalidArgumentError } from "../../../../errors.js";
import { resolveCredentials } from "../../../../transport/credentials.js";
import { formatTarget } from "../../../../transport/url.js";
import { saveConfig } from "../../../config.js";
import { sanitize } from "../../../terminal.js";
import { isInteractive, promptSecret } from "../connect.js";
import { argumentsOf, type ShellCommand } from "./table.js";

/** Names a bookmark (or site) may have: short, plain, and never mistaken for a URL. */
export const ENTRY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Most greeting lines shown on `open`. */
const GREETING_LINES = 10;

export const open: ShellCommand = {
  name: "open",
  usage: "open [--insecure] URL|BOOKMARK",
  summary: "connect to an FTP server (ftp://, ftpes://, ftps:// URL or a bookmark name)",
  options: [
    {
      name: "insecure",
      type: "boolean",
      description: "allow sending a password over plain ftp:// (in the clear)",
    },
  ],
  args: { min: 1, max: 1 },
  argument: argumentsOf("bookmark", "none"),
  changesRemote: true,
  async run({ session, context, values, positionals }) {
    await session.open(positionals[0]!, context, { insecure: values.insecure === true });
    const connection = session.connection!;
    const greeting = connection.client.session.greeting.split("\n").slice(0, GREETING_LINES);
    for (const line of greeting) session.out.remote(line);
    session.out.line(`connected to ${sanitize(connection.url)}, in ${sanitize(session.remoteCwd)}`);
    return undefined;
  },
};

export const close: ShellCommand = {
  name: "close",
  aliases: ["disconnect"],
  usage: "close",
  summary: "say goodbye to the server (the shell stays)",
  args: { min: 0, max: 0 },
  changesRemote: true,
  async run({ session }) {
    if (!session.connection) session.out.note("not connected");
    await session.close();
    return undefined;
  },
};

export const pwd: ShellCommand = {
  name: "pwd",
  usage: "pwd",
  summary: "print the remote working folder",
  args: { min: 0, max: 0 },
  async run({ session, context }) {
    const { client } = session.requireConnection();
    session.remoteCwd = await client.pwd({ signal: context.signal });
    session.out.remote(session.remoteCwd);
    return undefined;
  },
};

export const cd: ShellCommand = {
  name: "cd",
  aliases: ["cwd"],
  usage: "cd [FOLDER]",
  summary: "change the remote working folder (no argument: back to where the session began)",
  args: { min: 0, max: 1 },
  argument: argumentsOf("remote-dir", "none"),
  async run({ session, context, positionals }) {
    const { client, home } = session.requireConnection();
    await client.cd(positionals[0] ?? home, { signal: context.signal });
    session.remoteCwd = await client.pwd({ signal: context.signal });
    return undefined;
  },
};

export const lcd: ShellCommand = {
  name: "lcd",
  usage: "lcd [FOLDER]",
  summary: "change the local working folder (no argument: the home folder)",
  args: { min: 0, max: 1 },
  argument: argumentsOf("local-dir", "none"),
  async run({ session, positionals }) {
    const path = session.localPath(positionals[0] ?? "~");
    const info = await stat(path);
    if (!info.isDirectory()) throw new InvalidArgumentError(`lcd: ${sanitize(path)} is not a folder`);
    session.localCwd = path;
    session.out.line(`local folder: ${sanitize(path)}`);
    return undefined;
  },
};

export const lpwd: ShellCommand = {
  name: "lpwd",
  usage: "lpwd",
  summary: "print the local working folder",
  args: { min: 0, max: 0 },
  async run({ session }) {
    session.out.line(sanitize(session.localCwd));
    return undefined;
  },
};

export const lls: ShellCommand = {
  name: "lls",
  usage: "lls [FOLDER]",
  summary: "list a local folder (folders end with /)",
  args: { min: 0, max: 1 },
  argument: argumentsOf("local-dir", "none"),
  async run({ session, positionals }) {
    const entries = await readdir(session.localPath(positionals[0] ?? "."), { withFileTypes: true });
    const names = entries.map((entry) => entry.name + (entry.isDirectory() ? "/" : "")).sort();
    for (const name of names) session.out.line(sanitize(name));
    return undefined;
  },
};

export const bookmark: ShellCommand = {
  name: "bookmark",
  usage: "bookmark [--password] NAME",
  summary: "save the server and the current remote folder as NAME (the password only with --password)",
  options: [
    {
      name: "password",
      type: "boolean",
      description: "also store the password, in the config file (mode 0600)",
    },
  ],
  args: { min: 1, max: 1 },
  argument: argumentsOf("bookmark", "none"),
  async run({ session, context, values, positionals }) {
    const name = positionals[0]!;
    if (!ENTRY_NAME.test(name)) {
      throw new InvalidArgumentError(
        "a bookmark name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
      );
    }
    const connection = session.requireConnection();
    const { target } = connection;
    const url = formatTarget({ ...target, rawPath: "/" });
    const entry: { url: string; remotePath: string; password?: string } = {
      url,
      remotePath: session.remoteCwd,
    };
    if (values.password === true) {
      let password = connection.resolved.target.password ?? connection.resolved.bookmark?.password;
      if (password === undefined && target.user !== undefined) {
        password = (await resolveCredentials({ target, env: session.env })).password;
      }
      if (password === undefined && target.user !== undefined && isInteractive(context.io)) {
        password = await promptSecret(context, `Password for ${target.user}@${target.host} (to store): `);
      }
      if (password === undefined || password === "") {
        throw new InvalidArgumentError("bookmark --password: no password is known for this connection");
      }
      entry.password = password;
    }
    const loaded = await session.loadConfig();
    loaded.config.bookmarks[name] = entry;
    await saveConfig(loaded.config, loaded.path);
    session.out.line(
      `bookmark ${name}: ${sanitize(url)} in ${sanitize(session.remoteCwd)}` +
        (entry.password !== undefined ? ` (password stored in ${sanitize(loaded.path)})` : ""),
    );
    return undefined;
  },
};

export const bookmarks: ShellCommand = {
  name: "bookmarks",
  usage: "bookmarks",
  summary: "list the saved bookmarks",
  args: { min: 0, max: 0 },
  async run({ session }) {
    const { config } = await session.loadConfig();
    const names = Object.keys(config.bookmarks).sort();
    if (names.length === 0) session.out.note("no bookmarks yet: 'bookmark NAME' saves the current server");
    for (const name of names) {
      const entry = config.bookmarks[name]!;
      const folder = entry.remotePath !== undefined ? `  ${entry.remotePath}` : "";
      const stored = entry.password !== undefined ? "  (password stored)" : "";
      session.out.line(sanitize(`${name}  ${entry.url}${folder}${stored}`));
    }
    return undefined;
  },
};

export const quit: ShellCommand = {
  name: "quit",
  aliases: ["exit", "bye"],
  usage: "quit",
  summary: "close the connection and leave the shell (Ctrl-D too)",
  args: { min: 0, max: 0 },
  async run({ session }) {
    session.quitting = true;
    await session.close();
    return undefined;
  },
};
