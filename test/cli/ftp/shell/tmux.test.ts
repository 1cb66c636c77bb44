// The shell through a real pseudo-terminal: `node bin/inet ftp shell` runs inside a detached tmux
// session (a private tmux server on its own socket), keys are sent with send-keys and the screen
// is read with capture-pane. Shows Tab completion and history recall on a real terminal.
// tmux must be installed in CI (the test fails there without it); elsewhere it skips, saying why.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { devNull } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { findProgram, inCi } from "../../../interop/ftp/peer-requirements.js";
import { cleanup, HOME, serveTree, tempDir } from "../ftp-fixtures.js";

const run = promisify(execFile);
const BIN = fileURLToPath(new URL("../../../../bin/inet", import.meta.url));
/** How long to wait for the screen to show something before failing with what it shows. */
const PATIENCE_MS = 20_000;

/** `text` in single quotes for sh. */
function shQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

describe("inet ftp shell in a real terminal (tmux)", () => {
  after(cleanup);

  it("completes with Tab and recalls history with ↑", async (t) => {
    const tmux = findProgram("tmux");
    if (tmux === undefined) {
      if (inCi()) assert.fail("tmux must be installed in CI (apt-get install tmux)");
      t.skip("tmux is not installed");
      return;
    }
    const { server, url } = await serveTree({ "pub/readme.txt": "read me\n", "pub/other.txt": "x\n" });
    // A private tmux server: its socket lives in a temporary folder removed after the test.
    const socket = join(await tempDir(), "tmux");
    const tmuxCommand = (...args: string[]) =>
      run(tmux, ["-S", socket, "-f", devNull, ...args], {
        env: { ...process.env, TMUX: "", TERM: "xterm-256color" },
      });
    const screen = async () => (await tmuxCommand("capture-pane", "-p", "-t", "shell")).stdout;
    /** Waits until the screen shows `pattern`: on the cursor's line (the last one written) unless `anywhere`. */
    const waitForScreen = async (pattern: RegExp, anywhere = false): Promise<string> => {
      const deadline = Date.now() + PATIENCE_MS;
      for (;;) {
        const text = await screen();
        const lines = text.trimEnd().split("\n");
        if (pattern.test(anywhere ? text : lines[lines.length - 1]!)) return text;
        if (Date.now() > deadline) assert.fail(`no ${pattern} on the screen:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      const local = await tempDir();
      const env = [
        `HOME=${shQuote(HOME)}`,
        `XDG_CONFIG_HOME=${shQuote(join(HOME, "config"))}`,
        `XDG_STATE_HOME=${shQuote(join(HOME, "state"))}`,
        `INET_CONFIG=${shQuote(process.env.INET_CONFIG!)}`,
        `NETRC=${shQuote(process.env.NETRC!)}`,
      ].join(" ");
      const command = `env ${env} ${shQuote(process.execPath)} ${shQuote(BIN)} ftp shell ${url}/; echo "shell exited with $?"; sleep 60`;
      await tmuxCommand("new-session", "-d", "-s", "shell", "-x", "120", "-y", "40", "-c", local, command);
      const first = await waitForScreen(/^ftp 127\.0\.0\.1:\/> ?$/);
      assert.match(first, /^connected to ftp:\/\/127\.0\.0\.1:\d+, in \/$/m);

      await tmuxCommand("send-keys", "-t", "shell", "cd p", "Tab");
      await waitForScreen(/^ftp 127\.0\.0\.1:\/> cd pub\/$/);
      await tmuxCommand("send-keys", "-t", "shell", "Enter");
      await waitForScreen(/^ftp 127\.0\.0\.1:\/pub> ?$/);

      await tmuxCommand("send-keys", "-t", "shell", "get rea", "Tab");
      await waitForScreen(/^ftp 127\.0\.0\.1:\/pub> get readme\.txt ?$/);
      await tmuxCommand("send-keys", "-t", "shell", "Enter");
      await waitForScreen(/1 file, 8 B in .*\n.*ftp 127\.0\.0\.1:\/pub> ?$/m, true);
      assert.equal(await readFile(join(local, "readme.txt"), "utf8"), "read me\n");

      await tmuxCommand("send-keys", "-t", "shell", "Up");
      await waitForScreen(/^ftp 127\.0\.0\.1:\/pub> get readme\.txt$/);
      await tmuxCommand("send-keys", "-t", "shell", "Up");
      await waitForScreen(/^ftp 127\.0\.0\.1:\/pub> cd pub\/$/);
      await tmuxCommand("send-keys", "-t", "shell", "C-u", "quit", "Enter");
      await waitForScreen(/^shell exited with 0$/);

      const history = await readFile(join(HOME, "state", "inetkit", "ftp-history"), "utf8");
      assert.match(history, /^cd pub\/\nget readme\.txt\nquit\n$/);
      assert.equal(existsSync(join(local, "readme.txt.part")), false);
    } finally {
      await tmuxCommand("kill-server").catch(() => {});
      await server.close();
    }
  });
});
