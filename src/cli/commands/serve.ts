/**
 * `inet serve ftp`: the loopback FTP/FTPS server on a folder, and `inet serve mail`: the mail
 * server (SMTP, submission, SMTPS into Maildir or memory), for trying clients (Python's ftplib and
 * smtplib, curl, lftp, swaks, inet itself) from a terminal.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError } from "../../errors.js";
import { type FtpServerOptions, type FtpUser, startFtpServer } from "../../servers/ftp/index.js";
import { makeCertificate, makeCertificateAuthority } from "../../servers/testing/certificates.js";
import {
  type CommandSpec,
  type GroupSpec,
  type ParsedArgs,
  parsePort,
  stringOption,
  stringsOption,
} from "../command.js";
import { EXIT } from "../exit-codes.js";
import { untilAborted } from "../interactive.js";

/** The default control port: 21 needs root, 2121 is the usual unprivileged stand-in. */
export const DEFAULT_FTP_PORT = 2121;

/** Reads `--user NAME:PASSWORD` values. Throws {@link InvalidArgumentError} for a malformed one. */
export function parseUsers(values: readonly string[], readOnly: boolean): FtpUser[] {
  const users: FtpUser[] = [];
  for (const value of values) {
    const colon = value.indexOf(":");
    // The value is not echoed: it may hold a password.
    if (colon <= 0) throw new InvalidArgumentError("--user must be NAME:PASSWORD");
    const user = value.slice(0, colon);
    if (users.some((known) => known.user === user))
      throw new InvalidArgumentError(`--user ${user} is given twice`);
    users.push({ user, password: value.slice(colon + 1), readOnly });
  }
  return users;
}

/** The certificate options: `--cert`/`--key` files, or one made now (with its CA written to a file). */
async function tlsOptions(
  args: ParsedArgs,
  label = "ftp",
): Promise<{ tls?: FtpServerOptions["tls"]; caFile?: string; cleanup?: () => Promise<void> }> {
  const certFile = stringOption(args, "cert");
  const keyFile = stringOption(args, "key");
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new InvalidArgumentError("--cert and --key go together");
  }
  if (certFile !== undefined && keyFile !== undefined) {
    return { tls: { cert: await readFile(certFile), key: await readFile(keyFile) } };
  }
  if (args.values.tls !== true) return {};
  const ca = makeCertificateAuthority({ commonName: `inet serve ${label} CA` });
  const issued = makeCertificate({ hosts: ["localhost", "127.0.0.1", "::1"], issuer: ca });
  const folder = await mkdtemp(join(tmpdir(), `inet-${label}-`));
  const caFile = join(folder, "ca.pem");
  await writeFile(caFile, ca.cert, { mode: 0o644 });
  return {
    tls: { cert: issued.cert, key: issued.key },
    caFile,
    cleanup: () => rm(folder, { recursive: true, force: true }),
  };
}

