/**
 * The book's table of sites: `inet ftp sites` lists, adds and removes named rows (URL, remote
 * folder, file pattern, local folder) kept in the config file, and `inet ftp sync` fetches, for
 * each named site (or all of them), the files matching its pattern that are missing locally or
 * newer than the local copy — the mirror library's `mirrorDown` with `onlyNewer` and `include`.
 * One site failing does not stop the others; the exit code says the worst that happened.
 */
import { resolve } from "node:path";
import { AbortError, InvalidArgumentError } from "../../../errors.js";
import { Glob } from "../../../tools/ftp-mirror/glob.js";
import { mirrorDown } from "../../../tools/ftp-mirror/mirror.js";
import { formatTarget, parseTarget } from "../../../transport/url.js";
import { type CommandContext, type CommandSpec, stringOption } from "../../command.js";
import { loadConfig, type Site, saveConfig } from "../../config.js";
import { EXIT } from "../../exit-codes.js";
import { sanitize } from "../../terminal.js";
import { loadCliConfig, outputOptions, progressOptions } from "./common.js";
import { connectOptionsFrom, ftpConnectOptions, openFtp } from "./connect.js";
import { Progress, safeJson } from "./progress.js";
import { ENTRY_NAME } from "./shell/commands-session.js";

/** Which failure wins when several sites fail: connection, then local, then usage, then remote. */
const SEVERITY: readonly number[] = [EXIT.unexpected, EXIT.connection, EXIT.local, EXIT.usage, EXIT.remote];

/** The most serious of `codes` (0 when all are 0), in the order {@link SEVERITY} gives. */
export function worstExitCode(codes: readonly number[]): number {
  for (const code of SEVERITY) if (codes.includes(code)) return code;
  return codes.find((code) => code !== EXIT.ok) ?? EXIT.ok;
}

/** A site as one line of the table (or a JSON row). */
function siteRow(name: string, site: Site): Record<string, string> {
  return {
    name,
    url: site.url,
    remote: site.remotePath ?? "",
    pattern: site.pattern ?? "",
    local: site.local,
  };
}

/** Columns padded to their widest cell; every cell sanitized (the file is the user's, but still). */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const cells = rows.map((row) => row.map((cell) => sanitize(cell)));
  const widths = cells[0]!.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  return cells.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd(),
  );
}

/**
 * Checks and normalizes what `sites add` was given: an FTP URL (a password in it is dropped —
 * stored passwords come only from `bookmark --password`), a local folder made absolute, a glob
 * that compiles.
 *
 * @throws {InvalidArgumentError} for a bad name, URL or pattern, or a missing `--local`.
 */
export function makeSite(
  name: string,
  url: string,
  options: { local?: string; pattern?: string; remote?: string; cwd?: string },
): { site: Site; droppedPassword: boolean } {
  if (!ENTRY_NAME.test(name)) {
    throw new InvalidArgumentError(
      "a site name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
    );
  }
  const target = parseTarget(url);
  if (target.protocol !== "ftp") {
    throw new InvalidArgumentError(
      `not an FTP URL: use ftp://, ftpes:// or ftps:// (got ${target.scheme}://)`,
    );
  }
  if (options.local === undefined || options.local === "") {
    throw new InvalidArgumentError("'inet ftp sites add' needs --local DIR (where the files go)");
  }
  if (options.pattern !== undefined) new Glob(options.pattern);
  const site: Site = {
    url: formatTarget(target),
    local: resolve(options.cwd ?? process.cwd(), options.local),
  };
  if (options.remote !== undefined) site.remotePath = options.remote;
  if (options.pattern !== undefined) site.pattern = options.pattern;
  return { site, droppedPassword: target.password !== undefined };
}

