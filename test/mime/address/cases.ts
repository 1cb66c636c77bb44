/**
 * The address tables shared by the parser tests and the Python differential: valid inputs with
 * what they must parse to, and invalid ones with the reason (and the reference row) they stand for.
 */
import type { Address } from "../../../src/mime/types.js";

export interface ValidCase {
  input: string;
  expected: Address[];
  /** Where the case comes from (an RFC appendix, a reference row). */
  note?: string;
}

export interface InvalidCase {
  input: string;
  note: string;
  /**
   * Python 3.11's headerregistry accepts it without an InvalidHeaderDefect: we are deliberately
   * stricter (the differential test checks that this list stays exactly the set of such cases).
   */
  pythonAccepts?: boolean;
}

const m = (address: string, name = "") => ({ name, address });

export const VALID: ValidCase[] = [
  { input: "alice@example.org", expected: [m("alice@example.org")] },
  { input: "Alice <alice@example.org>", expected: [m("alice@example.org", "Alice")] },
  { input: '"Alice Example" <alice@example.org>', expected: [m("alice@example.org", "Alice Example")] },
  { input: '"Alice \\"Al\\" Ex" <a@example.org>', expected: [m("a@example.org", 'Alice "Al" Ex')] },
  { input: '"back\\\\slash" <a@example.org>', expected: [m("a@example.org", "back\\slash")] },
  {
    input: '"a@evil.example" <b@good.example>',
    expected: [m("b@good.example", "a@evil.example")],
    note: "postal-mime 837d679",
  },
  { input: "<alice@example.org>", expected: [m("alice@example.org")] },
  { input: "  alice@example.org  ", expected: [m("alice@example.org")] },
  { input: "John  Smith <js@example.org>", expected: [m("js@example.org", "John Smith")] },
  { input: '"John  Smith" <js@example.org>', expected: [m("js@example.org", "John  Smith")] },
  { input: '"John" "Smith" <js@example.org>', expected: [m("js@example.org", "John Smith")] },
  { input: "Alice\t<alice@example.org>", expected: [m("alice@example.org", "Alice")] },
  { input: "alice@example.org (Alice)", expected: [m("alice@example.org")], note: "comments are not names" },
  { input: "Alice (the (nested) one) <alice@example.org>", expected: [m("alice@example.org", "Alice")] },
  { input: "(c) alice (d) @ (e) example (f) . (g) org (h)", expected: [m("alice@example.org")] },
  { input: "a.b.c@d.e.f", expected: [m("a.b.c@d.e.f")] },
  { input: "a . b@example.org", expected: [m("a.b@example.org")], note: "obs-local-part" },
  { input: "!#$%&'*+-/?=^_`{|}~@example.org", expected: [m("!#$%&'*+-/?=^_`{|}~@example.org")] },
  { input: '"john smith"@example.org', expected: [m('"john smith"@example.org')] },
  { input: '"a\\"b"@example.org', expected: [m('"a\\"b"@example.org')] },
  { input: '"john".smith@example.org', expected: [m('"john.smith"@example.org')], note: "obs-local-part" },
  { input: "user@[192.0.2.1]", expected: [m("user@[192.0.2.1]")] },
  { input: "user@[IPv6:2001:db8::1]", expected: [m("user@[IPv6:2001:db8::1]")] },
  { input: "user@localhost", expected: [m("user@localhost")] },
  { input: "<@route.example,@other.example:alice@example.org>", expected: [m("alice@example.org")] },
  { input: "Alice <@route.example:alice@example.org>", expected: [m("alice@example.org", "Alice")] },
  { input: "a@example.org, b@example.org", expected: [m("a@example.org"), m("b@example.org")] },
  { input: "a@example.org,b@example.org,", expected: [m("a@example.org"), m("b@example.org")] },
  {
    input: "a@example.org, , b@example.org",
    expected: [m("a@example.org"), m("b@example.org")],
    note: "obs-addr-list",
  },
  { input: "undisclosed-recipients:;", expected: [{ group: "undisclosed-recipients", members: [] }] },
  {
    input: 'Friends: a@example.org, "B" <b@example.org>;',
    expected: [{ group: "Friends", members: [m("a@example.org"), m("b@example.org", "B")] }],
  },
  {
    input: "Friends: a@example.org;, c@example.org",
    expected: [{ group: "Friends", members: [m("a@example.org")] }, m("c@example.org")],
  },
  {
    input: "Jörg Müller <jörg@bücher.example>",
    expected: [m("jörg@bücher.example", "Jörg Müller")],
    note: "RFC 6532",
  },
  {
    input: '"山田 太郎" <taro@例え.テスト>',
    expected: [m("taro@例え.テスト", "山田 太郎")],
    note: "RFC 6532",
  },
  { input: "user@xn--bcher-kva.example", expected: [m("user@xn--bcher-kva.example")] },
  { input: "😀 <smile@example.org>", expected: [m("smile@example.org", "😀")] },
  {
    input: "=?utf-8?q?J=C3=B6rg?= <j@example.org>",
    expected: [m("j@example.org", "Jörg")],
    note: "RFC 2047",
  },
  {
    input: "=?utf-8?b?YXR0YWNrZXJAZXZpbC5jb20=?= <victim@good.example>",
    expected: [m("victim@good.example", "attacker@evil.com")],
    note: "mailparser 3.9.4: a decoded word is a name, only a name",
  },
  {
    input: "=?utf-8?q?Gr=C3=BCppe?= : a@example.org;",
    expected: [{ group: "Grüppe", members: [m("a@example.org")] }],
  },
  { input: "=?x <a@example.org>", expected: [m("a@example.org", "=?x")] },
  // RFC 5322 Appendix A.
  {
    input: '"Joe Q. Public" <john.q.public@example.com>',
    expected: [m("john.q.public@example.com", "Joe Q. Public")],
    note: "RFC 5322 A.1.2",
  },
  {
    input: "Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
    expected: [m("mary@x.test", "Mary Smith"), m("jdoe@example.org"), m("one@y.test", "Who?")],
    note: "RFC 5322 A.1.2",
  },
  {
    input: '<boss@nil.test>, "Giant; \\"Big\\" Box" <sysservices@example.net>',
    expected: [m("boss@nil.test"), m("sysservices@example.net", 'Giant; "Big" Box')],
    note: "RFC 5322 A.1.2",
  },
  {
    input: "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
    expected: [
      {
        group: "A Group",
        members: [m("c@a.test", "Ed Jones"), m("joe@where.test"), m("jdoe@one.test", "John")],
      },
    ],
    note: "RFC 5322 A.1.3",
  },
  {
    input: "Undisclosed recipients:;",
    expected: [{ group: "Undisclosed recipients", members: [] }],
    note: "RFC 5322 A.1.3",
  },
  {
    input: "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
    expected: [m("pete@silly.test", "Pete")],
    note: "RFC 5322 A.5",
  },
  {
    input:
      "A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)".replace(
        /\r\n/g,
        "",
      ),
    expected: [
      {
        group: "A Group",
        members: [m("c@public.example", "Chris Jones"), m("joe@example.org"), m("jdoe@one.test", "John")],
      },
    ],
    note: "RFC 5322 A.5 (unfolded)",
  },
  {
    input: "Joe Q. Public <john.q.public@example.com>",
    expected: [m("john.q.public@example.com", "Joe Q. Public")],
    note: "RFC 5322 A.6.2 obs-phrase",
  },
  {
    input: "Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example",
    expected: [m("mary@example.net", "Mary Smith"), m("jdoe@test.example")],
    note: "RFC 5322 A.6.2 obs-route, obs-addr-list, obs-domain",
  },
  // "Splitting the email atom": a code point whose low byte is '@' stays that code point.
  { input: "foo\u0140bar.example@good.example", expected: [m("foo\u0140bar.example@good.example")] },
  { input: "foo%bar.example@good.example", expected: [m("foo%bar.example@good.example")] },
];

