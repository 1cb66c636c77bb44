/**
 * Differential tests against Python's `email.headerregistry` (the oracle): the valid table, the
 * invalid table (Python must flag every case too, except the ones we are deliberately stricter
 * about), and a batch of generated lists written by formatAddress. One python3 process answers
 * all of them.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { domainToAscii, formatAddress, parseAddressList } from "../../../src/mime/address/index.js";
import type { Address, Mailbox } from "../../../src/mime/types.js";
import { addressList } from "./arbitraries.js";
import { INVALID, VALID } from "./cases.js";

interface PyGroup {
  group: string | null;
  members: Array<[string, string]>;
}
type PyResult = { groups: PyGroup[]; defects: string[] } | { error: string };

const SCRIPT = fileURLToPath(new URL("./python-addresses.py", import.meta.url));

/** Python's addr_spec drops quotes the local part does not need (headerregistry.Address). */
function pythonAddrSpec(address: string): string {
  if (!address.startsWith('"')) return address;
  const at = address.lastIndexOf("@");
  const value = address.slice(1, at - 1).replace(/\\(.)/g, "$1");
  return /[()<>@,:;"\\[\] \t]/.test(value) || value === "" ? address : `${value}${address.slice(at)}`;
}

/** Our addresses in the oracle's shape: a bare mailbox is a group without a name. */
function asPython(list: readonly Address[]): PyGroup[] {
  const member = (m: Mailbox): [string, string] => [m.name, pythonAddrSpec(m.address)];
  return list.map((a) =>
    "group" in a ? { group: a.group, members: a.members.map(member) } : { group: null, members: [member(a)] },
  );
}

/**
 * Python 3.11 is loose with white space in decoded encoded words of a phrase: it keeps the space
 * between two adjacent words (RFC 2047 §6.2 says to drop it), collapses a run of white space
 * (NBSP included) at the start of a decoded word with the space before it, and strips it at the
 * ends of the name. Our own round-trip properties check names exactly; when the text holds an
 * encoded word, this comparison ignores white space in names.
 */
function forgiveSpaces(groups: PyGroup[], text: string): PyGroup[] {
  if (!text.includes("=?utf-8?")) return groups;
  const squash = (name: string) => name.replace(/\s+/g, "");
  return groups.map((g) => ({
    group: g.group === null ? null : squash(g.group),
    members: g.members.map(([name, spec]): [string, string] => [squash(name), spec]),
  }));
}

function asciiDomains(list: Address[]): Address[] {
  const fix = (m: Mailbox): Mailbox => {
    const at = m.address.lastIndexOf("@");
    return { name: m.name, address: `${m.address.slice(0, at)}@${domainToAscii(m.address.slice(at + 1))}` };
  };
  return list.map((a) => ("group" in a ? { group: a.group, members: a.members.map(fix) } : fix(a)));
}

// Generated lists, formatted by us: ASCII on the wire, and SMTPUTF8 (raw UTF-8, RFC 6532).
const generatedAscii = fc.sample(addressList({ unicodeLocal: false, unicodeDomain: true }), {
  numRuns: 300,
  seed: 5,
});
const generatedUtf8 = fc.sample(addressList({ unicodeLocal: true, unicodeDomain: true }), {
  numRuns: 300,
  seed: 6,
});
const formattedAscii = generatedAscii.map((list) => formatAddress(list));
const formattedUtf8 = generatedUtf8.map((list) => formatAddress(list, { smtputf8: true }));

const inputs = [
  ...VALID.map((c) => c.input),
  ...INVALID.map((c) => c.input),
  ...formattedAscii,
  ...formattedUtf8,
];
let answers: PyResult[] = [];

function answer(index: number): PyResult {
  const result = answers[index];
  assert.ok(result, `no answer from Python for input ${index}`);
  return result;
}

function isFlagged(result: PyResult): boolean {
  return (
    "error" in result ||
    result.defects.some((d) => d !== "ObsoleteHeaderDefect" && d !== "NonASCIILocalPartDefect")
  );
}

describe("differential: Python email.headerregistry", () => {
  before(() => {
    const run = spawnSync("python3", [SCRIPT], {
      input: JSON.stringify(inputs),
      encoding: "utf8",
      maxBuffer: 64 << 20,
    });
    assert.equal(run.status, 0, run.stderr);
    answers = JSON.parse(run.stdout) as PyResult[];
    assert.equal(answers.length, inputs.length);
  });

  it("agrees on every valid case", () => {
    const disagreements: string[] = [];
    VALID.forEach(({ input, expected }, i) => {
      const py = answer(i);
      if ("error" in py || isFlagged(py)) {
        disagreements.push(`${JSON.stringify(input)}: Python flagged ${JSON.stringify(py)}`);
      } else {
        try {
          assert.deepEqual(py.groups, asPython(expected));
          assert.deepEqual(asPython(parseAddressList(input)), py.groups);
        } catch {
          disagreements.push(`${JSON.stringify(input)}: Python ${JSON.stringify(py.groups)}`);
        }
      }
    });
    assert.deepEqual(disagreements, []);
  });

  it("flags every invalid case, except those we are deliberately stricter about", () => {
    const acceptedByPython: string[] = [];
    INVALID.forEach(({ input }, i) => {
      const py = answer(VALID.length + i);
      // An empty list is not a defect for Python; for parseAddressList it is (allowEmpty aside).
      const empty = !("error" in py) && py.groups.length === 0;
      if (!isFlagged(py) && !empty) acceptedByPython.push(input);
    });
    assert.deepEqual(
      acceptedByPython,
      INVALID.filter((c) => c.pythonAccepts).map((c) => c.input),
    );
  });

  it("reads what formatAddress writes as we do (ASCII with encoded words and A-labels)", () => {
    const offset = VALID.length + INVALID.length;
    generatedAscii.forEach((list, i) => {
      const py = answer(offset + i);
      assert.ok(!isFlagged(py), `${formattedAscii[i]}: ${JSON.stringify(py)}`);
      assert.ok("groups" in py);
      const text = formattedAscii[i]!;
      assert.deepEqual(
        forgiveSpaces(py.groups, text),
        forgiveSpaces(asPython(asciiDomains(list)), text),
        text,
      );
    });
  });

  it("reads what formatAddress writes as we do (SMTPUTF8, RFC 6532)", () => {
    const offset = VALID.length + INVALID.length + generatedAscii.length;
    generatedUtf8.forEach((list, i) => {
      const py = answer(offset + i);
      assert.ok(!isFlagged(py), `${formattedUtf8[i]}: ${JSON.stringify(py)}`);
      assert.ok("groups" in py);
      const text = formattedUtf8[i]!;
      assert.deepEqual(forgiveSpaces(py.groups, text), forgiveSpaces(asPython(list), text), text);
    });
  });
});
