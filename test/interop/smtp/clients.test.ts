// Real SMTP clients against our server: Python's smtplib, curl and swaks, over plain SMTP,
// STARTTLS and implicit TLS, with AUTH, several recipients (one refused) and pipelining. TLS is
// verified against the CA the server made. The store is a Maildir, read back with Python's
// `mailbox` too. In CI a missing client fails the run (never a skip).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { startMailServer } from "../../../src/servers/mail/server.js";
import type { MailServer } from "../../../src/servers/mail/types.js";
import { findProgram, unavailable as ftpUnavailable, inCi, pythonPath } from "../ftp/peer-requirements.js";

const run = promisify(execFile);
type Client = "python3" | "curl" | "swaks";

/** Why `client` cannot run here, or undefined when it can. */
function unavailable(client: Client): string | undefined {
  if (client === "swaks") {
    return findProgram("swaks") ? undefined : "swaks is not installed (run scripts/peers/install.sh as root)";
  }
  return ftpUnavailable(client);
}

/** As test/interop/ftp's usable(): present → true; missing in CI → fail; missing elsewhere → skip. */
function usable(t: { skip(message?: string): void }, client: Client): boolean {
  const reason = unavailable(client);
  if (reason === undefined) return true;
  if (inCi()) assert.fail(`interop clients must be present in CI: ${reason}`);
  t.skip(reason);
  return false;
}

const USERS = [
  { name: "alice", password: "alice-pw" },
  { name: "bob", password: "bob-pw" },
  { name: "carol", password: "carol-pw" },
];

const work = await mkdtemp(join(tmpdir(), "inetkit-smtp-clients-"));
const caFile = join(work, "ca.pem");
let server: MailServer;

before(async () => {
  server = await startMailServer({
    users: USERS,
    domains: ["example.test"],
    store: { kind: "maildir", root: join(work, "mail"), fsync: false },
    tls: true,
  });
  await writeFile(caFile, server.ca!);
});
after(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});
afterEach(async () => {
  for (const { name } of USERS) {
    for (const message of await server.store.list(name)) await server.store.remove(name, message.id);
  }
});

/** Every message in `user`'s mailbox, as text. */
async function mailbox(user: string): Promise<string[]> {
  const out: string[] = [];
  for (const message of await server.store.list(user)) {
    out.push((await server.store.readMessage(user, message.id)).toString("utf8"));
  }
  return out;
}

/** Runs a Python program with Debian's python3; `args` arrive as sys.argv[1:]. */
async function python(program: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(pythonPath()!, ["-c", program, ...args], { timeout: 60_000 });
  return stdout;
}

