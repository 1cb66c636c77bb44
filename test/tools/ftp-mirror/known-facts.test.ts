// What a mirror tells download() it already knows from the listing (knownFacts): the size always,
// the listed time unless it is missing, or coarser than a second while resuming.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { knownFacts } from "../../../src/tools/ftp-mirror/execute.js";
import type { MirrorAction } from "../../../src/tools/ftp-mirror/types.js";

type Transfer = Extract<MirrorAction, { kind: "transfer" }>;

const MINUTE = 60_000;
const when = new Date("2024-05-06T07:08:00Z");
const withMdtm = new Map([["MDTM", ""]]);
const without = new Map<string, string>();
const transfer = (extra: Partial<Transfer>): Transfer => ({
  kind: "transfer",
  path: "a",
  reason: "missing",
  ...extra,
});

describe("knownFacts", () => {
  it("passes an exact listed time and the size: no SIZE, no MDTM", () => {
    const action = transfer({ size: 4096, modifiedAt: when, precision: 1000 });
    assert.deepEqual(knownFacts(action, withMdtm, false), { size: 4096, modifiedAt: when });
    assert.deepEqual(knownFacts(action, withMdtm, true), { size: 4096, modifiedAt: when });
  });

  it("passes a LIST time rounded to the minute (the next listing shows the same)", () => {
    const action = transfer({ size: 1, modifiedAt: when, precision: MINUTE });
    assert.deepEqual(knownFacts(action, withMdtm, false), { size: 1, modifiedAt: when });
  });

  it("asks MDTM for a coarse time when resuming, so a .part is compared to the second", () => {
    const action = transfer({ size: 1, modifiedAt: when, precision: MINUTE });
    assert.deepEqual(knownFacts(action, withMdtm, true), { size: 1 });
    // Without MDTM there is nothing better than the listing.
    assert.deepEqual(knownFacts(action, without, true), { size: 1, modifiedAt: when });
  });

  it("asks MDTM when the listing gave no time, and says 'unknown' when there is no MDTM", () => {
    const action = transfer({ size: 7 });
    assert.deepEqual(knownFacts(action, withMdtm, false), { size: 7 });
    assert.deepEqual(knownFacts(action, without, false), { size: 7, modifiedAt: null });
  });

  it("leaves the size to SIZE when the listing had none", () => {
    assert.deepEqual(knownFacts(transfer({ modifiedAt: when, precision: 1000 }), withMdtm, false), {
      modifiedAt: when,
    });
  });
});