export const INVALID: InvalidCase[] = [
  { input: "a@malicious.org@important.com", note: "CVE-2019-16056" },
  { input: "a@b@c", note: "two '@'" },
  {
    input: "x@y.example^ö",
    note: "a Unicode domain IDNA refuses (parsed, it could not be written back)",
    pythonAccepts: true,
  },
  { input: "alice@example.org)<bob@example.org>", note: "CVE-2023-27043" },
  { input: "alice@example.org(<bob@example.org>", note: "CVE-2023-27043" },
  { input: "alice@example.org<<bob@example.org>", note: "CVE-2023-27043" },
  { input: "alice@example.org <bob@example.org>", note: "CVE-2023-27043 (addr-spec then angle-addr)" },
  { input: "<a@b.example>c@d.example", note: "Splitting the email atom" },
  { input: "Alice <a@example.org> Bob", note: "text after an angle-addr" },
  {
    input: "=?utf-8?b?YXR0YWNrZXJAZXZpbC5jb20=?=",
    note: "mailparser 3.9.4 fabrication: a name with no address",
  },
  { input: "=?utf-8?q?=40attacker.com?=@microsoft.com", note: "mailparser 3.9.4 fabrication" },
  { input: "=?utf-8?q?a=40b?=c@host.com", note: "gh-152519: encoded word in a local part" },
  {
    input:
      "=?utf-8?b?cG90dXNAd2hpdGVob3VzZS5nb3Y=?==?utf-8?Q?=00?==?utf-8?b?cG90dXNAd2hpdGVob3VzZS5nb3Y=?=@mailsploit.com",
    note: "Mailsploit",
  },
  { input: "=?x?q?=41=42=43collab=40psres.net=3e=20?=@example.com", note: "Splitting the email atom" },
  { input: "user@=?utf-8?q?evil?=.example", note: "encoded word in a domain" },
  { input: '"=?utf-8?q?a=40b?="@example.org', note: "encoded word in a quoted local part" },
  { input: '"xclow3n@gmail.com x"@internal.domain', note: "GHSA-mm7p-fcc7-pg87 / M2", pythonAccepts: true },
  { input: '"unclosed <a@example.org>', note: "unbalanced quote" },
  { input: 'a@example.org "', note: "unbalanced quote" },
  { input: "a@example.org (unclosed", note: "unbalanced parenthesis" },
  { input: "a@example.org)", note: "unbalanced parenthesis" },
  { input: "<a@example.org", note: "unbalanced angle bracket" },
  { input: "a@example.org>", note: "unbalanced angle bracket" },
  { input: "Alice <<a@example.org>>", note: "doubled angle brackets" },
  { input: "a@[192.0.2.1", note: "unbalanced square bracket" },
  { input: "a@192.0.2.1]", note: "unbalanced square bracket" },
  { input: "[a]@example.org", note: "domain literal as a local part" },
  { input: "a@[1.2\\.3.4]", note: "backslash in a domain literal", pythonAccepts: true },
  { input: "a@[]", note: "empty domain literal", pythonAccepts: true },
  { input: "a@example.org.[1.2.3.4]", note: "domain literal after a dot" },
  { input: "g1: g2: a@example.org;;", note: "nested groups" },
  { input: "g: a@example.org", note: "group without ';'" },
  { input: "a@example.org;", note: "';' outside a group" },
  { input: ": a@example.org;", note: "group without a name" },
  { input: "g: a@example.org; b@example.org", note: "text after a group" },
  { input: "@example.org", note: "empty local part" },
  { input: '""@example.org', note: "empty local part", pythonAccepts: true },
  { input: "alice@", note: "empty domain" },
  { input: "Alice <alice@>", note: "empty domain" },
  { input: "alice@.example", note: "empty domain label" },
  { input: "alice@example.", note: "domain ends with a dot" },
  { input: ".alice@example.org", note: "local part starts with a dot" },
  { input: "alice.@example.org", note: "local part ends with a dot" },
  { input: "a..b@example.org", note: "empty word in the local part" },
  { input: "<>", note: "no address" },
  { input: "Alice <>", note: "no address" },
  { input: "Alice", note: "a name without an address" },
  { input: "Alice Smith, bob@example.org", note: "a name without an address" },
  { input: "John Smith@example.org", note: "space inside a local part" },
  { input: "a@example.org b", note: "text after an address" },
  { input: "a@example.org b@example.org", note: "missing comma" },
  { input: ".John <a@example.org>", note: "a phrase cannot start with a dot" },
  { input: "a\\@b@example.org", note: "backslash outside quotes" },
  { input: "<:a@example.org>", note: "empty route" },
  { input: "<@a b:c@example.org>", note: "malformed route" },
  { input: "a\r\n@example.org", note: "CRLF" },
  { input: "a@example.org\r\nBcc: victim@example.org", note: "CRLF (header injection)" },
  { input: "Alice\n <a@example.org>", note: "LF" },
  { input: "Alice\r <a@example.org>", note: "CR" },
  { input: "a@example.org\u0000", note: "NUL" },
  { input: '"a\u0000" <b@example.org>', note: "NUL in a quoted string" },
  { input: "(x\u0000) a@example.org", note: "NUL in a comment" },
  { input: "a\u001b[31m@example.org", note: "ESC" },
  { input: "a@example.org\u007f", note: "DEL" },
  { input: "a\u0085@example.org", note: "C1 control", pythonAccepts: true },
  { input: "\ud800 <a@example.org>", note: "lone surrogate" },
  { input: "", note: "empty list" },
  { input: " , ( ) ,", note: "empty list" },
];
