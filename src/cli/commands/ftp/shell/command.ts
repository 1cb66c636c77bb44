/**
 * The `inet ftp shell` command's spec. The shell itself (the loop, completion, history, the
 * session) is imported when the command runs, so other `inet` commands do not load it.
 */
import type { CommandSpec } from "../../../command.js";
import type { LoadedConfig } from "../../../config.js";
import { connectOptionsFrom, ftpConnectOptions } from "../connect.js";

export const shellCommand: CommandSpec = {
  name: "shell",
  summary: "an interactive FTP client (completion, history, bookmarks); scriptable through stdin",
  usage: "inet ftp shell [-e] [-q] [--insecure] [--active] [--timeout SECONDS] [--ca FILE] [URL | BOOKMARK]",
  description: [
    "An interactive client in the spirit of /bin/ftp and ncftp. Commands: open, close, ls [-l], " +
      "cd, pwd, lcd, lpwd, lls, get, put, mget and mput (with globs: *.txt, doc*.pdf), mkdir, " +
      "rmdir, rm, rename, mirror [-r] [-R] [--dry-run] [--delete], bookmark NAME [--password], " +
      "bookmarks, help [COMMAND], quit (also exit, bye). Names with blanks go in quotes " +
      "('my file.txt', \"my file.txt\") or take a backslash (my\\ file.txt).",
    "On a terminal: Tab completes command names, remote names (listings are cached for the " +
      "session and refreshed after changes) and local names; the command history is kept across " +
      "sessions in $XDG_STATE_HOME/inetkit/ftp-history (mode 0600, the newest 1000 lines; a URL's " +
      "password is never written there; a line starting with a blank is not kept). Transfers " +
      "show their progress. Ctrl-C stops the running command and returns to the prompt; Ctrl-C " +
      "at the prompt drops the line; Ctrl-D or 'quit' leaves.",
    "When standard input is not a terminal the shell reads commands line by line, with no " +
      "prompt, until the end of input: a script. A failing command prints 'inet: …' on stderr " +
      "and the next one runs (with -e, the shell stops there). The exit code is 0 when every " +
      "command succeeded, else the exit code of the last command that failed (table below).",
    "Passwords: from the URL, a bookmark, ~/.netrc, INET_FTP_PASSWORD / INET_PASSWORD, or a " +
      "prompt on a terminal. Plain ftp:// sends a password only with --insecure (here or on " +
      "'open'); prefer ftpes://.",
  ].join("\n\n"),
  options: [
    ...ftpConnectOptions,
    { name: "fail-fast", short: "e", type: "boolean", description: "stop at the first command that fails" },
    { name: "quiet", short: "q", type: "boolean", description: "no progress display for transfers" },
  ],
  positionals: { min: 0, max: 1 },
  examples: [
    ["inet ftp shell ftpes://alice@files.example.test/pub", "connect, then type commands (Tab completes)"],
    ["inet ftp shell work", "open the bookmark 'work'"],
    [
      "printf 'cd pub\\nmget *.txt\\n' | inet ftp shell -e ftp://127.0.0.1:2121/",
      "a script: fetch the text files of /pub, stop at the first error",
    ],
  ],
  async run(args, context) {
    const [{ loadConfig, statePath }, { HistoryStore }, { runShell }, { ShellSession }] = await Promise.all([
      import("../../../config.js"),
      import("./history.js"),
      import("./loop.js"),
      import("./session.js"),
    ]);
    let loaded: LoadedConfig | undefined;
    try {
      loaded = await loadConfig();
    } catch (error) {
      // A broken config file should not lock the user out of the shell; 'open BOOKMARK' reports it.
      context.out.note(`inet: warning: ${error instanceof Error ? error.message : String(error)}`);
    }
    const connectOptions = await connectOptionsFrom(args, loaded?.config);
    const session = new ShellSession({
      out: context.out,
      connectOptions,
      quiet: args.values.quiet === true,
      ...(loaded ? { configFile: loaded.path } : {}),
    });
    let warned = false;
    const history = await HistoryStore.load(
      context.io.stdin.isTTY === true ? statePath("ftp-history") : undefined,
      {
        onError: (error) => {
          if (warned) return;
          warned = true;
          context.out.note(
            `inet: warning: the history file could not be used: ${error instanceof Error ? error.message : String(error)}`,
          );
        },
      },
    );
    const initial = args.positionals[0];
    return runShell(context, {
      session,
      history,
      failFast: args.values["fail-fast"] === true,
      ...(initial !== undefined ? { initial } : {}),
    });
  },
};
