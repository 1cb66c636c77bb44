import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import * as tls from "node:tls";
import { InvalidArgumentError } from "../../../src/errors.js";
import {
  makeCertificate,
  makeCertificateAuthority,
  testCertificates,
} from "../../../src/servers/testing/certificates.js";
import { childrenOf, readElement, readOid } from "../../../src/servers/testing/der.js";

/** The extensions of a certificate, by OID: critical flag and the extnValue octets as hex. */
function extensionsOf(pem: string): Map<string, { critical: boolean; value: string }> {
  const der = new X509Certificate(pem).raw;
  const [tbs] = childrenOf(der, readElement(der));
  const wrapper = childrenOf(der, tbs!).find((e) => e.tag === 0xa3)!;
  const [list] = childrenOf(der, wrapper);
  const out = new Map<string, { critical: boolean; value: string }>();
  for (const ext of childrenOf(der, list!)) {
    const parts = childrenOf(der, ext);
    const value = parts[parts.length - 1]!;
    out.set(readOid(der, parts[0]!), {
      critical: parts.length === 3,
      value: der.subarray(value.contentStart, value.end).toString("hex"),
    });
  }
  return out;
}

const LOOPBACK_SAN = "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1";

describe("makeCertificateAuthority", () => {
  it("makes a self-signed CA with critical basicConstraints CA:TRUE and keyUsage keyCertSign|cRLSign", () => {
    const ca = makeCertificateAuthority({ commonName: "Test Root" });
    const x = new X509Certificate(ca.cert);
    assert.equal(x.ca, true);
    assert.match(x.subject, /CN=Test Root/);
    assert.equal(x.subject, x.issuer);
    assert.ok(x.checkIssued(x));
    assert.ok(x.verify(x.publicKey));
    assert.ok(x.checkPrivateKey(createPrivateKey(ca.key)));
    const ext = extensionsOf(ca.cert);
    assert.deepEqual(ext.get("2.5.29.19"), { critical: true, value: "30030101ff" });
    assert.deepEqual(ext.get("2.5.29.15"), { critical: true, value: "03020106" });
    assert.equal(ext.get("2.5.29.14")?.value.length, 2 * 22); // OCTET STRING of a 20-byte SHA-1
  });

  it("honours notBefore/notAfter, using GeneralizedTime past 2049", () => {
    const notBefore = new Date("2030-01-02T03:04:05Z");
    const notAfter = new Date("2060-06-07T08:09:10Z");
    const x = new X509Certificate(makeCertificateAuthority({ notBefore, notAfter }).cert);
    assert.equal(new Date(x.validFrom).toISOString(), notBefore.toISOString());
    assert.equal(new Date(x.validTo).toISOString(), notAfter.toISOString());
  });

  it("refuses reversed dates", () => {
    const when = new Date();
    assert.throws(() => makeCertificateAuthority({ notBefore: when, notAfter: when }), InvalidArgumentError);
  });
});