export const sitesCommand: CommandSpec = {
  name: "sites",
  summary: "the table of sites (URL, remote folder, pattern, local folder): list, add, remove",
  usage:
    "inet ftp sites [list] [--json] | inet ftp sites add NAME URL --local DIR [--pattern GLOB] [--remote PATH] | inet ftp sites remove NAME",
  description: [
    "The book's table of sites, kept in the config file ($XDG_CONFIG_HOME/inetkit/config.json, " +
      "mode 0600). Each site names a server URL, the remote folder to look in (default: the " +
      "URL's path), a glob the file names must match (default: every file) and the local " +
      "folder the files go to. 'inet ftp sync NAME' (or --all) fetches what is new.",
    "'sites' or 'sites list' prints the table; 'sites add' adds or replaces a row; 'sites " +
      "remove' deletes one. A password in the URL is not stored: sync finds it in ~/.netrc, " +
      "INET_FTP_PASSWORD / INET_PASSWORD, or asks on a terminal.",
  ].join("\n\n"),
  options: [
    { name: "local", type: "string", value: "DIR", description: "add: the local folder (required)" },
    { name: "pattern", type: "string", value: "GLOB", description: "add: which file names to fetch (*.py)" },
    {
      name: "remote",
      type: "string",
      value: "PATH",
      description: "add: the remote folder (default: the URL's path)",
    },
    { name: "json", type: "boolean", description: "list: print the table as JSON" },
  ],
  positionals: { min: 0, max: 3 },
  examples: [
    [
      "inet ftp sites add python ftp://ftp.example.test/pub/python --pattern '*.py' --local ~/src/py",
      "a site fetching the Python files of /pub/python",
    ],
    ["inet ftp sites", "print the table"],
    ["inet ftp sites remove python", "forget it"],
  ],
  async run(args, context) {
    const [sub = "list", ...rest] = args.positionals;
    if (sub === "list") {
      if (rest.length > 0) throw new InvalidArgumentError("'inet ftp sites list' takes no arguments");
      return listSites(context, args.values.json === true);
    }
    if (sub === "add") {
      if (rest.length !== 2) throw new InvalidArgumentError("usage: inet ftp sites add NAME URL --local DIR");
      const [name, url] = rest as [string, string];
      const pattern = stringOption(args, "pattern");
      const remote = stringOption(args, "remote");
      const local = stringOption(args, "local");
      const { site, droppedPassword } = makeSite(name, url, {
        ...(local !== undefined ? { local } : {}),
        ...(pattern !== undefined ? { pattern } : {}),
        ...(remote !== undefined ? { remote } : {}),
      });
      const loaded = await loadConfig();
      const replaced = Object.hasOwn(loaded.config.sites, name);
      loaded.config.sites[name] = site;
      await saveConfig(loaded.config, loaded.path);
      if (droppedPassword) {
        context.out.note("inet: the password in the URL was not stored (use ~/.netrc or INET_FTP_PASSWORD)");
      }
      context.out.line(`${replaced ? "replaced" : "added"} site ${name}`);
      return EXIT.ok;
    }
    if (sub === "remove" || sub === "rm") {
      if (rest.length !== 1) throw new InvalidArgumentError("usage: inet ftp sites remove NAME");
      const name = rest[0]!;
      const loaded = await loadConfig();
      if (!Object.hasOwn(loaded.config.sites, name)) {
        throw new InvalidArgumentError(`no site named ${JSON.stringify(name)}`);
      }
      delete loaded.config.sites[name];
      await saveConfig(loaded.config, loaded.path);
      context.out.line(`removed site ${name}`);
      return EXIT.ok;
    }
    throw new InvalidArgumentError(`unknown sites command ${JSON.stringify(sub)} (list, add, remove)`);
  },
};

async function listSites(context: CommandContext, json: boolean): Promise<number> {
  const config = await loadCliConfig(context);
  const names = Object.keys(config.sites).sort();
  const rows = names.map((name) => siteRow(name, config.sites[name]!));
  if (json) {
    context.out.line(safeJson(rows));
    return EXIT.ok;
  }
  if (rows.length === 0) {
    context.out.note("no sites yet: inet ftp sites add NAME URL --local DIR [--pattern GLOB]");
    return EXIT.ok;
  }
  const table = [["NAME", "URL", "REMOTE", "PATTERN", "LOCAL"], ...rows.map((row) => Object.values(row))];
  for (const line of formatTable(table)) context.out.line(line);
  return EXIT.ok;
}

