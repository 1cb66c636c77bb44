#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner, straight from the TypeScript sources
// (tsx loads them). Node 20's `--test` does not expand globs, so the files are listed here.
// Extra arguments are passed on: `npm test -- test/textproto` runs only the files under that path.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith(".test.ts")) out.push(relative(root, path));
  }
  return out;
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const flags = process.argv.slice(2).filter((a) => a.startsWith("-"));
let files = collect(join(root, "test"), []);
if (filters.length > 0) files = files.filter((f) => filters.some((p) => f.startsWith(p) || f.includes(p)));
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-timeout=120000", ...flags, ...files],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
