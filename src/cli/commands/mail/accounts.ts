/**
 * `inet mail accounts`: the mail accounts of the config file — a name for a sender address and the
 * server (and login) it sends through — listed, added, removed, and one of them made the default
 * (whose server is then the default server of `inet mail send`). A password is stored only with
 * `--store-password`.
 */
import { InvalidArgumentError } from "../../../errors.js";
import { parseMailbox } from "../../../mime/address/index.js";
import { resolveCredentials } from "../../../transport/credentials.js";
import { formatTarget } from "../../../transport/url.js";
import { type CommandContext, type CommandSpec, type ParsedArgs, stringOption } from "../../command.js";
import { loadConfig, type MailAccount, type MailConfig, saveConfig } from "../../config.js";
import { EXIT } from "../../exit-codes.js";
import { loadCliConfig } from "../ftp/common.js";
import { isInteractive, promptSecret } from "../ftp/connect.js";
import { safeJson } from "../ftp/progress.js";
import { formatTable } from "../ftp/sites.js";
import { smtpTarget } from "./connect.js";

/** An account name: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Checks and normalizes what `accounts add` was given: a valid sender, an SMTP URL (its password
 * removed: the caller decides whether to store it), an optional user name.
 *
 * @returns the account and the password the URL held, if any.
 * @throws {InvalidArgumentError} for a bad name, sender, URL or user name.
 */
export function makeAccount(
  name: string,
  options: { from?: string | undefined; server?: string | undefined; user?: string | undefined },
): { account: MailAccount; urlPassword?: string } {
  if (!ACCOUNT_NAME.test(name)) {
    throw new InvalidArgumentError(
      "an account name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
    );
  }
  if (options.from === undefined || options.server === undefined) {
    throw new InvalidArgumentError("'inet mail accounts add' needs --from ADDR and --server URL");
  }
  try {
    parseMailbox(options.from);
  } catch (error) {
    throw new InvalidArgumentError(`--from: ${error instanceof Error ? error.message : String(error)}`);
  }
  const target = smtpTarget(options.server, "--server");
  if (options.user !== undefined && /[\r\n\0]/.test(options.user)) {
    throw new InvalidArgumentError("--user cannot hold CR, LF or NUL");
  }
  const account: MailAccount = { from: options.from, server: formatTarget({ ...target, rawPath: "/" }) };
  if (options.user !== undefined) account.user = options.user;
  return { account, ...(target.password !== undefined ? { urlPassword: target.password } : {}) };
}

export const accountsCommand: CommandSpec = {
  name: "accounts",
  summary: "the mail accounts (sender, server, login) of the config file: list, add, remove, default",
  usage:
    "inet mail accounts [list] [--json] | inet mail accounts add NAME --from ADDR --server URL " +
    "[--user NAME] [--store-password] [--default] | inet mail accounts remove NAME | inet mail accounts default NAME",
  description: [
    "An account gives a name to a sender address and the SMTP server it sends through, with the " +
      "user name to log in as: 'inet mail send --account NAME' (or -a NAME) then needs no --from " +
      "or --server. The default account (the first one added, or --default when adding, or " +
      "'accounts default NAME') is " +
      "used when no account is named; its server is the default server. Accounts are kept in the " +
      "config file ($XDG_CONFIG_HOME/inetkit/config.json, mode 0600), beside the FTP bookmarks.",
    "A password is stored only with --store-password: it is taken from the URL, ~/.netrc, " +
      "INET_SMTP_PASSWORD or INET_PASSWORD, or asked for on a terminal. Without it, a password " +
      "in the URL is dropped, and 'send' finds one in ~/.netrc, the environment or a prompt. An " +
      "account's user name and password are only ever sent to its own server.",
  ].join("\n\n"),
  options: [
    {
      name: "from",
      type: "string",
      value: "ADDR",
      description: "add: the sender ('Alice <alice@example.org>')",
    },
    {
      name: "server",
      type: "string",
      value: "URL",
      description: "add: smtp+starttls://, smtps:// or smtp:// URL",
    },
    { name: "user", type: "string", value: "NAME", description: "add: the login name (when not in the URL)" },
    { name: "store-password", type: "boolean", description: "add: store the password in the config file" },
    { name: "default", type: "boolean", description: "add: make it the default account" },
    { name: "json", type: "boolean", description: "list: print the accounts as JSON (never the passwords)" },
  ],
  positionals: { min: 0, max: 2 },
  examples: [
    [
      "inet mail accounts add work --from 'Alice <alice@example.org>' --server smtp+starttls://alice@mail.example.org --default",
      "an account, made the default (the password comes from ~/.netrc or a prompt)",
    ],
    ["inet mail accounts", "list them"],
    ["inet mail accounts default home", "send as 'home' from now on"],
    ["inet mail accounts remove work", "forget it (and any stored password)"],
  ],
  async run(args, context) {
    const [sub = "list", ...rest] = args.positionals;
    if (sub === "list") {
      if (rest.length > 0) throw new InvalidArgumentError("'inet mail accounts list' takes no arguments");
      return listAccounts(context, args.values.json === true);
    }
    if (sub === "add") {
      if (rest.length !== 1) {
        throw new InvalidArgumentError("usage: inet mail accounts add NAME --from ADDR --server URL");
      }
      return addAccount(rest[0]!, args, context);
    }
    if (sub === "remove" || sub === "rm" || sub === "default") {
      if (rest.length !== 1) throw new InvalidArgumentError(`usage: inet mail accounts ${sub} NAME`);
      const name = rest[0]!;
      const loaded = await loadConfig();
      const mail: MailConfig = loaded.config.mail ?? { accounts: {} };
      if (!Object.hasOwn(mail.accounts, name)) {
        throw new InvalidArgumentError(`no mail account named ${JSON.stringify(name)}`);
      }
      if (sub === "default") mail.defaultAccount = name;
      else {
        delete mail.accounts[name];
        if (mail.defaultAccount === name) delete mail.defaultAccount;
      }
      loaded.config.mail = mail;
      await saveConfig(loaded.config, loaded.path);
      context.out.line(sub === "default" ? `${name} is the default account` : `removed account ${name}`);
      return EXIT.ok;
    }
    throw new InvalidArgumentError(
      `unknown accounts command ${JSON.stringify(sub)} (list, add, remove, default)`,
    );
  },
};

