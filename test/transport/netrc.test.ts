import * as assert from "node:assert/strict";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../src/errors.js";
import {
  checkNetrcPermissions,
  defaultNetrcPath,
  findNetrcEntry,
  MAX_NETRC_BYTES,
  MAX_NETRC_TOKEN,
  parseNetrc,
  readNetrc,
} from "../../src/transport/netrc.js";

describe("parseNetrc", () => {
  it("reads machines written on one line or across many", () => {
    const text =
      "machine a.test login alice password pa\n" +
      "machine b.test\n  login bob\n  password pb\n  account acct\n";
    assert.deepEqual(parseNetrc(text), [
      { machine: "a.test", login: "alice", password: "pa" },
      { machine: "b.test", login: "bob", password: "pb", account: "acct" },
    ]);
  });

  it("reads double-quoted tokens with backslash escapes", () => {
    const entries = parseNetrc('machine "q.test" login "a b" password "x\\"y\\\\z#w"');
    assert.deepEqual(entries, [{ machine: "q.test", login: "a b", password: 'x"y\\z#w' }]);
  });

  it("skips comments only at the start of a token", () => {
    const text =
      "# a comment with machine evil.test password nope\n" +
      "machine c.test login carol # trailing comment password nope\n" +
      "password pa#ss\n";
    assert.deepEqual(parseNetrc(text), [{ machine: "c.test", login: "carol", password: "pa#ss" }]);
  });

  it("skips macdef bodies up to an empty line", () => {
    const text =
      "machine m.test login mike\n" +
      "macdef init\n" +
      "machine evil.test password leaked\n" +
      "cd /pub\n" +
      "\n" +
      "password real\n" +
      "machine n.test login nina password pn\n";
    assert.deepEqual(parseNetrc(text), [
      { machine: "m.test", login: "mike", password: "real" },
      { machine: "n.test", login: "nina", password: "pn" },
    ]);
  });

  it("skips a macdef that runs to the end of the file, with CRLF lines", () => {
    const text = "machine m.test login mike\r\nmacdef x\r\nquit\r\n\r\nmachine n.test password pn\r\n";
    assert.deepEqual(parseNetrc(text), [
      { machine: "m.test", login: "mike" },
      { machine: "n.test", password: "pn" },
    ]);
    assert.deepEqual(parseNetrc("machine m.test\nmacdef x\nls\n"), [{ machine: "m.test" }]);
  });

  it("reads the default entry as machine undefined", () => {
    const entries = parseNetrc(
      "machine a.test login a password pa\ndefault login anonymous password me@test",
    );
    assert.deepEqual(entries, [
      { machine: "a.test", login: "a", password: "pa" },
      { login: "anonymous", password: "me@test" },
    ]);
    assert.equal(entries[1]?.machine, undefined);
  });

  it("tolerates unknown tokens and values before any machine", () => {
    const text = "login stray password stray\nmachine a.test port 2121 login a protocol ftp password pa";
    assert.deepEqual(parseNetrc(text), [{ machine: "a.test", login: "a", password: "pa" }]);
    assert.deepEqual(parseNetrc(""), []);
    assert.deepEqual(parseNetrc("  \n# only a comment\n"), []);
  });

  it("rejects CR, LF or NUL in a value without showing it", () => {
    for (const [text, field] of [
      ['machine a.test password "sec\\nret"', "password"],
      ['machine a.test login "a\rb"', "login"],
      ['machine a.test account "x\u0000y"', "account"],
      ["machine a.test password sec\u0000ret", "password"],
    ] as const) {
      assert.throws(
        () => parseNetrc(text),
        (error: unknown) =>
          error instanceof InvalidArgumentError &&
          error.message.includes(`the ${field} of machine "a.test" contains CR, LF or NUL`) &&
          !error.message.includes("ret"),
      );
    }
  });

  it("rejects an unterminated quote and keywords without values", () => {
    assert.throws(() => parseNetrc('machine a.test password "abc'), /unterminated/);
    assert.throws(() => parseNetrc("machine a.test password"), /without a value/);
    assert.throws(() => parseNetrc("machine"), /without a host name/);
  });

  it("bounds the file and each token", () => {
    assert.throws(() => parseNetrc(" ".repeat(MAX_NETRC_BYTES + 1)), InvalidArgumentError);
    assert.throws(
      () => parseNetrc(`machine a password ${"x".repeat(MAX_NETRC_TOKEN + 1)}`),
      /token is longer/,
    );
    assert.throws(
      () => parseNetrc(`machine a password "${"x".repeat(MAX_NETRC_TOKEN + 1)}"`),
      /token is longer/,
    );
    const ok = parseNetrc(`machine a password ${"x".repeat(MAX_NETRC_TOKEN)}`);
    assert.equal(ok[0]?.password?.length, MAX_NETRC_TOKEN);
  });

  it("property: any whitespace layout gives the same entries", () => {
    const tokens = [
      "machine",
      "a.test",
      "login",
      "alice",
      "password",
      "pa",
      "machine",
      "b.test",
      "password",
      "pb",
    ];
    const expected = parseNetrc(tokens.join(" "));
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(" ", "\t", "\n", "  \n\t"), { minLength: 9, maxLength: 9 }),
        (seps) => {
          const text = tokens.map((t, i) => t + (seps[i] ?? "")).join("");
          assert.deepEqual(parseNetrc(text), expected);
        },
      ),
    );
  });
});

