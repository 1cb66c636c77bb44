// The stored corpus is what the generator makes, each message is what its description says (as
// Python reads it), and the hex charset samples are the texts they stand for.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { corpusPath, generateCorpus, readStoredCorpus } from "./corpus.js";
import { SAMPLES } from "./corpus-charsets.js";
import { dumpWithPython, type PyGroup, type PyMessage, type PyNode } from "./python.js";

const REGENERATE = "node --import tsx test/interop/mime/corpus.ts --write";

describe("MIME interop corpus", () => {
  const generated = generateCorpus();

  it("is stored exactly as the generator makes it", () => {
    const stored = readStoredCorpus();
    assert.deepEqual(
      [...stored.keys()],
      generated.map((m) => m.name),
      `stored files differ from the generator; run ${REGENERATE}`,
    );
    for (const m of generated) {
      assert.ok(
        stored.get(m.name)!.equals(m.bytes),
        `${m.name}.eml differs from the generator; run ${REGENERATE}`,
      );
    }
  });

  it("has about 40 small, uniquely named messages, and the same bytes on every run", () => {
    assert.ok(generated.length >= 40 && generated.length <= 50, `${generated.length} messages`);
    assert.equal(new Set(generated.map((m) => m.name)).size, generated.length);
    for (const m of generated) assert.ok(m.bytes.length < 100 * 1024, `${m.name} is ${m.bytes.length} bytes`);
    const again = generateCorpus();
    for (const [i, m] of generated.entries())
      assert.ok(again[i]!.bytes.equals(m.bytes), `${m.name} is not deterministic`);
  });

  it("stores each charset sample as the bytes of its text (Node's TextDecoder agrees)", () => {
    for (const [key, sample] of Object.entries(SAMPLES)) {
      const decoded = new TextDecoder(sample.charset, { fatal: true }).decode(sample.bytes);
      // WHATWG reads iso-8859-1 as windows-1252; the Latin-1 sample avoids 0x80-0x9f, where they differ.
      assert.equal(decoded, sample.text, key);
    }
  });

  it("is what its descriptions say, as Python's email reads it", async () => {
    const dumps = new Map<string, PyMessage>();
    const names = generated.map((m) => m.name);
    for (const [i, d] of (await dumpWithPython(names.map(corpusPath))).entries()) dumps.set(names[i]!, d);
    const root = (name: string) => dumps.get(name)!.root;
    const types = (node: PyNode): unknown => [node.contentType, ...node.children.map(types)];
    const depth = (node: PyNode): number => 1 + Math.max(0, ...node.children.map(depth));
    const members = (groups: PyGroup[] | unknown) => (groups as PyGroup[]).flatMap((g) => g.members);

    assert.deepEqual(types(root("05-mixed-alternative-related")), [
      "multipart/mixed",
      ["multipart/alternative", ["text/plain"], ["multipart/related", ["text/html"], ["image/gif"]]],
      ["application/pdf"],
    ]);
    // mixed > message/rfc822 > mixed > message/rfc822 > text/plain
    assert.equal(depth(root("11-rfc822-nested")), 5);
    assert.deepEqual(
      root("13-digest").children.map((c) => c.contentType),
      ["text/plain", "message/rfc822", "message/rfc822", "message/rfc822"],
    );
    assert.equal(root("09-rfc2231-language").children[1]!.filename, "Grüße aus München.txt");
    assert.equal(root("15-shift_jis").children[1]!.filename, "会議の議事録について.txt");
    assert.equal(dumps.get("14-iso-2022-jp")!.subject, SAMPLES.jaSubjJis.text);
    assert.equal(dumps.get("29-split-encoded-word")!.subject, "€ euro ✓ done");
    assert.ok((dumps.get("35-long-folded-subject")!.subject as string).length > 1000);
    assert.equal(members(dumps.get("36-two-hundred-recipients")!.to).length, 200);
    assert.deepEqual(root("30-missing-closing-boundary").defects, ["CloseBoundaryNotFoundDefect"]);
    assert.ok(root("31-no-boundary-param").defects.includes("NoBoundaryInMultipartDefect"));
    assert.equal(root("32-boundary-in-preamble").children.length, 2);
    assert.equal(depth(root("42-deep-nesting")), 6);
    // Python reads every message; no corpus file is so broken that the oracle gives up.
    assert.equal(dumps.size, generated.length);
  });
});
