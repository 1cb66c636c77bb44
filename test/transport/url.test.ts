import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../src/errors.js";
import { describeHost, formatTarget, parseTarget, SCHEMES } from "../../src/transport/url.js";

const SECRET = "s3cr3t-Pa55";

function refuses(input: string | URL, pattern: RegExp, options?: Parameters<typeof parseTarget>[1]): void {
  assert.throws(
    () => parseTarget(input, options),
    (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes(SECRET), `message leaks the password: ${error.message}`);
      assert.ok(!String(error.stack).includes(SECRET), "stack leaks the password");
      assert.equal(error.cause, undefined);
      return true;
    },
  );
}

describe("parseTarget: schemes and defaults", () => {
  const table: [string, string, string, number][] = [
    ["ftp", "ftp", "none", 21],
    ["ftpes", "ftp", "starttls", 21],
    ["ftps", "ftp", "implicit", 990],
    ["smtp", "smtp", "none", 25],
    ["smtp+starttls", "smtp", "starttls", 587],
    ["smtps", "smtp", "implicit", 465],
    ["pop3", "pop3", "none", 110],
    ["pop3+starttls", "pop3", "starttls", 110],
    ["pop3s", "pop3", "implicit", 995],
    ["imap", "imap", "none", 143],
    ["imap+starttls", "imap", "starttls", 143],
    ["imaps", "imap", "implicit", 993],
    ["nntp", "nntp", "none", 119],
    ["news", "nntp", "none", 119],
    ["nntp+starttls", "nntp", "starttls", 119],
    ["nntps", "nntp", "implicit", 563],
  ];

  it("covers exactly the schemes in the table", () => {
    assert.deepEqual(Object.keys(SCHEMES).sort(), table.map(([s]) => s).sort());
  });

  for (const [scheme, protocol, security, port] of table) {
    it(`${scheme}:// → ${protocol}, ${security}, port ${port}`, () => {
      const t = parseTarget(`${scheme}://Mail.Example.TEST`);
      assert.equal(t.protocol, protocol);
      assert.equal(t.scheme, scheme);
      assert.equal(t.security, security);
      assert.equal(t.port, port);
      assert.equal(t.host, "mail.example.test");
      assert.equal(t.path, "/");
      assert.equal(t.rawPath, "/");
      assert.equal(t.user, undefined);
      assert.equal(t.password, undefined);
    });

    it(`${scheme}:// honours an explicit port, including the default one`, () => {
      assert.equal(parseTarget(`${scheme}://h.test:2121/x`).port, 2121);
      assert.equal(parseTarget(`${scheme}://h.test:${port}/x`).port, port);
    });
  }

  it("is case-insensitive in the scheme", () => {
    const t = parseTarget("IMAPS://host.test");
    assert.equal(t.scheme, "imaps");
    assert.equal(t.security, "implicit");
  });

  it("accepts a URL object", () => {
    const t = parseTarget(new URL("smtps://bob@smtp.test:2465"));
    assert.deepEqual([t.protocol, t.host, t.port, t.user], ["smtp", "smtp.test", 2465, "bob"]);
  });
});

describe("parseTarget: hosts", () => {
  it("parses IPv6 literals and strips the brackets", () => {
    const t = parseTarget("ftp://[::1]:2121/pub");
    assert.equal(t.host, "::1");
    assert.equal(t.port, 2121);
    const u = parseTarget("imaps://[2001:DB8::1]");
    assert.equal(u.host, "2001:db8::1");
    assert.equal(u.port, 993);
    assert.equal(u.url.hostname, "[2001:db8::1]");
  });

  it("lower-cases hosts the same way for special (ftp) and opaque (imap) schemes", () => {
    assert.equal(parseTarget("ftp://EXAMPLE.Com").host, "example.com");
    assert.equal(parseTarget("imap://EXAMPLE.Com").host, "example.com");
    assert.equal(parseTarget("ftps://EXAMPLE.Com").url.hostname, "example.com");
  });

  it("applies IDNA to opaque hosts like the URL parser does for ftp", () => {
    assert.equal(parseTarget("ftp://bücher.example").host, "xn--bcher-kva.example");
    assert.equal(parseTarget("imap://bücher.example").host, "xn--bcher-kva.example");
  });

  it("refuses a missing or invalid host", () => {
    refuses("imap:///INBOX", /no host/);
    refuses("ftp:///pub", /no host/);
    refuses("imap://a%00b/", /host/);
    refuses("imap://a%zzb/", /percent escape in the host/);
  });

  it("insists on scheme://", () => {
    refuses("ftp:host.test", /two slashes/);
    refuses("imaps:host.test", /two slashes/);
  });
});