/** What sync did for one site. */
interface SiteOutcome {
  name: string;
  files: number;
  bytes: number;
  seconds: number;
  errors: Array<{ path: string; message: string }>;
  code: number;
}

export const syncCommand: CommandSpec = {
  name: "sync",
  summary: "fetch, for each site of the table, the matching files that are new or newer",
  usage: "inet ftp sync [--quiet] [--json] [--insecure] [--timeout SECONDS] [--ca FILE] (NAME... | --all)",
  description: [
    "For each named site (see 'inet ftp sites'), or every site with --all, lists the site's " +
      "remote folder and downloads the files matching its pattern that are missing from its " +
      "local folder or newer there than here; nothing else is touched (no deletions, no " +
      "subfolders). A second sync right after the first transfers nothing.",
    "Each site is reported on its own; a site that fails (no connection, a refused login, a " +
      "missing folder) is reported and the next one runs. The exit code is 0 when every site " +
      "synced, else the most serious failure among them: 3 (connection) before 5 (local) " +
      "before 2 (usage) before 4 (remote). --json prints one object: { sites: [{ name, files, " +
      "bytes, seconds, errors, code }], files, bytes }.",
  ].join("\n\n"),
  options: [
    { name: "all", short: "a", type: "boolean", description: "sync every site of the table" },
    ...outputOptions,
    ...ftpConnectOptions,
  ],
  positionals: { min: 0, max: Number.POSITIVE_INFINITY },
  examples: [
    ["inet ftp sync python", "fetch what is new on the site 'python'"],
    ["inet ftp sync --all --json", "every site, with a JSON summary"],
  ],
  async run(args, context) {
    const all = args.values.all === true;
    const named = args.positionals.length > 0;
    if (all === named) {
      throw new InvalidArgumentError("name the sites to sync, or give --all (not both)");
    }
    const config = await loadCliConfig(context);
    const names = all ? Object.keys(config.sites).sort() : args.positionals;
    for (const name of names) {
      if (!Object.hasOwn(config.sites, name))
        throw new InvalidArgumentError(`no site named ${JSON.stringify(name)}`);
    }
    if (names.length === 0) context.out.note("no sites to sync: inet ftp sites add NAME URL --local DIR");
    const connect = await connectOptionsFrom(args, config);
    const display = progressOptions(args);
    const json = display.json === true;
    const outcomes: SiteOutcome[] = [];
    for (const name of names) {
      const site = config.sites[name]!;
      if (!json && !display.quiet) context.out.note(sanitize(`site ${name}: ${site.url} → ${site.local}`));
      const progress = new Progress(context, json ? { mode: "quiet" } : display);
      let files = 0;
      let bytes = 0;
      try {
        const opened = await openFtp(site.url, { context, config, ...connect });
        try {
          const result = await mirrorDown({
            client: opened.client,
            remote: site.remotePath ?? opened.path,
            local: site.local,
            include: site.pattern !== undefined ? [site.pattern] : [],
            onlyNewer: true,
            signal: context.signal,
            onEvent: (event) => progress.onMirrorEvent(event),
          });
          files = result.transferred.files;
          bytes = result.transferred.bytes;
        } finally {
          await opened.close();
        }
      } catch (error) {
        if (error instanceof AbortError || context.signal.aborted) {
          progress.finish();
          throw error;
        }
        progress.fail(`site ${name}`, error);
      }
      const code = progress.finish({ files, bytes });
      outcomes.push({
        name,
        files,
        bytes,
        seconds: Math.round(progress.seconds * 1000) / 1000,
        errors: progress.errors.map(({ path, message }) => ({ path, message })),
        code,
      });
    }
    if (json) {
      const total = outcomes.reduce(
        (sum, outcome) => ({ files: sum.files + outcome.files, bytes: sum.bytes + outcome.bytes }),
        {
          files: 0,
          bytes: 0,
        },
      );
      context.out.line(safeJson({ sites: outcomes, ...total }));
    }
    return worstExitCode(outcomes.map((outcome) => outcome.code));
  },
};
