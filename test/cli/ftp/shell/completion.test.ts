import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SHELL_COMMAND_NAMES, SHELL_COMMANDS } from "../../../../src/cli/commands/ftp/shell/commands.js";
import {
  type CompletionEntry,
  type CompletionSources,
  complete,
} from "../../../../src/cli/commands/ftp/shell/completion.js";
import { completionSources } from "../../../../src/cli/commands/ftp/shell/loop.js";
import { findShellCommand } from "../../../../src/cli/commands/ftp/shell/table.js";
import { parseWords } from "../../../../src/cli/commands/ftp/shell/words.js";

const REMOTE: Record<string, CompletionEntry[]> = {
  "": [
    { name: "pub", type: "directory" },
    { name: "public html", type: "directory" },
    { name: "readme.txt", type: "file" },
    { name: "release notes.txt", type: "file" },
    { name: "it's.txt", type: "file" },
    { name: ".hidden", type: "file" },
    { name: "re\u001b[2Jset", type: "file" },
    { name: "re\u202egpj.exe", type: "file" },
    { name: "link", type: "symlink" },
  ],
  "pub/": [
    { name: "a.tar.gz", type: "file" },
    { name: "archive", type: "directory" },
  ],
};
const LOCAL: Record<string, CompletionEntry[]> = {
  "": [
    { name: "upload.py", type: "file" },
    { name: "docs", type: "directory" },
  ],
};

/** Sources over fixed tables, recording which folders were listed. */
function sources(listed: string[] = []): CompletionSources {
  return {
    commands: SHELL_COMMAND_NAMES,
    argumentKind: (name, index, previous, options) =>
      findShellCommand(SHELL_COMMANDS, name)?.argument?.(index, previous, options) ?? "none",
    async listRemote(folder) {
      listed.push(`remote:${folder}`);
      const entries = REMOTE[folder];
      if (!entries) throw new Error("550 no such folder");
      return entries;
    },
    async listLocal(folder) {
      listed.push(`local:${folder}`);
      return LOCAL[folder] ?? [];
    },
    async bookmarks() {
      return ["work", "home", "www"];
    },
  };
}

describe("shell completion", () => {
  it("completes command names at the start of a line", async () => {
    assert.deepEqual(await complete("mk", sources()), [["mkdir "], "mk"]);
    assert.deepEqual(await complete("m", sources()), [["mget ", "mirror ", "mkdir ", "mput ", "mv "], "m"]);
    assert.deepEqual(await complete("zz", sources()), [[], "zz"]);
    const [all] = await complete("", sources());
    assert.ok(all.includes("open ") && all.includes("quit ") && all.includes("bye "));
  });

  it("completes remote names for remote arguments, with a / after folders", async () => {
    const listed: string[] = [];
    assert.deepEqual(await complete("get rea", sources(listed)), [["readme.txt "], "rea"]);
    assert.deepEqual(await complete("cd p", sources(listed)), [["pub/", "public\\ html/"], "p"]);
    assert.deepEqual(await complete("get pub/a", sources(listed)), [
      ["pub/a.tar.gz ", "pub/archive/"],
      "pub/a",
    ]);
    assert.deepEqual(listed, ["remote:", "remote:", "remote:pub/"]);
  });

  it("offers only folders (and symlinks) where a folder is expected", async () => {
    const [names] = await complete("cd ", sources());
    // A symlink may point at a folder; it completes as a name (no / added: it may not be one).
    assert.deepEqual(names, ["link ", "pub/", "public\\ html/"]);
    assert.deepEqual((await complete("rmdir pu", sources()))[0], ["pub/", "public\\ html/"]);
  });

  it("quotes names with blanks and quotes, continuing the user's own quoting", async () => {
    assert.deepEqual(await complete("get rel", sources()), [["release\\ notes.txt "], "rel"]);
    assert.deepEqual(await complete('get "rel', sources()), [['"release notes.txt" '], '"rel']);
    assert.deepEqual(await complete("get 'rel", sources()), [["'release notes.txt' "], "'rel"]);
    assert.deepEqual(await complete("get release\\ n", sources()), [["release\\ notes.txt "], "release\\ n"]);
    assert.deepEqual(await complete("get it", sources()), [["it\\'s.txt "], "it"]);
    assert.deepEqual(await complete("get 'it", sources()), [["'it'\\''s.txt' "], "'it"]);
    // Whatever is offered reads back as the real name.
    for (const line of ["get rel", 'get "rel', "get 'rel", "get it", "get 'it", "cd pub"]) {
      const [[completion]] = await complete(line, sources());
      const typedAt = line.indexOf(" ") + 1;
      const words = parseWords(`${line.slice(0, typedAt)}${completion}`);
      assert.ok(
        ["release notes.txt", "it's.txt", "pub/"].includes(words[1]!),
        `${line} → ${completion} → ${words[1]}`,
      );
    }
  });

  it("never offers names that would change the terminal, nor hidden ones unless a dot is typed", async () => {
    const [names] = await complete("get re", sources());
    assert.deepEqual(names, ["readme.txt ", "release\\ notes.txt "]);
    assert.deepEqual((await complete("get .", sources()))[0], [".hidden "]);
  });

  it("completes local names for local arguments", async () => {
    assert.deepEqual(await complete("put up", sources()), [["upload.py "], "up"]);
    assert.deepEqual(await complete("lcd ", sources()), [["docs/"], ""]);
    assert.deepEqual(await complete("mput d", sources()), [["docs/"], "d"]);
    // get REMOTE LOCAL: the second argument is local.
    assert.deepEqual(await complete("get readme.txt do", sources()), [["docs/"], "do"]);
  });

  it("follows mirror's direction: remote then local, local then remote with -R", async () => {
    assert.deepEqual((await complete("mirror -r p", sources()))[0], ["pub/", "public\\ html/"]);
    assert.deepEqual((await complete("mirror -R d", sources()))[0], ["docs/"]);
    assert.deepEqual((await complete("mirror --reverse docs p", sources()))[0], ["pub/", "public\\ html/"]);
  });

  it("completes bookmarks after open and command names after help", async () => {
    assert.deepEqual(await complete("open w", sources()), [["work ", "www "], "w"]);
    assert.deepEqual(await complete("help ren", sources()), [["rename "], "ren"]);
  });

  it("offers nothing for options, extra arguments or a failing listing", async () => {
    assert.deepEqual(await complete("ls -", sources()), [[], "-"]);
    assert.deepEqual(await complete("pwd x", sources()), [[], "x"]);
    assert.deepEqual(await complete("get nowhere/x", sources()), [[], "nowhere/x"]);
    assert.deepEqual(await complete("frobnicate x", sources()), [[], "x"]);
  });

  it("the session's sources offer nothing remote when not connected", async () => {
    const { ShellSession } = await import("../../../../src/cli/commands/ftp/shell/session.js");
    const { Output } = await import("../../../../src/cli/output.js");
    const { PassThrough } = await import("node:stream");
    const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
    const session = new ShellSession({
      out: new Output(io),
      configFile: join(tmpdir(), "inet-shell-no-config.json"),
    });
    assert.deepEqual(await complete("get ", completionSources(session)), [[], ""]);
  });
});
