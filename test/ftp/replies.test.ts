import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError, ProtocolError } from "../../src/errors.js";
import {
  formatEprtArgument,
  formatEpsvReply,
  formatMdtm,
  formatPasvReply,
  formatPortArgument,
  parseEprtArgument,
  parseEpsvReply,
  parseFeatReply,
  parseMdtmReply,
  parsePasvReply,
  parsePortArgument,
  parsePwdReply,
  parseSizeReply,
  parseTimeVal,
} from "../../src/ftp/replies.js";

function malformed(error: unknown): boolean {
  assert.ok(error instanceof ProtocolError, `expected ProtocolError, got ${String(error)}`);
  assert.equal(error.reason, "malformed-reply");
  return true;
}

function invalid(error: unknown): boolean {
  assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
  return true;
}

describe("parsePasvReply (RFC 959 227)", () => {
  it("reads the six numbers with or without the code, parentheses and trailing text", () => {
    const expected = { host: "127.0.0.1", port: 195 * 256 + 80 };
    for (const text of [
      "227 Entering Passive Mode (127,0,0,1,195,80).",
      "Entering Passive Mode (127,0,0,1,195,80).",
      "227 Entering Passive Mode (127,0,0,1,195,80)",
      "227 Entering Passive Mode ( 127, 0, 0, 1, 195, 80 )",
      "227 Entering Passive Mode 127,0,0,1,195,80",
      "227 =127,0,0,1,195,80",
      "227 Entering Passive Mode: 127,0,0,1,195,80. Have fun",
      "227 Entering Passive Mode (127,000,000,001,195,080).",
    ]) {
      assert.deepEqual(parsePasvReply(text), expected, text);
    }
    assert.deepEqual(parsePasvReply("227 Entering Passive Mode (10,0,0,1,0,1)"), {
      host: "10.0.0.1",
      port: 1,
    });
    assert.deepEqual(parsePasvReply("227 Entering Passive Mode (0,0,0,0,255,255)"), {
      host: "0.0.0.0",
      port: 65535,
    });
  });

  it("refuses octets over 255, the wrong count of numbers and port 0 (curl test 237)", () => {
    for (const text of [
      "227 Entering Passive Mode (1216,256,2,127,127,127)",
      "227 Entering Passive Mode (127,0,0,1,256,80)",
      "227 Entering Passive Mode (127,0,0,1,195)",
      "227 Entering Passive Mode (127,0,0,1,195,80,1)",
      "227 Entering Passive Mode 127,0,0,1,195,80,1",
      "227 Entering Passive Mode 127,0,0,1,195",
      "227 Entering Passive Mode (127,0,0,1,0,0)",
      "227 Entering Passive Mode (127,0,0,1,195,x80)",
      "227 Entering Passive Mode (127,0,0,1,-1,80)",
      "227 Entering Passive Mode (0127,0,0,1,195,80)",
      "227 Entering Passive Mode",
      "227 Entering Passive Mode ()",
      "",
      `227 Entering Passive Mode (${"9".repeat(100_000)},0,0,1,195,80)`,
    ]) {
      assert.throws(() => parsePasvReply(text), malformed, text.slice(0, 60));
    }
  });

  it("keeps error messages short and terminal-safe", () => {
    const error = (() => {
      try {
        parsePasvReply(`227 \x1b[2J${"x".repeat(10_000)}`);
      } catch (e) {
        return e as Error;
      }
      throw new Error("no error");
    })();
    assert.ok(error.message.length < 200);
    assert.ok(!error.message.includes("\x1b"));
  });

  it("reads back what formatPasvReply writes", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 1, max: 65535 }), (host, port) => {
        assert.deepEqual(parsePasvReply(`227 ${formatPasvReply(host, port)}`), { host, port });
      }),
    );
    assert.equal(formatPasvReply("127.0.0.1", 50000), "Entering Passive Mode (127,0,0,1,195,80).");
  });
});

