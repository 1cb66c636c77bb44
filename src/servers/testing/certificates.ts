/**
 * Test certificates made in-process: X.509 v3 (RFC 5280) built as DER by hand and signed with
 * node:crypto, so tests need neither the openssl binary nor files on disk. Keys are ECDSA P-256
 * by default (fast to make, accepted by every TLS version Node speaks); RSA and Ed25519 on request.
 *
 * These certificates are for loopback tests only: the keys are made fresh in memory and the
 * defaults (an hour of back-dating, a year of validity) favour convenience over strictness.
 */
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from "node:crypto";
import { isIP } from "node:net";
import { InvalidArgumentError } from "../../errors.js";
import {
  bitString,
  boolean,
  childrenOf,
  type Element,
  explicit,
  implicit,
  integer,
  isPrintable,
  namedBits,
  nullValue,
  octetString,
  oid,
  printableString,
  readElement,
  readOid,
  sequence,
  set,
  Tag,
  time,
  utf8String,
} from "./der.js";

/** A certificate and its private key, both PEM. */
export interface CertificateAuthority {
  cert: string;
  key: string;
}

/** A server certificate, its private key, and the certificate a client must trust to accept it. */
export interface IssuedCertificate {
  cert: string;
  key: string;
  /** The issuer's certificate (PEM), or the certificate itself when it is self-signed. */
  ca: string;
}

/** The key a certificate is made for. Default `"ec-p256"`: small and fast to make. */
export type KeyType = "ec-p256" | "rsa-2048" | "ed25519";

export interface CertificateAuthorityOptions {
  /** Default `"inetkit test CA"`. */
  commonName?: string;
  /** Default: one hour ago (room for clock skew). */
  notBefore?: Date;
  /** Default: ten years after `notBefore`. */
  notAfter?: Date;
  /** Default `"ec-p256"`. */
  keyType?: KeyType;
}

export interface CertificateOptions {
  /** DNS names (`localhost`, `*.example.test`) and IP addresses (`127.0.0.1`, `::1`) the certificate is for. */
  hosts: readonly string[];
  /** The CA that signs it; default: the certificate signs itself. */
  issuer?: CertificateAuthority;
  /** Default: one hour ago. */
  notBefore?: Date;
  /** Default: one year after `notBefore`. */
  notAfter?: Date;
  /** Default: the first host. */
  commonName?: string;
  /** Default `"ec-p256"`. */
  keyType?: KeyType;
}

const OID = {
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  ecPublicKey: "1.2.840.10045.2.1",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRsa: "1.2.840.113549.1.1.11",
  ed25519: "1.3.101.112",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

/** keyUsage bit numbers (RFC 5280 §4.2.1.3). */
const KeyUsage = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Makes a self-signed certificate authority: basicConstraints CA:TRUE (critical), keyUsage
 * keyCertSign and cRLSign (critical), and a subjectKeyIdentifier for chain building.
 *
 * @throws {InvalidArgumentError} when `notAfter` is not after `notBefore`, or `keyType` is unknown.
 */
export function makeCertificateAuthority(options: CertificateAuthorityOptions = {}): CertificateAuthority {
  const notBefore = options.notBefore ?? new Date(Date.now() - HOUR);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 3650 * DAY);
  const { privateKey, publicKey } = generateKey(options.keyType);
  const spki = publicKey.export({ type: "spki", format: "der" });
  const name = distinguishedName(options.commonName ?? "inetkit test CA");
  const keyId = keyIdentifierOf(spki);
  const extensions = [
    extension(OID.basicConstraints, true, sequence(boolean(true))),
    extension(OID.keyUsage, true, namedBits([KeyUsage.keyCertSign, KeyUsage.cRLSign])),
    extension(OID.subjectKeyIdentifier, false, octetString(keyId)),
  ];
  const cert = signCertificate(
    { issuer: name, subject: name, notBefore, notAfter, spki, extensions },
    privateKey,
  );
  return { cert, key: pemOfKey(privateKey) };
}

/**
 * Makes a server certificate for `hosts`: subjectAltName dNSName / iPAddress entries (IPv4 as 4
 * octets, IPv6 as 16), extKeyUsage serverAuth and clientAuth, basicConstraints CA:FALSE, and
 * subject/authority key identifiers (RFC 5280 §4.2.1.1–2) so OpenSSL finds the issuer. Signed by
 * `issuer` (ECDSA, RSA or Ed25519 keys) or, without one, by its own key.
 *
 * @throws {InvalidArgumentError} when `hosts` is empty or holds something that is neither an IP
 *   address nor an ASCII DNS name, when the dates are reversed, or when the issuer cannot be read.
 */