describe("Python smtplib against our server", () => {
  it("starttls, login, sendmail to several recipients (two refused) with the certificate verified", async (t) => {
    if (!usable(t, "python3")) return;
    const out = await python(
      `
import json, smtplib, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
context = ssl.create_default_context(cafile=cafile)
with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
    s.ehlo("py.test")
    s.starttls(context=context)
    s.ehlo("py.test")
    s.login("alice", "alice-pw")
    refused = s.sendmail(
        "alice@example.test",
        ["bob@example.test", "carol@example.test", "nobody@example.test", "someone@elsewhere.test"],
        b"Subject: from smtplib\\r\\nFrom: alice@example.test\\r\\n\\r\\n.leading dot\\r\\nbody\\r\\n",
    )
    print(json.dumps({"refused": {k: [v[0], v[1].decode()] for k, v in refused.items()},
                      "auth": s.esmtp_features.get("auth", "")}))
`,
      String(server.ports.submission),
      caFile,
    );
    const result = JSON.parse(out) as { refused: Record<string, [number, string]>; auth: string };
    assert.deepEqual(Object.keys(result.refused).sort(), ["nobody@example.test", "someone@elsewhere.test"]);
    assert.equal(result.refused["nobody@example.test"]![0], 550);
    assert.match(result.refused["someone@elsewhere.test"]![1], /^5\.7\.1 Relaying denied/);
    assert.match(result.auth, /CRAM-MD5/);
    for (const user of ["bob", "carol"]) {
      const [message] = await mailbox(user);
      assert.ok(
        message?.endsWith(
          "Subject: from smtplib\r\nFrom: alice@example.test\r\n\r\n.leading dot\r\nbody\r\n",
        ),
      );
      // smtplib's login() picks CRAM-MD5 first among what we offer.
      assert.match(message!, /\(authenticated as alice\)\r\n\tby localhost \(inetkit\) with ESMTPSA id /);
    }
    assert.deepEqual(await mailbox("alice"), []);
  });

  it("logs in with each of PLAIN and LOGIN too, and sends over SMTP_SSL (implicit TLS)", async (t) => {
    if (!usable(t, "python3")) return;
    const out = await python(
      `
import smtplib, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
context = ssl.create_default_context(cafile=cafile)
codes = []
for mechanism in ("PLAIN", "LOGIN"):
    with smtplib.SMTP_SSL("127.0.0.1", port, context=context, timeout=30) as s:
        s.ehlo("py.test")
        s.user, s.password = "carol", "carol-pw"
        method = s.auth_plain if mechanism == "PLAIN" else s.auth_login
        codes.append(s.auth(mechanism, method, initial_response_ok=(mechanism == "PLAIN"))[0])
        s.sendmail("carol@example.test", ["alice@example.test"], "Subject: " + mechanism + "\\r\\n\\r\\nx\\r\\n")
print(codes)
`,
      String(server.ports.smtps),
      caFile,
    );
    assert.equal(out.trim(), "[235, 235]");
    const subjects = (await mailbox("alice")).map((m) => /Subject: (\w+)/.exec(m)?.[1]).sort();
    assert.deepEqual(subjects, ["LOGIN", "PLAIN"]);
  });

  it("send_message with a UTF-8 address uses SMTPUTF8, and Python's mailbox reads the Maildir", async (t) => {
    if (!usable(t, "python3")) return;
    const out = await python(
      `
import email, email.policy, mailbox, smtplib, ssl, sys
from email.message import EmailMessage
port, cafile, root = int(sys.argv[1]), sys.argv[2], sys.argv[3]
m = EmailMessage()
m["From"] = "jürgen@bücher.test"
m["To"] = "bob@example.test"
m["Subject"] = "Grüße"
m.set_content("Hallo, Welt — ünïcödé\\n")
with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
    s.starttls(context=ssl.create_default_context(cafile=cafile))
    s.send_message(m)
box = mailbox.Maildir(root + "/bob", create=False)
(key,) = box.keys()
message = email.message_from_binary_file(box.get_file(key), policy=email.policy.default)
print(message["Subject"], message["Return-Path"], message.get_content().strip(), sep="|")
`,
      String(server.ports.smtp),
      caFile,
      join(work, "mail"),
    );
    assert.equal(out.trim(), "Grüße|<jürgen@bücher.test>|Hallo, Welt — ünïcödé");
    assert.match((await mailbox("bob"))[0]!, /with UTF8SMTPS id /);
  });
});