describe("parseEpsvReply (RFC 2428 229)", () => {
  it("reads the port with any printable delimiter", () => {
    assert.equal(parseEpsvReply("229 Entering Extended Passive Mode (|||6446|)"), 6446);
    assert.equal(parseEpsvReply("Entering Extended Passive Mode (|||6446|)"), 6446);
    assert.equal(parseEpsvReply("229 Entering Extended Passive Mode (!!!6446!)"), 6446);
    assert.equal(parseEpsvReply("229 Entering Extended Passive Mode (###1#)."), 1);
    assert.equal(parseEpsvReply("229 Entering Extended Passive Mode (~~~65535~)"), 65535);
    assert.equal(parseEpsvReply("229 EPSV ok (|||6446|) now"), 6446);
  });

  it("refuses ports outside 1–65535 and other shapes (curl test 238)", () => {
    for (const text of [
      "229 Entering Extended Passive Mode (|||1000000|)",
      "229 Entering Extended Passive Mode (|||65536|)",
      "229 Entering Extended Passive Mode (|||0|)",
      "229 Entering Extended Passive Mode (|||-1|)",
      "229 Entering Extended Passive Mode (|||6446)",
      "229 Entering Extended Passive Mode (||6446|)",
      "229 Entering Extended Passive Mode (|!|6446|)",
      "229 Entering Extended Passive Mode (|||6446!)",
      "229 Entering Extended Passive Mode (|||64a6|)",
      "229 Entering Extended Passive Mode (|||||)",
      "229 Entering Extended Passive Mode (   6446 )",
      "229 Entering Extended Passive Mode (1116441)",
      "229 Entering Extended Passive Mode (|1|127.0.0.1|6446|)",
      "229 Entering Extended Passive Mode |||6446|",
      "229 Entering Extended Passive Mode (\x7f\x7f\x7f6446\x7f)",
    ]) {
      assert.throws(() => parseEpsvReply(text), malformed, text);
    }
  });

  it("reads back what formatEpsvReply writes", () => {
    assert.equal(formatEpsvReply(6446), "Entering Extended Passive Mode (|||6446|)");
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), (port) => {
        assert.equal(parseEpsvReply(`229 ${formatEpsvReply(port)}`), port);
      }),
    );
    for (const port of [0, 65536, 1.5, Number.NaN]) assert.throws(() => formatEpsvReply(port), invalid);
  });
});

describe("parsePwdReply (RFC 959 257)", () => {
  it("reads the quoted path, undoubling quotes and ignoring the commentary", () => {
    assert.equal(parsePwdReply('257 "/" is the current directory'), "/");
    assert.equal(parsePwdReply('"/home/user"'), "/home/user");
    assert.equal(parsePwdReply('257 "/dir with ""quotes"""'), '/dir with "quotes"');
    assert.equal(parsePwdReply('257 """quoted"" start"'), '"quoted" start');
    assert.equal(parsePwdReply('257 "/new dir" created'), "/new dir");
    assert.equal(parsePwdReply('257 "/résumé/文件"'), "/résumé/文件");
    assert.equal(parsePwdReply('257 "C:\\Users"'), "C:\\Users");
  });

  it("refuses a missing quote, an empty path and control characters (curl CVE-2017-1000254)", () => {
    for (const text of [
      '257 "Only one',
      '257 "/\x03"',
      '257 "/\r"',
      '257 "/\n"',
      '257 "/\x00"',
      '257 "/\x1b[2J"',
      '257 "/\x7f"',
      '257 "/dir""',
      '257 ""',
      '257 "" is current',
      "257 /no/quotes",
      "257 ",
      "",
    ]) {
      assert.throws(() => parsePwdReply(text), malformed, JSON.stringify(text));
    }
  });
});