describe("parseTarget: user, password and path", () => {
  it("percent-decodes user and password (%40, %3A)", () => {
    for (const scheme of ["ftp", "ftpes", "imap", "smtps"]) {
      const t = parseTarget(`${scheme}://alice%40corp.test:p%3Aw%40rd@h.test/`);
      assert.equal(t.user, "alice@corp.test", scheme);
      assert.equal(t.password, "p:w@rd", scheme);
    }
  });

  it("keeps an unencoded @ in the password (the last @ ends the userinfo)", () => {
    const t = parseTarget("imap://u:a@b@h.test");
    assert.equal(t.password, "a@b");
    assert.equal(t.host, "h.test");
  });

  it("removes the password from url", () => {
    const t = parseTarget(`ftpes://alice:${SECRET}@files.test/pub`);
    assert.equal(t.password, SECRET);
    assert.ok(!t.url.href.includes(SECRET));
    assert.equal(t.url.href, "ftpes://alice@files.test/pub");
  });

  it("decodes the path and keeps the raw one", () => {
    const t = parseTarget("ftp://h.test/pub/a%20b/%C3%A9t%C3%A9.txt");
    assert.equal(t.rawPath, "/pub/a%20b/%C3%A9t%C3%A9.txt");
    assert.equal(t.path, "/pub/a b/été.txt");
    assert.equal(parseTarget("imap://h.test/INBOX").path, "/INBOX");
    assert.equal(parseTarget("imap://h.test").path, "/");
  });

  for (const bad of ["%0d%0a", "%0D", "%0a", "%00"]) {
    it(`refuses ${bad} in user, password and path without showing the password`, () => {
      refuses(`ftp://al${bad}ice:${SECRET}@h.test/`, /user name contains CR, LF or NUL/);
      refuses(`imap://alice:${SECRET}${bad}@h.test/`, /password contains CR, LF or NUL/);
      refuses(`ftp://alice:${SECRET}@h.test/a${bad}DELE%20x`, /path contains CR, LF or NUL/);
      refuses(`smtp://alice:${SECRET}@h.test/a${bad}`, /path contains CR, LF or NUL/);
    });
  }

  it("refuses malformed percent escapes", () => {
    refuses(`ftp://al%zzice:${SECRET}@h.test/`, /malformed percent escape in the user name/);
    refuses(`imap://alice:${SECRET}%4@h.test/`, /malformed percent escape in the password/);
    refuses(`ftp://alice:${SECRET}@h.test/a%`, /malformed percent escape in the path/);
    refuses(`ftp://alice:${SECRET}@h.test/a%ff`, /not valid UTF-8/);
  });

  it("refuses raw control characters instead of letting URL strip them", () => {
    refuses(`ftp://alice:${SECRET}@h.test/a\r\nDELE x`, /control character/);
    refuses("ftp://h.test/a\tb", /control character/);
  });
});

