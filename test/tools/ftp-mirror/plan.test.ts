// The per-folder planner (pure): what is transferred, skipped, refused, created and deleted.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FileInfo } from "../../../src/ftp/types.js";
import { Glob } from "../../../src/tools/ftp-mirror/glob.js";
import {
  type PlanRules,
  planDirectory,
  saneTime,
  type TreeEntry,
} from "../../../src/tools/ftp-mirror/plan.js";
import { listingPrecision, remoteEntry, remotePath } from "../../../src/tools/ftp-mirror/remote.js";

const T0 = new Date("2024-05-01T10:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function file(name: string, size: number, time = T0, precision = 1000): TreeEntry {
  return { name, type: "file", size, modifiedAt: time, precision };
}
function folder(name: string): TreeEntry {
  return { name, type: "directory", precision: 1000 };
}
function link(name: string): TreeEntry {
  return { name, type: "symlink", precision: 1000 };
}

function rules(overrides: Partial<PlanRules> & { include?: string[]; exclude?: string[] } = {}): PlanRules {
  const { include = [], exclude = [], ...rest } = overrides;
  return {
    recursive: true,
    onlyNewer: false,
    onlyMissing: false,
    delete: false,
    allowEmptySource: false,
    compareTimes: true,
    platform: "posix",
    caseInsensitive: false,
    filters: {
      include: include.map((p) => new Glob(p)),
      exclude: exclude.map((p) => ({ glob: new Glob(p.replace(/\/$/, "")), foldersOnly: p.endsWith("/") })),
    },
    maxPathBytes: 4000,
    maxNameBytes: 250,
    ...rest,
  };
}

