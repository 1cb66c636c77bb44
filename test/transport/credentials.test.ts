import * as assert from "node:assert/strict";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { InvalidArgumentError, TlsError } from "../../src/errors.js";
import { assertPasswordMaySend, resolveCredentials } from "../../src/transport/credentials.js";
import { parseTarget } from "../../src/transport/url.js";

const SECRET = "s3cr3t-Pa55";

describe("resolveCredentials", () => {
  let dir = "";
  let netrc = "";
  let missing = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "inetkit-cred-"));
    netrc = join(dir, "netrc");
    missing = join(dir, "missing");
    await writeFile(
      netrc,
      "machine ftp.test login nina password from-netrc\n" +
        "machine ftp.test login other password other-netrc\n" +
        "machine userless.test login lou\n" +
        "default login anon password from-default\n",
      { mode: 0o600 },
    );
    await chmod(netrc, 0o600);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const env = {
    INET_FTP_PASSWORD: "ftp-env",
    INET_PASSWORD: "any-env",
    INET_FTP_USER: "ftp-user",
    INET_USER: "env-user",
  };

  it("options override the URL", async () => {
    const target = parseTarget("ftp://urluser:urlpass@ftp.test");
    assert.deepEqual(
      await resolveCredentials({ target, user: "opt", password: "optpass", env, netrcPath: netrc }),
      {
        user: "opt",
        password: "optpass",
        source: "options",
      },
    );
    assert.deepEqual(await resolveCredentials({ target, password: "optpass", env, netrcPath: netrc }), {
      user: "urluser",
      password: "optpass",
      source: "options",
    });
  });

  it("takes the URL's credentials next", async () => {
    const target = parseTarget("ftp://urluser:urlpass@ftp.test");
    assert.deepEqual(await resolveCredentials({ target, env, netrcPath: netrc }), {
      user: "urluser",
      password: "urlpass",
      source: "url",
    });
    assert.deepEqual(await resolveCredentials({ target, user: "urluser", env, netrcPath: netrc }), {
      user: "urluser",
      password: "urlpass",
      source: "url",
    });
  });

  it("does not pair the URL's password with a different options.user", async () => {
    const target = parseTarget("ftp://urluser:urlpass@ftp.test");
    assert.deepEqual(await resolveCredentials({ target, user: "nina", env: {}, netrcPath: netrc }), {
      user: "nina",
      password: "from-netrc",
      source: "netrc",
    });
  });

  it("takes netrc next, for the exact host, filtered by user", async () => {
    assert.deepEqual(
      await resolveCredentials({ target: parseTarget("ftp://ftp.test"), env, netrcPath: netrc }),
      {
        user: "nina",
        password: "from-netrc",
        source: "netrc",
      },
    );
    const other = parseTarget("ftp://other@FTP.test");
    assert.deepEqual(await resolveCredentials({ target: other, env, netrcPath: netrc }), {
      user: "other",
      password: "other-netrc",
      source: "netrc",
    });
  });

  it("never uses netrc entries for look-alike hosts, nor default unless allowed", async () => {
    for (const host of ["evil-ftp.test", "ftp.test.evil"]) {
      const result = await resolveCredentials({
        target: parseTarget(`ftp://${host}`),
        env: {},
        netrcPath: netrc,
      });
      assert.deepEqual(result, { source: "none" }, host);
    }
    const viaDefault = await resolveCredentials({
      target: parseTarget("ftp://elsewhere.test"),
      env: {},
      netrcPath: netrc,
      allowDefaultNetrc: true,
    });
    assert.deepEqual(viaDefault, { user: "anon", password: "from-default", source: "netrc" });
  });

  it("skips netrc when useNetrc is false", async () => {
    const result = await resolveCredentials({
      target: parseTarget("ftp://ftp.test"),
      env,
      netrcPath: netrc,
      useNetrc: false,
    });
    assert.deepEqual(result, { user: "ftp-user", password: "ftp-env", source: "env" });
  });

  it("reads $NETRC from the given env", async () => {
    const result = await resolveCredentials({ target: parseTarget("ftp://ftp.test"), env: { NETRC: netrc } });
    assert.equal(result.password, "from-netrc");
  });

  it("falls back to INET_<PROTOCOL>_PASSWORD, then INET_PASSWORD", async () => {
    const target = parseTarget("ftp://alice@nowhere.test");
    assert.deepEqual(await resolveCredentials({ target, env, netrcPath: missing }), {
      user: "alice",
      password: "ftp-env",
      source: "env",
    });
    const smtp = parseTarget("smtps://nowhere.test");
    assert.deepEqual(await resolveCredentials({ target: smtp, env, netrcPath: missing }), {
      user: "env-user",
      password: "any-env",
      source: "env",
    });
    const imap = parseTarget("imaps://nowhere.test");
    assert.deepEqual(
      await resolveCredentials({
        target: imap,
        env: { INET_IMAP_PASSWORD: "imap-env", INET_IMAP_USER: "imap-user", INET_PASSWORD: "x" },
        netrcPath: missing,
      }),
      { user: "imap-user", password: "imap-env", source: "env" },
    );
    assert.deepEqual(
      await resolveCredentials({
        target: imap,
        env: { INET_IMAP_PASSWORD: "", INET_PASSWORD: "y" },
        netrcPath: missing,
      }),
      { password: "y", source: "env" },
    );
  });

  it("takes a user from netrc and the password from the environment", async () => {
    const result = await resolveCredentials({
      target: parseTarget("ftp://userless.test"),
      env: { INET_PASSWORD: "pw" },
      netrcPath: netrc,
    });
    assert.deepEqual(result, { user: "lou", password: "pw", source: "env" });
  });

  it("reports none when nothing is found, or where the user came from", async () => {
    assert.deepEqual(
      await resolveCredentials({ target: parseTarget("pop3s://x.test"), env: {}, netrcPath: missing }),
      { source: "none" },
    );
    assert.deepEqual(
      await resolveCredentials({ target: parseTarget("pop3s://u@x.test"), env: {}, netrcPath: missing }),
      { user: "u", source: "url" },
    );
  });

  it("refuses CR/LF/NUL from options or env without showing the value", async () => {
    const target = parseTarget("imaps://x.test");
    for (const env of [{ INET_PASSWORD: `${SECRET}\r\nA1 LOGOUT` }, { INET_USER: "a\0b" }]) {
      await assert.rejects(resolveCredentials({ target, env, netrcPath: missing }), (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.match(error.message, /\(from env\) contains CR, LF or NUL/);
        assert.ok(!error.message.includes(SECRET));
        return true;
      });
    }
    await assert.rejects(
      resolveCredentials({ target, password: `${SECRET}\n`, env: {}, netrcPath: missing }),
      /password \(from options\) contains CR, LF or NUL/,
    );
  });

  it("propagates a refused netrc instead of ignoring it", async () => {
    const open = join(dir, "open-netrc");
    await writeFile(open, "machine ftp.test password p\n");
    await chmod(open, 0o644);
    await assert.rejects(
      resolveCredentials({ target: parseTarget("ftp://ftp.test"), env: {}, netrcPath: open }),
      /chmod 600/,
    );
    // Not read at all when the password is already known.
    const result = await resolveCredentials({
      target: parseTarget("ftp://ftp.test"),
      password: "p",
      netrcPath: open,
    });
    assert.equal(result.source, "options");
  });
});

