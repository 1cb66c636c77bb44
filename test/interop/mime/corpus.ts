// The MIME interop corpus: ~40 messages written byte by byte (never with src/mime/), stored under
// test/fixtures/mime/corpus/ as .eml files. corpus.test.ts checks the stored files equal what this
// generator makes, so the files and the generator cannot drift apart.
//
// Re-generate after changing a message:  node --import tsx test/interop/mime/corpus.ts --write
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brokenMessages } from "./corpus-broken.js";
import type { CorpusMessage } from "./corpus-bytes.js";
import { charsetMessages } from "./corpus-charsets.js";
import { headerMessages } from "./corpus-headers.js";
import { structureMessages } from "./corpus-structure.js";

export type { CorpusMessage } from "./corpus-bytes.js";

/** Where the stored corpus lives. */
export const CORPUS_DIR = fileURLToPath(new URL("../../fixtures/mime/corpus/", import.meta.url));

/** Every corpus message, in name order; the same bytes on every run. */
export function generateCorpus(): CorpusMessage[] {
  return [...structureMessages(), ...charsetMessages(), ...brokenMessages(), ...headerMessages()];
}

/** The path of a stored corpus message. */
export function corpusPath(name: string): string {
  return join(CORPUS_DIR, `${name}.eml`);
}

/** The stored .eml files by name (without the extension). */
export function readStoredCorpus(): Map<string, Buffer> {
  const stored = new Map<string, Buffer>();
  for (const file of readdirSync(CORPUS_DIR).sort()) {
    if (file.endsWith(".eml")) stored.set(file.slice(0, -4), readFileSync(join(CORPUS_DIR, file)));
  }
  return stored;
}

/** Writes the generated corpus over the stored one, removing stored messages that no longer exist. */
export function writeCorpus(): string[] {
  mkdirSync(CORPUS_DIR, { recursive: true });
  const messages = generateCorpus();
  const names = new Set(messages.map((m) => m.name));
  for (const file of readdirSync(CORPUS_DIR)) {
    if (file.endsWith(".eml") && !names.has(file.slice(0, -4))) rmSync(join(CORPUS_DIR, file));
  }
  for (const m of messages) writeFileSync(corpusPath(m.name), m.bytes);
  return messages.map((m) => `${m.name}.eml (${m.bytes.length} bytes): ${m.about}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--write")) {
    for (const line of writeCorpus()) console.log(line);
  } else {
    console.log("usage: node --import tsx test/interop/mime/corpus.ts --write");
  }
}