export function makeCertificate(options: CertificateOptions): IssuedCertificate {
  if (options.hosts.length === 0) throw new InvalidArgumentError("a certificate needs at least one host");
  const notBefore = options.notBefore ?? new Date(Date.now() - HOUR);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 365 * DAY);
  const { privateKey, publicKey } = generateKey(options.keyType);
  const spki = publicKey.export({ type: "spki", format: "der" });
  const keyId = keyIdentifierOf(spki);
  const subject = distinguishedName(options.commonName ?? options.hosts[0]!);

  let issuerName = subject;
  let issuerKeyId = keyId;
  let signingKey: KeyObject = privateKey;
  if (options.issuer) {
    const read = readIssuer(options.issuer);
    issuerName = read.subject;
    issuerKeyId = read.keyId;
    signingKey = read.key;
  }
  const extensions = [
    extension(OID.basicConstraints, false, sequence()),
    extension(OID.subjectAltName, false, sequence(...options.hosts.map(generalName))),
    extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth), oid(OID.clientAuth))),
    extension(OID.subjectKeyIdentifier, false, octetString(keyId)),
    extension(OID.authorityKeyIdentifier, false, sequence(implicit(0, issuerKeyId))),
  ];
  // A self-signed leaf carries no keyUsage: one without keyCertSign would make some OpenSSL
  // versions refuse to treat it as its own issuer when a test trusts it directly.
  if (options.issuer) {
    // RSA keys also encipher (TLS 1.2 RSA key exchange); EC and Ed25519 keys only sign.
    const usage = privateKey.asymmetricKeyType === "rsa" ? [KeyUsage.keyEncipherment] : [];
    extensions.splice(1, 0, extension(OID.keyUsage, true, namedBits([KeyUsage.digitalSignature, ...usage])));
  }
  const cert = signCertificate(
    { issuer: issuerName, subject, notBefore, notAfter, spki, extensions },
    signingKey,
  );
  return { cert, key: pemOfKey(privateKey), ca: options.issuer?.cert ?? cert };
}

/** The certificates most tests need, made once per process by {@link testCertificates}. */
export interface TestCertificates {
  /** The test CA a client trusts (`tls: { ca: ca.cert }`). */
  ca: CertificateAuthority;
  /** Issued by `ca` for localhost, 127.0.0.1 and ::1: the good one. */
  localhost: IssuedCertificate;
  /** Self-signed for localhost, 127.0.0.1 and ::1; not issued by `ca`. */
  selfSigned: IssuedCertificate;
  /** Issued by `ca` for the loopback names, but its notAfter is a day in the past. */
  expired: IssuedCertificate;
  /** Issued by `ca` for `wrong.example` only. */
  wrongHost: IssuedCertificate;
}

let cached: TestCertificates | undefined;

/**
 * The shared test certificate set, made on first use and cached for the life of the process.
 * Never throws.
 */
export function testCertificates(): TestCertificates {
  if (cached) return cached;
  const loopback = ["localhost", "127.0.0.1", "::1"];
  const ca = makeCertificateAuthority();
  const now = Date.now();
  cached = {
    ca,
    localhost: makeCertificate({ hosts: loopback, issuer: ca }),
    selfSigned: makeCertificate({ hosts: loopback }),
    expired: makeCertificate({
      hosts: loopback,
      issuer: ca,
      notBefore: new Date(now - 30 * DAY),
      notAfter: new Date(now - DAY),
    }),
    wrongHost: makeCertificate({ hosts: ["wrong.example"], issuer: ca }),
  };
  return cached;
}

function generateKey(type: KeyType = "ec-p256"): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (type) {
    case "ec-p256":
      return generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    case "rsa-2048":
      return generateKeyPairSync("rsa", { modulusLength: 2048 });
    case "ed25519":
      return generateKeyPairSync("ed25519");
    default:
      throw new InvalidArgumentError(`unknown key type: ${String(type)}`);
  }
}

interface TbsFields {
  issuer: Buffer;
  subject: Buffer;
  notBefore: Date;
  notAfter: Date;
  spki: Buffer;
  extensions: Buffer[];
}

/** Builds the TBSCertificate (RFC 5280 §4.1), signs it, and returns the Certificate as PEM. */
function signCertificate(fields: TbsFields, key: KeyObject): string {
  if (!(fields.notAfter.getTime() > fields.notBefore.getTime())) {
    throw new InvalidArgumentError("notAfter must be later than notBefore");
  }
  const algorithm = signatureAlgorithm(key);
  // A positive 127-bit serial: unique enough, and never needs a leading zero octet.
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    algorithm.identifier,
    fields.issuer,
    sequence(time(fields.notBefore), time(fields.notAfter)),
    fields.subject,
    fields.spki,
    explicit(3, sequence(...fields.extensions)),
  );
  const signature = sign(algorithm.hash, tbs, key);
  const der = sequence(tbs, algorithm.identifier, bitString(signature));
  return pem("CERTIFICATE", der);
}

