import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../../src/errors.js";
import { MailDirectory } from "../../../src/servers/mail/directory.js";

describe("MailDirectory", () => {
  const directory = new MailDirectory(
    [
      { name: "alice", password: "a" },
      { name: "bob", password: "b", addresses: ["bob@example.test", "Robert@Bücher.test"] },
    ],
    ["example.test"],
  );

  it("serves the given domains and those of the users' addresses", () => {
    assert.deepEqual([...directory.domains].sort(), ["example.test", "xn--bcher-kva.test"]);
    assert.ok(directory.isLocalDomain("EXAMPLE.test"));
    assert.ok(directory.isLocalDomain("bücher.test"));
    assert.ok(!directory.isLocalDomain("other.test"));
  });

  it("routes addresses to users, case-insensitively, in either domain form", () => {
    assert.deepEqual(directory.route("alice@example.test"), { kind: "local", user: "alice" });
    assert.deepEqual(directory.route("ALICE@Example.Test"), { kind: "local", user: "alice" });
    assert.deepEqual(directory.route("alice@xn--bcher-kva.test"), { kind: "local", user: "alice" });
    assert.deepEqual(directory.route("robert@xn--bcher-kva.test"), { kind: "local", user: "bob" });
    assert.deepEqual(directory.route("carol@example.test"), { kind: "unknown-user" });
    assert.deepEqual(directory.route("alice@other.test"), { kind: "remote", domain: "other.test" });
  });

  it("sends postmaster to the first user unless someone owns postmaster@", () => {
    assert.deepEqual(directory.route("postmaster"), { kind: "local", user: "alice" });
    assert.deepEqual(directory.route("PostMaster@example.test"), { kind: "local", user: "alice" });
    const owned = new MailDirectory(
      [
        { name: "alice", password: "a" },
        { name: "admin", password: "x", addresses: ["postmaster@example.test"] },
      ],
      ["example.test"],
    );
    assert.deepEqual(owned.route("postmaster"), { kind: "local", user: "admin" });
  });

  it("defaults to localhost and gives passwords to SASL", async () => {
    const local = new MailDirectory([{ name: "u", password: "p" }]);
    assert.deepEqual([...local.domains], ["localhost"]);
    assert.deepEqual(local.route("u@localhost"), { kind: "local", user: "u" });
    assert.deepEqual(await local.verifier.lookup("u"), { password: "p" });
    assert.equal(await local.verifier.lookup("nobody"), undefined);
    assert.deepEqual(local.addressesOf("u"), ["u@localhost"]);
  });

  it("refuses bad configurations", () => {
    const bad: Array<() => unknown> = [
      () => new MailDirectory([{ name: "../x", password: "p" }]),
      () => new MailDirectory([{ name: "a", password: "" }]),
      () =>
        new MailDirectory([
          { name: "a", password: "p" },
          { name: "a", password: "q" },
        ]),
      () => new MailDirectory([{ name: "a", password: "p", addresses: ["not an address"] }]),
      () =>
        new MailDirectory([
          { name: "a", password: "p", addresses: ["x@d.test"] },
          { name: "b", password: "p", addresses: ["X@d.test"] },
        ]),
      () => new MailDirectory([], ["bad domain"]),
    ];
    for (const make of bad) assert.throws(make, InvalidArgumentError);
  });
});
