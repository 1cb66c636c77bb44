import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseMessage } from "../../../src/mime/parse/index.js";
import type { MimePart } from "../../../src/mime/types.js";
import { NESTED } from "./fixtures.js";
import { crlf, defectKinds, outline, summarize } from "./helpers.js";

const PYTHON_TREE = fileURLToPath(new URL("./python-tree.py", import.meta.url));

interface OracleNode {
  type: string;
  filename: string | null;
  body?: string;
  children: OracleNode[];
}

function pythonTree(message: Buffer): OracleNode {
  const run = spawnSync("python3", [PYTHON_TREE], { input: message });
  assert.equal(run.status, 0, run.stderr.toString());
  return JSON.parse(run.stdout.toString()) as OracleNode;
}

/** Our tree in the oracle's shape: message/* parts show their child, leaves their body. */
async function ourTree(part: MimePart): Promise<OracleNode> {
  const node: OracleNode = { type: part.contentType, filename: part.filename ?? null, children: [] };
  if (part.children.length > 0) {
    for (const child of part.children) node.children.push(await ourTree(child));
  } else {
    node.body = (await part.content()).toString("base64");
  }
  return node;
}

async function sameAsPython(message: string | Buffer): Promise<void> {
  const bytes = Buffer.from(message);
  const ours = await parseMessage(bytes);
  assert.deepEqual(await ourTree(ours.root), pythonTree(bytes));
}

