import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ctime,
  formatDatagramReply,
  formatReply,
  MAX_UDP_PAYLOAD,
} from "../../../src/servers/timestamp/format.js";

// Dates are built from local fields, so the expected text does not depend on the machine's zone.
describe("ctime", () => {
  it("formats like Python's time.ctime()", () => {
    assert.equal(ctime(new Date(2026, 10, 22, 3, 24, 32)), "Sun Nov 22 03:24:32 2026");
  });

  it("pads the day of the month with a space and the time with zeros", () => {
    assert.equal(ctime(new Date(2024, 0, 1, 0, 0, 5)), "Mon Jan  1 00:00:05 2024");
    assert.equal(ctime(new Date(1999, 11, 9, 23, 59, 59)), "Thu Dec  9 23:59:59 1999");
  });

  it("names every day and month", () => {
    const days = new Set<string>();
    const months = new Set<string>();
    for (let month = 0; month < 12; month += 1) {
      for (let day = 1; day <= 7; day += 1) {
        const text = ctime(new Date(2025, month, day, 12, 0, 0));
        assert.match(text, /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
        days.add(text.slice(0, 3));
        months.add(text.slice(4, 7));
      }
    }
    assert.deepEqual([...days].sort(), ["Fri", "Mon", "Sat", "Sun", "Thu", "Tue", "Wed"]);
    assert.equal(months.size, 12);
  });

  it("refuses an invalid date", () => {
    assert.throws(() => ctime(new Date(Number.NaN)), RangeError);
  });
});

describe("formatReply", () => {
  const date = new Date(2026, 10, 22, 3, 24, 32);

  it("adds a LF only to line messages", () => {
    assert.equal(formatReply(date, Buffer.from("hi"), true).toString(), "[Sun Nov 22 03:24:32 2026] hi\n");
    assert.equal(formatReply(date, Buffer.from("hi"), false).toString(), "[Sun Nov 22 03:24:32 2026] hi");
  });

  it("echoes bytes as they came, invalid UTF-8 included", () => {
    const message = Buffer.from([0xff, 0x00, 0xc3]);
    const reply = formatReply(date, message, false);
    assert.deepEqual(reply.subarray(reply.length - 3), message);
  });

  it("cuts a datagram reply to what one datagram holds", () => {
    const reply = formatDatagramReply(date, Buffer.alloc(MAX_UDP_PAYLOAD, 0x61));
    assert.equal(reply.length, MAX_UDP_PAYLOAD);
    assert.ok(reply.toString("latin1").startsWith("[Sun Nov 22 03:24:32 2026] aaa"));
    assert.equal(formatDatagramReply(date, Buffer.from("x")).toString(), "[Sun Nov 22 03:24:32 2026] x");
  });
});
