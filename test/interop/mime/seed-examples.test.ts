// The seed's two email examples (Core Python Programming's email chapter): a multipart/alternative
// message with a text and an HTML part, and a message carrying an image as an attachment
// (MIMEImage with `Content-Disposition: attachment; filename=...`). Built with our builder, each is
// read back by Python and by our parser with equal results; built by Python the seed's way
// (MIMEMultipart('alternative') + MIMEText; MIMEImage), each is read by our parser as Python reads it.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildMessage, type MessageSpec } from "../../../src/mime/build/index.js";
import { parseMessage } from "../../../src/mime/parse/index.js";
import {
  checkOurView,
  checkPyBuilt,
  checkPythonView,
  checkWireFormat,
  type ExpectedView,
} from "./expect-view.js";
import { compareFacts, ourFacts, pythonFacts } from "./facts.js";
import { dumpWithPython, type PyBuilt, type PyMessage, pythonBuild } from "./python.js";

// The same texts and image bytes py-build.py's seed set uses.
const TEXT = "Hello, this is the plain text part.\n";
const HTML = "<html><body><p>Hello, this is the <b>HTML</b> part.</p></body></html>\n";
const PNG = Buffer.concat([
  Buffer.from("89504e470d0a1a0a", "hex"),
  Buffer.from(Array.from({ length: 900 }, (_, i) => (i * 7 + 3) % 256)),
]);

const people = { from: "sender@example.org", to: "receiver@example.net" };
const addresses = { from: ["<sender@example.org>"], to: ["<receiver@example.net>"] };

/**
 * Each example: our spec, what our build must read as, and what Python's build must read as. The
 * image message differs in shape only: the seed's is a bare MIMEImage, while our builder puts every
 * attachment in a multipart/mixed (here one with the image alone).
 */
const SEED: { name: string; spec: MessageSpec; ours: ExpectedView; python: ExpectedView }[] = [
  {
    name: "seed-alternative",
    spec: { ...people, subject: "Multipart alternative test", text: TEXT, html: HTML },
    ours: {
      subject: "Multipart alternative test",
      addresses,
      tree: ["multipart/alternative", ["text/plain"], ["text/html"]],
      leaves: [
        { type: "text/plain", text: TEXT },
        { type: "text/html", text: HTML },
      ],
    },
    python: {
      subject: "Multipart alternative test",
      addresses,
      tree: ["multipart/alternative", ["text/plain"], ["text/html"]],
      leaves: [
        { type: "text/plain", text: TEXT },
        { type: "text/html", text: HTML },
      ],
    },
  },
  {
    name: "seed-image",
    spec: {
      ...people,
      subject: "Image attachment test",
      attachments: [{ filename: "picture.png", content: PNG }],
    },
    ours: {
      subject: "Image attachment test",
      addresses,
      tree: ["multipart/mixed", ["image/png"]],
      leaves: [{ type: "image/png", filename: "picture.png", disposition: "attachment", bytes: PNG }],
    },
    python: {
      subject: "Image attachment test",
      addresses,
      tree: ["image/png"],
      leaves: [{ type: "image/png", filename: "picture.png", disposition: "attachment", bytes: PNG }],
    },
  },
];

describe("the seed's email examples", () => {
  let dir = "";
  const ours = new Map<string, Buffer>();
  const dumps = new Map<string, PyMessage>();
  let pyBuilt: PyBuilt[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "inetkit-mime-seed-"));
    for (const s of SEED) {
      const bytes = await buildMessage(s.spec).toBuffer();
      ours.set(s.name, bytes);
      await writeFile(join(dir, `ours-${s.name}.eml`), bytes);
    }
    const pyDir = await mkdtemp(join(dir, "py-"));
    pyBuilt = await pythonBuild(pyDir, "seed");
    const paths = [...SEED.map((s) => join(dir, `ours-${s.name}.eml`)), ...pyBuilt.map((m) => m.file)];
    const all = await dumpWithPython(paths);
    for (const [i, s] of SEED.entries()) dumps.set(`ours-${s.name}`, all[i]!);
    for (const [i, m] of pyBuilt.entries()) dumps.set(`py-${m.name}`, all[SEED.length + i]!);
  });

  after(() => rm(dir, { recursive: true, force: true }));

  for (const s of SEED) {
    it(`${s.name}: built by us, read alike by Python and by our parser`, async () => {
      const bytes = ours.get(s.name)!;
      checkWireFormat(s.name, bytes);
      const dump = dumps.get(`ours-${s.name}`)!;
      checkPythonView(s.name, dump, s.ours);
      const parsed = await parseMessage(bytes);
      await checkOurView(s.name, parsed, s.ours);
      compareFacts(s.name, await ourFacts(parsed), pythonFacts(dump), []);
      assert.deepEqual(parsed.defects, []);
    });

    it(`${s.name}: built by Python the seed's way, read by our parser as Python reads it`, async () => {
      const m = pyBuilt.find((p) => p.name === s.name);
      assert.ok(m, `py-build.py made no ${s.name}`);
      const bytes = await readFile(m.file);
      const dump = dumps.get(`py-${s.name}`)!;
      // Python's as_bytes() (compat32 policy) ends lines with LF, so the texts keep LF.
      checkPythonView(`py ${s.name}`, dump, s.python, "\n");
      const parsed = await parseMessage(bytes);
      compareFacts(m.name, await ourFacts(parsed), pythonFacts(dump), []);
      await checkPyBuilt(m, parsed, bytes);
      await checkOurView(`py ${s.name}`, parsed, s.python, "\n");
    });
  }
});
