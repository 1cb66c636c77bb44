import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  escapeInWord,
  parseWords,
  quoteWord,
  splitWords,
} from "../../../../src/cli/commands/ftp/shell/words.js";
import { InvalidArgumentError } from "../../../../src/errors.js";

/** Strings of the characters that matter to the syntax, plus a few ordinary ones. */
const tricky = fc.string({ unit: fc.constantFrom("a", "b", " ", "\t", "'", '"', "\\", "*", "é", "#", "/") });

describe("shell words", () => {
  it("splits on blanks and keeps quoted blanks", () => {
    assert.deepEqual(parseWords("  get  'my file.txt'   \"other file\"  "), [
      "get",
      "my file.txt",
      "other file",
    ]);
    assert.deepEqual(parseWords("put my\\ file.txt"), ["put", "my file.txt"]);
    assert.deepEqual(parseWords("a'b c'd"), ["ab cd"]);
    assert.deepEqual(parseWords(`echo "a \\"q\\" \\\\ \\n"`), ["echo", 'a "q" \\ \\n']);
    assert.deepEqual(parseWords("'it'\\''s'"), ["it's"]);
    assert.deepEqual(parseWords("''"), [""]);
    assert.deepEqual(parseWords(""), []);
    assert.deepEqual(parseWords("   "), []);
  });

  it("treats a line starting with # as a comment", () => {
    assert.deepEqual(parseWords("# get everything"), []);
    assert.deepEqual(parseWords("   #x"), []);
    assert.deepEqual(parseWords("get a#b"), ["get", "a#b"]);
  });

  it("refuses an unterminated quote or a trailing backslash", () => {
    assert.throws(() => parseWords("get 'open"), InvalidArgumentError);
    assert.throws(() => parseWords('get "open'), InvalidArgumentError);
    assert.throws(() => parseWords("get a\\"), InvalidArgumentError);
    assert.deepEqual(parseWords("get a\\\\"), ["get", "a\\"]);
  });

  it("reports word offsets and an open quote, for completion", () => {
    const split = splitWords('get "my fi');
    assert.equal(split.openQuote, '"');
    assert.equal(split.endsBetweenWords, false);
    assert.deepEqual(
      split.words.map((word) => [word.value, word.start, word.end]),
      [
        ["get", 0, 3],
        ["my fi", 4, 10],
      ],
    );
    assert.equal(splitWords("get ").endsBetweenWords, true);
    assert.equal(splitWords("get a\\ ").endsBetweenWords, false);
    assert.equal(splitWords("get a\\ ").words[1]!.value, "a ");
    assert.equal(splitWords("").endsBetweenWords, true);
  });

  it("quoteWord leaves plain words alone and quotes the rest", () => {
    assert.equal(quoteWord("ftp://u@h:21/pub"), "ftp://u@h:21/pub");
    assert.equal(quoteWord("my file"), "'my file'");
    assert.equal(quoteWord("it's"), `'it'\\''s'`);
    assert.equal(quoteWord(""), "''");
  });

  it("property: quoted words read back as themselves", () => {
    fc.assert(
      fc.property(fc.array(tricky, { minLength: 1, maxLength: 5 }), (words) => {
        assert.deepEqual(parseWords(words.map(quoteWord).join(" ")), words);
      }),
    );
  });

  it("property: escapeInWord extends a word being typed, in every quoting context", () => {
    fc.assert(
      fc.property(tricky, tricky, fc.constantFrom(undefined, '"', "'"), (head, tail, quote) => {
        // Outside quotes an empty word is no word at all.
        fc.pre(quote !== undefined || head + tail !== "");
        // What the user typed so far (opening the quote if any), then the completion's addition.
        const typed = quote === undefined ? escapeInWord(head, undefined) : quote + escapeInWord(head, quote);
        const completed = typed + escapeInWord(tail, quote) + (quote ?? "");
        assert.deepEqual(parseWords(`get ${completed}`), ["get", head + tail]);
        const partial = splitWords(`get ${typed}`);
        if (head !== "" || quote !== undefined) assert.equal(partial.words[1]?.value, head);
      }),
    );
  });

  it("property: every prefix of a quoted word splits without throwing, its value a prefix", () => {
    fc.assert(
      fc.property(tricky, (word) => {
        const quoted = quoteWord(word);
        for (let cut = 0; cut <= quoted.length; cut += 1) {
          const split = splitWords(quoted.slice(0, cut));
          const value = split.words[0]?.value ?? "";
          assert.ok(
            word.startsWith(value),
            `${JSON.stringify(quoted.slice(0, cut))} → ${JSON.stringify(value)}`,
          );
        }
      }),
    );
  });
});