describe("MDTM (RFC 3659 §2.3, §3)", () => {
  it("reads a time-val in UTC, with an optional fraction", () => {
    assert.equal(parseMdtmReply("213 20240131120000").toISOString(), "2024-01-31T12:00:00.000Z");
    assert.equal(parseMdtmReply("20240131120000").toISOString(), "2024-01-31T12:00:00.000Z");
    assert.equal(parseMdtmReply("213 19970203040506.7").toISOString(), "1997-02-03T04:05:06.700Z");
    assert.equal(parseMdtmReply("213 20240229235959.123456").toISOString(), "2024-02-29T23:59:59.123Z");
    assert.equal(parseMdtmReply("213 20241231235960").toISOString(), "2025-01-01T00:00:00.000Z");
    assert.equal(parseMdtmReply("213 10000101000000 ").toISOString(), "1000-01-01T00:00:00.000Z");
  });

  it("refuses impossible dates and other shapes", () => {
    for (const text of [
      "213 20230229120000",
      "213 20241301120000",
      "213 20240001120000",
      "213 20240100120000",
      "213 20240431120000",
      "213 20240131240000",
      "213 20240131126000",
      "213 20240131120061",
      "213 09990131120000",
      "213 191240131120000",
      "213 2024013112000",
      "213 20240131120000.",
      "213 20240131120000.x",
      "213 20240131120000Z",
      "213 2024-01-31 12:00:00",
      "213 +2024013112000",
      "550 No such file",
      "",
    ]) {
      assert.throws(() => parseMdtmReply(text), malformed, text);
    }
    assert.equal(parseTimeVal("nope"), undefined);
  });

  it("formats whole seconds by default and milliseconds when asked", () => {
    const date = new Date(Date.UTC(2024, 0, 31, 12, 0, 5, 250));
    assert.equal(formatMdtm(date), "20240131120005");
    assert.equal(formatMdtm(date, { milliseconds: true }), "20240131120005.250");
    assert.equal(formatMdtm(new Date(Date.UTC(2024, 0, 31)), { milliseconds: true }), "20240131000000");
    assert.throws(() => formatMdtm(new Date(Number.NaN)), invalid);
    assert.throws(() => formatMdtm(new Date(Date.UTC(10000, 0, 1))), invalid);
    assert.throws(() => formatMdtm(new Date(Date.UTC(999, 0, 1))), invalid);
  });

  it("round-trips every date of years 1000–9999", () => {
    const min = Date.UTC(1000, 0, 1);
    const max = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    fc.assert(
      fc.property(fc.integer({ min, max }), (ms) => {
        const date = new Date(ms);
        assert.equal(parseMdtmReply(`213 ${formatMdtm(date, { milliseconds: true })}`).getTime(), ms);
        assert.equal(parseMdtmReply(formatMdtm(date)).getTime(), ms - (((ms % 1000) + 1000) % 1000));
      }),
    );
  });
});

describe("parseSizeReply (RFC 3659 §4)", () => {
  it("reads a strict decimal", () => {
    assert.equal(parseSizeReply("213 1234"), 1234);
    assert.equal(parseSizeReply("213 0"), 0);
    assert.equal(parseSizeReply("1234"), 1234);
    assert.equal(parseSizeReply("213"), 213);
    assert.equal(parseSizeReply("213 1234 "), 1234);
    assert.equal(parseSizeReply(`213 ${Number.MAX_SAFE_INTEGER}`), Number.MAX_SAFE_INTEGER);
  });

  it("refuses junk (curl test 337), signs, exponents and unsafe integers", () => {
    for (const text of [
      "213 file: 213, Size =51",
      "213 -1",
      "213 +5",
      "213 1e5",
      "213 0x10",
      "213 1 234",
      "213 1,234",
      "213 12.5",
      "213 Infinity",
      "213 ",
      `213 ${Number.MAX_SAFE_INTEGER + 1}`,
      `213 ${"9".repeat(10_000)}`,
      "",
    ]) {
      assert.throws(() => parseSizeReply(text), malformed, text.slice(0, 40));
    }
  });
});

describe("parseFeatReply (RFC 2389)", () => {
  it("reads indented feature lines between the first and last line", () => {
    const features = parseFeatReply([
      "Features:",
      " MLST type*;size*;modify*;",
      " AUTH TLS",
      " REST STREAM",
      " UTF8",
      " EPSV",
      " HASH SHA-256;SHA-1*;MD5",
      " mdtm",
      " PBSZ",
      "End",
    ]);
    assert.deepEqual(
      [...features],
      [
        ["MLST", "type*;size*;modify*;"],
        ["AUTH", "TLS"],
        ["REST", "STREAM"],
        ["UTF8", ""],
        ["EPSV", ""],
        ["HASH", "SHA-256;SHA-1*;MD5"],
        ["MDTM", ""],
        ["PBSZ", ""],
      ],
    );
  });

  it("tolerates unindented lines, raw lines with codes, blank lines and duplicates", () => {
    const features = parseFeatReply([
      "211-Extensions supported:",
      "EPRT",
      "211-SIZE",
      " AUTH SSL",
      " AUTH TLS",
      "",
      " \x1b[31mEVIL",
      " __proto__ x",
      "211 END",
    ]);
    assert.deepEqual(
      [...features],
      [
        ["EPRT", ""],
        ["SIZE", ""],
        ["AUTH", "SSL;TLS"],
        ["__PROTO__", "x"],
      ],
    );
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
  });

  it("returns an empty map for a reply without features", () => {
    assert.equal(parseFeatReply(["no features"]).size, 0);
    assert.equal(parseFeatReply(["Features:", "End"]).size, 0);
    assert.equal(parseFeatReply([]).size, 0);
  });
});

