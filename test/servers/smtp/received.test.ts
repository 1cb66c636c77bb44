import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addressLiteral,
  protocolKeyword,
  safeName,
  traceHeaders,
} from "../../../src/servers/smtp/received.js";

describe("trace headers", () => {
  const base = {
    helo: "client.test",
    clientAddress: "127.0.0.1",
    hostname: "mx.example.test",
    extended: true,
    smtputf8: false,
    id: "ABCDEF012345",
    from: "a@b.test",
    date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
  };

  it("writes Return-Path and a Received stamp with TLS, the user, the id and the one recipient", () => {
    const text = traceHeaders({
      ...base,
      tls: { protocol: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256" },
      user: "alice",
      recipients: ["bob@example.test"],
    }).toString();
    assert.equal(
      text,
      "Return-Path: <a@b.test>\r\n" +
        "Received: from client.test ([127.0.0.1])\r\n" +
        "\t(using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256)\r\n" +
        "\t(authenticated as alice)\r\n" +
        "\tby mx.example.test (inetkit) with ESMTPSA id ABCDEF012345\r\n" +
        "\tfor <bob@example.test>; Fri, 02 Jan 2026 03:04:05 +0000\r\n",
    );
  });

  it("names no recipient when there are several, and the null sender as <>", () => {
    const text = traceHeaders({ ...base, from: "", recipients: ["x@y.test", "z@y.test"] }).toString();
    assert.match(text, /^Return-Path: <>\r\n/);
    assert.match(text, /with ESMTP id ABCDEF012345; Fri, 02 Jan 2026 03:04:05 \+0000\r\n$/);
    assert.doesNotMatch(text, /for </);
  });

  it("picks the protocol keyword of RFC 3848 and RFC 6531", () => {
    assert.equal(protocolKeyword({ extended: false, smtputf8: false }), "SMTP");
    assert.equal(protocolKeyword({ extended: true, smtputf8: false }), "ESMTP");
    assert.equal(protocolKeyword({ extended: true, smtputf8: false, user: "u" }), "ESMTPA");
    const tls = { protocol: "TLSv1.2", cipher: "x" };
    assert.equal(protocolKeyword({ extended: true, smtputf8: false, tls }), "ESMTPS");
    assert.equal(protocolKeyword({ extended: true, smtputf8: true, tls, user: "u" }), "UTF8SMTPSA");
  });

  it("writes address literals and keeps client names harmless", () => {
    assert.equal(addressLiteral("::ffff:127.0.0.1"), "[127.0.0.1]");
    assert.equal(addressLiteral("::1"), "[IPv6:::1]");
    assert.equal(safeName("evil (x) ; y"), "evil__x____y");
    assert.equal(safeName("[127.0.0.1]"), "[127.0.0.1]");
    assert.equal(safeName("bücher.example"), "bücher.example");
  });
});