describe("findNetrcEntry", () => {
  const entries = parseNetrc(
    "machine example.com login alice password pa\n" +
      "machine Example.COM login bob password pb\n" +
      "machine ::1 login six password p6\n" +
      "machine nologin.test password pn\n" +
      "default login anonymous password guest\n",
  );

  it("matches the exact host, case-insensitively, first match wins", () => {
    assert.equal(findNetrcEntry(entries, "example.com")?.password, "pa");
    assert.equal(findNetrcEntry(entries, "EXAMPLE.com")?.password, "pa");
    assert.equal(findNetrcEntry(entries, "[::1]")?.login, "six");
    assert.equal(findNetrcEntry(entries, "::1")?.login, "six");
  });

  it("never matches a suffix, a prefix or a host with a port", () => {
    for (const host of [
      "evil-example.com",
      "example.com.evil",
      "www.example.com",
      "example.co",
      "example.com:21",
    ]) {
      assert.equal(findNetrcEntry(entries, host), undefined, host);
    }
  });

  it("filters on the user when given (an entry without login matches any user)", () => {
    assert.equal(findNetrcEntry(entries, "example.com", "bob")?.password, "pb");
    assert.equal(findNetrcEntry(entries, "example.com", "carol"), undefined);
    assert.equal(findNetrcEntry(entries, "nologin.test", "anyone")?.password, "pn");
  });

  it("uses the default entry only when allowed", () => {
    assert.equal(findNetrcEntry(entries, "other.test"), undefined);
    assert.equal(
      findNetrcEntry(entries, "other.test", undefined, { allowDefault: true })?.login,
      "anonymous",
    );
    assert.equal(findNetrcEntry(entries, "example.com", undefined, { allowDefault: true })?.login, "alice");
    assert.equal(findNetrcEntry(entries, "other.test", "zed", { allowDefault: true }), undefined);
  });
});

describe("readNetrc", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "inetkit-netrc-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function write(name: string, text: string, mode: number): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text, { mode });
    await chmod(path, mode); // the umask may have cleared bits that the test needs
    return path;
  }

  it("returns [] when the file does not exist", async () => {
    assert.deepEqual(await readNetrc(join(dir, "missing")), []);
  });

  it("reads a file with mode 0600", async () => {
    const path = await write("private", "machine a.test login a password pa\n", 0o600);
    assert.deepEqual(await readNetrc(path), [{ machine: "a.test", login: "a", password: "pa" }]);
  });

  for (const mode of [0o644, 0o640, 0o604, 0o660]) {
    it(`refuses a file with mode ${mode.toString(8)}, telling the fix`, async () => {
      const path = await write(`open-${mode.toString(8)}`, "machine a.test password pa\n", mode);
      await assert.rejects(readNetrc(path), (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.ok(error.message.includes(`chmod 600 ${path}`), error.message);
        assert.ok(!error.message.includes("pa\n"));
        return true;
      });
    });
  }

  it("refuses a directory", async () => {
    await assert.rejects(readNetrc(dir), /not a regular file/);
  });

  it("refuses an oversized file", async () => {
    const path = await write("big", `machine a.test password ${"x".repeat(MAX_NETRC_BYTES)}`, 0o600);
    await assert.rejects(readNetrc(path), /larger than/);
  });

  it("defaults to $NETRC, then ~/.netrc", () => {
    assert.equal(defaultNetrcPath({ NETRC: "/somewhere/netrc" }), "/somewhere/netrc");
    assert.ok(defaultNetrcPath({}).endsWith(".netrc"));
    assert.ok(defaultNetrcPath({ NETRC: "" }).endsWith(".netrc"));
  });
});

describe("checkNetrcPermissions", () => {
  it("refuses a file owned by someone else", () => {
    assert.throws(
      () => checkNetrcPermissions({ mode: 0o100600, uid: 1234 }, "/x/.netrc", 1000, "linux"),
      /belongs to uid 1234, not to the current user \(uid 1000\)/,
    );
  });

  it("accepts 0600 and 0400 owned by the user", () => {
    assert.doesNotThrow(() =>
      checkNetrcPermissions({ mode: 0o100600, uid: 1000 }, "/x/.netrc", 1000, "linux"),
    );
    assert.doesNotThrow(() =>
      checkNetrcPermissions({ mode: 0o100400, uid: 1000 }, "/x/.netrc", 1000, "linux"),
    );
  });

  it("refuses any group or other bit", () => {
    for (const bits of [0o001, 0o002, 0o004, 0o010, 0o020, 0o040]) {
      assert.throws(
        () => checkNetrcPermissions({ mode: 0o100600 | bits, uid: 1000 }, "/x/.netrc", 1000, "linux"),
        /chmod 600 \/x\/\.netrc/,
      );
    }
  });

  it("does not judge mode bits on Windows", () => {
    assert.doesNotThrow(() =>
      checkNetrcPermissions({ mode: 0o100666, uid: 0 }, "C:\\netrc", undefined, "win32"),
    );
  });
});