describe("PORT and EPRT arguments (RFC 959, RFC 2428)", () => {
  it("formats PORT for IPv4 (and IPv4-mapped IPv6)", () => {
    assert.equal(formatPortArgument("127.0.0.1", 50000), "127,0,0,1,195,80");
    assert.equal(formatPortArgument("::ffff:192.168.1.2", 1), "192,168,1,2,0,1");
    for (const [host, port] of [
      ["::1", 21],
      ["localhost", 21],
      ["127.0.0.1", 0],
      ["127.0.0.1", 65536],
      ["127.0.0.1", 2.5],
      ["127.0.0.01", 21],
      ["127.0.0.1\r\n", 21],
    ] as const) {
      assert.throws(() => formatPortArgument(host, port), invalid, `${host} ${port}`);
    }
  });

  it("formats EPRT for IPv4 and IPv6", () => {
    assert.equal(formatEprtArgument("127.0.0.1", 6446), "|1|127.0.0.1|6446|");
    assert.equal(formatEprtArgument("::1", 6446), "|2|::1|6446|");
    assert.equal(formatEprtArgument("::ffff:10.0.0.1", 6446), "|1|10.0.0.1|6446|");
    for (const [host, port] of [
      ["fe80::1%eth0", 21],
      ["example.test", 21],
      ["::1", 0],
      ["|1|", 21],
    ] as const) {
      assert.throws(() => formatEprtArgument(host, port), invalid, `${host} ${port}`);
    }
  });

  it("parses PORT arguments strictly", () => {
    assert.deepEqual(parsePortArgument("127,0,0,1,195,80"), { host: "127.0.0.1", port: 50000 });
    assert.deepEqual(parsePortArgument(" 10,0,0,1,0,21 "), { host: "10.0.0.1", port: 21 });
    for (const text of [
      "127,0,0,1,195",
      "127,0,0,1,195,80,1",
      "256,0,0,1,1,1",
      "127,0,0,1,0,0",
      "a,b,c,d,e,f",
      "",
    ]) {
      assert.throws(() => parsePortArgument(text), malformed, text);
    }
  });

  it("parses EPRT arguments strictly and names unsupported families", () => {
    assert.deepEqual(parseEprtArgument("|1|132.235.1.2|6275|"), { host: "132.235.1.2", port: 6275 });
    assert.deepEqual(parseEprtArgument("|2|1080::8:800:200C:417A|5282|"), {
      host: "1080::8:800:200C:417A",
      port: 5282,
    });
    assert.deepEqual(parseEprtArgument("!1!127.0.0.1!21!"), { host: "127.0.0.1", port: 21 });
    for (const text of [
      "|1|::1|21|",
      "|2|127.0.0.1|21|",
      "|1|127.0.0.1|0|",
      "|1|127.0.0.1|65536|",
      "|1|127.0.0.1|21",
      "|1|127.0.0.1|21|x|",
      "|2|fe80::1%eth0|21|",
      "1|127.0.0.1|21|",
      "|1|127.0.0.1!21|",
      "",
    ]) {
      assert.throws(() => parseEprtArgument(text), malformed, text);
    }
    assert.throws(
      () => parseEprtArgument("|3|whatever|21|"),
      (error: unknown) => error instanceof ProtocolError && error.reason === "unsupported-address-family",
    );
  });

  it("round-trips formatter and parser for random addresses and ports", () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: 1, max: 65535 }), (host, port) => {
        const parsed = parseEprtArgument(formatEprtArgument(host, port));
        assert.equal(parsed.port, port);
        const mapped = host.toLowerCase().startsWith("::ffff:") && host.includes(".");
        assert.equal(parsed.host, mapped ? host.slice(7) : host);
      }),
    );
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 1, max: 65535 }), (host, port) => {
        assert.deepEqual(parsePortArgument(formatPortArgument(host, port)), { host, port });
      }),
    );
  });
});