describe("curl against our server", () => {
  const file = join(work, "message.eml");
  const content = "From: curl@remote.test\r\nSubject: from curl\r\n\r\n.dot first\r\nline two\r\n";
  before(() => writeFile(file, content));

  it("sends over smtp:// with --mail-from, two --mail-rcpt and -T", async (t) => {
    if (!usable(t, "curl")) return;
    await run(
      "curl",
      [
        "--silent",
        "--show-error",
        `smtp://127.0.0.1:${server.ports.smtp}`,
        "--mail-from",
        "curl@remote.test",
        "--mail-rcpt",
        "alice@example.test",
        "--mail-rcpt",
        "bob@example.test",
        "-T",
        file,
      ],
      { timeout: 60_000 },
    );
    for (const user of ["alice", "bob"]) {
      const [message] = await mailbox(user);
      assert.ok(message?.endsWith(`\r\n${content}`), user);
      assert.match(message!, /with ESMTP id /);
    }
  });

  for (const scheme of ["smtp", "smtps"] as const) {
    it(`authenticates over ${scheme === "smtp" ? "STARTTLS (--ssl-reqd)" : "implicit TLS (smtps://)"} with --cacert`, async (t) => {
      if (!usable(t, "curl")) return;
      const port = scheme === "smtp" ? server.ports.submission : server.ports.smtps;
      await run(
        "curl",
        [
          "--silent",
          "--show-error",
          "--ssl-reqd",
          "--cacert",
          caFile,
          "--user",
          "alice:alice-pw",
          `${scheme}://localhost:${port}`,
          "--mail-from",
          "alice@example.test",
          "--mail-rcpt",
          "carol@example.test",
          "-T",
          file,
        ],
        { timeout: 60_000 },
      );
      const [message] = await mailbox("carol");
      assert.ok(message?.endsWith(`\r\n${content}`));
      assert.match(message!, /\(authenticated as alice\)\r\n\tby localhost \(inetkit\) with ESMTPSA id /);
    });
  }

  it("fails when the only recipient is refused (relaying), and nothing is stored", async (t) => {
    if (!usable(t, "curl")) return;
    const failure = await run(
      "curl",
      [
        "--silent",
        `smtp://127.0.0.1:${server.ports.smtp}`,
        "--mail-from",
        "curl@remote.test",
        "--mail-rcpt",
        "victim@elsewhere.test",
        "-T",
        file,
      ],
      { timeout: 60_000 },
    ).then(
      () => undefined,
      (error: { code?: number }) => error,
    );
    assert.ok(failure && failure.code !== 0, "curl reports the refusal");
    for (const { name } of USERS) assert.deepEqual(await mailbox(name), []);
  });
});

describe("swaks against our server", () => {
  const base = (port: number | undefined) => [
    "--server",
    `127.0.0.1:${port}`,
    "--helo",
    "swaks.test",
    "--from",
    "alice@example.test",
    "--tls-verify",
    "--tls-ca-path",
    caFile,
  ];

  for (const mechanism of ["PLAIN", "LOGIN", "CRAM-MD5"]) {
    it(`--tls --auth ${mechanism} --pipeline, two recipients`, async (t) => {
      if (!usable(t, "swaks")) return;
      const { stdout } = await run(
        "swaks",
        [
          ...base(server.ports.submission),
          "--tls",
          "--auth",
          mechanism,
          "--auth-user",
          "alice",
          "--auth-password",
          "alice-pw",
          "--pipeline",
          "--to",
          "bob@example.test,carol@example.test",
          "--header",
          `Subject: swaks ${mechanism}`,
          "--body",
          "from swaks",
        ],
        { timeout: 60_000 },
      );
      assert.match(stdout, /<~ {2}235 2\.7\.0 Authentication successful/);
      // With PIPELINING, swaks sends MAIL, both RCPTs and DATA before reading a reply.
      assert.match(
        stdout,
        / ~> MAIL FROM:<alice@example\.test>\n ~> RCPT TO:<bob@example\.test>\n ~> RCPT TO:<carol@example\.test>\n ~> DATA\n/,
      );
      for (const user of ["bob", "carol"]) {
        const [message] = await mailbox(user);
        assert.match(message!, new RegExp(`Subject: swaks ${mechanism}\\r\\n`));
        assert.match(message!, /from swaks\r\n/);
        assert.match(message!, /with ESMTPSA id /);
      }
    });
  }

  it("--tls-on-connect to smtps, and exits non-zero when the recipient is refused", async (t) => {
    if (!usable(t, "swaks")) return;
    await run(
      "swaks",
      [
        ...base(server.ports.smtps),
        "--tls-on-connect",
        "--auth",
        "PLAIN",
        "--auth-user",
        "bob",
        "--auth-password",
        "bob-pw",
        "--to",
        "alice@example.test",
      ],
      { timeout: 60_000 },
    );
    assert.equal((await mailbox("alice")).length, 1);
    const refused = await run("swaks", [...base(server.ports.smtp), "--to", "nobody@elsewhere.test"], {
      timeout: 60_000,
    }).then(
      () => undefined,
      (error: { code?: number; stdout?: string }) => error,
    );
    assert.ok(refused && refused.code !== 0);
    assert.match(refused.stdout ?? "", /<\*\* 550 5\.7\.1 Relaying denied/);
  });
});