describe("assertPasswordMaySend", () => {
  it("allows a secure connection, or an explicit opt-in", () => {
    assert.doesNotThrow(() => assertPasswordMaySend({ secure: true, host: "h.test", protocol: "ftp" }));
    assert.doesNotThrow(() =>
      assertPasswordMaySend({ secure: false, allowInsecureAuth: true, host: "h.test", protocol: "smtp" }),
    );
  });

  for (const [protocol, hint] of [
    ["ftp", "ftpes://"],
    ["smtp", "smtps://"],
    ["pop3", "pop3s://"],
    ["imap", "imaps://"],
    ["nntp", "nntps://"],
  ] as const) {
    it(`refuses plain text for ${protocol}, explaining both fixes`, () => {
      assert.throws(
        () => assertPasswordMaySend({ secure: false, allowInsecureAuth: false, host: "h.test:21", protocol }),
        (error: unknown) => {
          assert.ok(error instanceof TlsError);
          assert.equal(error.reason, "insecure-auth");
          assert.equal(error.code, "ETLS");
          assert.equal(error.host, "h.test:21");
          assert.ok(error.message.includes(hint), error.message);
          assert.ok(error.message.includes("allowInsecureAuth: true"));
          assert.ok(error.message.includes("h.test:21"));
          return true;
        },
      );
    });
  }
});