const ftp: CommandSpec = {
  name: "ftp",
  summary: "serve a folder over FTP and FTPS (AUTH TLS, implicit TLS) on loopback",
  usage:
    "inet serve ftp --root DIR [--user NAME:PASSWORD]... [--anonymous] [--tls | --cert FILE --key FILE] [--host HOST] [--port PORT]",
  description: [
    "Serves DIR to FTP clients: each user sees it as '/', and nothing outside it (no way out " +
      "through '..', absolute paths or symlinks). Users given with --user may read and write; " +
      "--anonymous lets 'anonymous' (any password) read only. Uploads land under a temporary " +
      "name and are renamed when complete.",
    "--tls enables AUTH TLS (ftpes://) with a certificate made on the spot for localhost, " +
      "127.0.0.1 and ::1; the certificate of the CA that signed it is written to a file named on " +
      "stdout, for clients to trust (curl --cacert FILE, lftp 'set ssl:ca-file FILE', Python " +
      "ssl.create_default_context(cafile=FILE)). --cert and --key use your own instead. " +
      "--implicit-port also listens for implicit FTPS (ftps://) there.",
    "Prints the URLs it listens on, then runs until Ctrl-C or SIGTERM. Passwords given here are " +
      "visible to other local users (ps); this is a test server for your own machine.",
  ].join("\n\n"),
  options: [
    { name: "root", type: "string", value: "DIR", description: "the folder to serve (required)" },
    {
      name: "user",
      type: "string",
      value: "NAME:PASSWORD",
      multiple: true,
      description: "an account that may read and write (repeatable)",
    },
    {
      name: "anonymous",
      type: "boolean",
      description: "let 'anonymous' log in with any password, read-only",
    },
    { name: "read-only", type: "boolean", description: "make the --user accounts read-only too" },
    { name: "tls", type: "boolean", description: "enable AUTH TLS with a certificate made now" },
    { name: "cert", type: "string", value: "FILE", description: "enable TLS with this certificate (PEM)" },
    { name: "key", type: "string", value: "FILE", description: "the private key of --cert (PEM)" },
    {
      name: "implicit-port",
      type: "string",
      value: "PORT",
      description: "also listen for implicit FTPS on PORT (0: any free port); needs TLS",
    },
    {
      name: "require-tls",
      type: "boolean",
      description: "refuse logins before AUTH TLS and clear data connections",
    },
    {
      name: "require-tls-reuse",
      type: "boolean",
      description: "refuse data connections that do not resume the TLS session (like vsftpd)",
    },
    { name: "host", type: "string", value: "HOST", description: "address to listen on (default 127.0.0.1)" },
    {
      name: "port",
      type: "string",
      value: "PORT",
      description: `control port (default ${DEFAULT_FTP_PORT}; 0: any free port)`,
    },
  ],
  positionals: { min: 0, max: 0 },
  examples: [
    ["inet serve ftp --root . --anonymous", "share this folder read-only on ftp://127.0.0.1:2121"],
    ["inet serve ftp --root /tmp/up --user alice:secret --tls", "read-write for alice, with AUTH TLS"],
    ["curl --ssl-reqd --cacert CA_FILE ftp://alice:secret@127.0.0.1:2121/", "list it with curl over TLS"],
    [
      "python3 -c \"import ftplib; f = ftplib.FTP(); f.connect('127.0.0.1', 2121); f.login(); print(f.nlst())\"",
      "the same with Python's ftplib",
    ],
  ],
  async run(args, context) {
    const root = stringOption(args, "root");
    if (root === undefined) throw new InvalidArgumentError("'inet serve ftp' needs --root DIR");
    const users = parseUsers(stringsOption(args, "user"), args.values["read-only"] === true);
    const anonymous = args.values.anonymous === true;
    if (users.length === 0 && !anonymous) {
      throw new InvalidArgumentError("nobody could log in: give --user NAME:PASSWORD or --anonymous");
    }
    const implicitText = stringOption(args, "implicit-port");
    const { tls, caFile, cleanup } = await tlsOptions(args);
    try {
      const needsTls =
        implicitText !== undefined ||
        args.values["require-tls"] === true ||
        args.values["require-tls-reuse"] === true;
      if (needsTls && !tls) {
        throw new InvalidArgumentError(
          "--implicit-port, --require-tls and --require-tls-reuse need --tls (or --cert and --key)",
        );
      }
      const server = await startFtpServer({
        root,
        users,
        anonymous,
        host: stringOption(args, "host") ?? "127.0.0.1",
        port: parsePort(stringOption(args, "port") ?? String(DEFAULT_FTP_PORT), "port", true),
        ...(tls ? { tls } : {}),
        ...(implicitText !== undefined
          ? { implicitTls: true, implicitPort: parsePort(implicitText, "implicit-port", true) }
          : {}),
        requireTls: args.values["require-tls"] === true,
        requireTlsSessionReuse: args.values["require-tls-reuse"] === true,
        onTrace: context.out.onTrace,
      });
      context.out.line(`serving ${root}`);
      context.out.line(`listening on ${server.urls.ftp}`);
      if (server.urls.ftpes) context.out.line(`listening on ${server.urls.ftpes} (AUTH TLS)`);
      if (server.urls.ftps) context.out.line(`listening on ${server.urls.ftps} (implicit TLS)`);
      if (caFile) context.out.line(`CA certificate: ${caFile}`);
      const who = [
        ...users.map((account) => `${account.user} (${account.readOnly ? "read-only" : "read-write"})`),
        ...(anonymous ? ["anonymous (read-only)"] : []),
      ];
      context.out.line(`users: ${who.join(", ")}`);
      await untilAborted(context.signal);
      await server.close();
    } finally {
      await cleanup?.();
    }
    return EXIT.ok;
  },
};