describe("parseMessage: structure (RFC 2046 §5.1.1)", () => {
  it("reads a nested multipart like Python's email package", async () => {
    await sameAsPython(NESTED);
    const m = await parseMessage(NESTED);
    assert.deepEqual(outline(m.root), [
      "multipart/mixed",
      "  multipart/alternative",
      "    text/plain",
      "    text/html",
      "  image/png",
      "  application/pdf",
      "  message/rfc822",
      "    multipart/mixed",
      "      text/plain",
    ]);
    assert.deepEqual(defectKinds(m), []);
  });

  it("ignores preamble and epilogue, and the line ending before each delimiter is not body", async () => {
    const m = await parseMessage(
      crlf(
        "Content-Type: multipart/mixed; boundary=b",
        "",
        "pre",
        "--b",
        "",
        "one",
        "",
        "--b",
        "",
        "two",
        "--b--",
        "epi",
      ),
    );
    const tree = await summarize(m.root);
    assert.deepEqual(
      tree.children.map((c) => c.body),
      ["one\r\n", "two"],
    );
  });

  it("accepts bare LF line endings (one defect per message) and transport padding after delimiters", async () => {
    const message = [
      "Content-Type: multipart/mixed; boundary=b",
      "",
      "--b \t",
      "",
      "one",
      "--b\t",
      "Content-Type: text/html",
      "",
      "two",
      "--b--   ",
      "",
    ].join("\n");
    await sameAsPython(message);
    const m = await parseMessage(message);
    assert.deepEqual(
      m.root.children.map((c) => c.text),
      ["one", "two"],
    );
    assert.deepEqual(defectKinds(m), ["bare-line-ending"]);
  });

  it("does not take a longer boundary with the same prefix for the shorter one", async () => {
    const message = crlf(
      "Content-Type: multipart/mixed; boundary=ab",
      "",
      "--ab",
      "Content-Type: multipart/mixed; boundary=abc",
      "",
      "--abc",
      "",
      "x",
      "--abcd",
      "--ab-",
      "--abc--",
      "--ab--",
    );
    await sameAsPython(message);
    const m = await parseMessage(message);
    assert.equal(m.root.children[0]!.children[0]!.text, "x\r\n--abcd\r\n--ab-");
  });

  it("lets an outer delimiter end inner multiparts that never closed", async () => {
    const message = crlf(
      "Content-Type: multipart/mixed; boundary=outer",
      "",
      "--outer",
      "Content-Type: multipart/alternative; boundary=inner",
      "",
      "--inner",
      "",
      "a",
      "--outer",
      "",
      "b",
      "--outer--",
    );
    await sameAsPython(message);
    const m = await parseMessage(message);
    assert.deepEqual(outline(m.root), [
      "multipart/mixed",
      "  multipart/alternative",
      "    text/plain",
      "  text/plain",
    ]);
    assert.deepEqual(
      m.root.children[0]!.defects.map((d) => d.kind),
      ["missing-closing-boundary"],
    );
    assert.equal(m.root.children[0]!.children[0]!.text, "a");
  });

  it("ends everything at the end of the input; only a part of a multipart loses its last line ending", async () => {
    for (const message of [
      crlf("Content-Type: multipart/mixed; boundary=b", "", "--b", "", "tail", ""),
      crlf("Content-Type: multipart/mixed; boundary=b", "", "--b", "", "tail", "", ""),
      crlf(
        "Content-Type: multipart/mixed; boundary=b",
        "",
        "--b",
        "Content-Type: message/rfc822",
        "",
        "",
        "x",
        "",
      ),
      crlf(
        "Content-Type: message/rfc822",
        "",
        "Content-Type: multipart/mixed; boundary=b",
        "",
        "--b",
        "",
        "x",
        "",
      ),
      crlf("Content-Type: message/rfc822", "", "", "x", ""),
      crlf("Subject: top", "", "x", ""),
    ]) {
      await sameAsPython(message);
    }
    const m = await parseMessage(
      crlf("Content-Type: multipart/mixed; boundary=b", "", "--b", "", "tail", ""),
    );
    assert.equal(m.root.children[0]!.text, "tail");
    assert.deepEqual(defectKinds(m), ["missing-closing-boundary"]);
    assert.equal((await parseMessage(crlf("Subject: top", "", "x", ""))).text, "x\r\n");
  });

  it("reports a multipart without parts, and one without a boundary (read as text/plain)", async () => {
    const empty = await parseMessage(
      crlf("Content-Type: multipart/mixed; boundary=b", "", "just a preamble", "--b--"),
    );
    assert.deepEqual(defectKinds(empty), ["no-parts"]);
    const never = await parseMessage(
      crlf("Content-Type: multipart/mixed; boundary=b", "", "no delimiter at all"),
    );
    assert.deepEqual(defectKinds(never), ["missing-closing-boundary", "no-parts"]);
    const noBoundary = await parseMessage(crlf("Content-Type: multipart/mixed", "", "body"));
    assert.equal(noBoundary.root.contentType, "text/plain");
    assert.equal(noBoundary.text, "body");
    assert.deepEqual(defectKinds(noBoundary), ["missing-boundary"]);
  });

  it("defaults Content-Type to text/plain, and to message/rfc822 inside multipart/digest", async () => {
    const message = crlf(
      "Content-Type: multipart/digest; boundary=d",
      "",
      "--d",
      "",
      "Subject: first",
      "",
      "one",
      "--d",
      "Content-Type: text/plain",
      "",
      "not a message",
      "--d--",
    );
    await sameAsPython(message);
    const m = await parseMessage(message);
    assert.deepEqual(outline(m.root), [
      "multipart/digest",
      "  message/rfc822",
      "    text/plain",
      "  text/plain",
    ]);
    assert.equal(m.root.children[0]!.children[0]!.headers.get("subject"), "first");
    assert.equal((await parseMessage("\r\nbody")).root.contentType, "text/plain");
  });

  it("parses message/rfc822 as a message whose root is the part's child", async () => {
    const m = await parseMessage(NESTED);
    const forwarded = m.root.children[3]!;
    assert.equal(forwarded.contentType, "message/rfc822");
    assert.equal(forwarded.children.length, 1);
    const inner = forwarded.children[0]!;
    assert.equal(inner.headers.get("subject"), "inner");
    assert.equal(inner.children[0]!.text, "deep text");
    // The encapsulated message's bytes are the part's content.
    assert.match((await forwarded.content()).toString(), /^From: x@example.org\r\nSubject: inner\r\n/);
  });

  it("parses message/global (RFC 6532) as a message too; other message types stay leaves", async () => {
    for (const [type, children] of [
      ["message/global", 1],
      ["message/delivery-status", 0],
    ] as const) {
      const m = await parseMessage(crlf(`Content-Type: ${type}`, "", "Subject: ünïcode", "", "body"));
      assert.equal(m.root.children.length, children, type);
      assert.equal(m.attachments.length, 1);
    }
  });

  it("decodes a base64 (or quoted-printable) message/rfc822 before parsing it", async () => {
    const inner = crlf("Subject: encoded inside", "Content-Type: text/plain; charset=utf-8", "", "héllo");
    for (const [cte, body] of [
      ["base64", Buffer.from(inner).toString("base64").replace(/.{76}/g, "$&\r\n")],
      ["quoted-printable", inner.replace("é", "=C3=A9")],
    ] as const) {
      const m = await parseMessage(
        crlf(
          "Content-Type: multipart/mixed; boundary=b",
          "",
          "--b",
          "Content-Type: message/rfc822",
          `Content-Transfer-Encoding: ${cte}`,
          "",
          body,
          "--b--",
        ),
      );
      const nested = m.root.children[0]!.children[0]!;
      assert.equal(nested.headers.get("subject"), "encoded inside");
      assert.equal(nested.text, "héllo");
    }
  });

  it("reads a header block without its blank line as Python does: the first non-header line starts the body", async () => {
    const message = crlf("Subject: x", "this is body", "more");
    await sameAsPython(message);
    const m = await parseMessage(message);
    assert.equal(m.subject, "x");
    assert.equal(m.text, "this is body\r\nmore");
    assert.deepEqual(defectKinds(m), ["malformed-header"]);
  });

  it("skips an mbox From_ line at the top of a header block", async () => {
    const m = await parseMessage(
      crlf("From alice@example.org Mon Jan  1 00:00:00 2024", "Subject: s", "", "b"),
    );
    assert.equal(m.subject, "s");
    assert.deepEqual(
      m.headers.fields.map((f) => f.name),
      ["Subject"],
    );
    assert.deepEqual(defectKinds(m), []);
  });

  it("reports a header block cut by the end of input or by a delimiter", async () => {
    const m = await parseMessage("Subject: no end");
    assert.equal(m.subject, "no end");
    assert.deepEqual(defectKinds(m), ["truncated-headers"]);
    const cut = await parseMessage(
      crlf("Content-Type: multipart/mixed; boundary=b", "", "--b", "Content-Type: text/html", "--b--"),
    );
    assert.equal(cut.root.children[0]!.contentType, "text/html");
    assert.deepEqual(defectKinds(cut), ["truncated-headers"]);
  });

  it("takes a bare CR as content, not as a line ending", async () => {
    const m = await parseMessage(
      crlf("Content-Type: multipart/mixed; boundary=b", "", "--b", "", "a\rb\r", "--b--"),
    );
    assert.equal(m.root.children[0]!.text, "a\rb\r");
  });
});