describe("planDirectory", () => {
  it("transfers missing files, different sizes and newer sources; leaves equal ones", () => {
    const plan = planDirectory(
      "d",
      [
        file("new", 1),
        file("grown", 5),
        file("newer", 3, at(10)),
        file("same", 3),
        file("older", 3, at(-100)),
      ],
      [file("grown", 4), file("newer", 3), file("same", 3), file("older", 3)],
      rules(),
    );
    assert.deepEqual(
      plan.actions.map((a) => (a.kind === "transfer" ? [a.path, a.reason] : a)),
      [
        ["d/grown", "size"],
        ["d/new", "missing"],
        ["d/newer", "newer"],
      ],
    );
    assert.equal(plan.unchanged, 2);
  });

  it("counts a time within the coarser precision as equal (LIST without seconds)", () => {
    const minute = 60_000;
    const plan = planDirectory(
      "",
      [file("a", 1, at(0), minute), file("b", 1, at(60), minute), file("c", 1, at(0.5))],
      [file("a", 1, at(-59)), file("b", 1, at(0)), file("c", 1, at(0))],
      rules(),
    );
    assert.deepEqual(
      plan.actions.map((a) => a.path),
      ["b"],
    );
    assert.equal(plan.unchanged, 2);
  });

  it("compares sizes only when times are not to be trusted", () => {
    const plan = planDirectory(
      "",
      [file("a", 1, at(1000))],
      [file("a", 1, at(0))],
      rules({ compareTimes: false }),
    );
    assert.equal(plan.actions.length, 0);
    assert.equal(plan.unchanged, 1);
  });

  it("onlyNewer, onlyMissing and newerThan", () => {
    const source = [
      file("bigger-but-older", 9, at(-10)),
      file("newer", 1, at(10)),
      file("absent", 1, at(-5000)),
    ];
    const target = [file("bigger-but-older", 1), file("newer", 1)];
    const onlyNewer = planDirectory("", source, target, rules({ onlyNewer: true }));
    assert.deepEqual(
      onlyNewer.actions.map((a) => a.path),
      ["absent", "newer"],
    );
    assert.match(onlyNewer.skipped[0]!.reason, /not newer/);
    const onlyMissing = planDirectory("", source, target, rules({ onlyMissing: true }));
    assert.deepEqual(
      onlyMissing.actions.map((a) => a.path),
      ["absent"],
    );
    const cutoff = planDirectory("", source, target, rules({ newerThan: at(0) }));
    assert.deepEqual(
      cutoff.actions.map((a) => a.path),
      ["newer"],
    );
    assert.deepEqual(cutoff.skipped.map((s) => s.path).sort(), ["absent", "bigger-but-older"]);
  });

  it("refuses unsafe names, duplicates and collisions, and carries on with the rest", () => {
    const plan = planDirectory(
      "sub",
      [
        file("../../x", 1),
        file("/etc/x", 1),
        file("a\x1b[2Jb", 1),
        file("C:evil", 1),
        link("link"),
        file("link", 1),
        file("caf\u00e9", 1),
        file("cafe\u0301", 1),
        file("ok", 1),
      ],
      [],
      rules(),
    );
    assert.deepEqual(
      plan.actions.map((a) => a.path),
      ["sub/cafe\u0301", "sub/ok"],
      "the first of two spellings in code-unit order is kept",
    );
    const refused = new Map(plan.refused.map((r) => [r.name, r.reason]));
    assert.deepEqual(
      [...refused.keys()].sort(),
      ["../../x", "/etc/x", "C:evil", "a\x1b[2Jb", "caf\u00e9", "link"].sort(),
    );
    assert.match(refused.get("C:evil")!, /drive letter/);
    assert.match(refused.get("a\x1b[2Jb")!, /control character/);
    assert.match(refused.get("link")!, /more than once/);
    assert.equal(plan.refused.filter((r) => r.name === "link").length, 2, "both the symlink and the file");
    assert.ok(plan.refused.every((r) => r.directory === "sub"));
  });

  it("never follows a source symlink and never writes through a target symlink", () => {
    const plan = planDirectory("", [link("l"), file("f", 1), folder("d")], [link("f"), link("d")], rules());
    assert.equal(plan.actions.length, 0);
    assert.deepEqual(plan.skipped, [{ path: "l", reason: "a symlink (never followed)" }]);
    assert.deepEqual(
      plan.refused.map((r) => r.name),
      ["d", "f"],
    );
    assert.equal(plan.descend.length, 0);
  });

  it("creates and enters missing folders, enters existing ones, and respects `recursive`", () => {
    const plan = planDirectory("", [folder("new"), folder("old"), file("f", 1)], [folder("old")], rules());
    assert.deepEqual(
      plan.actions.find((a) => a.kind === "mkdir"),
      { kind: "mkdir", path: "new" },
    );
    assert.deepEqual(plan.descend, [
      { path: "new", targetExists: false },
      { path: "old", targetExists: true },
    ]);
    const flat = planDirectory("", [folder("new"), file("f", 1)], [], rules({ recursive: false }));
    assert.deepEqual(
      flat.actions.map((a) => a.path),
      ["f"],
    );
    assert.equal(flat.descend.length, 0);
  });

  it("filters with include and exclude (names, paths, ** and folders only)", () => {
    const source = [file("a.py", 1), file("b.txt", 1), file("c.pyc", 1), folder("build"), folder("src")];
    const plan = planDirectory(
      "src",
      source,
      [],
      rules({ include: ["*.py", "src/**/*.txt"], exclude: ["build/"] }),
    );
    assert.deepEqual(
      plan.actions.map((a) => a.path),
      ["src/a.py", "src/b.txt", "src/src"],
    );
    assert.deepEqual(
      plan.skipped.map((s) => [s.path, s.reason]),
      [
        ["src/build", "excluded"],
        ["src/c.pyc", "not included"],
      ],
    );
  });

  it("plans deletions only for safe, included, unexcluded target names absent from the source", () => {
    const plan = planDirectory(
      "",
      [file("keep", 1), file("big", 1), file("a\x1bb", 1)],
      [
        file("keep", 1),
        file("extra", 1),
        folder("old-folder"),
        link("a-link"),
        file("excluded.log", 1),
        file("a\x1bb", 1),
        file("big.part", 1),
      ],
      rules({ delete: true, exclude: ["*.log"] }),
    );
    assert.deepEqual(
      plan.actions.filter((a) => a.kind === "delete"),
      [
        { kind: "delete", path: "extra", type: "file" },
        { kind: "delete", path: "old-folder", type: "directory" },
      ],
    );
    assert.deepEqual(plan.skipped, [{ path: "a-link", reason: "not deleted: only files and folders are" }]);
  });

  it("deletes nothing when the source lists empty and the target does not, unless allowed", () => {
    const refused = planDirectory("d", [], [file("x", 1)], rules({ delete: true }));
    assert.equal(refused.actions.length, 0);
    assert.match(refused.skipped[0]!.reason, /source listed this folder empty/);
    const allowed = planDirectory("d", [], [file("x", 1)], rules({ delete: true, allowEmptySource: true }));
    assert.deepEqual(allowed.actions, [{ kind: "delete", path: "d/x", type: "file" }]);
  });

  it("orders x before x.part, its temporary name", () => {
    const plan = planDirectory("", [file("x.part", 1), file("x", 2)], [], rules());
    const part = plan.actions.find((a) => a.path === "x.part");
    assert.ok(part?.kind === "transfer" && part.after === "x");
  });

  it("refuses names too long for the target and case collisions on case-insensitive targets", () => {
    const plan = planDirectory(
      "",
      [file("x".repeat(251), 1), file("A", 1), file("a", 1)],
      [],
      rules({ caseInsensitive: true }),
    );
    assert.deepEqual(plan.refused.map((r) => r.reason.slice(0, 20)).length, 2);
    assert.deepEqual(
      plan.actions.map((a) => a.path),
      ["A"],
    );
  });
});