async function addAccount(name: string, args: ParsedArgs, context: CommandContext): Promise<number> {
  const { account, urlPassword } = makeAccount(name, {
    from: stringOption(args, "from"),
    server: stringOption(args, "server"),
    user: stringOption(args, "user"),
  });
  if (args.values["store-password"] === true) {
    const target = smtpTarget(account.server, "--server");
    const user = target.user ?? account.user;
    if (user === undefined) {
      throw new InvalidArgumentError("--store-password needs a user name (--user NAME, or user@ in the URL)");
    }
    let password =
      urlPassword ?? (await resolveCredentials({ target: { ...target, user }, env: process.env })).password;
    if (password === undefined && isInteractive(context.io)) {
      password = await promptSecret(context, `Password for ${user}@${target.host} (to store): `);
    }
    if (password === undefined || password === "") {
      throw new InvalidArgumentError(
        "--store-password: no password found (in the URL, ~/.netrc, INET_SMTP_PASSWORD or INET_PASSWORD) and no terminal to ask on",
      );
    }
    account.password = password;
  } else if (urlPassword !== undefined) {
    context.out.note(
      "inet: the password in the URL was not stored (pass --store-password to store it, or use ~/.netrc or INET_SMTP_PASSWORD)",
    );
  }
  const loaded = await loadConfig();
  const mail: MailConfig = loaded.config.mail ?? { accounts: {} };
  const replaced = Object.hasOwn(mail.accounts, name);
  mail.accounts[name] = account;
  if (args.values.default === true || mail.defaultAccount === undefined) mail.defaultAccount = name;
  loaded.config.mail = mail;
  await saveConfig(loaded.config, loaded.path);
  const notes = [
    ...(mail.defaultAccount === name ? ["the default"] : []),
    ...(account.password !== undefined ? [`password stored in ${loaded.path}`] : []),
  ];
  context.out.remote(
    `${replaced ? "replaced" : "added"} account ${name}${notes.length ? ` (${notes.join("; ")})` : ""}`,
  );
  return EXIT.ok;
}

async function listAccounts(context: CommandContext, json: boolean): Promise<number> {
  const config = await loadCliConfig(context);
  const mail = config.mail ?? { accounts: {} };
  const names = Object.keys(mail.accounts).sort();
  const rows = names.map((name) => {
    const account = mail.accounts[name]!;
    return {
      name,
      default: mail.defaultAccount === name,
      from: account.from,
      server: account.server,
      user: account.user ?? smtpUser(account.server) ?? "",
      passwordStored: account.password !== undefined,
    };
  });
  if (json) {
    context.out.line(safeJson(rows));
    return EXIT.ok;
  }
  if (rows.length === 0) {
    context.out.note("no mail accounts yet: inet mail accounts add NAME --from ADDR --server URL");
    return EXIT.ok;
  }
  const table = [
    ["", "NAME", "FROM", "SERVER", "USER", "PASSWORD"],
    ...rows.map((row) => [
      row.default ? "*" : "",
      row.name,
      row.from,
      row.server,
      row.user,
      row.passwordStored ? "stored" : "",
    ]),
  ];
  for (const line of formatTable(table)) context.out.line(line);
  return EXIT.ok;
}

/** The user name in an account's URL (a malformed URL in a hand-edited file shows none). */
function smtpUser(server: string): string | undefined {
  try {
    return smtpTarget(server, "server").user;
  } catch {
    return undefined;
  }
}