describe("parseTarget: ports and schemes", () => {
  for (const port of ["0", "65536", "99999", "123456", "-1", "x", "21a"]) {
    it(`refuses port ${port}`, () => {
      refuses(`ftp://alice:${SECRET}@h.test:${port}/`, /port/);
      refuses(`imaps://alice:${SECRET}@[::1]:${port}/`, /port/);
    });
  }

  it("accepts the port bounds 1 and 65535", () => {
    assert.equal(parseTarget("pop3s://h.test:1").port, 1);
    assert.equal(parseTarget("pop3s://h.test:65535").port, 65535);
  });

  it("refuses an unknown scheme, listing the known ones", () => {
    refuses(`http://alice:${SECRET}@h.test/`, /unknown scheme "http:".*ftpes.*smtp\+starttls.*nntps/);
    refuses("submission://h.test", /unknown scheme/);
    refuses("constructor://h.test", /unknown scheme/);
    refuses(new URL("https://h.test"), /unknown scheme/);
  });

  it("never echoes what precedes the last @ of an unparsable URL", () => {
    refuses(`imap://alice:${SECRET}@[zz]/`, /invalid URL: "imap:\/\/…@\[zz\]\/"/);
  });
});

describe("parseTarget: bare host", () => {
  it("needs defaults.protocol", () => {
    refuses("mail.test", /no scheme/);
    refuses("mail.test:25", /no scheme/);
  });

  it("accepts host and host:port with the default protocol (plain security)", () => {
    const t = parseTarget("Mail.Test", { protocol: "smtp" });
    assert.deepEqual(
      [t.protocol, t.scheme, t.security, t.host, t.port],
      ["smtp", "smtp", "none", "mail.test", 25],
    );
    const u = parseTarget("news.test:1119", { protocol: "nntp" });
    assert.deepEqual([u.protocol, u.host, u.port, u.path], ["nntp", "news.test", 1119, "/"]);
    const v = parseTarget("[::1]:2121", { protocol: "ftp" });
    assert.deepEqual([v.host, v.port], ["::1", 2121]);
    assert.equal(parseTarget("localhost", { protocol: "imap" }).port, 143);
    const w = parseTarget("news:1119", { protocol: "nntp" });
    assert.deepEqual([w.scheme, w.host, w.port], ["nntp", "news", 1119]);
  });

  it("still honours an explicit scheme", () => {
    assert.equal(parseTarget("imaps://h.test", { protocol: "ftp" }).protocol, "imap");
  });

  it("refuses anything more than host[:port]", () => {
    refuses(`alice:${SECRET}@h.test`, /invalid host or host:port/, { protocol: "ftp" });
    refuses("h.test/pub", /invalid host/, { protocol: "ftp" });
    refuses("::1", /brackets/, { protocol: "ftp" });
    refuses("h.test:0", /out of range/, { protocol: "ftp" });
    refuses("h.test:70000", /out of range/, { protocol: "ftp" });
  });
});

describe("formatTarget and describeHost", () => {
  it("never shows the password", () => {
    const t = parseTarget(`imaps://alice%40corp:${SECRET}@[::1]:1993/INBOX`);
    const text = formatTarget(t);
    assert.equal(text, "imaps://alice%40corp@[::1]:1993/INBOX");
    assert.ok(!text.includes(SECRET));
  });

  it("omits the default port and an empty path", () => {
    assert.equal(formatTarget(parseTarget("ftpes://bob@files.test:21")), "ftpes://bob@files.test");
    assert.equal(formatTarget(parseTarget("smtp.test:2525", { protocol: "smtp" })), "smtp://smtp.test:2525");
  });

  it("property: no password ever appears in formatTarget or url", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 4 }).filter((s) => !/[\r\n\0]/.test(s)),
        (password) => {
          const marker = `PW${password}`;
          const t = parseTarget(`imap://u:${encodeURIComponent(marker)}@h.test/`);
          assert.equal(t.password, marker);
          assert.ok(!formatTarget(t).includes(encodeURIComponent(marker)));
          assert.ok(!t.url.href.includes(encodeURIComponent(marker)));
        },
      ),
    );
  });

  it("describeHost brackets IPv6", () => {
    assert.equal(describeHost("mail.test", 25), "mail.test:25");
    assert.equal(describeHost("::1", 2121), "[::1]:2121");
    assert.equal(describeHost("[::1]", 2121), "[::1]:2121");
    assert.equal(describeHost("127.0.0.1", 21), "127.0.0.1:21");
  });
});