describe("makeCertificate", () => {
  const ca = makeCertificateAuthority();

  it("issues a leaf for DNS names and IPv4/IPv6 addresses, chained by key identifiers", () => {
    const leaf = makeCertificate({ hosts: ["localhost", "127.0.0.1", "::1", "*.example.test"], issuer: ca });
    const x = new X509Certificate(leaf.cert);
    const root = new X509Certificate(ca.cert);
    assert.equal(leaf.ca, ca.cert);
    assert.equal(x.subjectAltName, `${LOOPBACK_SAN}, DNS:*.example.test`);
    assert.equal(x.ca, false);
    assert.ok(x.checkIssued(root));
    assert.ok(x.verify(root.publicKey));
    assert.ok(x.checkPrivateKey(createPrivateKey(leaf.key)));
    assert.equal(x.checkHost("localhost"), "localhost");
    assert.equal(x.checkHost("a.example.test"), "*.example.test");
    assert.equal(x.checkIP("127.0.0.1"), "127.0.0.1");
    assert.equal(x.checkIP("::1"), "::1");
    assert.match(x.subject, /CN=localhost/);
    assert.deepEqual(x.keyUsage, ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]); // extKeyUsage serverAuth, clientAuth
    const ext = extensionsOf(leaf.cert);
    assert.deepEqual(ext.get("2.5.29.19"), { critical: false, value: "3000" }); // CA:FALSE
    assert.deepEqual(ext.get("2.5.29.15"), { critical: true, value: "03020780" }); // digitalSignature
    // authorityKeyIdentifier [0] is the CA's subjectKeyIdentifier.
    const caKeyId = extensionsOf(ca.cert).get("2.5.29.14")!.value.slice(4);
    assert.equal(ext.get("2.5.29.35")?.value, `30168014${caKeyId}`);
  });

  it("encodes IPv6 forms as 16 octets", () => {
    const leaf = makeCertificate({
      hosts: ["2001:db8::1", "::ffff:192.0.2.1", "[fe80::1]", "1:2:3:4:5:6:7:8", "::"],
    });
    const x = new X509Certificate(leaf.cert);
    assert.equal(
      x.subjectAltName,
      "IP Address:2001:DB8:0:0:0:0:0:1, IP Address:0:0:0:0:0:FFFF:C000:201, IP Address:FE80:0:0:0:0:0:0:1, " +
        "IP Address:1:2:3:4:5:6:7:8, IP Address:0:0:0:0:0:0:0:0",
    );
    assert.equal(x.checkIP("2001:db8::1"), "2001:db8::1");
  });

  it("self-signs without an issuer and returns itself as the ca", () => {
    const leaf = makeCertificate({ hosts: ["localhost"], commonName: "Self" });
    const x = new X509Certificate(leaf.cert);
    assert.equal(leaf.ca, leaf.cert);
    assert.ok(x.checkIssued(x));
    assert.ok(x.verify(x.publicKey));
    assert.match(x.subject, /CN=Self/);
    assert.equal(x.checkIssued(new X509Certificate(ca.cert)), false);
  });

  it("signs with RSA and Ed25519 issuers and makes RSA and Ed25519 leaves", () => {
    for (const keyType of ["rsa-2048", "ed25519"] as const) {
      const root = makeCertificateAuthority({ keyType });
      const leaf = makeCertificate({ hosts: ["localhost"], issuer: root, keyType });
      const x = new X509Certificate(leaf.cert);
      assert.ok(x.verify(new X509Certificate(root.cert).publicKey), keyType);
      assert.equal(x.publicKey.asymmetricKeyType, keyType === "rsa-2048" ? "rsa" : "ed25519");
      assert.ok(x.checkPrivateKey(createPrivateKey(leaf.key)));
    }
  });

  it("refuses no hosts, non-ASCII or malformed names, reversed dates and unreadable issuers", () => {
    const reject = (fn: () => unknown) => assert.throws(fn, InvalidArgumentError);
    reject(() => makeCertificate({ hosts: [] }));
    reject(() => makeCertificate({ hosts: ["bücher.example"] }));
    reject(() => makeCertificate({ hosts: ["bad host"] }));
    reject(() => makeCertificate({ hosts: ["-lead.example"] }));
    reject(() => makeCertificate({ hosts: ["a..b"] }));
    reject(() =>
      makeCertificate({ hosts: ["localhost"], notBefore: new Date(2000, 1), notAfter: new Date(1999, 1) }),
    );
    reject(() => makeCertificate({ hosts: ["localhost"], issuer: { cert: "junk", key: ca.key } }));
    reject(() => makeCertificate({ hosts: ["localhost"], issuer: { cert: ca.cert, key: "junk" } }));
  });
});

