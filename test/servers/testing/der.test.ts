import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  bitString,
  childrenOf,
  explicit,
  integer,
  namedBits,
  octetString,
  oid,
  printableString,
  readElement,
  readOid,
  sequence,
  set,
  time,
  tlv,
} from "../../../src/servers/testing/der.js";

const hex = (b: Buffer) => b.toString("hex");

describe("DER encoder", () => {
  it("encodes lengths in short and minimal long form (X.690 §8.1.3)", () => {
    assert.equal(hex(tlv(0x04, Buffer.alloc(0))), "0400");
    assert.equal(hex(tlv(0x04, Buffer.alloc(127)).subarray(0, 2)), "047f");
    assert.equal(hex(tlv(0x04, Buffer.alloc(128)).subarray(0, 3)), "048180");
    assert.equal(hex(tlv(0x04, Buffer.alloc(256)).subarray(0, 4)), "04820100");
    assert.equal(hex(tlv(0x04, Buffer.alloc(70000)).subarray(0, 5)), "0483011170");
  });

  it("encodes INTEGERs minimally and positive", () => {
    assert.equal(hex(integer(0)), "020100");
    assert.equal(hex(integer(2)), "020102");
    assert.equal(hex(integer(127)), "02017f");
    assert.equal(hex(integer(128)), "02020080");
    assert.equal(hex(integer(256)), "02020100");
    assert.equal(hex(integer(Buffer.from([0, 0, 0x01, 0x02]))), "02020102");
    assert.equal(hex(integer(Buffer.from([0xff]))), "020200ff");
    assert.equal(hex(integer(Buffer.alloc(0))), "020100");
  });

  it("encodes OBJECT IDENTIFIERs, including multi-septet arcs, and reads them back", () => {
    assert.equal(hex(oid("1.2.840.10045.4.3.2")), "06082a8648ce3d040302");
    assert.equal(hex(oid("2.5.29.17")), "0603551d11");
    for (const dotted of ["1.2.840.113549.1.1.11", "2.999.3", "0.9.2342.19200300.100.1.1"]) {
      const der = oid(dotted);
      assert.equal(readOid(der, readElement(der)), dotted);
    }
    assert.throws(() => oid("1"), RangeError);
    assert.throws(() => oid("1.x"), RangeError);
  });

  it("encodes named bits without trailing zero bits (X.690 §11.2.2)", () => {
    assert.equal(hex(namedBits([5, 6])), "03020106"); // keyCertSign | cRLSign
    assert.equal(hex(namedBits([0])), "03020780"); // digitalSignature
    assert.equal(hex(namedBits([7])), "03020001");
    assert.equal(hex(namedBits([8])), "0303070080");
    assert.equal(hex(bitString(Buffer.from([1, 2]))), "0303000102");
  });

  it("uses UTCTime before 2050 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)", () => {
    assert.equal(time(new Date("2024-03-05T06:07:08.999Z")).toString("latin1").slice(2), "240305060708Z");
    assert.equal(time(new Date("2024-03-05T06:07:08Z"))[0], 0x17);
    const late = time(new Date("2050-01-01T00:00:00Z"));
    assert.equal(late[0], 0x18);
    assert.equal(late.toString("latin1").slice(2), "20500101000000Z");
    assert.equal(time(new Date("1949-12-31T23:59:59Z"))[0], 0x18);
  });

  it("sorts SET OF members and refuses non-printable PrintableStrings", () => {
    assert.equal(hex(set(octetString(Buffer.from([2])), octetString(Buffer.from([1])))), "3106040101040102");
    assert.throws(() => printableString("a@b"), RangeError);
  });

  it("reads back what it writes: nested elements keep their bounds", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), (parts) => {
        const items = parts.map((p) => octetString(Buffer.from(p)));
        const der = sequence(explicit(3, sequence(...items)));
        const outer = readElement(der);
        assert.equal(outer.end, der.length);
        const [wrapper] = childrenOf(der, outer);
        const [inner] = childrenOf(der, wrapper!);
        const children = childrenOf(der, inner!);
        assert.deepEqual(
          children.map((c) => Buffer.from(der.subarray(c.contentStart, c.end))),
          parts.map((p) => Buffer.from(p)),
        );
      }),
    );
  });

  it("refuses truncated input", () => {
    assert.throws(() => readElement(Buffer.from([0x30])), RangeError);
    assert.throws(() => readElement(Buffer.from([0x30, 0x05, 0x00])), RangeError);
    assert.throws(() => readElement(Buffer.from([0x30, 0x82, 0x01])), RangeError);
  });
});
