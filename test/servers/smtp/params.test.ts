import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeXtext,
  parsePathArgument,
  readMailParameters,
  readRcptParameters,
} from "../../../src/servers/smtp/params.js";

function path(argument: string, keyword: "FROM" | "TO" = "FROM") {
  const parsed = parsePathArgument(argument, keyword);
  assert.ok(parsed.ok, `refused: ${JSON.stringify(argument)}`);
  return parsed.value;
}

function refusedCode(result: { ok: boolean; reply?: { code: number } }): number | undefined {
  return result.ok ? undefined : result.reply?.code;
}

describe("parsePathArgument", () => {
  it("reads the address and the parameters", () => {
    const value = path("FROM:<a@b.test> SIZE=100 body=8bitmime SMTPUTF8");
    assert.equal(value.address, "a@b.test");
    assert.deepEqual(
      [...value.params],
      [
        ["SIZE", "100"],
        ["BODY", "8bitmime"],
        ["SMTPUTF8", undefined],
      ],
    );
  });

  it("takes the null path, a space after the colon, any case of the keyword", () => {
    assert.equal(path("from:<>").address, "");
    assert.equal(path("FROM: <a@b.test>").address, "a@b.test");
    assert.equal(path("To:<x@y.test>", "TO").address, "x@y.test");
  });

  it("keeps a > inside a quoted local part and drops a source route", () => {
    assert.equal(path('FROM:<"a>b"@c.test>').address, '"a>b"@c.test');
    assert.equal(path("TO:<@relay.test,@other.test:u@d.test>", "TO").address, "u@d.test");
  });

  it("refuses paths without brackets, junk after them, and repeated parameters", () => {
    for (const bad of [
      "FROM:a@b.test",
      "FROM:<a@b.test",
      "FROM:<a@b.test>x",
      "TO:<a@b>",
      "FROM <a@b.test>",
    ]) {
      const code = refusedCode(parsePathArgument(bad, "FROM"));
      assert.equal(code, 501, bad);
    }
    assert.equal(refusedCode(parsePathArgument("FROM:<a@b.test> SIZE=1 size=2", "FROM")), 501);
    assert.equal(refusedCode(parsePathArgument("FROM:<a@b.test> =x", "FROM")), 501);
  });
});

describe("readMailParameters", () => {
  const read = (argument: string, extended = true) =>
    readMailParameters(path(`FROM:<a@b.test> ${argument}`).params, extended);

  it("reads SIZE, BODY, SMTPUTF8, RET, ENVID and AUTH", () => {
    const result = read("SIZE=1234 BODY=BINARYMIME SMTPUTF8 RET=hdrs ENVID=QQ+2B1 AUTH=<>");
    assert.ok(result.ok);
    assert.deepEqual(result.value, {
      size: 1234,
      body: "BINARYMIME",
      smtputf8: true,
      ret: "HDRS",
      envid: "QQ+1",
      auth: "<>",
    });
  });

  it("refuses bad values with 501 and unknown keywords with 555", () => {
    assert.equal(refusedCode(parsePathArgument("FROM:<a@b.test> SIZE=", "FROM")), 501, "an empty value");
    for (const bad of [
      "SIZE=x",
      `SIZE=${"9".repeat(21)}`,
      "BODY=9BIT",
      "RET=ALL",
      "ENVID=a+zz",
      "SMTPUTF8=yes",
    ]) {
      assert.equal(refusedCode(read(bad)), 501, bad);
    }
    assert.equal(refusedCode(read(`ENVID=${"x".repeat(101)}`)), 501);
    assert.equal(refusedCode(read("XFOO=1")), 555);
    assert.equal(refusedCode(read("SIZE=10", false)), 555, "no parameters after HELO");
  });
});

describe("readRcptParameters", () => {
  const read = (argument: string) => readRcptParameters(path(`TO:<a@b.test> ${argument}`, "TO").params, true);

  it("reads NOTIFY and ORCPT", () => {
    const result = read("NOTIFY=success,DELAY ORCPT=rfc822;a+2Bb@c.test");
    assert.ok(result.ok);
    assert.deepEqual(result.value, {
      notify: ["SUCCESS", "DELAY"],
      orcpt: { type: "rfc822", address: "a+b@c.test" },
    });
    const never = read("NOTIFY=NEVER");
    assert.ok(never.ok);
    assert.deepEqual(never.value.notify, ["NEVER"]);
  });

  it("refuses NEVER with others, unknown conditions, repeats, and a bad ORCPT", () => {
    for (const bad of [
      "NOTIFY=NEVER,SUCCESS",
      "NOTIFY=SOMETIMES",
      "NOTIFY=DELAY,DELAY",
      "NOTIFY",
      "ORCPT=rfc822",
      "ORCPT=;a@b",
      "ORCPT=rfc822;a+zzb",
    ]) {
      assert.equal(refusedCode(read(bad)), 501, bad);
    }
    assert.equal(refusedCode(read("SIZE=1")), 555);
  });

  it("decodes xtext", () => {
    assert.equal(decodeXtext("a+2Bb+3Dc"), "a+b=c");
  });
});