describe("testCertificates", () => {
  const set = testCertificates();
  const root = new X509Certificate(set.ca.cert);

  it("is made once and cached", () => {
    assert.equal(testCertificates(), set);
  });

  it("has the kinds the brief lists, with the right properties", () => {
    const localhost = new X509Certificate(set.localhost.cert);
    assert.equal(localhost.subjectAltName, LOOPBACK_SAN);
    assert.ok(localhost.checkIssued(root));
    assert.ok(new Date(localhost.validTo).getTime() > Date.now());

    const self = new X509Certificate(set.selfSigned.cert);
    assert.equal(self.subjectAltName, LOOPBACK_SAN);
    assert.equal(self.checkIssued(root), false);
    assert.equal(self.verify(root.publicKey), false);
    assert.equal(set.selfSigned.ca, set.selfSigned.cert);

    const expired = new X509Certificate(set.expired.cert);
    assert.ok(expired.checkIssued(root));
    assert.ok(new Date(expired.validTo).getTime() < Date.now());

    const wrong = new X509Certificate(set.wrongHost.cert);
    assert.equal(wrong.subjectAltName, "DNS:wrong.example");
    assert.ok(wrong.checkIssued(root));
    assert.equal(wrong.checkHost("localhost"), undefined);
    assert.equal(wrong.checkIP("127.0.0.1"), undefined);
  });
});

describe("test certificates over real TLS", () => {
  const certs = testCertificates();
  const servers: tls.Server[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  async function handshake(
    identity: { cert: string; key: string },
    client: { host?: "127.0.0.1" | "::1"; servername?: string; ca?: string } = {},
  ): Promise<string> {
    const host = client.host ?? "127.0.0.1";
    const server = tls.createServer({ cert: identity.cert, key: identity.key }, (socket) => {
      socket.on("error", () => {});
      socket.end("hello");
    });
    server.on("tlsClientError", () => {});
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    const { port } = server.address() as AddressInfo;
    return new Promise((resolve) => {
      const socket = tls.connect({
        host,
        port,
        ca: client.ca ?? certs.ca.cert,
        servername: client.servername,
      });
      socket.once("secureConnect", () => {
        resolve("ok");
        socket.destroy();
      });
      socket.once("error", (error: NodeJS.ErrnoException) => {
        resolve(error.code ?? error.message);
        socket.destroy();
      });
    });
  }

  it("accepts localhost on 127.0.0.1, ::1 and by name when the client trusts ca", async () => {
    assert.equal(await handshake(certs.localhost), "ok");
    assert.equal(await handshake(certs.localhost, { host: "::1" }), "ok");
    assert.equal(await handshake(certs.localhost, { servername: "localhost" }), "ok");
  });

  it("rejects the self-signed one as DEPTH_ZERO_SELF_SIGNED_CERT", async () => {
    assert.equal(await handshake(certs.selfSigned), "DEPTH_ZERO_SELF_SIGNED_CERT");
  });

  it("accepts the self-signed one when the client trusts it directly", async () => {
    assert.equal(await handshake(certs.selfSigned, { ca: certs.selfSigned.ca }), "ok");
  });

  it("rejects the expired one as CERT_HAS_EXPIRED", async () => {
    assert.equal(await handshake(certs.expired), "CERT_HAS_EXPIRED");
  });

  it("rejects the wrong-host one as ERR_TLS_CERT_ALTNAME_INVALID, by IP and by name", async () => {
    assert.equal(await handshake(certs.wrongHost), "ERR_TLS_CERT_ALTNAME_INVALID");
    assert.equal(
      await handshake(certs.wrongHost, { servername: "localhost" }),
      "ERR_TLS_CERT_ALTNAME_INVALID",
    );
  });

  it("rejects a leaf from another CA as UNABLE_TO_VERIFY_LEAF_SIGNATURE", async () => {
    const other = makeCertificate({ hosts: ["127.0.0.1"], issuer: makeCertificateAuthority() });
    assert.equal(await handshake(other), "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  });

  it("works with RSA and Ed25519 leaves", async () => {
    for (const keyType of ["rsa-2048", "ed25519"] as const) {
      const root = makeCertificateAuthority({ keyType });
      const leaf = makeCertificate({ hosts: ["127.0.0.1"], issuer: root, keyType });
      assert.equal(await handshake(leaf, { ca: root.cert }), "ok", keyType);
    }
  });
});
