// Our builder's output read by Python's email package, and Python's builder's output read by our
// parser. Both ways, the reader must find what the writer was given: subject, addresses, tree,
// file names, Content-IDs and the exact bytes or text of every part; and our parse of each message
// must agree with Python's parse of it fact by fact.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { buildMessage } from "../../../src/mime/build/index.js";
import { parseMessage } from "../../../src/mime/parse/index.js";
import { FILES } from "./build-cases.js";
import { BUILD_CASES } from "./build-cases-more.js";
import { corpusPath } from "./corpus.js";
import { checkOurView, checkPyBuilt, checkPythonView, checkWireFormat } from "./expect-view.js";
import { compareFacts, ourFacts, pythonFacts, pythonTreeFacts } from "./facts.js";
import { dumpWithPython, type PyBuilt, type PyMessage, type PyNode, pythonBuild } from "./python.js";

/** How many messages py-build.py's "general" set writes. */
const PY_MESSAGES = 10;

describe("buildMessage → Python's email", () => {
  let dir = "";
  const built = new Map<string, Buffer | Error>();
  const dumps = new Map<string, PyMessage>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "inetkit-mime-build-"));
    const files: Record<string, string> = {};
    for (const [name, content] of Object.entries(FILES))
      await writeFile((files[name] = join(dir, name)), content);
    for (const c of BUILD_CASES) {
      try {
        const bytes = await buildMessage(c.spec(files)).toBuffer();
        built.set(c.name, bytes);
        await writeFile(join(dir, `${c.name}.eml`), bytes);
      } catch (error) {
        built.set(c.name, error as Error); // reported by that case's test
      }
    }
    const names = BUILD_CASES.filter((c) => Buffer.isBuffer(built.get(c.name))).map((c) => c.name);
    const forwarded = [...new Set(BUILD_CASES.flatMap((c) => (c.forwards ? [c.forwards] : [])))];
    const paths = [...names.map((n) => join(dir, `${n}.eml`)), ...forwarded.map(corpusPath)];
    for (const [i, d] of (await dumpWithPython(paths)).entries())
      dumps.set(names[i] ?? forwarded[i - names.length]!, d);
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it("covers every builder shape", () => {
    assert.ok(BUILD_CASES.length >= 15);
    assert.equal(new Set(BUILD_CASES.map((c) => c.name)).size, BUILD_CASES.length);
    const specs = BUILD_CASES.map((c) => c.spec({ "report.pdf": "report.pdf", "data.bin": "data.bin" }));
    const attachments = specs.flatMap((s) => s.attachments ?? []);
    assert.ok(
      attachments.some((a) => a.path !== undefined),
      "an attachment from a path",
    );
    assert.ok(
      attachments.some((a) => Buffer.isBuffer(a.content)),
      "an attachment from a Buffer",
    );
    assert.ok(
      attachments.some((a) => a.content instanceof Readable),
      "an attachment from a stream",
    );
    assert.ok(
      specs.some((s) => s.related?.length),
      "related parts",
    );
    assert.ok(
      specs.some((s) => s.forward !== undefined),
      "a forwarded message",
    );
    assert.ok(
      specs.some((s) => s.smtputf8),
      "SMTPUTF8",
    );
    assert.ok(
      specs.some((s) => s.html !== undefined && s.text === undefined),
      "HTML only",
    );
    assert.ok(specs.some((s) => s.textEncoding === "base64") && specs.some((s) => s.textEncoding === "8bit"));
  });

  for (const c of BUILD_CASES) {
    it(c.name, async () => {
      const bytes = built.get(c.name)!;
      if (bytes instanceof Error) throw bytes;
      checkWireFormat(c.name, bytes);
      const dump = dumps.get(c.name)!;
      checkPythonView(c.name, dump, c);
      const nodes = [dump.root, dump.exactRoot];
      for (const node of nodes) assert.deepEqual(allDefects(node), [], `${c.name}: Python finds defects`);
      const allowed = c.pythonHeaderDefects?.allowed ?? [];
      for (const found of dump.headerDefects) {
        assert.ok(
          allowed.includes(found.split(": ")[1]!),
          `${c.name}: Python finds a header defect, ${found}`,
        );
      }
      if (c.forwards) {
        const inside = findForward(dump.root);
        assert.ok(inside, `${c.name}: Python finds no message/rfc822 part`);
        const original = dumps.get(c.forwards)!;
        assert.deepEqual(
          pythonTreeFacts(inside, findForward(dump.exactRoot)),
          pythonTreeFacts(original.root, original.exactRoot),
          `${c.name}: the forwarded message reads as the original`,
        );
      }
      // Our parser reads our output as Python does, without a defect.
      const parsed = await parseMessage(bytes);
      compareFacts(c.name, await ourFacts(parsed), pythonFacts(dump), c.differences ?? []);
      assert.deepEqual(parsed.defects, [], `${c.name}: our parser finds defects`);
      await checkOurView(c.name, parsed, c);
    });
  }
});

describe("Python's email → parseMessage", () => {
  let dir = "";
  let manifest: PyBuilt[] = [];
  const dumps = new Map<string, PyMessage>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "inetkit-mime-pybuild-"));
    manifest = await pythonBuild(dir, "general");
    for (const [i, d] of (await dumpWithPython(manifest.map((m) => m.file))).entries())
      dumps.set(manifest[i]!.name, d);
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it(`py-build.py builds ${PY_MESSAGES} messages with EmailMessage and the MIME classes`, () => {
    assert.equal(manifest.length, PY_MESSAGES);
  });

  for (let i = 0; i < PY_MESSAGES; i++) {
    it(`py-build.py message ${i + 1}`, async () => {
      const m = manifest[i]!;
      const bytes = await readFile(m.file);
      const parsed = await parseMessage(bytes);
      compareFacts(m.name, await ourFacts(parsed), pythonFacts(dumps.get(m.name)!), []);
      await checkPyBuilt(m, parsed, bytes);
    });
  }
});

function allDefects(node: PyNode): string[] {
  return [...node.defects, ...node.children.flatMap(allDefects)];
}

/** The message inside the first message/rfc822 part of a Python tree. */
function findForward(node: PyNode): PyNode | undefined {
  if (node.contentType === "message/rfc822") return node.children[0];
  for (const child of node.children) {
    const found = findForward(child);
    if (found) return found;
  }
  return undefined;
}