describe("remote entries", () => {
  const info = (raw: string, name: string, extra: Partial<FileInfo> = {}): FileInfo => ({
    name,
    type: "file",
    raw,
    modifiedAt: T0,
    ...extra,
  });

  it("reads the precision of a listed time from its shape", () => {
    assert.equal(
      listingPrecision(info("type=file;modify=20240501100000; a", "a", { facts: { modify: "x" } })),
      1000,
    );
    assert.equal(listingPrecision(info("-rw-r--r-- 1 u g 1 May  1 10:00 a", "a")), 60_000);
    assert.equal(listingPrecision(info("-rw-r--r-- 1 u g 1 May  1  2024 12:00", "12:00")), 86_400_000);
    assert.equal(listingPrecision(info("-rw-r--r-- 1 u g 1 2024-05-01 10:00:00.000 a", "a")), 1000);
    assert.equal(listingPrecision(info("05-01-24  10:00AM                 1 a", "a")), 60_000);
    assert.equal(listingPrecision(info("+i8388621.48594,m825718503,r,s280,\ta", "a")), 1000);
  });

  it("treats absurd times as unknown", () => {
    const now = new Date("2024-06-01T00:00:00Z");
    assert.equal(saneTime(new Date(-1), now), undefined);
    assert.equal(saneTime(new Date("2099-01-01T00:00:00Z"), now), undefined);
    assert.equal(saneTime(new Date(Number.NaN), now), undefined);
    assert.equal(
      remoteEntry(info("x", "a", { modifiedAt: new Date("2099-01-01") }), now).modifiedAt,
      undefined,
    );
    assert.deepEqual(saneTime(T0, now), T0);
  });

  it("joins remote paths", () => {
    assert.equal(remotePath("/pub", "a/b"), "/pub/a/b");
    assert.equal(remotePath("/pub/", "a"), "/pub/a");
    assert.equal(remotePath("/", "a"), "/a");
    assert.equal(remotePath("///", "a"), "/a");
    assert.equal(remotePath(".", "a"), "a");
    assert.equal(remotePath("pub", ""), "pub");
  });
});