function signatureAlgorithm(key: KeyObject): { identifier: Buffer; hash: string | null } {
  switch (key.asymmetricKeyType) {
    case "ec":
      return { identifier: sequence(oid(OID.ecdsaWithSha256)), hash: "sha256" };
    case "rsa":
      return { identifier: sequence(oid(OID.sha256WithRsa), nullValue()), hash: "sha256" };
    case "ed25519":
      return { identifier: sequence(oid(OID.ed25519)), hash: null };
    default:
      throw new InvalidArgumentError(`cannot sign with a ${key.asymmetricKeyType} issuer key`);
  }
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(oid(id), boolean(true), octetString(value))
    : sequence(oid(id), octetString(value));
}

/** A Name with O=inetkit and the given CN, PrintableString where it fits, else UTF8String. */
function distinguishedName(commonName: string): Buffer {
  const text = (value: string) => (isPrintable(value) ? printableString(value) : utf8String(value));
  const rdn = (type: string, value: string) => set(sequence(oid(type), text(value)));
  return sequence(rdn(OID.organization, "inetkit"), rdn(OID.commonName, commonName));
}

/** GeneralName for a subjectAltName entry: [7] iPAddress or [2] dNSName (RFC 5280 §4.2.1.6). */
function generalName(host: string): Buffer {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const family = isIP(bare);
  if (family === 4) return implicit(7, Buffer.from(bare.split(".").map(Number)));
  if (family === 6) return implicit(7, ipv6Bytes(bare));
  if (
    !/^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/.test(
      host,
    )
  ) {
    throw new InvalidArgumentError(`not a DNS name or IP address: ${JSON.stringify(host)}`);
  }
  return implicit(2, Buffer.from(host, "latin1"));
}

/** The 16 octets of an IPv6 address already checked by `isIP` (handles `::` and a dotted IPv4 tail). */
function ipv6Bytes(address: string): Buffer {
  let text = address.split("%")[0]!; // a zone id names an interface, not part of the address
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${(a * 256 + b).toString(16)}:${(c * 256 + d).toString(16)}`;
  }
  const parse = (part: string | undefined) =>
    part ? part.split(":").map((g) => Number.parseInt(g, 16)) : [];
  const [head, tail] = text.split("::");
  const front = parse(head);
  const back = parse(tail);
  const words = text.includes("::")
    ? [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back]
    : front;
  const out = Buffer.alloc(16);
  for (const [i, word] of words.entries()) out.writeUInt16BE(word, i * 2);
  return out;
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's value. */
function keyIdentifierOf(spki: Buffer): Buffer {
  const outer = readElement(spki);
  const [, key] = childrenOf(spki, outer);
  if (!key || key.tag !== Tag.bitString) throw new InvalidArgumentError("malformed subjectPublicKeyInfo");
  return createHash("sha1")
    .update(spki.subarray(key.contentStart + 1, key.end))
    .digest();
}

/** The issuer's subject Name (as DER, to copy byte for byte), its key identifier, and its private key. */
function readIssuer(issuer: CertificateAuthority): { subject: Buffer; keyId: Buffer; key: KeyObject } {
  let der: Buffer;
  let key: KeyObject;
  try {
    der = new X509Certificate(issuer.cert).raw;
    key = createPrivateKey(issuer.key);
  } catch (cause) {
    throw new InvalidArgumentError("the issuer's certificate or key cannot be read", { cause });
  }
  try {
    const [tbs] = childrenOf(der, readElement(der));
    if (!tbs) throw new RangeError("no TBSCertificate");
    const fields = childrenOf(der, tbs);
    const first = fields[0]?.tag === 0xa0 ? 1 : 0;
    const subject = fields[first + 4];
    const spki = fields[first + 5];
    if (!subject || !spki) throw new RangeError("TBSCertificate too short");
    const extensions = fields.find((f) => f.tag === 0xa3);
    const keyId =
      (extensions && subjectKeyIdFrom(der, extensions)) ??
      keyIdentifierOf(Buffer.from(der.subarray(spki.start, spki.end)));
    return { subject: Buffer.from(der.subarray(subject.start, subject.end)), keyId, key };
  } catch (cause) {
    if (cause instanceof InvalidArgumentError) throw cause;
    throw new InvalidArgumentError("the issuer's certificate is malformed", { cause });
  }
}

/** The keyIdentifier inside the subjectKeyIdentifier extension, when the certificate has one. */
function subjectKeyIdFrom(der: Buffer, wrapper: Element): Buffer | undefined {
  const [list] = childrenOf(der, wrapper);
  if (!list) return undefined;
  for (const ext of childrenOf(der, list)) {
    const parts = childrenOf(der, ext);
    const id = parts[0];
    const value = parts[parts.length - 1];
    if (!id || !value || readOid(der, id) !== OID.subjectKeyIdentifier) continue;
    const inner = readElement(der, value.contentStart);
    return Buffer.from(der.subarray(inner.contentStart, inner.end));
  }
  return undefined;
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function pemOfKey(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}
