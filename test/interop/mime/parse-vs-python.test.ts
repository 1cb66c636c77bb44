// Differential test of the parser: every corpus message parsed by parseMessage and by Python's
// email package must give the same part tree, content types, parameters, file names, Content-IDs,
// decoded subjects, addresses, decoded body bytes and decoded text — except where
// parse-expectations.ts states a difference, why, and what we produce instead. The same message
// fed in 1-byte and 7-byte chunks must parse exactly as it does from one Buffer.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { before, describe, it } from "node:test";
import { parseMessage } from "../../../src/mime/parse/index.js";
import type { MimeDefectKind, MimePart } from "../../../src/mime/types.js";
import { corpusPath, readStoredCorpus } from "./corpus.js";
import { compareFacts, ourFacts, pythonFacts } from "./facts.js";
import { EXPECTATIONS } from "./parse-expectations.js";
import { dumpWithPython, type PyMessage, type PyNode } from "./python.js";

/** Python's defect classes that have a counterpart among ours: when Python reports one, we must too. */
const PYTHON_DEFECTS: Record<string, MimeDefectKind> = {
  CloseBoundaryNotFoundDefect: "missing-closing-boundary",
  NoBoundaryInMultipartDefect: "missing-boundary",
  InvalidBase64CharactersDefect: "invalid-base64",
  InvalidBase64PaddingDefect: "invalid-base64",
  InvalidBase64LengthDefect: "invalid-base64",
};

function pythonDefects(node: PyNode): string[] {
  return [...node.defects, ...node.children.flatMap(pythonDefects)];
}

function partDefects(part: MimePart): string[] {
  return [...part.defects.map((d) => d.kind), ...part.children.flatMap(partDefects)];
}

async function* inChunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const stored = readStoredCorpus();
const names = [...stored.keys()];

describe("parseMessage agrees with Python's email on the corpus", () => {
  const python = new Map<string, PyMessage>();

  before(async () => {
    const dumps = await dumpWithPython(names.map(corpusPath));
    for (const [i, dump] of dumps.entries()) python.set(names[i]!, dump);
  });

  it("states expectations only for corpus messages, each difference with a reason", () => {
    for (const [name, expectation] of Object.entries(EXPECTATIONS)) {
      assert.ok(stored.has(name), `parse-expectations.ts names ${name}, which is not in the corpus`);
      for (const d of expectation.differences ?? [])
        assert.ok(d.reason.length > 10, `${name} ${d.facts}: no reason`);
    }
  });

  for (const name of names) {
    it(name, async () => {
      const bytes = stored.get(name)!;
      const expectation = EXPECTATIONS[name] ?? {};
      const parsed = await parseMessage(bytes);
      const ours = await ourFacts(parsed);
      compareFacts(name, ours, pythonFacts(python.get(name)!), expectation.differences ?? []);

      const kinds = [...new Set(parsed.defects.map((d) => d.kind))].sort();
      assert.deepEqual(kinds, [...(expectation.defects ?? [])].sort(), `${name}: our defects`);
      assert.deepEqual(
        partDefects(parsed.root).sort(),
        parsed.defects.map((d) => d.kind).sort(),
        `${name}: the message's defects are its parts'`,
      );
      for (const defect of pythonDefects(python.get(name)!.root)) {
        const mine = PYTHON_DEFECTS[defect];
        if (mine)
          assert.ok(kinds.includes(mine), `${name}: Python reports ${defect}, we do not report ${mine}`);
      }

      assert.deepEqual(
        await ourFacts(await parseMessage(inChunks(bytes, 1))),
        ours,
        `${name}: 1-byte chunks`,
      );
      assert.deepEqual(
        await ourFacts(await parseMessage(Readable.from(inChunks(bytes, 7)))),
        ours,
        `${name}: 7-byte chunks`,
      );
    });
  }
});