/** The default ports of `inet serve mail`: 25, 587 and 465 need root; these are the usual stand-ins. */
export const DEFAULT_MAIL_PORTS = { smtp: 2525, submission: 2587, smtps: 2465 } as const;

const mail: CommandSpec = {
  name: "mail",
  summary: "a mail server on loopback: SMTP, submission and SMTPS into Maildir or memory",
  usage:
    "inet serve mail [--store DIR] --user NAME:PASSWORD... [--domain D]... [--tls | --cert FILE --key FILE] [--host HOST] [--port PORT] [--submission-port PORT] [--smtps-port PORT]",
  description: [
    "Takes mail for the local domains (--domain, default localhost) over SMTP and keeps it, one " +
      "mailbox per --user: NAME@DOMAIN for every domain leads to NAME's mailbox. With --store DIR " +
      "the mailboxes are Maildirs under DIR (DIR/NAME/new, cur, tmp: mutt, Dovecot and Python's " +
      "mailbox read them); without it they live in memory and are gone on exit. Each message gets " +
      "Return-Path and Received header fields. Mail for other domains is refused (550 5.7.1): " +
      "nothing ever leaves this server.",
    "Three listeners: SMTP (--port), submission (--submission-port: AUTH required before MAIL) " +
      "and, with TLS, SMTPS (--smtps-port: TLS from the first byte, AUTH required). AUTH offers " +
      "SCRAM-SHA-256, CRAM-MD5, PLAIN and LOGIN, only over TLS unless --insecure-auth.",
    "--tls enables STARTTLS and SMTPS with a certificate made on the spot for localhost, " +
      "127.0.0.1 and ::1; the certificate of the CA that signed it is written to a file named on " +
      "stdout, for clients to trust (curl --cacert FILE, swaks --tls-ca-path FILE, Python " +
      "ssl.create_default_context(cafile=FILE)). --cert and --key use your own instead.",
    "Prints the URLs it listens on, then runs until Ctrl-C or SIGTERM. Passwords given here are " +
      "visible to other local users (ps); this is a test server for your own machine.",
  ].join("\n\n"),
  options: [
    { name: "store", type: "string", value: "DIR", description: "keep the mailboxes as Maildirs under DIR" },
    {
      name: "user",
      type: "string",
      value: "NAME:PASSWORD",
      multiple: true,
      description: "a user with a mailbox (repeatable)",
    },
    {
      name: "domain",
      type: "string",
      value: "DOMAIN",
      multiple: true,
      description: "a domain to take mail for (repeatable; default localhost)",
    },
    { name: "tls", type: "boolean", description: "enable STARTTLS and SMTPS with a certificate made now" },
    { name: "cert", type: "string", value: "FILE", description: "enable TLS with this certificate (PEM)" },
    { name: "key", type: "string", value: "FILE", description: "the private key of --cert (PEM)" },
    {
      name: "insecure-auth",
      type: "boolean",
      description: "offer AUTH on connections without TLS too (passwords in the clear)",
    },
    { name: "host", type: "string", value: "HOST", description: "address to listen on (default 127.0.0.1)" },
    {
      name: "port",
      type: "string",
      value: "PORT",
      description: `SMTP port (default ${DEFAULT_MAIL_PORTS.smtp}; 0: any free port)`,
    },
    {
      name: "submission-port",
      type: "string",
      value: "PORT",
      description: `submission port (default ${DEFAULT_MAIL_PORTS.submission}; 0: any free port)`,
    },
    {
      name: "smtps-port",
      type: "string",
      value: "PORT",
      description: `SMTPS port, with TLS (default ${DEFAULT_MAIL_PORTS.smtps}; 0: any free port)`,
    },
  ],
  positionals: { min: 0, max: 0 },
  examples: [
    ["inet serve mail --user alice:secret --tls", "mail for alice@localhost, kept in memory"],
    [
      "inet serve mail --store ./mail --user alice:secret --domain example.test",
      "into ./mail/alice (Maildir)",
    ],
    [
      "swaks --server 127.0.0.1:2587 --tls --tls-ca-path CA_FILE --auth --auth-user alice --auth-password secret --to alice@localhost",
      "send a test message with swaks",
    ],
    [
      "curl smtp://127.0.0.1:2525 --mail-from me@localhost --mail-rcpt alice@localhost -T message.eml",
      "the same with curl",
    ],
  ],
  async run(args, context) {
    const users = parseUsers(stringsOption(args, "user"), false).map(({ user, password }) => ({
      name: user,
      password,
    }));
    if (users.length === 0) throw new InvalidArgumentError("nobody has a mailbox: give --user NAME:PASSWORD");
    const root = stringOption(args, "store");
    const ports = {
      smtp: parsePort(stringOption(args, "port") ?? String(DEFAULT_MAIL_PORTS.smtp), "port", true),
      submission: parsePort(
        stringOption(args, "submission-port") ?? String(DEFAULT_MAIL_PORTS.submission),
        "submission-port",
        true,
      ),
      smtps: parsePort(
        stringOption(args, "smtps-port") ?? String(DEFAULT_MAIL_PORTS.smtps),
        "smtps-port",
        true,
      ),
    };
    const { tls, caFile, cleanup } = await tlsOptions(args, "mail");
    try {
      // Loaded on use: the other `inet` commands do not pay for the mail server.
      const { startMailServer } = await import("../../servers/mail/server.js");
      const server = await startMailServer({
        users,
        domains: stringsOption(args, "domain"),
        store: root === undefined ? { kind: "memory" } : { kind: "maildir", root },
        tls,
        host: stringOption(args, "host") ?? "127.0.0.1",
        ports,
        allowInsecureAuth: args.values["insecure-auth"] === true,
        onTrace: context.out.onTrace,
      });
      context.out.line(
        root === undefined ? "mail kept in memory (gone on exit)" : `mail kept in ${root} (Maildir)`,
      );
      const { urls } = server;
      if (urls.smtp) context.out.line(`listening on ${urls.smtp} (SMTP)`);
      if (urls.submission) context.out.line(`listening on ${urls.submission} (submission, AUTH required)`);
      if (urls.smtps) context.out.line(`listening on ${urls.smtps} (implicit TLS, AUTH required)`);
      if (caFile) context.out.line(`CA certificate: ${caFile}`);
      const domains = stringsOption(args, "domain");
      context.out.line(`domains: ${(domains.length > 0 ? domains : ["localhost"]).join(", ")}`);
      context.out.line(`users: ${users.map((account) => account.name).join(", ")}`);
      await untilAborted(context.signal);
      await server.close();
    } finally {
      await cleanup?.();
    }
    return EXIT.ok;
  },
};

/** The `inet serve` group: loopback servers to try clients against. */
export const serveGroup: GroupSpec = {
  name: "serve",
  summary: "loopback servers to try clients against",
  description:
    "Servers for your own machine: point Python's ftplib and smtplib, curl, lftp, swaks or inet's own clients at " +
    "them. They listen on 127.0.0.1 unless told otherwise, and run until Ctrl-C.",
  commands: [ftp, mail],
};
