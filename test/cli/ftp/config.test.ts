// The config file: where it lives (INET_CONFIG, XDG_CONFIG_HOME, ~/.config), reading a missing,
// malformed or too open file, and the atomic 0600 write.
import assert from "node:assert/strict";
import { chmod, mkdir, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  configPath,
  emptyConfig,
  type InetConfig,
  loadConfig,
  parseConfig,
  saveConfig,
  statePath,
} from "../../../src/cli/config.js";
import { InvalidArgumentError } from "../../../src/errors.js";
import { cleanup, HOME, tempDir } from "./ftp-fixtures.js";

after(cleanup);

describe("configPath and statePath", () => {
  it("INET_CONFIG wins, then XDG_CONFIG_HOME, then ~/.config", () => {
    assert.equal(configPath({ INET_CONFIG: "/x/c.json", XDG_CONFIG_HOME: "/y", HOME: "/h" }), "/x/c.json");
    assert.equal(configPath({ XDG_CONFIG_HOME: "/y", HOME: "/h" }), "/y/inetkit/config.json");
    assert.equal(configPath({ HOME: "/h" }), "/h/.config/inetkit/config.json");
    // The XDG spec ignores relative paths.
    assert.equal(configPath({ XDG_CONFIG_HOME: "rel", HOME: "/h" }), "/h/.config/inetkit/config.json");
    assert.equal(configPath({ INET_CONFIG: "", HOME: "/h" }), "/h/.config/inetkit/config.json");
  });

  it("state files go to XDG_STATE_HOME, else ~/.local/state", () => {
    assert.equal(statePath("ftp-history", { XDG_STATE_HOME: "/s", HOME: "/h" }), "/s/inetkit/ftp-history");
    assert.equal(statePath("ftp-history", { HOME: "/h" }), "/h/.local/state/inetkit/ftp-history");
  });

  it("the tests themselves never point at the real home", () => {
    assert.ok(configPath().startsWith(HOME));
    assert.ok(statePath("x").startsWith(HOME));
  });
});

describe("loadConfig", () => {
  it("a missing file is an empty configuration", async () => {
    const dir = await tempDir();
    const loaded = await loadConfig(join(dir, "nope", "config.json"));
    assert.deepEqual(loaded.config, emptyConfig());
    assert.equal(loaded.exists, false);
    assert.equal(loaded.looseMode, false);
  });

  it("reads bookmarks, sites and defaults", async () => {
    const dir = await tempDir();
    const path = join(dir, "config.json");
    const config: InetConfig = {
      bookmarks: { pub: { url: "ftp://ftp.example.org/pub" }, mine: { url: "ftpes://a@h", password: "pw" } },
      sites: { docs: { url: "ftp://h/docs", pattern: "*.pdf", local: "docs" } },
      defaults: { parallel: 4, passive: true, timeoutSeconds: 10 },
    };
    await writeFile(path, JSON.stringify(config), { mode: 0o600 });
    const loaded = await loadConfig(path);
    assert.deepEqual(loaded.config, config);
    assert.equal(loaded.exists, true);
    assert.equal(loaded.looseMode, false);
  });

  it("flags a file others can read", async () => {
    const dir = await tempDir();
    const path = join(dir, "config.json");
    await writeFile(path, "{}");
    await chmod(path, 0o644);
    assert.equal((await loadConfig(path)).looseMode, true);
  });

  it("refuses malformed files, naming the file", async () => {
    const dir = await tempDir();
    const path = join(dir, "config.json");
    for (const text of [
      "{not json",
      "[]",
      '{"bookmarks": []}',
      '{"bookmarks": {"x": {}}}',
      '{"sites": {"s": {"url": "ftp://h"}}}',
      '{"defaults": {"parallel": 0}}',
      '{"defaults": {"passive": "yes"}}',
      '{"bookmarks": {"__proto__": {"url": "ftp://h"}}}',
    ]) {
      await writeFile(path, text, { mode: 0o600 });
      await assert.rejects(
        loadConfig(path),
        (error: unknown) => error instanceof InvalidArgumentError && error.message.includes(path),
        text,
      );
    }
  });

  it("refuses a symlink and a folder", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "real.json"), "{}", { mode: 0o600 });
    await symlink(join(dir, "real.json"), join(dir, "link.json"));
    await assert.rejects(loadConfig(join(dir, "link.json")), InvalidArgumentError);
    await mkdir(join(dir, "folder.json"));
    await assert.rejects(loadConfig(join(dir, "folder.json")), InvalidArgumentError);
  });

  it("parseConfig drops unknown keys and keeps only known fields", () => {
    const config = parseConfig('{"extra": 1, "bookmarks": {"b": {"url": "ftp://h", "junk": true}}}', "f");
    assert.deepEqual(config, { bookmarks: { b: { url: "ftp://h" } }, sites: {}, defaults: {} });
  });
});

describe("saveConfig", () => {
  it("writes the file 0600 in a folder made 0700, atomically, and reads back the same", async () => {
    const dir = await tempDir();
    const path = join(dir, "inetkit", "config.json");
    const config: InetConfig = {
      bookmarks: { b: { url: "ftpes://alice@h/pub", password: "s3cret" } },
      sites: {},
      defaults: {},
    };
    await saveConfig(config, path);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, "inetkit"))).mode & 0o777, 0o700);
    assert.deepEqual((await loadConfig(path)).config, config);
    // Replacing keeps 0600 and leaves no temporary file behind.
    config.bookmarks.c = { url: "ftp://h2" };
    await saveConfig(config, path);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(join(dir, "inetkit")), ["config.json"]);
    assert.match(await readFile(path, "utf8"), /"c": \{/);
  });

  it("tightens an existing loose file when it rewrites it", async () => {
    const dir = await tempDir();
    const path = join(dir, "config.json");
    await writeFile(path, "{}");
    await chmod(path, 0o644);
    await saveConfig(emptyConfig(), path);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await loadConfig(path)).looseMode, false);
  });

  it("saves to the default path under the test's XDG folder", async () => {
    await saveConfig(emptyConfig());
    assert.ok(configPath().startsWith(HOME));
    assert.equal((await stat(configPath())).mode & 0o777, 0o600);
  });
});
